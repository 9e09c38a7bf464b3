import { RingBuffer } from '../util/ring-buffer';
import { summarizeSipMessage, type MessageSummary } from './message-summary';

/**
 * An `Authorization` or `Proxy-Authorization` header (RFC 3261 §20.7, §20.28; no compact form),
 * any case, spaces before the colon, with its folded continuation lines (§7.3.1).
 */
const CREDENTIALS_HEADER = /^((?:proxy-)?authorization)[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/gim;
/** The cheap test first: most messages carry no credentials at all. */
const MAY_HAVE_CREDENTIALS = /authorization/i;
/** Digest parameters kept: who and where, the two things a 401 loop is debugged with. */
const KEPT_DIGEST_PARAMS = /(?:^|[\s,])(username|realm)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^\s,]+)/gi;

/**
 * A credentials header's value with its secrets taken out: `Digest username="a", realm="r",
 * <redacted>`; any other scheme (Basic, Bearer) keeps only its name.
 * @remarks `response` is the MD5 of the password with the nonce: with `nonce`, `cnonce`, `nc`,
 * `uri` and `qop` it lets anyone holding a trace guess the password offline (RFC 2617 §4.3,
 * RFC 8760 §7). Without `response` those are worthless, so they go too rather than be vetted
 * one by one; `username` and `realm` are already in clear in the From/To and the challenge.
 */
function redactedValue(value: string): string {
  const unfolded = value.replace(/\r?\n[ \t]+/g, ' ').trim();
  const scheme = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(unfolded)?.[0] ?? '';
  const kept: string[] = [];
  if (scheme.toLowerCase() === 'digest') {
    for (const match of unfolded.slice(scheme.length).matchAll(KEPT_DIGEST_PARAMS)) {
      kept.push(`${match[1] ?? ''}=${match[2] ?? ''}`);
    }
  }
  return [scheme, [...kept, '<redacted>'].join(', ')].filter((part) => part !== '').join(' ');
}

/**
 * A raw SIP message with the secrets of its credentials headers redacted (see
 * {@link redactedValue}); the message itself when it has none, which costs one scan of the
 * header block.
 * @remarks Only the header block is rewritten: a body is never read here, as the trace never
 * parses one.
 * @public
 */
export function redactCredentials(raw: string): string {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = headerEnd === -1 ? raw : raw.slice(0, headerEnd);
  if (!MAY_HAVE_CREDENTIALS.test(head)) {
    return raw;
  }
  const redacted = head.replace(CREDENTIALS_HEADER, (_line: string, name: string, value: string) => `${name}: ${redactedValue(value)}`);
  return headerEnd === -1 ? redacted : redacted + raw.slice(headerEnd);
}

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

/**
 * A recorded message whose summary is read from its raw text when first asked for.
 * @remarks At thousands of messages a second nobody reads the trace while it is written (the
 * CLI exports it on request; the desktop lists it when the pane is open), yet every message
 * stays in the ring for a few thousand more, long enough to be promoted to the old heap: a
 * summary made on record cost a scan of the header block and eight more objects per message
 * to carry there. Here a message costs this one object until someone reads it; the summary is
 * the same {@link summarizeSipMessage} of the same (already redacted) text, made once.
 */
class RecordedEntry implements TraceEntry {
  private summary: MessageSummary | undefined;

  constructor(
    readonly seq: number,
    readonly at: number,
    readonly direction: TraceDirection,
    readonly raw: string,
  ) {}

  private read(): MessageSummary {
    this.summary ??= summarizeSipMessage(this.raw);
    return this.summary;
  }

  get startLine(): string {
    return this.read().startLine;
  }

  get method(): string {
    return this.read().method;
  }

  get status(): number | undefined {
    return this.read().status;
  }

  get callId(): string {
    return this.read().callId;
  }

  get dialog(): string {
    return this.read().callId;
  }

  get cseq(): string {
    return this.read().cseq;
  }

  get fromTag(): string | undefined {
    return this.read().fromTag;
  }

  get toTag(): string | undefined {
    return this.read().toTag;
  }

  get contentType(): string | undefined {
    return this.read().contentType;
  }
}

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

  /**
   * Records one raw message, credentials redacted (see {@link redactCredentials}): what the
   * trace holds, lists, pushes and exports never had the digest in it. The entry's summary
   * fields are read from the redacted text when first used (see {@link RecordedEntry}).
   */
  record(direction: TraceDirection, wire: string): TraceEntry {
    const entry = new RecordedEntry(this.nextSeq, this.now(), direction, redactCredentials(wire));
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
