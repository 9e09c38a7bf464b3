import { audioDirection, isHoldOffer, type SdpDirection } from './sdp-direction';

/**
 * The hold arithmetic of one call (RFC 3264 §8.4 and §6.1): what we hold, what the other side
 * holds, and the directions and sending that follow.
 * @remarks Holding is not receiving: the holder offers `sendonly` (or `inactive` when both
 * hold), and the held side answers `recvonly`. Switchboard plays no music on hold, so a call on
 * hold either way sends no RTP, as a muted call does; ICE consent and RTCP go on.
 * @public
 */
export class CallHold {
  /** The agent put the call on hold. */
  local = false;
  /** The other side put us on hold (its last description does not receive). */
  remote = false;

  /** The direction of an offer of ours: we always send, and receive unless we hold. */
  offerDirection(): SdpDirection {
    return this.local ? 'sendonly' : 'sendrecv';
  }

  /**
   * Takes the other side's offer: whether it holds us, and the direction of our answer (we send
   * where it receives, and receive where it sends unless we hold).
   */
  takeOffer(sdp: string): SdpDirection {
    const offered = audioDirection(sdp);
    this.remote = isHoldOffer(sdp);
    const send = (offered === 'sendrecv' || offered === 'recvonly') && !this.remote;
    const receive = (offered === 'sendrecv' || offered === 'sendonly') && !this.local;
    return directionOf(send, receive);
  }

  /**
   * Takes the other side's answer to our offer: `sendonly` or `inactive` (or 0.0.0.0) means it
   * holds us. (`recvonly` is how the held side answers our `sendonly`: no hold of theirs.)
   */
  takeAnswer(sdp: string): void {
    this.remote = isHoldOffer(sdp);
  }

  /** Whether RTP must stop, whatever the agent's own mute says. */
  get silent(): boolean {
    return this.local || this.remote;
  }
}

function directionOf(send: boolean, receive: boolean): SdpDirection {
  if (send) {
    return receive ? 'sendrecv' : 'sendonly';
  }
  return receive ? 'recvonly' : 'inactive';
}
