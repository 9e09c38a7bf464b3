import { RTCRtpCodecParameters } from 'werift';
import { isDtmfDigit, telephoneEventPackets, TelephoneEventReceiver, type TelephoneEventPacket } from '../../core/codecs/telephone-event';

/** The payload type we offer telephone-events on (dynamic range, RFC 3551 §3; 101 by custom). */
export const TELEPHONE_EVENT_PAYLOAD_TYPE = 101;

/** Intervals of silence between two digits (60 ms at 20 ms packets: RFC 4733 §2.5.1.2 leaves it to us). */
const GAP_INTERVALS = 3;
/** Most digits waiting to be sent (a keypad mashed, a script gone wrong). */
const MAX_QUEUED_DIGITS = 64;

/** The codec werift offers and answers telephone-events with (RFC 4733 §7.1.1, events 0–15). */
export function telephoneEventCodec(payloadType = TELEPHONE_EVENT_PAYLOAD_TYPE): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType, parameters: '0-15' });
}

/** The payload type a description maps telephone-event/8000 to, if any. */
export function telephoneEventPayloadType(sdp: string): number | undefined {
  const match = /^a=rtpmap:(\d+) telephone-event\/8000/im.exec(sdp);
  return match ? Number(match[1]) : undefined;
}

/**
 * DTMF of one werift session (RFC 4733): what to send next, one packet per interval, and the
 * digits in what the peer sends. The session does the sending; this keeps the plan.
 */
export class WeriftDtmf {
  private remotePayloadType: number | undefined;
  private readonly plan: (TelephoneEventPacket | null)[] = [];
  private readonly receiver = new TelephoneEventReceiver();
  private sendCodec: RTCRtpCodecParameters | undefined;

  constructor(private readonly samplesPerInterval: number) {}

  /** Takes the peer's description: telephone-events are on when it maps them. */
  noteRemote(sdp: string): void {
    this.remotePayloadType = telephoneEventPayloadType(sdp);
    this.sendCodec = this.remotePayloadType === undefined ? undefined : telephoneEventCodec(this.remotePayloadType);
  }

  /** The codec to send events with, once negotiated (werift stamps its payload type on each packet). */
  get codec(): RTCRtpCodecParameters | undefined {
    return this.sendCodec;
  }

  /** Whether packets are waiting. */
  get busy(): boolean {
    return this.plan.length > 0;
  }

  /**
   * Plans `digits`.
   * @returns false when the peer takes no telephone-events, a digit is not DTMF, or too many wait
   */
  queue(digits: string): boolean {
    if (this.sendCodec === undefined || digits.length === 0 || ![...digits].every(isDtmfDigit)) {
      return false;
    }
    if (this.plan.filter((p) => p?.marker === true).length + digits.length > MAX_QUEUED_DIGITS) {
      return false;
    }
    for (const digit of digits) {
      this.plan.push(...telephoneEventPackets(digit, this.samplesPerInterval), ...new Array<null>(GAP_INTERVALS).fill(null));
    }
    return true;
  }

  /** The next interval's packet: a packet, `null` for a silent gap, undefined when done. */
  next(): TelephoneEventPacket | null | undefined {
    return this.plan.shift();
  }

  /** Drops what was planned (the session closes). */
  clear(): void {
    this.plan.length = 0;
  }

  /**
   * A received packet: the digits it completes when it is a telephone-event (our payload type
   * or the peer's), else undefined (audio).
   */
  receive(payloadType: number, timestamp: number, payload: Uint8Array): string[] | undefined {
    if (payloadType !== TELEPHONE_EVENT_PAYLOAD_TYPE && payloadType !== this.remotePayloadType) {
      return undefined;
    }
    return this.receiver.receive(timestamp, payload);
  }
}
