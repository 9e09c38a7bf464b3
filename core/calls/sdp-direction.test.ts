import { describe, expect, it } from 'vitest';
import { CallHold } from './call-media';
import { checkCallOffer } from './call-offer';
import { parseDtmfRelay } from './dtmf-relay';
import { answerDirection, audioDirection, iceCredentials, isHoldOffer, withAudioDirection } from './sdp-direction';

const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 0',
  'c=IN IP4 127.0.0.1',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789abcdef012345',
  'a=fingerprint:sha-256 AA:BB',
  'a=sendrecv',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

describe('SDP direction (RFC 3264 §5.1, §8.4)', () => {
  it('reads the audio direction: its own, else the session one, else sendrecv; port 0 is inactive', () => {
    expect(audioDirection(SDP)).toBe('sendrecv');
    expect(audioDirection(SDP.replace('a=sendrecv', 'a=sendonly'))).toBe('sendonly');
    expect(audioDirection(SDP.replace('a=sendrecv\r\n', '').replace('t=0 0', 't=0 0\r\na=inactive'))).toBe('inactive');
    expect(audioDirection(SDP.replace('a=sendrecv\r\n', ''))).toBe('sendrecv');
    expect(audioDirection(SDP.replace('m=audio 9', 'm=audio 0'))).toBe('inactive');
    expect(audioDirection('m=video 9 RTP/AVP 96\r\na=recvonly\r\nm=audio 9 RTP/AVP 0\r\n')).toBe('sendrecv');
  });

  it('rewrites the direction once and bumps the o= version', () => {
    const held = withAudioDirection(SDP, 'sendonly');
    expect(audioDirection(held)).toBe('sendonly');
    expect(held).toContain('o=- 4611731400430051336 3 IN IP4');
    expect(held.match(/^a=(sendrecv|sendonly|recvonly|inactive)/gm)).toEqual(['a=sendonly']);
    expect(held.endsWith('\r\n')).toBe(true);
    // After the section's c= line (RFC 8866 §5 order), which rtpengine insists on.
    expect(held.indexOf('a=sendonly')).toBeGreaterThan(held.indexOf('c=IN IP4 127.0.0.1'));
    const resumed = withAudioDirection(held, 'sendrecv');
    expect(resumed).toContain('o=- 4611731400430051336 4 IN IP4');
    expect(() => withAudioDirection('v=0\r\n', 'sendonly')).toThrow(RangeError);
    const withVideo = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\na=sendrecv\r\nm=video 9 RTP/AVP 96\r\na=recvonly\r\nm=audio 9 RTP/AVP 0\r\n';
    expect(withAudioDirection(withVideo, 'inactive')).toBe('v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nm=video 9 RTP/AVP 96\r\na=recvonly\r\nm=audio 9 RTP/AVP 0\r\na=inactive\r\n');
    expect(withAudioDirection('o=- 1 1 IN IP4 h\r\nm=audio 9 RTP/AVP 0\r\ni=x\r\nc=IN IP4 h\r\nb=AS:64\r\na=rtpmap:0 PCMU/8000\r\n', 'sendonly')).toBe(
      'o=- 1 2 IN IP4 h\r\nm=audio 9 RTP/AVP 0\r\ni=x\r\nc=IN IP4 h\r\nb=AS:64\r\na=sendonly\r\na=rtpmap:0 PCMU/8000\r\n',
    );
  });

  it('knows hold offers, including the old 0.0.0.0 form, and answers in kind', () => {
    expect(isHoldOffer(withAudioDirection(SDP, 'sendonly'))).toBe(true);
    expect(isHoldOffer(withAudioDirection(SDP, 'inactive'))).toBe(true);
    expect(isHoldOffer(SDP.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0'))).toBe(true);
    expect(isHoldOffer(SDP)).toBe(false);
    expect(answerDirection('sendonly')).toBe('recvonly');
    expect(answerDirection('recvonly')).toBe('sendonly');
    expect(answerDirection('inactive')).toBe('inactive');
    expect(iceCredentials(SDP)).toBe('abcd:0123456789abcdef012345');
  });
});

describe('CallHold', () => {
  it('holds and is held, choosing the directions and silence RFC 3264 §8.4 implies', () => {
    const hold = new CallHold();
    expect(hold.offerDirection()).toBe('sendrecv');
    hold.local = true;
    expect(hold.offerDirection()).toBe('sendonly');
    hold.takeAnswer(withAudioDirection(SDP, 'recvonly'));
    expect(hold.remote).toBe(false);
    expect(hold.silent).toBe(true);
    // Both hold: their re-offer is sendonly, ours answers inactive.
    expect(hold.takeOffer(withAudioDirection(SDP, 'sendonly'))).toBe('inactive');
    expect(hold.remote).toBe(true);
    hold.local = false;
    expect(hold.takeOffer(withAudioDirection(SDP, 'sendonly'))).toBe('recvonly');
    expect(hold.takeOffer(SDP)).toBe('sendrecv');
    expect(hold.silent).toBe(false);
  });
});

describe('checkCallOffer', () => {
  it('takes WebRTC audio and refuses what cannot connect, saying why', () => {
    expect(checkCallOffer(SDP)).toEqual({ ok: true });
    expect(checkCallOffer(SDP.replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP'))).toMatchObject({ ok: false, warning: expect.stringContaining('media relay') });
    expect(checkCallOffer(SDP.replace('m=audio 9', 'm=audio 0'))).toMatchObject({ ok: false });
    expect(checkCallOffer(SDP.replace(/a=ice-ufrag:abcd\r\n/, ''))).toMatchObject({ ok: false, warning: expect.stringContaining('ICE') });
    expect(checkCallOffer(SDP.replace('m=audio', 'm=video'))).toMatchObject({ ok: false });
    expect(checkCallOffer(SDP + 'a=x\r\n'.repeat(5000))).toMatchObject({ ok: false });
  });
});

describe('parseDtmfRelay', () => {
  it('reads Signal and Duration and refuses anything else', () => {
    expect(parseDtmfRelay('Signal=5\r\nDuration=160\r\n')).toEqual({ ok: true, digit: '5', durationMs: 160 });
    expect(parseDtmfRelay('signal= #\nduration=abc')).toEqual({ ok: true, digit: '#' });
    expect(parseDtmfRelay('Signal=d')).toEqual({ ok: true, digit: 'D' });
    expect(parseDtmfRelay('Signal=X')).toMatchObject({ ok: false });
    expect(parseDtmfRelay('Signal=11')).toMatchObject({ ok: false });
    expect(parseDtmfRelay('Duration=100')).toMatchObject({ ok: false });
    expect(parseDtmfRelay('Signal=1\r\n'.padEnd(300, 'x'))).toMatchObject({ ok: false });
  });
});
