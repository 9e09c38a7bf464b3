/**
 * Which skill a customer's question needs: a keyword rule, the simplest that routes "my invoice
 * is wrong" to billing (issue 14: "a simple keyword rule is enough").
 * @packageDocumentation
 */
import type { SkillConfig } from './config';

/** What {@link skillForQuestion} decided, and why (logged, and shown to nobody else). @public */
export type SkillDecision = {
  readonly skill: string;
  /** The keywords found in the question, for the skill chosen; empty when the default applied. */
  readonly matched: readonly string[];
};

/**
 * Picks the skill for a question.
 *
 * @remarks
 * The question is cut into words (letters and digits, any script, lower-cased, NFKC). A keyword
 * of one word matches every word that starts with it ("invoice" matches "invoices",
 * "invoiced"); a keyword of several words matches those words in a row. The skill with the most
 * matching words wins; a tie goes to the skill listed first in the configuration, so the order
 * of `skills` is the tie-break an administrator controls. No match at all: `fallback`.
 * @param question - the customer's question, as typed
 * @param skills - the configured skills, in configuration order
 * @param fallback - the default skill
 * @public
 */
export function skillForQuestion(question: string, skills: readonly SkillConfig[], fallback: string): SkillDecision {
  const words = wordsOf(question);
  let best: SkillDecision = { skill: fallback, matched: [] };
  let bestScore = 0;
  for (const skill of skills) {
    let score = 0;
    const matched: string[] = [];
    for (const keyword of skill.keywords) {
      const hits = countMatches(words, wordsOf(keyword));
      if (hits > 0) {
        score += hits;
        matched.push(keyword);
      }
    }
    if (score > bestScore) {
      best = { skill: skill.name, matched };
      bestScore = score;
    }
  }
  return best;
}

function wordsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** How many times the keyword's words appear in a row in `words` (its last word as a prefix). */
function countMatches(words: readonly string[], keyword: readonly string[]): number {
  if (keyword.length === 0) {
    return 0;
  }
  let count = 0;
  for (let i = 0; i + keyword.length <= words.length; i += 1) {
    if (keyword.every((part, j) => (j === keyword.length - 1 ? words[i + j]?.startsWith(part) : words[i + j] === part))) {
      count += 1;
    }
  }
  return count;
}
