import type { Logger } from '../ports/logger';
import type { MediaEngine, MediaSession, MediaSessionOptions } from '../ports/media';

/**
 * Most offers prepared at once. Ringing invitations are capped already (LIMITS.ringingTotal,
 * 20), but each prepared offer holds a media session (a UDP socket in werift, a peer connection
 * in the window) for as long as it rings, so only the first few ringing invitations get one;
 * the others join as before, making their offer after Accept.
 */
export const MAX_PREPARED_OFFERS = 3;

/** What a join takes over from a {@link PreparedOffer}. */
export type TakenOffer = {
  readonly session: MediaSession;
  /** The SDP offer (RFC 3264 §5), complete with candidates; rejects when the session could not make one. */
  readonly offer: Promise<string>;
};

/**
 * A media session and its SDP offer made while a conference invitation rings, so that Accept
 * costs only the SIP round trips, ICE and DTLS instead of also the candidate gathering.
 *
 * @remarks
 * Only the offer is made: with no answer there is no remote candidate, so no ICE check, DTLS or
 * RTP leaves before the agent accepts (JSEP, RFC 8829 §5.2: an offer applied locally gathers and
 * nothing more). Exactly one of {@link PreparedOffer.take} (the join uses it) or
 * {@link PreparedOffer.discard} (decline, CANCEL, no answer, a failed accept, the agent stopping)
 * happens; discarding closes the session, which releases its sockets and timers.
 * @public
 */
export class PreparedOffer {
  private session: MediaSession | undefined;
  private readonly offer: Promise<string>;

  constructor(
    session: MediaSession,
    private readonly settled: () => void,
  ) {
    this.session = session;
    try {
      this.offer = session.createOffer();
    } catch (error) {
      this.offer = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // Nobody may ever await it (a declined invitation): its failure is reported when taken.
    this.offer.catch(() => undefined);
  }

  /**
   * Hands the session and its offer to the join, telling the session the agent accepted (see
   * {@link MediaSession.accepted}); undefined when taken or discarded already.
   */
  take(): TakenOffer | undefined {
    const session = this.session;
    if (session === undefined) {
      return undefined;
    }
    this.session = undefined;
    this.settled();
    session.accepted?.();
    return { session, offer: this.offer };
  }

  /** Closes the session unless a join took it. Idempotent. */
  discard(): void {
    const session = this.session;
    if (session === undefined) {
      return;
    }
    this.session = undefined;
    this.settled();
    session.close().catch(() => undefined);
  }
}

/**
 * Makes {@link PreparedOffer}s, at most {@link MAX_PREPARED_OFFERS} alive at once.
 * @public
 */
export class OfferPreparer {
  private live = 0;

  constructor(
    private readonly media: MediaEngine,
    private readonly log: Logger,
    private readonly max = MAX_PREPARED_OFFERS,
  ) {}

  /** Offers prepared and neither taken nor discarded. */
  get count(): number {
    return this.live;
  }

  /** A new prepared offer, or undefined when {@link MAX_PREPARED_OFFERS} are alive already. */
  prepare(options: MediaSessionOptions): PreparedOffer | undefined {
    if (this.live >= this.max) {
      this.log.debug('not preparing media: enough invitations have theirs', { prepared: this.live });
      return undefined;
    }
    let session: MediaSession;
    try {
      session = this.media.createSession({ ...options, ahead: true });
    } catch (error) {
      this.log.warn('could not prepare media while ringing', { error: String(error) });
      return undefined;
    }
    this.live += 1;
    return new PreparedOffer(session, () => {
      this.live -= 1;
    });
  }
}
