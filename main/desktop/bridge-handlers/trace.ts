import type { BridgeResult } from '../../../common/bridge';
import type { SipTrace, TraceEntry, TraceFilter } from '../../../core/sip/sip-trace';
import type { AreaHandlers } from './types';

/** What the trace handlers need of the session. */
export type TraceAreaContext = {
  /** The running agent's SIP trace; undefined while no agent runs (an empty trace). */
  readonly trace: () => Pick<SipTrace, 'entries' | 'exportText'> | undefined;
};

/** The bridge methods of the SIP trace viewer. */
export type TraceMethod = 'trace.list' | 'trace.export';

/** Every dialog when no Call-ID is given, else only those. */
const dialogFilter = (callIds: readonly string[]): TraceFilter => (callIds.length === 0 ? {} : { dialogs: new Set(callIds) });

/**
 * `trace.list` and `trace.export` of `common/bridge.ts`: the agent's SIP trace, whole or for
 * some dialogs, as entries for the viewer or as text to save.
 */
export function traceHandlers(context: TraceAreaContext): AreaHandlers<TraceMethod> {
  return {
    'trace.list': ({ callIds }) => ({ entries: (context.trace()?.entries(dialogFilter(callIds)) ?? []).map(toEntryView) }),
    'trace.export': ({ callIds }) => ({ text: context.trace()?.exportText(dialogFilter(callIds)) ?? '' }),
  };
}

type TraceEntryView = BridgeResult<'trace.list'>['entries'][number];

/** One trace entry with exactly the fields of the contract's entry (no status on requests). */
function toEntryView(entry: TraceEntry): TraceEntryView {
  return {
    seq: entry.seq,
    at: entry.at,
    direction: entry.direction,
    dialog: entry.dialog,
    startLine: entry.startLine,
    method: entry.method,
    ...(entry.status !== undefined && { status: entry.status }),
    raw: entry.raw,
  };
}
