import { describe, expect, it } from 'vitest';
import { skillForQuestion } from './skill-rule';

const SKILLS = [
  { name: 'billing', keywords: ['invoice', 'refund', 'charge', 'credit card'] },
  { name: 'technical', keywords: ['password', 'sign in', 'error'] },
  { name: 'sales', keywords: ['price', 'upgrade'] },
];

describe('the keyword rule', () => {
  it('finds the skill by keyword, as the start of a word, in any case', () => {
    expect(skillForQuestion('My INVOICE shows a double charge', SKILLS, 'sales')).toEqual({ skill: 'billing', matched: ['invoice', 'charge'] });
    expect(skillForQuestion('Two invoices were charged twice', SKILLS, 'sales').skill).toBe('billing');
  });

  it('matches a keyword of several words only as a phrase', () => {
    expect(skillForQuestion('I cannot sign in since Monday', SKILLS, 'sales')).toEqual({ skill: 'technical', matched: ['sign in'] });
    expect(skillForQuestion('Please sign the contract, I am in a hurry', SKILLS, 'sales')).toEqual({ skill: 'sales', matched: [] });
    expect(skillForQuestion('Is my credit card stored?', SKILLS, 'sales').skill).toBe('billing');
  });

  it('takes the skill with the most matches, the first listed on a tie, and the fallback on none', () => {
    expect(skillForQuestion('Password error after the upgrade', SKILLS, 'sales').skill).toBe('technical');
    expect(skillForQuestion('Refund the upgrade', SKILLS, 'sales').skill).toBe('billing');
    expect(skillForQuestion('Hello?', SKILLS, 'sales')).toEqual({ skill: 'sales', matched: [] });
    expect(skillForQuestion('', SKILLS, 'technical').skill).toBe('technical');
  });

  it('does not match inside a word, and reads accents and full-width letters', () => {
    expect(skillForQuestion('a prerefund', SKILLS, 'sales').skill).toBe('sales');
    expect(skillForQuestion('ＩＮＶＯＩＣＥ', SKILLS, 'sales').skill).toBe('billing');
  });
});
