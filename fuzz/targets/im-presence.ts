/**
 * IM and presence bodies: PIDF documents, delivery reports, typing notices, message bodies,
 * `m=message` SDP and `Ms-Sender`.
 * @packageDocumentation
 */
import { AVAILABILITIES } from '../../core/presence/availability';
import { buildPresenceDocument, parsePresenceDocument } from '../../core/presence/pidf';
import { imTextOf, MAX_IM_TEXT_CHARS } from '../../core/im/im-content';
import { buildKeyboardActivity, parseDeliveryReport, parseTypingNotice } from '../../core/im/im-notices';
import { buildMessageSdp, parseMessageSdp } from '../../core/im/message-sdp';
import { senderUri } from '../../core/im/sip-im-port';
import { expectOneOf, expectString } from '../contracts';
import { expectThat, type FuzzTarget } from '../engine';
import { textTarget } from './text-target';

const PIDF_CONTRACT = `parsePresenceDocument(body) never throws; {ok:true} is 'unknown' or a state whose availability is
one of the six, whose note (if any) is at most 256 characters without control characters, and whose
lyncAvailability (if any) is a finite number; {ok:false} has an error string.`;

function checkPidf(body: string): void {
  const result = parsePresenceDocument(body);
  if (!result.ok) {
    expectString(result.error, 'error');
    return;
  }
  if (result.state === 'unknown') {
    return;
  }
  expectOneOf(result.state.availability, AVAILABILITIES, 'availability');
  const note = result.state.note;
  expectThat(note === undefined || ([...note].length <= 256 && !/[\u0000-\u001f\u007f]/.test(note)), `bad note ${JSON.stringify(note)}`);
  expectThat(result.state.lyncAvailability === undefined || Number.isFinite(result.state.lyncAvailability), 'bad number');
}

const IM_NOTICES_CONTRACT = `parseDeliveryReport and parseTypingNotice never throw; a report has a non-empty messageId and at
most 256 failed recipients, each with a status of 0 or 100..699 and diagnostics of at most 256
characters; a typing notice is typing, idle or undefined.`;

function checkNotices(body: string): void {
  const report = parseDeliveryReport(body);
  if (report.ok) {
    expectThat(report.report.messageId !== '', 'empty message id');
    expectThat(report.report.failed.length <= 256, 'too many recipients');
    for (const f of report.report.failed) {
      expectThat(f.status === 0 || (f.status >= 100 && f.status <= 699), `status ${f.status}`);
      expectThat(f.diagnostics === undefined || f.diagnostics.length <= 256, 'diagnostics too long');
    }
  } else {
    expectString(report.error, 'error');
  }
  const typing = parseTypingNotice(body);
  expectThat(typing === undefined || typing === 'typing' || typing === 'idle', `typing ${String(typing)}`);
}

const IM_TEXT_CONTRACT = `imTextOf(contentType, body) never throws for the content types a peer may send; a shown text is
at most ${MAX_IM_TEXT_CHARS} characters plus the cut mark and, from HTML, holds no tag; a refusal is 415
with a reason. parseMessageSdp and senderUri never throw; a sender is a sip: or sips: URI without
parameters of at most 512 characters.`;

const TYPES = ['text/plain', 'text/html', 'multipart/alternative; boundary=b1', 'multipart/alternative', 'text/rtf', '', 'TEXT/HTML; charset=UTF-8'];

function checkImText(body: string): void {
  for (const type of TYPES) {
    const result = imTextOf(type, body);
    if (result.ok) {
      expectThat(result.text.length <= MAX_IM_TEXT_CHARS + 64, 'text too long');
      // A tag in the text can only come from character references (`&lt;b&gt;`): text, not markup.
      expectThat(result.contentType !== 'text/html' || !/<[a-z!/][^>]*>/i.test(result.text) || body.includes('&'), 'tag left in HTML text');
    } else {
      expectThat(result.status === 415, `status ${result.status}`);
    }
  }
  const sdp = parseMessageSdp(body);
  expectThat(sdp === undefined || sdp.acceptTypes.length <= 32, 'too many accept types');
  const sender = senderUri(body);
  expectThat(sender === undefined || (/^sips?:[^;?\s]+$/i.test(sender) && sender.length <= 512), `bad sender ${JSON.stringify(sender)}`);
}

/** The IM and presence targets. */
export function imPresenceTargets(): FuzzTarget<string>[] {
  const pidf = AVAILABILITIES.map((availability) => buildPresenceDocument({ entity: 'sip:a@lab.local', deviceId: 'd1', state: { availability, note: 'On queue 4' } }));
  const notices = [
    '<imdn xmlns="http://schemas.microsoft.com/rtc/2005/08/imdn"><message-id>7</message-id><recipient uri="&lt;sip:s@x&gt;"><status>480</status><entry><key>ms-diagnostics</key><value>6001</value></entry></recipient></imdn>',
    buildKeyboardActivity(true),
    '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><refresh>60</refresh></isComposing>',
  ];
  const texts = [
    'Hello, <b>world</b> &amp; friends<br>second line<script>alert(1)</script>',
    ['--b1', 'Content-Type: text/html', '', '<i>rich</i>', '--b1', 'Content-Type: text/plain', '', 'plain', '--b1--'].join('\r\n'),
    buildMessageSdp(),
    '"Supervisor 3" <sip:sup3@example.org;opaque=user:epid:x;gruu>',
  ];
  return [
    textTarget('pidf', PIDF_CONTRACT, pidf, checkPidf),
    textTarget('im-notices', IM_NOTICES_CONTRACT, notices, checkNotices),
    textTarget('im-text', IM_TEXT_CONTRACT, texts, checkImText),
  ];
}
