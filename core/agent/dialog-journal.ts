import { UserAgent } from 'sip.js';
import { SessionDialog, SubscriptionDialog, type Dialog, type UserAgentCore } from 'sip.js/lib/core/index.js';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { KeyValueStore } from '../ports/storage';

/** What is kept of one confirmed dialog: enough to end it after a crash (RFC 3261 §12.2.1.1). */
export type JournaledDialog = {
  readonly kind: 'invite' | 'subscription';
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  /** Our last CSeq in the dialog; the ending request takes the next one. */
  readonly cseq: number;
  /** The event package of a subscription (RFC 6665 §7.2.1), for its un-SUBSCRIBE. */
  readonly event?: string;
};

/** Options of {@link DialogJournal}. */
export type DialogJournalOptions = {
  /** How often the open dialogs are compared with what was last written. */
  readonly intervalMs?: number;
  /** Most dialogs ended after a crash, oldest first (the journal itself is bounded by the caps). */
  readonly maxRecovered?: number;
};

const DEFAULT_INTERVAL_MS = 2000;

/**
 * A record of the agent's confirmed dialogs on disk, so that a crash costs less: at the next
 * start the dialogs the crashed process left open are ended (BYE, or un-SUBSCRIBE), instead of
 * the focus and the MCU keeping a ghost participant and the server application a dead channel
 * until their own timers notice.
 *
 * @remarks
 * - Reads sip.js's own dialog table (`userAgentCore.dialogs`), so every dialog kind is covered
 *   without each feature reporting its dialogs; early dialogs are left out.
 * - Written (atomically, by the {@link KeyValueStore}) only when the set of dialogs changed,
 *   checked every `intervalMs`, and emptied by a clean stop: a crash loses at most the dialogs
 *   of the last interval.
 * - Ending a dialog from a record: a request built with the dialog's Call-ID, tags, remote
 *   target, route set and next CSeq (RFC 3261 §12.2.1.1), sent through the core layer after the
 *   first registration of the new process. The peer answers 200 or 481; either way the record is
 *   gone. Best effort: one try each.
 * @public
 */
export class DialogJournal {
  private lastWritten = '';
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(
    private readonly core: () => UserAgentCore,
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly clock: Clock,
    logger: Logger,
    private readonly options: DialogJournalOptions = {},
  ) {
    this.log = logger.child('journal');
  }

  /**
   * Ends what a previous process left open, then starts recording. Call once registered.
   * @returns how many dialogs were ended
   */
  async recoverAndStart(): Promise<number> {
    const left = await this.read();
    const ended = left.slice(-(this.options.maxRecovered ?? 64)).map((record) => this.end(record));
    if (ended.length > 0) {
      this.log.info('ending dialogs a previous run left open', { count: ended.length });
    }
    await this.store.delete(this.key).catch(() => undefined);
    this.lastWritten = '';
    this.schedule();
    return ended.length;
  }

  /** Records the dialogs open now (called by the timer, and by tests). */
  async flush(): Promise<void> {
    const records = openDialogs(this.core());
    const text = records.length === 0 ? '' : JSON.stringify(records);
    if (text === this.lastWritten) {
      return;
    }
    this.lastWritten = text;
    await (text === '' ? this.store.delete(this.key) : this.store.set(this.key, text)).catch((error: unknown) =>
      this.log.warn('cannot write the dialog journal', { error: String(error) }),
    );
  }

  /** Clean stop: every dialog was ended by its owner, so nothing is left to recover. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.store.delete(this.key).catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) {
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      void this.flush().finally(() => this.schedule());
    }, this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
  }

  private async read(): Promise<JournaledDialog[]> {
    const text = await this.store.get(this.key).catch(() => undefined);
    if (text === undefined || text === '') {
      return [];
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.filter(isRecord) : [];
    } catch {
      this.log.warn('dialog journal unreadable; ignored');
      return [];
    }
  }

  /** Sends the request that ends one recorded dialog. */
  private end(record: JournaledDialog): string {
    const core = this.core();
    const target = UserAgent.makeURI(record.remoteTarget);
    const from = UserAgent.makeURI(record.localUri);
    const to = UserAgent.makeURI(record.remoteUri);
    if (!target || !from || !to) {
      return record.callId;
    }
    const method = record.kind === 'invite' ? 'BYE' : 'SUBSCRIBE';
    const extra = record.kind === 'invite' ? ['Reason: SIP;cause=500;text="the agent restarted"'] : [`Event: ${record.event ?? 'conference'}`, 'Expires: 0', `Contact: ${core.configuration.contact.toString()}`];
    const message = core.makeOutgoingRequestMessage(method, target, from, to, { callId: record.callId, fromTag: record.localTag, toTag: record.remoteTag, cseq: record.cseq + 1, routeSet: [...record.routeSet] }, extra);
    try {
      core.request(message, {
        onAccept: () => this.log.debug('left-over dialog ended', { callId: record.callId }),
        onReject: (response) => this.log.debug('left-over dialog already gone', { callId: record.callId, status: response.message.statusCode ?? 0 }),
      });
    } catch (error) {
      this.log.debug('left-over dialog not ended', { callId: record.callId, error: String(error) });
    }
    return record.callId;
  }
}

/** The confirmed dialogs of a user agent core, as records. */
export function openDialogs(core: UserAgentCore): JournaledDialog[] {
  const records: JournaledDialog[] = [];
  for (const dialog of core.dialogs.values()) {
    const kind = dialog instanceof SessionDialog ? 'invite' : dialog instanceof SubscriptionDialog ? 'subscription' : undefined;
    if (kind === undefined || dialog.early) {
      continue;
    }
    records.push({
      kind,
      ...identity(dialog),
      ...(dialog instanceof SubscriptionDialog && { event: dialog.subscriptionEvent }),
    });
  }
  return records;
}

function identity(dialog: Dialog): Omit<JournaledDialog, 'kind' | 'event'> {
  return {
    callId: dialog.callId,
    localTag: dialog.localTag,
    remoteTag: dialog.remoteTag,
    localUri: dialog.localURI.toString(),
    remoteUri: dialog.remoteURI.toString(),
    remoteTarget: dialog.remoteTarget.toString(),
    routeSet: [...dialog.routeSet],
    cseq: dialog.localSequenceNumber ?? 1,
  };
}

function isRecord(value: unknown): value is JournaledDialog {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const r = value as Record<string, unknown>;
  const strings = ['callId', 'localTag', 'remoteTag', 'localUri', 'remoteUri', 'remoteTarget'];
  return (r['kind'] === 'invite' || r['kind'] === 'subscription') && strings.every((k) => typeof r[k] === 'string') && Array.isArray(r['routeSet']) && typeof r['cseq'] === 'number';
}
