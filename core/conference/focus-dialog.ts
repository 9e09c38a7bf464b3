import { UserAgent } from 'sip.js';
import type { IncomingResponse, OutgoingRequestDelegate } from 'sip.js/lib/core/index.js';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { SDP_CONTENT_TYPE } from '../ports/media';
import type { FaultBoundary } from '../sip/fault-boundary';
import { OutgoingDialog } from '../sip/outgoing-dialog';
import type { RefreshOutcome } from '../sip/target-refresh';
import { buildAddUserRequest, buildModifyEndpointMediaRequest, parseC3PResponse, type ModifyEndpointMediaInput } from './c3p';
import { MIME_CCCP } from './namespaces';

/** Outcome of {@link FocusDialog.join}. */
export type FocusJoinResult =
  | { readonly ok: true; readonly grantedRole: string | undefined }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/** Our requested session interval (RFC 4028 §4); the focus may shorten it. */
const DEFAULT_SESSION_EXPIRES_SEC = 1800;

/**
 * The agent's dialog with the conference focus: INVITE with a C3P `addUser`, then C3P
 * commands as INFO, session-timer refreshes, and BYE.
 *
 * @remarks
 * - Join: [MS-CONFBAS] 2.2.3.15 (request) and 2.2.3.4 (response); a 200 whose C3P response
 *   says `success` means joined. A rejection carries the reason in `ms-diagnostics`
 *   ([MS-OCER] 8.4), which is surfaced as is.
 * - `Supported: timer` and `Session-Expires` (RFC 4028): a Lync focus refuses joins without
 *   them (ms-diagnostics 3010). We are the refresher and re-INVITE at half the interval.
 * - Later C3P commands go as INFO and are answered 202 ([MS-CONFBAS] 4.4.8).
 * - Sent through sip.js's core layer ({@link OutgoingDialog}): sip.js's `Inviter` BYEs non-SDP dialogs.
 * @public
 */
export class FocusDialog {
  private readonly dialog: OutgoingDialog;
  private refreshTimer: TimerHandle | undefined;
  /** The negotiated session interval (RFC 4028), once joined. */
  private intervalSec: number;
  private readonly log: Logger;
  /** Called once when the focus ends the dialog (BYE): ejected, or the conference ended. */
  onRemoteBye: ((reason: string) => void) | undefined;
  /** Called with the Call-ID of the join INVITE once it is built. */
  onDialog: ((callId: string) => void) | undefined;
  /** Called once when the session ended without the focus's BYE: refreshes failed until it expired. */
  onExpired: ((reason: string) => void) | undefined;
  /** Monotonic time of the last successful join or refresh (RFC 4028: the session runs from there). */
  private refreshedAt = 0;
  /** The transport is down: refresh failures are recovery's business. */
  private suspended = false;

  constructor(
    private readonly ua: UserAgent,
    private readonly clock: Clock,
    logger: Logger,
    private readonly faults: FaultBoundary,
    readonly focusUri: string,
    private readonly sessionExpiresSec = DEFAULT_SESSION_EXPIRES_SEC,
    /** Shortest interval we accept from the focus; RFC 4028 §4 sets Min-SE to 90 s by default. */
    private readonly minSessionExpiresSec = 90,
  ) {
    this.log = logger.child('focus');
    this.intervalSec = sessionExpiresSec;
    this.dialog = new OutgoingDialog({ ua, clock, faults, log: this.log }, 'focus', {
      onDialog: (callId) => this.onDialog?.(callId),
      onRemoteBye: (bye) => {
        this.clock.clearTimeout(this.refreshTimer);
        this.onRemoteBye?.(bye.getHeader('ms-diagnostics') ?? bye.getHeader('reason') ?? 'the focus ended the conference or removed us');
      },
      requests: {
        // A re-INVITE's 2xx needs our Contact (RFC 3261 §12.2.2); sip.js adds it only to the first.
        onInvite: (reinvite) => reinvite.accept({ statusCode: 200, extraHeaders: [`Contact: ${this.dialog.contact()}`], body: EMPTY_CCCP }),
      },
    });
  }

