import { UserAgent } from 'sip.js';
import type { Logger } from '../ports/logger';
import type { Clock } from '../ports/clock';
import type { FaultBoundary } from '../sip/fault-boundary';
import { OutgoingDialog } from '../sip/outgoing-dialog';
import type { RefreshOutcome } from '../sip/target-refresh';
import { SDP_CONTENT_TYPE, type MediaSession } from '../ports/media';

/** Outcome of {@link McuCall.connect}. */
export type McuConnectResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The agent's media dialog with the A/V MCU: a direct INVITE with plain `application/sdp`.
 *
 * @remarks
 * A direct media INVITE to the MCU URI is how Lync clients join SIP-based MCUs; no C3P addUser
 * is needed first (protocol-notes §1.3, OCS-JOIN). The A/V MCU takes only `application/sdp`,
 * never multipart ([MS-OCER] 8.8, ms-diagnostics 7004). The SDP comes from the media port.
 * @public
 */
export class McuCall {
  private readonly dialog: OutgoingDialog;
  /** Our SDP offer in force: sent again unchanged by a pure target refresh. */
  private offer: string | undefined;
  private readonly log: Logger;
  /** Called once when the MCU ends the dialog (BYE). */
  onRemoteBye: ((reason: string) => void) | undefined;
  /** Called with the Call-ID of the media INVITE once it is built. */
  onDialog: ((callId: string) => void) | undefined;

  constructor(
    ua: UserAgent,
    logger: Logger,
    faults: FaultBoundary,
    clock: Clock,
    readonly mcuUri: string,
    readonly media: MediaSession,
    /** The offer `media` made already, while the invitation rang (see PreparedOffer); else made by {@link McuCall.connect}. */
    private readonly preparedOffer?: Promise<string>,
  ) {
    this.log = logger.child('mcu');
    this.dialog = new OutgoingDialog({ ua, clock, faults, log: this.log }, 'MCU', {
      onDialog: (callId) => this.onDialog?.(callId),
      onRemoteBye: (bye) => {
        this.media.close().catch(() => undefined);
        this.onRemoteBye?.(bye.getHeader('ms-diagnostics') ?? 'the MCU ended the call');
      },
    });
  }

  /** Offers media to the MCU (the prepared offer when there is one) and applies its answer. */
  async connect(): Promise<McuConnectResult> {
    const target = UserAgent.makeURI(this.mcuUri);
    if (!target) {
      return { ok: false, reason: `not a SIP URI: ${this.mcuUri}` };
    }
    let offer: string;
    try {
      offer = await (this.preparedOffer ?? this.media.createOffer());
    } catch (error) {
      return { ok: false, reason: `no local media: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.offer = offer;
    const invite = {
      optionTags: ['ms-sender'],
      extraHeaders: ['ms-keep-alive: UAC;hop-hop=yes'],
      body: { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content: offer },
    };
    const answered = await this.dialog.invite<{ ok: true; sdp: string } | { ok: false; reason: string }>(target, invite, {
      accepted: (response) => ({ ok: true, sdp: response.message.body ?? '' }),
      refused: (_status, reason) => ({ ok: false, reason }),
      left: () => ({ ok: false, reason: 'hung up before the MCU answered' }),
    });
    if (!answered.ok) {
      return answered;
    }
    try {
      await this.media.acceptAnswer(answered.sdp);
      return { ok: true };
    } catch (error) {
      const reason = `unusable SDP answer: ${error instanceof Error ? error.message : String(error)}`;
      this.log.warn(reason);
      this.hangUp();
      return { ok: false, reason };
    }
  }

  /**
   * After a reconnection: a re-INVITE with our new Contact, so the MCU reaches us through the
   * new connection. When the media session can, the re-INVITE is also an ICE restart
   * (RFC 8445 §9; JSEP `iceRestart`, RFC 8829 §5.2.1): a new offer with fresh ICE credentials and
   * the candidates of the network we are on now, whose answer in the 2xx is applied, so a laptop
   * that changed networks gets its audio back; DTLS, RTP and the mute state carry on. Otherwise
   * the offer goes unchanged, keeping its `o=` version (RFC 3264 §8), and the answer is not
   * applied again.
   * @returns `failed` also when the restart offer or its answer could not be used: the caller
   * then dials the MCU anew, as for a dialog that is `gone`.
   */
  async refreshTarget(): Promise<RefreshOutcome> {
    if (!this.dialog.session || this.dialog.ended || this.dialog.callId === undefined || this.offer === undefined) {
      return 'gone';
    }
    let offer = this.offer;
    const restarting = this.media.restartIce !== undefined;
    if (this.media.restartIce) {
      try {
        offer = await this.media.restartIce();
      } catch (error) {
        this.log.warn('ICE restart offer failed', { error: String(error) });
        return 'failed';
      }
    }
    let answer: string | undefined;
    const outcome = await this.dialog.refreshTarget({
      body: { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content: offer },
      onAccepted: (response) => {
        answer = response.message.body;
      },
    });
    if (outcome !== 'refreshed' || !restarting || this.dialog.ended) {
      return outcome;
    }
    try {
      await this.media.acceptAnswer(answer ?? '');
      this.offer = offer;
      return 'refreshed';
    } catch (error) {
      this.log.warn('the MCU answer to our ICE restart is unusable', { error: String(error) });
      return 'failed';
    }
  }

  /** BYE (once) and media closed. */
  hangUp(): void {
    this.dialog.end();
    this.media.close().catch((error: unknown) => this.log.debug('media close failed', { error: String(error) }));
  }
}
