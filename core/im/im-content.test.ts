import { describe, expect, it } from 'vitest';
import { htmlToText, imTextOf, MAX_IM_TEXT_CHARS, parameter } from './im-content';
import { buildKeyboardActivity, parseDeliveryReport, parseTypingNotice } from './im-notices';
import { buildMessageSdp, parseMessageSdp } from './message-sdp';

describe('IM bodies (im-presence §1.4, §2.3, open question 20)', () => {
  it('shows text/plain as it is, whatever the charset parameter says', () => {
    expect(imTextOf('text/plain; charset=UTF-8;msgr=WAAt', 'Hello <b>')).toEqual({ ok: true, text: 'Hello <b>', contentType: 'text/plain' });
  });

  it('shows text/html as text: no markup, no script, entities decoded, links as their text', () => {
    const html = '<div>Hi <b>there</b><br>see <a href="javascript:alert(1)">the page</a></div><script>alert(2)</script><p>&lt;3 &amp; &#x1F600; &#0;</p>';
    expect(imTextOf('text/html', html)).toEqual({ ok: true, text: 'Hi there\nsee the page\n<3 & 😀 \ufffd', contentType: 'text/html' });
    expect(htmlToText('<img src=x onerror=alert(1)>ok')).toBe('ok');
  });

  it('takes the plain part of multipart/alternative, else the HTML part', () => {
    const body = ['--b1', 'Content-Type: text/html', '', '<i>rich</i>', '--b1', 'Content-Type: text/plain; charset=UTF-8', '', 'plain words', '--b1--', ''].join('\r\n');
    expect(imTextOf('multipart/alternative; boundary="b1"', body)).toMatchObject({ ok: true, text: 'plain words' });
    const htmlOnly = ['--b1', 'Content-Type: text/html', '', '<i>rich</i>', '--b1--'].join('\r\n');
    expect(imTextOf('multipart/alternative;boundary=b1', htmlOnly)).toMatchObject({ ok: true, text: 'rich' });
    expect(imTextOf('multipart/alternative', body)).toMatchObject({ ok: false, status: 415 });
  });

  it('refuses what it cannot show with 415', () => {
    expect(imTextOf('text/rtf', '{\\rtf1}')).toEqual({ ok: false, status: 415, reason: 'cannot show text/rtf' });
    expect(imTextOf('', 'x')).toMatchObject({ ok: false, status: 415 });
  });

  it('cuts a huge message and says so', () => {
    const result = imTextOf('text/plain', 'x'.repeat(MAX_IM_TEXT_CHARS + 10));
    expect(result.ok && result.text.endsWith(`[message cut at ${MAX_IM_TEXT_CHARS} characters]`)).toBe(true);
  });

  it('reads Content-Type parameters', () => {
    expect(parameter('multipart/alternative; Boundary="a b"', 'boundary')).toBe('a b');
    expect(parameter('text/plain', 'charset')).toBeUndefined();
  });
});

describe('IM notices', () => {
  it('reads the [MS-CONFIM] delivery report: failures only', () => {
    const body = `<imdn xmlns="http://schemas.microsoft.com/rtc/2005/08/imdn"><message-id>7</message-id>
      <recipient uri="&lt;sip:sup3@example.org;gruu&gt;"><status>480</status><entry><key>ms-diagnostics</key><value>6001;reason="Request Timeout"</value></entry></recipient>
      <recipient uri="sip:ok@example.org"><status>200</status></recipient>
      <recipient uri="sip:none@example.org"/></imdn>`;
    expect(parseDeliveryReport(body)).toEqual({
      ok: true,
      report: {
        messageId: '7',
        failed: [
          { uri: 'sip:sup3@example.org;gruu', status: 480, diagnostics: '6001;reason="Request Timeout"' },
          { uri: 'sip:none@example.org', status: 0 },
        ],
      },
    });
    expect(parseDeliveryReport('<imdn/>')).toMatchObject({ ok: false });
    expect(parseDeliveryReport('not xml')).toMatchObject({ ok: false });
  });

  it('reads Lync and RFC 3994 typing notices, and writes Lync\'s', () => {
    expect(parseTypingNotice(buildKeyboardActivity(true))).toBe('typing');
    expect(parseTypingNotice(buildKeyboardActivity(false))).toBe('idle');
    expect(parseTypingNotice('<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>')).toBe('typing');
    expect(parseTypingNotice('<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>idle</state></isComposing>')).toBe('idle');
    expect(parseTypingNotice('<KeyboardActivity><status status="dance"/></KeyboardActivity>')).toBeUndefined();
    expect(parseTypingNotice('<x/>')).toBeUndefined();
  });
});

describe('IM SDP (im-presence §1.2, open question 19)', () => {
  it('offers m=message with null and answers with our URI', () => {
    const offer = buildMessageSdp();
    expect(offer).toContain('m=message 5060 sip null\r\n');
    expect(offer).toContain('a=accept-types:text/plain text/html multipart/alternative application/ms-imdn+xml application/im-iscomposing+xml\r\n');
    expect(buildMessageSdp('sip:agent@lab.local')).toContain('m=message 5060 sip sip:agent@lab.local');
    expect(parseMessageSdp(offer)).toEqual({ acceptTypes: ['text/plain', 'text/html', 'multipart/alternative', 'application/ms-imdn+xml', 'application/im-iscomposing+xml'] });
  });

  it('refuses audio, MSRP and the legacy type', () => {
    expect(parseMessageSdp('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n')).toBeUndefined();
    expect(parseMessageSdp('v=0\r\nm=message 7394 TCP/MSRP *\r\n')).toBeUndefined();
    expect(parseMessageSdp('v=0\r\nm=x-ms-message 5060 sip null\r\n')).toBeUndefined();
    expect(parseMessageSdp('v=0\nm=message 5060 sip sip:a@b\n')).toEqual({ acceptTypes: ['text/plain'] });
  });
});
