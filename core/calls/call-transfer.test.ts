import { describe, expect, it } from 'vitest';
import { parseReplaces, readReferTo, referToWithReplaces, sipfragStatus } from './call-transfer';

describe('call transfer wire pieces', () => {
  it('writes a consultative Refer-To that the target reads back as its own dialog (RFC 3891 §3)', () => {
    const referTo = referToWithReplaces('sip:sup@lab.local', { callId: 'abc@host', localTag: 'ours', remoteTag: 'theirs' });
    expect(referTo).toBe('sip:sup@lab.local?Replaces=abc%40host%3Bto-tag%3Dtheirs%3Bfrom-tag%3Dours');
    const read = readReferTo(`<${referTo}>`);
    expect(read).toEqual({ uri: 'sip:sup@lab.local', replaces: 'abc@host;to-tag=theirs;from-tag=ours' });
    expect(parseReplaces(read?.replaces)).toEqual({ callId: 'abc@host', toTag: 'theirs', fromTag: 'ours', earlyOnly: false });
  });

  it('refuses what names no dialog', () => {
    expect(parseReplaces('abc;to-tag=x')).toBeUndefined();
    expect(parseReplaces(';to-tag=x;from-tag=y')).toBeUndefined();
    expect(parseReplaces(undefined)).toBeUndefined();
    expect(parseReplaces('a'.repeat(2000))).toBeUndefined();
    expect(parseReplaces('c;from-tag=y;to-tag=x;early-only')).toEqual({ callId: 'c', toTag: 'x', fromTag: 'y', earlyOnly: true });
    expect(readReferTo('<tel:+123>')).toBeUndefined();
    expect(readReferTo('sip:a@b')).toEqual({ uri: 'sip:a@b' });
    // Found by the call-signals fuzz target: a malformed escape threw URIError.
    expect(readReferTo('sip:?Replaces=%')).toBeUndefined();
  });

  it('reads the status of a sipfrag body', () => {
    expect(sipfragStatus('SIP/2.0 200 OK\r\n')).toBe(200);
    expect(sipfragStatus('  SIP/2.0 100 Trying')).toBe(100);
    expect(sipfragStatus('SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n')).toBe(486);
    expect(sipfragStatus('HTTP/1.1 200 OK')).toBeUndefined();
    expect(sipfragStatus('')).toBeUndefined();
    // Found by the call-signals fuzz target: a status line with a leading zero.
    expect(sipfragStatus('SIP/2.0 007')).toBeUndefined();
  });
});
