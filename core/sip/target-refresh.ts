import type { Body, IncomingResponse, Session } from 'sip.js/lib/core/index.js';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { FaultBoundary } from './fault-boundary';

/**
 * How a target refresh ended: `refreshed` (2xx: the peer reaches us at our new Contact),
 * `gone` (481 or 408: the peer no longer has the dialog, RFC 3261 §12.2.1.2), `failed` (every
 * attempt refused otherwise, or cancelled).
 * @public
 */
export type RefreshOutcome = 'refreshed' | 'gone' | 'failed';

/** What one dialog's target refresh needs. */
export type TargetRefreshOptions = {
  readonly session: Session;
  readonly callId: string;
  /** Our Contact now (a new connection has a new one). */
  readonly contact: () => string;
  /** The re-INVITE's body: empty of the dialog's type, the unchanged SDP offer, or a new one. */
  readonly body: Body;
  /**
   * Called with the 2xx before the outcome settles `refreshed`: a re-INVITE that carried a new
   * offer (an ICE restart) gets its answer there (RFC 3264 §8).
   */
  readonly onAccepted?: (response: IncomingResponse) => void;
  readonly extraHeaders?: readonly string[];
  /** Whether we sent the dialog's initial INVITE (and so made its Call-ID): the 491 wait depends on it. */
  readonly ownsCallId: boolean;
  readonly clock: Clock;
  readonly faults: FaultBoundary;
  readonly logger: Logger;
  /** Attempts before `failed` (default 4). */
  readonly attempts?: number;
  /** Uniform random numbers in [0, 1), for the glare wait. */
  readonly random?: () => number;
};

/** A refresh under way. */
export type TargetRefresh = { readonly outcome: Promise<RefreshOutcome>; readonly cancel: () => void };

/**
 * Refreshes one INVITE dialog's remote target after the agent's connection changed: a
 * re-INVITE carrying our new Contact (RFC 3261 §12.2, §14.1), shared by every dialog kind
 * (channels, the focus, the A/V MCU), so that each recovers the same way.
 *
 * @remarks
 * - 491 (glare: the peer's re-INVITE crossed ours) is retried after RFC 3261 §14.1's wait:
 *   2.1–4 s when we made the Call-ID, 0–2 s when the peer did.
 * - sip.js refuses to start a re-INVITE while another is under way; that is retried after 1 s.
 * - 481 and 408 end at once as `gone`; any other refusal is retried (1 s, 2 s, 3 s…) up to
 *   `attempts`, then `failed`.
 * @public
 */
export function refreshTarget(options: TargetRefreshOptions): TargetRefresh {
  const log = options.logger.child('refresh');
  const random = options.random ?? Math.random;
  const limit = options.attempts ?? 4;
  let attempt = 0;
  let timer: TimerHandle | undefined;
  let settle: (outcome: RefreshOutcome) => void = () => undefined;
  let settled = false;
  const outcome = new Promise<RefreshOutcome>((resolve) => {
    settle = (value) => {
      if (!settled) {
        settled = true;
        options.clock.clearTimeout(timer);
        resolve(value);
      }
    };
  });
  const retry = (ms: number): void => {
    options.clock.clearTimeout(timer);
    timer = options.clock.setTimeout(options.faults.wrap(options.callId, 'target refresh timer', send), ms);
  };
  const refused = (status: number): void => {
    log.warn('target refresh refused', { callId: options.callId, status, attempt });
    if (status === 481 || status === 408) {
      settle('gone');
    } else if (attempt >= limit) {
      settle('failed');
    } else if (status === 491) {
      retry(options.ownsCallId ? 2100 + Math.floor(random() * 1900) : Math.floor(random() * 2000));
    } else {
      retry(1000 * attempt);
    }
  };
  function send(): void {
    if (settled) {
      return;
    }
    attempt += 1;
    const delegate = options.faults.guard(options.callId, 'target refresh', {
      onAccept: (response: IncomingResponse & { ack: () => void }) => {
        response.ack();
        if (!settled) {
          options.onAccepted?.(response);
        }
        settle('refreshed');
      },
      onReject: (response: IncomingResponse) => refused(response.message.statusCode ?? 0),
    });
    try {
      options.session.invite(delegate, { extraHeaders: [`Contact: ${options.contact()}`, ...(options.extraHeaders ?? [])], body: options.body });
    } catch (error) {
      log.debug('target refresh not sent yet', { callId: options.callId, error: String(error) });
      if (attempt >= limit) {
        settle('failed');
      } else {
        retry(1000);
      }
    }
  }
  send();
  return { outcome, cancel: () => settle('failed') };
}
