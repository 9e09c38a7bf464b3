/**
 * RTP payload for DTMF digits (RFC 4733 telephone-events): encoding the packets of a digit and
 * reading the ones a peer sends.
 * @packageDocumentation
 */

/** The sixteen DTMF events, in event-code order (RFC 4733 §3.2: 0–9, *, #, A–D). */
const DIGITS = '0123456789*#ABCD';

/** Volume of our events, in -dBm0 (RFC 4733 §2.3.4: 0–63; PBXs expect about -10). */
const VOLUME = 10;

/** One packet of a digit: the 4-byte payload, and whether it carries the RTP marker. */
export type TelephoneEventPacket = { readonly payload: Uint8Array; readonly marker: boolean };

/** Whether `digit` is one of the sixteen DTMF events. @public */
export function isDtmfDigit(digit: string): boolean {
  return digit.length === 1 && DIGITS.includes(digit.toUpperCase());
}

/**
 * The packets that send one digit, one per packet interval, all with the timestamp of the
 * event's start: `toneIntervals` packets whose duration grows by `samplesPerInterval`, the first
 * with the marker bit (RFC 4733 §2.5.1.1–2.5.1.3), then the end packet three times, as §2.5.1.4
 * recommends, so a lost end packet does not stretch the digit.
 * @throws RangeError for anything but a DTMF digit
 * @public
 */
export function telephoneEventPackets(digit: string, samplesPerInterval: number, toneIntervals = 5): TelephoneEventPacket[] {
  const code = DIGITS.indexOf(digit.toUpperCase());
  if (digit.length !== 1 || code < 0) {
    throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  }
  const packets: TelephoneEventPacket[] = [];
  for (let i = 1; i <= toneIntervals; i += 1) {
    packets.push({ payload: eventPayload(code, false, i * samplesPerInterval), marker: i === 1 });
  }
  for (let i = 0; i < 3; i += 1) {
    packets.push({ payload: eventPayload(code, true, toneIntervals * samplesPerInterval), marker: false });
  }
  return packets;
}

function eventPayload(code: number, end: boolean, duration: number): Uint8Array {
  const payload = new Uint8Array(4);
  payload[0] = code;
  payload[1] = (end ? 0x80 : 0) | VOLUME;
  payload[2] = (duration >> 8) & 0xff;
  payload[3] = duration & 0xff;
  return payload;
}

/** A telephone-event payload as read (RFC 4733 §2.3). */
export type TelephoneEvent = { readonly digit: string; readonly end: boolean; readonly duration: number };

/**
 * Reads a telephone-event payload; undefined for one shorter than 4 bytes or an event that is
 * not a DTMF digit (RFC 4733 §3.2 has other events, which the agent does not act on).
 * @public
 */
export function readTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) {
    return undefined;
  }
  const digit = DIGITS[payload[0] ?? 255];
  if (digit === undefined) {
    return undefined;
  }
  return { digit, end: ((payload[1] ?? 0) & 0x80) !== 0, duration: ((payload[2] ?? 0) << 8) | (payload[3] ?? 0) };
}

/**
 * Turns a peer's telephone-event packets into digits, each once: an event is its RTP timestamp
 * (RFC 4733 §2.5.2.1), reported at its first end packet, or at its first packet when the
 * peer never marks an end and a new event starts.
 * @public
 */
export class TelephoneEventReceiver {
  private current: { timestamp: number; digit: string; reported: boolean } | undefined;

  /** Takes one packet; returns the digits it completes (usually none, at most two). */
  receive(timestamp: number, payload: Uint8Array): string[] {
    const event = readTelephoneEvent(payload);
    if (!event) {
      return [];
    }
    const digits: string[] = [];
    if (this.current?.timestamp !== timestamp) {
      if (this.current && !this.current.reported) {
        digits.push(this.current.digit);
      }
      this.current = { timestamp, digit: event.digit, reported: false };
    }
    if (event.end && !this.current.reported) {
      this.current.reported = true;
      digits.push(event.digit);
    }
    return digits;
  }
}