  /** Sends the addUser INVITE and waits for the final answer. */
  join(requestId: number, role: string, endpointEntity: string): Promise<FocusJoinResult> {
    const target = UserAgent.makeURI(this.focusUri);
    if (!target) {
      return Promise.resolve({ ok: false, status: 0, reason: `not a SIP URI: ${this.focusUri}` });
    }
    const from = this.ua.userAgentCore.configuration.aor.toString();
    const body = buildAddUserRequest({ requestId, from, focusUri: this.focusUri, role, endpointEntity });
    const invite = {
      optionTags: ['timer', 'ms-sender'],
      extraHeaders: [`Session-Expires: ${this.sessionExpiresSec};refresher=uac`, `Accept: ${MIME_CCCP}, ${SDP_CONTENT_TYPE}`],
      body: { contentDisposition: 'render', contentType: MIME_CCCP, content: body },
    };
    return this.dialog.invite<FocusJoinResult>(target, invite, {
      accepted: (response) => this.joined(response),
      refused: (status, reason) => ({ ok: false, status, reason }),
      left: () => ({ ok: false, status: 200, reason: 'left before the focus answered' }),
    });
  }

  /** The focus answered 200: joined if its C3P response says `success` ([MS-CONFBAS] 2.2.3.4). */
  private joined(response: IncomingResponse): FocusJoinResult {
    const parsed = parseC3PResponse(response.message.body ?? '');
    if (!parsed.ok || parsed.response.code !== 'success') {
      const reason = parsed.ok ? (parsed.response.reason ?? 'the focus refused the join') : parsed.error;
      this.log.warn('focus answered 200 without success', { reason });
      this.bye();
      return { ok: false, status: 200, reason };
    }
    this.scheduleRefresh(sessionInterval(response, this.sessionExpiresSec, this.minSessionExpiresSec));
    return { ok: true, grantedRole: parsed.response.grantedRole };
  }

  /** Announces our mute state with C3P `modifyEndpointMedia` ([MS-CONFAV] 3.2.5.4). */
  announceMute(input: Omit<ModifyEndpointMediaInput, 'from' | 'focusUri'>): Promise<number> {
    const core = this.ua.userAgentCore;
    const body = buildModifyEndpointMediaRequest({ ...input, from: core.configuration.aor.toString(), focusUri: this.focusUri });
    return this.info(body);
  }

  /** Sends BYE once; a second call does nothing. */
  bye(): void {
    if (this.dialog.end()) {
      this.clock.clearTimeout(this.refreshTimer);
    }
  }

  private info(content: string): Promise<number> {
    const session = this.dialog.session;
    if (!session || this.dialog.ended) {
      return Promise.resolve(0);
    }
    return new Promise((resolve) => {
      const done = (response: IncomingResponse): void => resolve(response.message.statusCode ?? 0);
      const delegate: OutgoingRequestDelegate = this.faults.guard(this.dialog.callId, 'focus INFO', { onAccept: done, onReject: done });
      try {
        session.info(delegate, { body: { contentDisposition: 'render', contentType: MIME_CCCP, content } });
      } catch (error) {
        this.log.warn('C3P INFO not sent', { error: String(error) });
        resolve(0);
      }
    });
  }

