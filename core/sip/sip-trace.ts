import { RingBuffer } from '../util/ring-buffer';
import { summarizeSipMessage, type MessageSummary } from './message-summary';

/** Which way a traced message went, seen from this agent. */
export type TraceDirection = 'in' | 'out';

/**
 * One SIP message as sent or received on the wire.
 * @public
 */
export type TraceEntry = MessageSummary & {
  /** Increases by one per message, across evictions, so gaps show what was dropped. */
  readonly seq: number;
  /** Wall-clock milliseconds since the epoch. */
  readonly at: number;
  readonly direction: TraceDirection;
  /**
   * Dialog the message belongs to: its Call-ID. Call-ID alone groups a dialog with its
   * transactions (RFC 3261 §12), and every dialog this agent makes uses a fresh one.
   */
  readonly dialog: string;
  readonly raw: string;
};

/** Which entries to read: one dialog, or a set of them (Call-IDs). */
export type TraceFilter = { readonly dialog?: string; readonly dialogs?: ReadonlySet<string> };

/** Bounds of the trace buffer. */
export type SipTraceOptions = {
  /** Most messages kept; the oldest are dropped first. */
  readonly maxEntries?: number;
  /** Most characters of raw messages kept in total. */
  readonly maxChars?: number;
};

/**
 * Structured SIP trace in a bounded ring buffer.
 * @remarks Every message in and out is recorded with time, direction and dialog, so that an
 * agent's support ticket can carry exactly what was on the wire (RFC 3261 message format).
 * @public
 */
export class SipTrace {
  private readonly buffer: RingBuffer<TraceEntry>;
  private nextSeq = 1;
  private readonly listeners = new Set<(entry: TraceEntry) => void>();

  constructor(
    private readonly now: () => number,
    options: SipTraceOptions = {},
  ) {
    this.buffer = new RingBuffer<TraceEntry>(
      options.maxEntries ?? 2000,
      options.maxChars ?? 4 * 1024 * 1024,
      (entry) => entry.raw.length,
    );
  }

  /** Records one raw message. */
  record(direction: TraceDirection, raw: string): TraceEntry {
    const summary = summarizeSipMessage(raw);
    const entry: TraceEntry = {
      ...summary,
      seq: this.nextSeq,
      at: this.now(),
      direction,
      dialog: summary.callId,
      raw,
    };
    this.nextSeq += 1;
    this.buffer.push(entry);
    for (const listener of this.listeners) {
      listener(entry);
    }
    return entry;
  }

  /** Calls `listener` for every message recorded from now on; returns the unsubscribe. */
  subscribe(listener: (entry: TraceEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Entries from oldest to newest, optionally only those of one dialog or of a set of dialogs
   * (a conversation's).
   */
  entries(filter?: TraceFilter): TraceEntry[] {
    const all = this.buffer.toArray();
    const { dialog, dialogs } = filter ?? {};
    if (dialog !== undefined) {
      return all.filter((e) => e.dialog === dialog);
    }
    return dialogs === undefined ? all : all.filter((e) => dialogs.has(e.dialog));
  }

  /**
   * Dialogs in the order they first appeared, each with the request methods seen in it
   * (first occurrence order), e.g. `INVITE, ACK, INFO, BYE`.
   */
  dialogs(): { dialog: string; methods: string[] }[] {
    const byDialog = new Map<string, Set<string>>();
    for (const entry of this.buffer.toArray()) {
      let methods = byDialog.get(entry.dialog);
      if (!methods) {
        methods = new Set();
        byDialog.set(entry.dialog, methods);
      }
      if (entry.status === undefined && entry.method) {
        methods.add(entry.method);
      }
    }
    return [...byDialog].map(([dialog, methods]) => ({ dialog, methods: [...methods] }));
  }

  /** Messages dropped to respect the bounds. */
  get dropped(): number {
    return this.buffer.droppedCount;
  }

  /** Renders entries as text, one block per message, in the order they crossed the wire. */
  exportText(filter?: TraceFilter): string {
    const blocks = this.entries(filter).map((e) => {
      const arrow = e.direction === 'out' ? '>>> OUT' : '<<< IN';
      const header = `#${e.seq} ${new Date(e.at).toISOString()} ${arrow} dialog=${e.dialog}`;
      return `${header}\n${e.raw.replace(/\r\n/g, '\n').trimEnd()}\n`;
    });
    const note = this.dropped > 0 ? `(${this.dropped} older messages dropped)\n\n` : '';
    return note + blocks.join('\n');
  }
}
