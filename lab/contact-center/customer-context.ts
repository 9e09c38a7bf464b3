/**
 * What the contact center captured about a customer, and how it reaches the agent's pane: a
 * summary in the channel INVITE (which has 4 KB for everything), the rest over the channel
 * when the pane asks.
 * @packageDocumentation
 */
import { CC_CONTEXT_KIND, type ContextSummary, type FullContext } from '../../extensions/crm-context/cc-protocol';
import type { WrapUpCode } from './config';

/** A page the visitor looked at on the site. @public */
export type PageVisit = { readonly url: string; readonly title: string; readonly at: number };

/** What a customer's request carries, as the web gateway validated it. @public */
export type CustomerRequest = {
  readonly name: string;
  readonly email: string;
  readonly question: string;
  /** The visitor's pages on the site, oldest first (the gateway tracks them, not the page). */
  readonly pages: readonly PageVisit[];
  /** The visitor id of the site's cookie. */
  readonly visitorId: string;
  /** The customer asked to be called: the offer carries audio. */
  readonly call: boolean;
};

/** A request as routed: the customer's data, its id, its skill, and when it came. @public */
export type CapturedContext = CustomerRequest & { readonly id: string; readonly skill: string; readonly requestedAt: number };

/**
 * Bytes of JSON the initial context may take.
 * @remarks The Lync API's own cap on initial context is 2,000 characters (docs/protocol/4-limits.md,
 * LYNC10-LIMITS); base64 makes 2,000 bytes 2,668 characters, which leaves the INVITE body room
 * for the XML, the name, the toast and the links under the agent's 4,096-byte limit.
 * @public
 */
export const INITIAL_CONTEXT_BUDGET_BYTES = 2000;

/** What the summary says about the pane's place in the conversation. @public */
export type SummaryFacts = {
  readonly role: ContextSummary['role'];
  readonly customerUri: string;
  readonly wrapUpCodes: readonly WrapUpCode[];
  readonly skills: readonly string[];
};

/** The question, clipped to these lengths in turn, until the summary fits. */
const QUESTION_STEPS = [Number.POSITIVE_INFINITY, 280, 100, 0];
/** Name and email lengths: what a pane shows, then shorter, for names in a script of 4-byte characters. */
const NAME_STEPS: readonly (readonly [number, number])[] = [
  [100, 254],
  [40, 80],
];

/**
 * The initial context for an agent's pane: as much of the captured context as fits in
 * `budgetBytes` of JSON.
 * @remarks Tries the whole question and every page first; then fewer pages (the latest kept),
 * then the question clipped to 280, 100 and 0 characters (with "…"), and last a shorter name
 * and email. `complete` is true only
 * when nothing was left out, so the pane asks for the full context exactly when there is more.
 * Page titles and times travel only in the full context.
 * @public
 */
export function summarize(context: CapturedContext, facts: SummaryFacts, budgetBytes = INITIAL_CONTEXT_BUDGET_BYTES): ContextSummary {
  const fixed: Omit<ContextSummary, 'name' | 'email' | 'question' | 'pages' | 'complete'> = {
    kind: CC_CONTEXT_KIND,
    id: context.id,
    role: facts.role,
    skill: context.skill,
    call: context.call,
    customer: facts.customerUri,
    wrapUpCodes: facts.wrapUpCodes.map((c) => ({ code: c.code, label: c.label })),
    skills: [...facts.skills],
    pageCount: context.pages.length,
  };
  const paths = context.pages.map((p) => clip(p.url, 200));
  const pathsWhole = paths.every((p, i) => p === context.pages[i]?.url);
  for (const [nameLimit, emailLimit] of NAME_STEPS) {
    const who = { name: clip(context.name, nameLimit), email: clip(context.email, emailLimit) };
    for (const limit of QUESTION_STEPS) {
      const question = clip(context.question, limit);
      for (let kept = paths.length; kept >= 0; kept -= 1) {
        const complete = pathsWhole && kept === paths.length && question === context.question && who.name === context.name && who.email === context.email;
        const summary: ContextSummary = { ...fixed, ...who, question, pages: paths.slice(paths.length - kept), complete };
        if (byteLength(JSON.stringify(summary)) <= budgetBytes) {
          return summary;
        }
      }
    }
  }
  // The configuration bounds the fixed part (MAX_CONTEXT_LISTS_BYTES), so this is a bug.
  throw new Error(`the initial context of ${context.id} does not fit in ${budgetBytes} bytes even without the question and pages`);
}

/** The full context, as the pane receives it over the channel. @public */
export function fullContext(context: CapturedContext): FullContext {
  return {
    type: 'context',
    id: context.id,
    name: context.name,
    email: context.email,
    question: context.question,
    pages: context.pages.map((p) => ({ url: p.url, title: p.title, at: p.at })),
    visitorId: context.visitorId,
    call: context.call,
    skill: context.skill,
    requestedAt: context.requestedAt,
  };
}

/** At most `limit` code points; a clipped text ends with "…" (within the limit). */
export function clip(text: string, limit: number): string {
  const points = [...text];
  if (points.length <= limit) {
    return text;
  }
  return limit <= 0 ? '' : `${points.slice(0, limit - 1).join('')}…`;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
