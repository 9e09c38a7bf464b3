import { describe, expect, it } from 'vitest';
import { contextSummarySchema, fullContextSchema } from '../../extensions/crm-context/cc-protocol';
import { buildSessionInvite } from '../channels/session-invite-builder';
import { CRM_CONTEXT_APP_ID } from './agent-pane';
import { clip, fullContext, INITIAL_CONTEXT_BUDGET_BYTES, summarize, type CapturedContext } from './customer-context';

const FACTS = {
  role: 'agent' as const,
  customerUri: 'sip:r-0123456789ab@guests.lab.local',
  wrapUpCodes: [
    { code: 'resolved', label: 'Resolved' },
    { code: 'callback', label: 'Call back' },
  ],
  skills: ['billing', 'technical'],
};

const small: CapturedContext = {
  id: 'r-0123456789ab',
  name: 'Ada Lovelace',
  email: 'ada@example.org',
  question: 'My invoice shows a double charge',
  pages: [
    { url: '/', title: 'Lab Store', at: 1 },
    { url: '/help/invoices', title: 'Invoices and refunds', at: 2 },
  ],
  visitorId: '0123456789abcdef0123456789abcdef',
  call: false,
  skill: 'billing',
  requestedAt: 3,
};

const bytes = (text: string): number => new TextEncoder().encode(text).length;

/** The channel INVITE body the agent would receive, as the lab builds it. */
function inviteBody(context: CapturedContext): { ok: boolean; size: number } {
  const built = buildSessionInvite({
    appId: CRM_CONTEXT_APP_ID,
    data: JSON.stringify(summarize(context, FACTS)),
    name: 'CRM context',
    customToast: clip(`${context.name}: ${context.question}`, 80),
    installLink: 'https://crm.example.org/switchboard/install',
  });
  return { ok: built.ok, size: built.ok ? bytes(built.body) : 0 };
}

describe('the initial context and the rest', () => {
  it('sends a small context whole, marked complete', () => {
    const summary = summarize(small, FACTS);
    expect(summary).toMatchObject({ complete: true, question: small.question, pages: ['/', '/help/invoices'], pageCount: 2, name: 'Ada Lovelace', role: 'agent' });
    expect(contextSummarySchema.safeParse(summary).success).toBe(true);
  });

  it('keeps a large context under 2,000 bytes: the latest pages and a clipped question, marked incomplete', () => {
    const large: CapturedContext = {
      ...small,
      question: `Invoice trouble. ${'Lorem ipsum dolor sit amet. '.repeat(70)}`.trim(),
      pages: Array.from({ length: 50 }, (_, i) => ({ url: `/products/item-${i}?ref=${'x'.repeat(40)}`, title: `Item ${i}`, at: i })),
    };
    const summary = summarize(large, FACTS);
    const json = JSON.stringify(summary);
    expect(bytes(json)).toBeLessThanOrEqual(INITIAL_CONTEXT_BUDGET_BYTES);
    expect(summary.complete).toBe(false);
    expect(summary.pageCount).toBe(50);
    expect(summary.pages.at(-1)).toBe(large.pages[49]?.url);
    expect(summary.question.endsWith('…')).toBe(true);
    expect(contextSummarySchema.safeParse(summary).success).toBe(true);
    // The rest goes over the channel, whole.
    const full = fullContext(large);
    expect(fullContextSchema.safeParse(full).success).toBe(true);
    expect(full.pages).toHaveLength(50);
    expect(full.question).toBe(large.question);
  });

  it('fits the agent-side 4,096-byte INVITE limit with the worst customer the gateway lets through', () => {
    const worst: CapturedContext = {
      ...small,
      name: '𝔄'.repeat(100),
      email: `${'a'.repeat(240)}@example.org`,
      question: '"\\𝔄'.repeat(600),
      pages: Array.from({ length: 50 }, (_, i) => ({ url: `/${'é'.repeat(190)}${i}`, title: 't', at: i })),
    };
    const summary = summarize(worst, FACTS);
    expect(bytes(JSON.stringify(summary))).toBeLessThanOrEqual(INITIAL_CONTEXT_BUDGET_BYTES);
    const body = inviteBody(worst);
    expect(body.ok).toBe(true);
    expect(body.size).toBeLessThan(4096);
    expect(inviteBody(small)).toMatchObject({ ok: true });
  });

  it('clips by code points, with an ellipsis inside the limit', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('𝔄𝔄𝔄', 2)).toBe('𝔄…');
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abc', 0)).toBe('');
  });
});