  /** The transport is gone: no session refresh until the dialog is recovered. */
  suspend(): void {
    this.suspended = true;
    this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  /**
   * After a reconnection: a re-INVITE with our new Contact ({@link OutgoingDialog.refreshTarget}),
   * which is also a session refresh (RFC 4028 §7.4); on success the session timer starts again.
   * @returns `gone` when the focus no longer has us (481/408), `failed` when it would not take it
   */
  async refreshTarget(): Promise<RefreshOutcome> {
    this.suspended = false;
    const outcome = await this.dialog.refreshTarget({
      body: EMPTY_CCCP,
      extraHeaders: [`Session-Expires: ${this.intervalSec};refresher=uac`, 'Supported: timer'],
    });
    if (outcome === 'refreshed' && !this.dialog.ended) {
      this.scheduleRefresh(this.intervalSec);
    }
    return outcome;
  }

  /** RFC 4028 §10: the refresher refreshes at half the negotiated interval. */
  private scheduleRefresh(intervalSec: number): void {
    this.intervalSec = intervalSec;
    this.refreshedAt = this.clock.monotonic();
    this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = this.clock.setTimeout(this.faults.wrap(this.dialog.callId, 'focus refresh timer', () => this.refresh(intervalSec)), (intervalSec * 1000) / 2);
  }

  private refresh(intervalSec: number): void {
    const session = this.dialog.session;
    if (!session || this.dialog.ended) {
      return;
    }
    const contact = this.dialog.contact();
    const delegate = this.faults.guard(this.dialog.callId, 'focus refresh', {
      onAccept: (response: IncomingResponse & { ack: () => void }) => {
        response.ack();
        // Answered after we left: no refresh timer may outlive the dialog.
        if (!this.dialog.ended) {
          this.scheduleRefresh(sessionInterval(response, intervalSec, this.minSessionExpiresSec));
        }
      },
      onReject: (response: IncomingResponse) => this.onRefreshRefused(response.message.statusCode ?? 0, intervalSec),
    });
    try {
      session.invite(delegate, {
        extraHeaders: [`Contact: ${contact}`, `Session-Expires: ${intervalSec};refresher=uac`, 'Supported: timer'],
        body: EMPTY_CCCP,
      });
    } catch (error) {
      // A re-INVITE from the focus is under way (sip.js refuses a second one): try again later.
      this.log.debug('session refresh not sent', { error: String(error) });
      this.retryRefresh(intervalSec, 2100 + Math.floor(Math.random() * 1900));
    }
  }

  /**
   * A refresh that failed: 491 is retried after the glare wait; 481 or 408 mean the focus no
   * longer has our session (RFC 3261 §12.2.1.2); anything else is retried every 5 s until the
   * session would expire (RFC 4028 §10), and then the session is over. While the transport is
   * down, recovery decides instead.
   */
  private onRefreshRefused(status: number, intervalSec: number): void {
    this.log.warn('session refresh refused', { status });
    if (this.dialog.ended || this.suspended) {
      return;
    }
    if (status === 491) {
      this.retryRefresh(intervalSec, 2100 + Math.floor(Math.random() * 1900));
    } else if (status === 481 || status === 408) {
      this.expire(`the focus no longer has our session (${status})`);
    } else if (this.clock.monotonic() - this.refreshedAt >= intervalSec * 1000) {
      this.expire(`the session expired: no refresh got through in ${intervalSec} s`);
    } else {
      this.retryRefresh(intervalSec, Math.min(5000, intervalSec * 1000 - (this.clock.monotonic() - this.refreshedAt)));
    }
  }

  /** RFC 3261 §14.1: after glare, the owner of the Call-ID (we sent the INVITE) waits 2.1–4 s. */
  private retryRefresh(intervalSec: number, delayMs: number): void {
    if (this.dialog.ended) {
      return;
    }
    this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = this.clock.setTimeout(this.faults.wrap(this.dialog.callId, 'focus refresh retry', () => this.refresh(intervalSec)), Math.max(0, delayMs));
  }

  /** The session is over without a BYE from the focus: BYE it (RFC 4028 §10) and say so once. */
  private expire(reason: string): void {
    if (this.dialog.ended) {
      return;
    }
    this.log.warn('focus session over', { reason });
    this.bye();
    this.onExpired?.(reason);
  }
}

/** The body of the focus dialog's re-INVITEs and their 2xx: C3P's type, no content. */
const EMPTY_CCCP = { contentDisposition: 'render', contentType: MIME_CCCP, content: '' } as const;

function sessionInterval(response: IncomingResponse, fallback: number, minimum: number): number {
  const header = response.message.getHeader('session-expires');
  const value = header ? Number.parseInt(header, 10) : Number.NaN;
  return Number.isFinite(value) && value >= minimum ? value : fallback;
}
