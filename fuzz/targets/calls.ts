/**
 * Two-party call bodies and headers: SDP offers (checks, directions, hold), DTMF relay INFO,
 * `Replaces`, `Refer-To`, sipfrag NOTIFY bodies, RFC 4733 telephone-event payloads.
 * @packageDocumentation
 */
import { checkCallOffer, MAX_OFFER_BYTES } from '../../core/calls/call-offer';
import { parseReplaces, readReferTo, sipfragStatus } from '../../core/calls/call-transfer';
import { parseDtmfRelay } from '../../core/calls/dtmf-relay';
import { audioDirection, isHoldOffer, isSdpDirection, withAudioDirection } from '../../core/calls/sdp-direction';
import { TelephoneEventReceiver } from '../../core/codecs/telephone-event';
import { expectThat, type FuzzTarget } from '../engine';
import { textTarget } from './text-target';

const CALL_SDP_CONTRACT = `checkCallOffer, audioDirection and isHoldOffer never throw; a refusal has a warning of at most
200 characters without quotes, backslashes or control characters; the direction is one of the four;
withAudioDirection throws only RangeError, and what it returns reads back as the direction asked.
The direction functions are fed what the agent feeds them: offers of at most MAX_OFFER_BYTES.`;

function checkSdp(body: string): void {
  const offer = checkCallOffer(body);
  expectThat(offer.ok || (offer.warning.length <= 200 && !/["\\\u0000-\u001f\u007f]/.test(offer.warning)), `bad warning ${JSON.stringify(offer)}`);
  if (body.length > MAX_OFFER_BYTES) {
    expectThat(!offer.ok, 'an oversized offer was taken');
    return;
  }
  const direction = audioDirection(body);
  expectThat(isSdpDirection(direction), `direction ${direction}`);
  expectThat(typeof isHoldOffer(body) === 'boolean', 'hold');
  for (const wanted of ['sendonly', 'sendrecv'] as const) {
    let rewritten: string | undefined;
    try {
      rewritten = withAudioDirection(body, wanted);
    } catch (error) {
      expectThat(error instanceof RangeError, `threw ${String(error)}`);
    }
    // Port 0 reads inactive whatever the attribute says (RFC 3264 §6).
    expectThat(rewritten === undefined || audioDirection(rewritten) === wanted || /^m=audio\s+0(?:\s|$)/m.test(rewritten), `rewrite to ${wanted} reads ${rewritten === undefined ? '' : audioDirection(rewritten)}`);
  }
}

const CALL_SIGNALS_CONTRACT = `parseDtmfRelay, parseReplaces, readReferTo, sipfragStatus and TelephoneEventReceiver never throw;
a DTMF digit is one of 0-9 * # A-D; a Replaces names a non-empty call id and both tags; a Refer-To
URI is sip: or sips:; a sipfrag status is 100..999.`;

function checkSignals(body: string): void {
  const dtmf = parseDtmfRelay(body);
  expectThat(!dtmf.ok || /^[0-9*#A-D]$/.test(dtmf.digit), `digit ${JSON.stringify(dtmf)}`);
  const replaces = parseReplaces(body);
  expectThat(replaces === undefined || (replaces.callId !== '' && replaces.toTag !== '' && replaces.fromTag !== ''), 'replaces');
  const referTo = readReferTo(body);
  expectThat(referTo === undefined || /^sips?:/i.test(referTo.uri), `refer-to ${JSON.stringify(referTo)}`);
  const status = sipfragStatus(body);
  expectThat(status === undefined || (status >= 100 && status <= 999), `status ${String(status)}`);
  const receiver = new TelephoneEventReceiver();
  const bytes = new TextEncoder().encode(body);
  for (let i = 0; i + 4 <= bytes.length && i < 64; i += 4) {
    for (const digit of receiver.receive(i >> 3, bytes.subarray(i, i + 4))) {
      expectThat(/^[0-9*#A-D]$/.test(digit), `event digit ${digit}`);
    }
  }
}

/** The call targets. */
export function callTargets(): FuzzTarget<string>[] {
  const offer = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 0 101',
    'c=IN IP4 127.0.0.1',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:0123456789abcdef012345',
    'a=fingerprint:sha-256 AA:BB',
    'a=sendonly',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');
  const signals = [
    'Signal=5\r\nDuration=160\r\n',
    'abc@host;to-tag=theirs;from-tag=ours;early-only',
    '<sip:sup@lab.local?Replaces=abc%40host%3Bto-tag%3Dtheirs%3Bfrom-tag%3Dours>',
    'SIP/2.0 486 Busy Here\r\n',
  ];
  return [textTarget('call-sdp', CALL_SDP_CONTRACT, [offer, 'v=0\r\nm=video 9 RTP/AVP 96\r\na=recvonly\r\nm=audio 0 RTP/AVP 0\r\n'], checkSdp), textTarget('call-signals', CALL_SIGNALS_CONTRACT, signals, checkSignals)];
}
