import { createHook } from 'node:async_hooks';
import { DtlsClient, RTCPeerConnection, usePCMU } from 'werift';
import type { RtpHeader } from 'werift';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaNegotiationError, SDP_CONTENT_TYPE } from '../../core/ports/media';
import type { MediaSession } from '../../core/ports/media';
import { createWeriftMediaEngine } from './werift-media';

const engine = createWeriftMediaEngine();
const open: MediaSession[] = [];
const session = (echo = false): MediaSession => {
  const s = engine.createSession({ echo });
  open.push(s);
  return s;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms for at most `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(10);
  }
}

/** An offerer and an echoing answerer, negotiated; `appliedAt` is when the answer was applied. */
async function connectedPair() {
  const agent = session();
  const mcu = session(true);
  const answer = await mcu.answer(await agent.createOffer());
  const appliedAt = performance.now();
  await agent.acceptAnswer(answer);
  return { agent, mcu, appliedAt };
}

const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;

describe('werift media engine', () => {
  it('offers one m=audio as plain application/sdp with only 127.0.0.1 candidates and no DNS', async () => {
    let lookups = 0;
    const hook = createHook({
      init: (_id, type) => {
        if (type === 'GETADDRINFOREQWRAP') {
          lookups += 1;
        }
      },
    }).enable();
    const offer = await session().createOffer().finally(() => hook.disable());

    expect(SDP_CONTENT_TYPE).toBe('application/sdp');
    expect(offer.startsWith('v=0\r\n')).toBe(true);
    expect(offer).not.toMatch(/content-type|^--/im);
    const lines = offer.trimEnd().split('\r\n');
    expect(lines.filter((l) => l.startsWith('m='))).toEqual([expect.stringMatching(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 101$/)]);
    expect(lines).toContain('a=rtpmap:0 PCMU/8000');
    expect(lines).toContain('a=rtpmap:101 telephone-event/8000');
    expect(lines).toContain('a=sendrecv');
    expect(lines).toContain('a=end-of-candidates');
    expect(lines).toContain('c=IN IP4 127.0.0.1');
    expect(lines).not.toContain('a=ice-options:trickle');
    const candidates = lines.filter((l) => l.startsWith('a=candidate:')).map((l) => l.split(' '));
    expect(candidates.length).toBeGreaterThan(0);
    expect(candidates.map((c) => c[4])).toEqual(candidates.map(() => '127.0.0.1'));
    // The m= line carries the default candidate's port, not werift's placeholder 9.
    expect(lines.find((l) => l.startsWith('m=audio'))?.split(' ')[1]).toBe(candidates[0]?.[5]);
    // werift's default STUN server (stun.l.google.com) would show up as a name lookup.
    expect(lookups).toBe(0);
  });

  it('sends and receives RTP both ways within 2 s of the answer, and the counts grow', async () => {
    const { agent, mcu, appliedAt } = await connectedPair();
    await until(() => agent.stats().packetsReceived > 0 && mcu.stats().packetsReceived > 0, 2000, 'first packets');
    const firstAt = agent.stats().firstPacketReceivedAt ?? Number.NaN;
    console.info(`time from acceptAnswer to first RTP packet received: ${(firstAt - appliedAt).toFixed(1)} ms`);
    expect(firstAt - appliedAt).toBeLessThan(2000);
    expect(agent.state).toBe('connected');
    expect(mcu.state).toBe('connected');

    const before = agent.stats();
    await sleep(300);
    const after = agent.stats();
    expect(after.packetsSent).toBeGreaterThan(before.packetsSent + 5);
    expect(after.packetsReceived).toBeGreaterThan(before.packetsReceived + 5);
    // 20 ms of PCMU is 160 bytes (RFC 3551 §4.5.14).
    expect(after.bytesSent).toBe(after.packetsSent * 160);
    expect(after.bytesReceived).toBe(after.packetsReceived * 160);
  });

  it('takes an offer whose a=rtcp line has a port only (RFC 3605 §2.1, as rtpengine writes it)', async () => {
    const offer = (await session().createOffer()).replace(/^a=rtcp:.*$/m, 'a=rtcp:9').replace('a=mid:0', 'a=mid:0\r\na=rtcp:9');
    expect(offer).toMatch(/^a=rtcp:9\r?$/m);
    await expect(session(true).answer(offer)).resolves.toMatch(/^v=0/);
  });

  it('sends DTMF as RFC 4733 events both ways, each digit once', async () => {
    const { agent, mcu } = await connectedPair();
    await until(() => agent.stats().packetsReceived > 3 && mcu.stats().packetsReceived > 3, 2000, 'packets');
    const atMcu: string[] = [];
    const atAgent: string[] = [];
    mcu.onDtmf?.((d) => atMcu.push(d));
    agent.onDtmf?.((d) => atAgent.push(d));
    expect(agent.sendDtmf?.('1*9')).toBe(true);
    expect(mcu.sendDtmf?.('#D')).toBe(true);
    expect(agent.sendDtmf?.('x')).toBe(false);
    await until(() => atMcu.length === 3 && atAgent.length === 2, 3000, 'digits');
    expect(atMcu).toEqual(['1', '*', '9']);
    expect(atAgent).toEqual(['#', 'D']);
  });

  it('stops sending while muted and keeps receiving', async () => {
    const { agent, mcu } = await connectedPair();
    await until(() => agent.stats().packetsReceived > 5, 2000, 'packets');

    agent.setMuted(true);
    expect(agent.muted).toBe(true);
    const muted = agent.stats();
    const mcuMuted = mcu.stats();
    await sleep(400);
    expect(agent.stats().packetsSent).toBe(muted.packetsSent);
    // The MCU fills the silence with its own tone, so reception goes on.
    expect(agent.stats().packetsReceived).toBeGreaterThan(muted.packetsReceived + 5);
    expect(mcu.stats().packetsReceived).toBeLessThanOrEqual(mcuMuted.packetsReceived + 1);

    agent.setMuted(false);
    await until(() => agent.stats().packetsSent > muted.packetsSent + 5, 1000, 'sending after unmute');
  });

  it('numbers packets per RFC 3550 and marks each talkspurt', async () => {
    const agent = session();
    const headers: Array<Pick<RtpHeader, 'sequenceNumber' | 'timestamp' | 'marker' | 'payloadType'>> = [];
    const peer = await rawAnswerer(await agent.createOffer(), (h) => headers.push(h));
    try {
      await agent.acceptAnswer(peer.answer);
      await until(() => headers.length >= 10, 2000, '10 packets');
      agent.setMuted(true);
      const mutedAt = headers.length;
      await sleep(200);
      agent.setMuted(false);
      await until(() => headers.length >= mutedAt + 10, 1000, '10 more packets');
    } finally {
      await peer.close();
    }

    expect(headers.every((h) => h.payloadType === 0)).toBe(true);
    const resumed = headers.findIndex((h, i) => i > 0 && h.marker);
    expect(headers[0]?.marker).toBe(true);
    expect(resumed).toBeGreaterThan(5);
    expect(headers.filter((h) => h.marker)).toHaveLength(2);
    for (let i = 1; i < headers.length; i++) {
      const [previous, current] = [headers[i - 1], headers[i]];
      if (previous === undefined || current === undefined) {
        continue;
      }
      expect(current.sequenceNumber).toBe((previous.sequenceNumber + 1) & 0xffff);
      const step = (current.timestamp - previous.timestamp) >>> 0;
      expect(step % 160).toBe(0);
      // Across the mute the timestamp follows the clock: about 200 ms, i.e. 1600 samples.
      if (i === resumed) {
        expect(step).toBeGreaterThanOrEqual(1600);
        expect(step).toBeLessThanOrEqual(1600 + 160 * 10);
      } else {
        expect(step).toBeGreaterThanOrEqual(160);
      }
    }
  });

  it('closes without leaving sockets or timers behind', async () => {
    await sleep(20); // lets the sockets of earlier tests finish closing
    const baseline = udpHandles();
    const tracker = trackMediaResources();
    try {
      const { agent, mcu } = await connectedPair();
      await until(() => agent.stats().packetsReceived > 5, 2000, 'packets');
      expect(udpHandles()).toBe(baseline + 2);
      const states: string[] = [];
      agent.onStateChange((state) => states.push(state));

      await Promise.all([agent.close(), mcu.close(), agent.close()]);
      expect(agent.state).toBe('closed');
      expect(states).toEqual(['closed']);
      const sent = agent.stats().packetsSent;
      // libuv frees a closed handle in its close phase, one loop turn after close() returns.
      await until(() => udpHandles() === baseline, 500, 'UDP sockets to close');
      await until(() => tracker.alive() === 0, 500, 'timers');
      expect(agent.stats().packetsSent).toBe(sent);
      await expect(agent.createOffer()).rejects.toMatchObject({ code: 'invalid-state' });
    } finally {
      tracker.stop();
    }
  });

  it('closes during the DTLS handshake without werift retrying it for 33 s', async () => {
    const tracker = trackMediaResources();
    // Close right after the DTLS client sent its first flight, while the handshake is under way.
    const connect = DtlsClient.prototype.connect;
    let helloSent: () => void = () => undefined;
    const hello = new Promise<void>((resolve) => (helloSent = resolve));
    const spy = vi.spyOn(DtlsClient.prototype, 'connect').mockImplementation(function (this: DtlsClient) {
      const started = connect.call(this);
      helloSent();
      return started;
    });
    try {
      const agent = session();
      const mcu = session(true);
      await agent.acceptAnswer(await mcu.answer(await agent.createOffer()));
      await hello;
      expect(agent.state).toBe('connecting');
      await Promise.all([agent.close(), mcu.close()]);
      await until(() => tracker.alive() === 0, 1500, "werift's handshake timers");
    } finally {
      spy.mockRestore();
      tracker.stop();
    }
  });

  it("connects without werift's 100 ms wait before the DTLS client's first flight", async () => {
    // With the wait, no pair connects in under ~120 ms (20 ms ICE pacing + 100 ms); the
    // fastest of a few tries is robust to a loaded machine, as one fast try is enough.
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { agent, mcu, appliedAt } = await connectedPair();
      await until(() => agent.state === 'connected' && mcu.state === 'connected', 2000, 'DTLS');
      times.push(performance.now() - appliedAt);
      await Promise.all([agent.close(), mcu.close()]);
    }
    expect(Math.min(...times)).toBeLessThan(100);
  });

  describe('rejects an unusable answer with a clear error', () => {
    const cases: Array<[string, (answer: string) => string, string, RegExp]> = [
      ['text that is not SDP', () => 'this is not an SDP answer', 'malformed-sdp', /not an SDP body starting with "v=0"/],
      ['a multipart body', (a) => `--boundary\r\nContent-Type: application/sdp\r\n\r\n${a}`, 'malformed-sdp', /multipart/],
      ['a broken line', (a) => a.replace('s=-', 's=-\r\nnot a line'), 'malformed-sdp', /line 4/],
      ['a rejected stream', (a) => a.replace(/m=audio \d+/, 'm=audio 0'), 'rejected', /port 0/],
      ['no common codec', (a) => a.replace(/(m=audio \d+ \S+) 0/, '$1 8'), 'rejected', /PCMU/],
      ['plain RTP', (a) => a.replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP'), 'unsupported-sdp', /RTP\/AVP is not DTLS-SRTP/],
      ['no ICE', (a) => a.replace(/a=ice-ufrag:.*\r\n/, ''), 'unsupported-sdp', /ice-ufrag/],
      [
        'candidates off loopback only',
        (a) => a.replace(/127\.0\.0\.1 (\d+) typ host/g, '192.0.2.7 $1 typ host'),
        'unsupported-sdp',
        /no UDP candidate on 127\.0\.0\.1; it has only 192\.0\.2\.7/,
      ],
    ];
    it.each(cases)('%s', async (_name, mangle, code, message) => {
      const agent = session();
      const answer = await session(true).answer(await agent.createOffer());
      const error = await agent.acceptAnswer(mangle(answer)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediaNegotiationError);
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
      expect(agent.state).toBe('failed');
    });
  });

  it('answers an offer with audio and video by rejecting the video (RFC 3264 §6)', async () => {
    const offer = await session().createOffer();
    const withVideo = `${offer.replace('a=group:BUNDLE 0', 'a=group:BUNDLE 0 1')}m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n`;
    const answer = await session(true).answer(withVideo);
    const media = answer.split('\r\n').filter((l) => l.startsWith('m='));
    expect(media).toEqual([expect.stringMatching(/^m=audio [1-9]\d* UDP\/TLS\/RTP\/SAVPF 0 101$/), expect.stringMatching(/^m=video 0 /)]);
    // a=ptime belongs to the audio section, before the video m= line.
    expect(answer.indexOf('a=ptime:20')).toBeLessThan(answer.indexOf('m=video'));
  });

  it('restarts ICE (RFC 8445 §9): new credentials both ways, and RTP keeps flowing both ways', async () => {
    const agent = session();
    const mcu = session(true);
    const firstOffer = await agent.createOffer();
    const firstAnswer = await mcu.answer(firstOffer);
    await agent.acceptAnswer(firstAnswer);
    await until(() => agent.stats().packetsReceived > 0 && mcu.stats().packetsReceived > 0, 2000, 'first packets');
    const ufrag = (sdp: string): string | undefined => /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
    const pwd = (sdp: string): string | undefined => /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1];
    const first = { agent: ufrag(firstOffer), mcu: ufrag(firstAnswer) };

    const started = performance.now();
    const offer = await (agent.restartIce?.() ?? Promise.reject(new Error('no restartIce')));
    const answer = await (mcu.reanswer?.(offer) ?? Promise.reject(new Error('no reanswer')));
    await agent.acceptAnswer(answer);
    expect(ufrag(offer)).toBeDefined();
    expect(ufrag(offer)).not.toBe(first.agent);
    expect(ufrag(answer)).not.toBe(first.mcu);
    expect(pwd(offer)).not.toBe(pwd(answer));

    const before = { agent: agent.stats(), mcu: mcu.stats() };
    await until(
      () => agent.state === 'connected' && agent.stats().packetsReceived > before.agent.packetsReceived + 10 && mcu.stats().packetsReceived > before.mcu.packetsReceived + 10,
      5000,
      'RTP both ways after the restart',
    );
    console.info(`ICE restart: offer to RTP flowing again both ways in ${(performance.now() - started).toFixed(0)} ms`);
    expect(mcu.state).toBe('connected');
    // One restart at a time, and only on a negotiated session.
    await expect(session().restartIce?.()).rejects.toMatchObject({ code: 'invalid-state' });
    await expect(session().reanswer?.(offer)).rejects.toMatchObject({ code: 'invalid-state' });
  });

  it('negotiates once, in order', async () => {
    const agent = session();
    await expect(agent.acceptAnswer('v=0\r\n')).rejects.toMatchObject({ code: 'invalid-state' });
    const offer = await agent.createOffer();
    await expect(agent.createOffer()).rejects.toMatchObject({ code: 'invalid-state' });
    await expect(agent.answer(offer)).rejects.toMatchObject({ code: 'invalid-state' });
  });
});

/**
 * Counts the timers and sockets that werift or the engine create from now on and that are
 * still alive, seen through async_hooks so that unref'd timers count too.
 */
function trackMediaResources() {
  const live = new Set<number>();
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const hook = createHook({
    init: (id, type) => {
      if ((type === 'Timeout' || type === 'UDPWRAP') && /node_modules\/werift\/|host\/werift-media\.ts/.test(new Error().stack ?? '')) {
        live.add(id);
      }
    },
    destroy: (id) => live.delete(id),
  }).enable();
  return {
    alive: () => live.size,
    stop: () => {
      hook.disable();
      Error.stackTraceLimit = previousLimit;
    },
  };
}

/**
 * A bare werift answerer that receives only, reporting each RTP header it gets, so the test
 * sees the agent's packets as sent rather than through the engine under test.
 */
async function rawAnswerer(offer: string, onHeader: (header: RtpHeader) => void) {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    codecs: { audio: [usePCMU()], video: [] },
  });
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  const transceiver = pc.getTransceivers()[0];
  if (transceiver === undefined) {
    throw new Error('werift made no transceiver for the offer');
  }
  transceiver.setDirection('recvonly');
  for (const transport of pc.iceTransports) {
    transport.connection.stunServer = undefined;
  }
  await pc.setLocalDescription(await pc.createAnswer());
  await until(() => pc.iceGatheringState === 'complete', 2000, 'gathering');
  transceiver.dtlsTransport.onRtp.subscribe((rtp) => onHeader(rtp.header));
  return { answer: pc.localDescription?.sdp ?? '', close: () => pc.close() };
}
