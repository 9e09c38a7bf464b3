import type { Logger } from '../ports/logger';

/** What {@link FaultBoundary} reports for each fault it contains. */
export type DialogFault = {
  /** Call-ID of the dialog whose handler failed, when known. */
  readonly callId: string | undefined;
  /** Which handler failed, for the log (e.g. `channel INFO`, `incoming message`). */
  readonly where: string;
  readonly message: string;
};

/** A dialog's way to end itself hard after one of its handlers failed. */
export type Teardown = (reason: string) => void;

/** Most dialogs a boundary tracks; past it the oldest registration is forgotten (never the process). */
const MAX_TRACKED_DIALOGS = 4096;

/**
 * The last line of defence between remote input and the agent process: whatever escapes a
 * dialog's handler is logged with the dialog's Call-ID, reported, and ends only that dialog.
 *
 * @remarks
 * sip.js calls our delegates from its transport message handler and from its own transaction
 * timers, and throws from deep inside its dialogs on input it did not expect (a re-INVITE
 * without Contact, a second final response to one transaction). An exception there would
 * unwind through the WebSocket message handler and end the process with every call and pane.
 * Each dialog registers a {@link Teardown} under its Call-ID ({@link FaultBoundary.own}); the
 * transport dispatch, timer callbacks and delegates run inside {@link FaultBoundary.run}, so a
 * throw tears down that dialog alone and the agent keeps serving the rest. A teardown that
 * throws in turn is only logged: nothing here can throw to its caller.
 * @public
 */
export class FaultBoundary {
  private readonly teardowns = new Map<string, Teardown>();
  private count = 0;

  constructor(
    private readonly log: Logger,
    private readonly onFault: (fault: DialogFault) => void,
  ) {}

  /** Faults contained so far (for tests and diagnostics). */
  get faults(): number {
    return this.count;
  }

  /** Dialogs with a registered teardown. */
  get tracked(): number {
    return this.teardowns.size;
  }

  /**
   * Registers how to end the dialog with this Call-ID after a fault.
   * @returns the release: call it when the dialog ends normally.
   */
  own(callId: string, teardown: Teardown): () => void {
    if (this.teardowns.size >= MAX_TRACKED_DIALOGS && !this.teardowns.has(callId)) {
      const oldest = this.teardowns.keys().next().value;
      if (oldest !== undefined) {
        this.teardowns.delete(oldest);
      }
    }
    this.teardowns.set(callId, teardown);
    return () => {
      if (this.teardowns.get(callId) === teardown) {
        this.teardowns.delete(callId);
      }
    };
  }

  /** Runs `fn`; anything it throws is a fault of the dialog `callId`. */
  run<T>(callId: string | undefined, where: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.fault(callId, where, error);
      return undefined;
    }
  }

  /** `fn` wrapped in {@link FaultBoundary.run}, for callbacks handed to sip.js or a clock. */
  wrap<A extends unknown[]>(callId: string | undefined, where: string, fn: (...args: A) => unknown): (...args: A) => void {
    return (...args: A) => {
      this.run(callId, where, () => fn(...args));
    };
  }

  /**
   * A copy of a delegate object (sip.js `SessionDelegate`, `OutgoingRequestDelegate`, …) whose
   * every method runs inside the boundary.
   */
  guard<D extends object>(callId: string | undefined, where: string, delegate: D): D {
    const guarded: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(delegate)) {
      guarded[key] = typeof value === 'function' ? this.wrap(callId, `${where} ${key}`, value as (...args: unknown[]) => unknown) : value;
    }
    return guarded as D;
  }

  /** Contains one fault: log, report, and tear down the dialog it belongs to. */
  fault(callId: string | undefined, where: string, error: unknown): void {
    this.count += 1;
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack?.split('\n').slice(1, 4).join(' | ') : undefined;
    this.log.error('dialog handler failed; ending that dialog only', { callId, where, error: message, stack });
    try {
      this.onFault({ callId, where, message });
    } catch (reportError) {
      this.log.error('fault report failed', { error: String(reportError) });
    }
    const teardown = callId === undefined ? undefined : this.teardowns.get(callId);
    if (callId === undefined || teardown === undefined) {
      return;
    }
    this.teardowns.delete(callId);
    try {
      teardown(`internal error in ${where}: ${message}`);
    } catch (teardownError) {
      this.log.error('dialog teardown failed', { callId, error: String(teardownError) });
    }
  }
}

/** The Call-ID of a raw SIP message (long or compact form, RFC 3261 §7.3.3), if it has one. */
export function rawCallId(raw: string): string | undefined {
  const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')) || raw.length);
  return /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(head)?.[1];
}
