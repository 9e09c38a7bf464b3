import { describe, expect, it, vi } from 'vitest';
import { mediaReportSchema, type MediaCommand } from '../../common/media-link';
import { silentLogger } from '../../core/ports/logger';
import { MediaNegotiationError, type MediaEngine, type MediaSession, type MediaState } from '../../core/ports/media';
import { WindowMediaRouter, type AudioPlacement, type ChosenDevices, type MediaWindow } from './window-media';

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 0\r\n';
const ANSWER = OFFER.replace('4000', '5000');
const STATS = { packetsSent: 50, packetsReceived: 48, bytesSent: 8000, bytesReceived: 7680 };

function fakeWindow(): MediaWindow & { commands: MediaCommand[] } {
  const commands: MediaCommand[] = [];
  return { commands, send: (command) => commands.push(command) };
}

/** What the host engine offers (a real werift offer carries 127.0.0.1 candidates). */
const HOST_OFFER = 'v=0\r\nm=audio 6000 UDP/TLS/RTP/SAVPF 0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 6000 typ host\r\n';
const LOOPBACK_OFFER = `${OFFER}a=candidate:2 1 udp 2122194687 127.0.0.1 4000 typ host generation 0\r\n`;
const REMOTE_OFFER = `${OFFER}a=candidate:3 1 udp 2122063615 192.0.2.2 4000 typ host generation 0\r\n`;

function setup(options: { needsLoopback?: boolean; devices?: ChosenDevices; offerTimeoutMs?: number } = {}) {
  const placements: AudioPlacement[] = [];
  const hostSessions: string[] = [];
  const host: MediaEngine = {
    createSession: (o) => {
      hostSessions.push(o?.focusUri ?? '');
      return { state: 'new', muted: false, createOffer: () => Promise.resolve(HOST_OFFER), setMuted: () => undefined, onStateChange: () => () => undefined } as unknown as MediaSession;
    },
  };
  const router = new WindowMediaRouter({
    host,
    logger: silentLogger,
    devices: () => options.devices ?? {},
    needsLoopback: () => options.needsLoopback ?? false,
    onAudio: (p) => placements.push(p),
    ...(options.offerTimeoutMs !== undefined && { offerTimeoutMs: options.offerTimeoutMs, answerTimeoutMs: options.offerTimeoutMs }),
  });
  return { router, placements, hostSessions };
}

const FOCUS = 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:1';

/** Answers the window's last offer command with SDP and returns the offer's media id. */
function lastOfferId(window: { commands: MediaCommand[] }): string {
  const offer = window.commands.findLast((c) => c.op === 'offer');
  if (offer?.op !== 'offer') {
    throw new Error('no offer command');
  }
  return offer.mediaId;
}

describe('WindowMediaRouter', () => {
  it('runs audio in the host, and says why, when no window carries it', () => {
    const { router, placements, hostSessions } = setup();
    router.createSession({ focusUri: FOCUS });
    expect(hostSessions).toEqual([FOCUS]);
    expect(placements).toEqual([{ focusUri: FOCUS, where: 'host', problem: expect.stringContaining('No Switchboard window is open') }]);
  });

  it('keeps the window on the embedded lab only when its offer reaches 127.0.0.1, else runs in the host', async () => {
    const { router, placements, hostSessions } = setup({ needsLoopback: true });
    const window = fakeWindow();
    router.attach(window);

    const local = router.createSession({ focusUri: FOCUS });
    const localOffer = local.createOffer();
    router.reply(window, { mediaId: 'm1', op: 'offer', sdp: LOOPBACK_OFFER });
    await expect(localOffer).resolves.toBe(LOOPBACK_OFFER);
    expect(hostSessions).toEqual([]);
    expect(placements).toEqual([{ focusUri: FOCUS, where: 'window' }]);

    // An everyday browser: its offer has no loopback candidate; the window lets go of it and
    // the host offers instead, before any INVITE, within the same session object.
    const remote = router.createSession({ focusUri: FOCUS });
    const states: MediaState[] = [];
    remote.onStateChange((s) => states.push(s));
    const remoteOffer = remote.createOffer();
    router.reply(window, { mediaId: 'm2', op: 'offer', sdp: REMOTE_OFFER });
    await expect(remoteOffer).resolves.toBe(HOST_OFFER);
    expect(window.commands.at(-1)).toEqual({ op: 'close', mediaId: 'm2' });
    expect(hostSessions).toEqual([FOCUS]);
    expect(placements.at(-1)).toEqual({ focusUri: FOCUS, where: 'host', problem: expect.stringContaining('--allow-loopback-in-peer-connection') });
    // The conference never saw the window session close.
    expect(states).toEqual([]);
  });

  it('negotiates through the window with the chosen devices and reports its state and counters', async () => {
    const { router, placements } = setup({ devices: { microphone: 'mic-2', speaker: 'out-1' } });
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ focusUri: FOCUS });
    const states: MediaState[] = [];
    session.onStateChange((s) => states.push(s));

    const offer = session.createOffer();
    expect(window.commands).toEqual([{ op: 'offer', mediaId: 'm1', focusUri: FOCUS, microphone: 'mic-2', speaker: 'out-1' }]);
    expect(router.reply(window, { mediaId: 'm1', op: 'offer', sdp: OFFER })).toBe(true);
    await expect(offer).resolves.toBe(OFFER);

    const applied = session.acceptAnswer(ANSWER);
    expect(window.commands.at(-1)).toEqual({ op: 'answer', mediaId: 'm1', sdp: ANSWER });
    router.reply(window, { mediaId: 'm1', op: 'answer' });
    await applied;

    router.report(window, { mediaId: 'm1', state: 'connected', stats: STATS, microphone: 'Fake Audio Input 2', speaker: 'Fake Audio Output 1' });
    router.report(window, { mediaId: 'm1', state: 'connected', stats: STATS, microphone: 'Fake Audio Input 2', speaker: 'Fake Audio Output 1' });
    expect(states).toEqual(['connected']);
    expect(session.state).toBe('connected');
    expect(session.stats()).toEqual(STATS);
    // Device labels are announced once, not with every report.
    expect(placements).toEqual([
      { focusUri: FOCUS, where: 'window' },
      { focusUri: FOCUS, where: 'window', microphone: 'Fake Audio Input 2', speaker: 'Fake Audio Output 1' },
    ]);
  });

  it('restarts ICE through the window and its loopback guard (RFC 8445 §9), keeping the mute state', async () => {
    const { router } = setup({ needsLoopback: true });
    const window = fakeWindow();
    router.attach(window);
    const unnegotiated = router.createSession({ focusUri: FOCUS });
    await expect(unnegotiated.restartIce?.()).rejects.toMatchObject({ code: 'invalid-state' });
    expect(window.commands).toEqual([]);

    const fresh = router.createSession({ focusUri: FOCUS });
    const offer = fresh.createOffer();
    router.reply(window, { mediaId: lastOfferId(window), op: 'offer', sdp: LOOPBACK_OFFER });
    await offer;
    const applied = fresh.acceptAnswer(ANSWER);
    router.reply(window, { mediaId: lastOfferId(window), op: 'answer' });
    await applied;
    fresh.setMuted(true);

    const RESTART_OFFER = LOOPBACK_OFFER.replace('o=- 1 1', 'o=- 1 2');
    const restart = fresh.restartIce?.();
    expect(window.commands.at(-1)).toEqual({ op: 'restart', mediaId: lastOfferId(window) });
    // A mute asked while the restart is under way still reaches the window.
    fresh.setMuted(false);
    fresh.setMuted(true);
    expect(window.commands.at(-1)).toEqual({ op: 'mute', mediaId: lastOfferId(window), muted: true });
    router.reply(window, { mediaId: lastOfferId(window), op: 'restart', sdp: RESTART_OFFER });
    await expect(restart).resolves.toBe(RESTART_OFFER);
    const reapplied = fresh.acceptAnswer(ANSWER);
    expect(window.commands.at(-1)).toEqual({ op: 'answer', mediaId: lastOfferId(window), sdp: ANSWER });
    router.reply(window, { mediaId: lastOfferId(window), op: 'answer' });
    await reapplied;
    expect(fresh.muted).toBe(true);
    // One exchange at a time: no second answer without a new offer.
    await expect(fresh.acceptAnswer(ANSWER)).rejects.toMatchObject({ code: 'invalid-state' });
  });

  it("passes the window's received level on as the session's, and drops it when the window no longer knows it", async () => {
    const { router } = setup();
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ focusUri: FOCUS });
    const offer = session.createOffer();
    router.reply(window, { mediaId: 'm1', op: 'offer', sdp: OFFER });
    await offer;
    router.report(window, { mediaId: 'm1', state: 'connected', stats: { ...STATS, receivedLevel: 0.0312 } });
    expect(session.stats()).toEqual({ ...STATS, receivedLevel: 0.0312 });
    router.report(window, { mediaId: 'm1', state: 'connected', stats: STATS });
    expect(session.stats().receivedLevel).toBeUndefined();
    // The link validates it: a level is 0 (silence) to 1 (full scale).
    expect(mediaReportSchema.safeParse({ mediaId: 'm1', state: 'connected', stats: { ...STATS, receivedLevel: 1 } }).success).toBe(true);
    for (const receivedLevel of [-0.1, 1.5, Number.NaN, '0.5']) {
      expect(mediaReportSchema.safeParse({ mediaId: 'm1', state: 'connected', stats: { ...STATS, receivedLevel } }).success).toBe(false);
    }
  });

  it('ignores replies and reports from a window that does not carry the session', async () => {
    const { router } = setup({ offerTimeoutMs: 50 });
    const carrier = fakeWindow();
    router.attach(carrier);
    const session = router.createSession({});
    const stranger = fakeWindow();
    router.attach(stranger);
    const offer = session.createOffer();
    expect(router.reply(stranger, { mediaId: 'm1', op: 'offer', sdp: 'v=0\r\n' })).toBe(false);
    expect(router.report(stranger, { mediaId: 'm1', state: 'connected', stats: STATS })).toBe(false);
    await expect(offer).rejects.toMatchObject({ code: 'timeout' });
    expect(session.state).toBe('failed');
    expect(carrier.commands.at(-1)).toEqual({ op: 'close', mediaId: 'm1' });
  });

  it('turns a window failure into the engine error the SIP layer maps', async () => {
    const { router } = setup();
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({});
    const offer = session.createOffer();
    router.reply(window, { mediaId: 'm1', op: 'offer', error: { code: 'invalid-state', message: 'NotReadableError: device busy' } });
    const error = await offer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaNegotiationError);
    expect(error).toMatchObject({ code: 'invalid-state', message: expect.stringContaining('device busy') });
    expect(session.state).toBe('failed');
    await expect(session.acceptAnswer(ANSWER)).rejects.toMatchObject({ code: 'invalid-state' });
    expect(router.sessionCount).toBe(0);
  });

  it('closes the sessions of a window that goes away, failing a step in flight', async () => {
    const { router, hostSessions } = setup();
    const window = fakeWindow();
    const detach = router.attach(window);
    const session = router.createSession({});
    const states: MediaState[] = [];
    session.onStateChange((s) => states.push(s));
    const offer = session.createOffer();
    detach();
    await expect(offer).rejects.toMatchObject({ code: 'invalid-state', message: expect.stringContaining('went away') });
    expect(states).toEqual(['closed']);
    expect(router.sessionCount).toBe(0);
    // The next conference finds no window and runs in the host.
    router.createSession({ focusUri: FOCUS });
    expect(hostSessions).toEqual([FOCUS]);
  });

  it('mutes by command once the window holds the session, including a mute asked during the offer', async () => {
    const { router } = setup();
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({});
    const offer = session.createOffer();
    session.setMuted(true);
    expect(window.commands.some((c) => c.op === 'mute')).toBe(false);
    router.reply(window, { mediaId: lastOfferId(window), op: 'offer', sdp: OFFER });
    await offer;
    expect(window.commands.at(-1)).toEqual({ op: 'mute', mediaId: 'm1', muted: true });
    session.setMuted(false);
    expect(window.commands.at(-1)).toEqual({ op: 'mute', mediaId: 'm1', muted: false });
    expect(session.muted).toBe(false);
  });

  it('sends new devices only to windows carrying a call, and closes by command', async () => {
    let devices: ChosenDevices = { microphone: 'mic-1' };
    const placements: AudioPlacement[] = [];
    const router = new WindowMediaRouter({
      host: { createSession: () => ({}) as MediaSession },
      logger: silentLogger,
      devices: () => devices,
      needsLoopback: () => false,
      onAudio: (p) => placements.push(p),
    });
    const idle = fakeWindow();
    router.attach(idle);
    const busy = fakeWindow();
    router.attach(busy);
    const session = router.createSession({});
    devices = { microphone: 'mic-2', speaker: 'out-2' };
    router.devicesChanged();
    expect(busy.commands.at(-1)).toEqual({ op: 'devices', microphone: 'mic-2', speaker: 'out-2' });
    expect(idle.commands).toEqual([]);
    await session.close();
    expect(busy.commands.at(-1)).toEqual({ op: 'close', mediaId: 'm1' });
    expect(session.state).toBe('closed');
    expect(router.report(busy, { mediaId: 'm1', state: 'connected', stats: STATS })).toBe(false);
  });

  it('rings in the newest window on the chosen speaker, follows windows that come and go, and stops', () => {
    const { router } = setup({ devices: { speaker: 'out-2' } });
    const older = fakeWindow();
    router.attach(older);
    const newer = fakeWindow();
    const detachNewer = router.attach(newer);
    router.ring(true);
    expect(newer.commands).toEqual([{ op: 'ring', ringing: true, speaker: 'out-2' }]);
    expect(older.commands).toEqual([]);
    // The ringing window goes away (a reload): the ring moves on rather than falling silent.
    detachNewer();
    expect(older.commands).toEqual([{ op: 'ring', ringing: true, speaker: 'out-2' }]);
    const reloaded = fakeWindow();
    router.attach(reloaded);
    expect(older.commands.at(-1)).toEqual({ op: 'ring', ringing: false });
    expect(reloaded.commands).toEqual([{ op: 'ring', ringing: true, speaker: 'out-2' }]);
    router.ring(false);
    expect(reloaded.commands.at(-1)).toEqual({ op: 'ring', ringing: false });
    const late = fakeWindow();
    router.attach(late);
    expect(late.commands).toEqual([]);
  });

  it('answers a call through the window (RFC 3264 §6): the offer goes in, a complete answer comes back, placed by call id', async () => {
    const { router, placements } = setup({ devices: { microphone: 'mic-2', speaker: 'out-1' } });
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ callId: 'call-1' });
    expect(placements).toEqual([{ callId: 'call-1', where: 'window' }]);
    session.setMuted(true);
    const answered = session.answer(REMOTE_OFFER);
    expect(window.commands).toEqual([{ op: 'answer-offer', mediaId: 'm1', sdp: REMOTE_OFFER, callId: 'call-1', microphone: 'mic-2', speaker: 'out-1' }]);
    expect(router.reply(window, { mediaId: 'm1', op: 'answer-offer', sdp: ANSWER })).toBe(true);
    await expect(answered).resolves.toBe(ANSWER);
    // A mute asked before the window held the session reaches it now.
    expect(window.commands.at(-1)).toEqual({ op: 'mute', mediaId: 'm1', muted: true });
    router.report(window, { mediaId: 'm1', state: 'connected', stats: { ...STATS, receivedLevel: 0.02 }, microphone: 'Fake Audio Input 2', speaker: 'Fake Audio Output 1' });
    expect(session.state).toBe('connected');
    expect(session.stats().receivedLevel).toBe(0.02);
    expect(placements.at(-1)).toEqual({ callId: 'call-1', where: 'window', microphone: 'Fake Audio Input 2', speaker: 'Fake Audio Output 1' });
    // One answer per session; a second offer is a re-offer.
    await expect(session.answer(REMOTE_OFFER)).rejects.toMatchObject({ code: 'invalid-state' });
    // The window cannot hear RFC 4733 events: no onDtmf, INFO digits still reach the call.
    expect(session.onDtmf).toBeUndefined();
  });

  it('answers an ICE restart re-offer (RFC 8445 §9.2) through the window, one exchange at a time', async () => {
    const { router } = setup();
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ callId: 'call-1' });
    await expect(session.reanswer?.(REMOTE_OFFER)).rejects.toMatchObject({ code: 'invalid-state' });
    const answered = session.answer(REMOTE_OFFER);
    router.reply(window, { mediaId: 'm1', op: 'answer-offer', sdp: ANSWER });
    await answered;
    const RESTART = REMOTE_OFFER.replace('o=- 1 1', 'o=- 1 2');
    const reanswered = session.reanswer?.(RESTART);
    expect(window.commands.at(-1)).toEqual({ op: 'reanswer', mediaId: 'm1', sdp: RESTART });
    // A reply to another step is not this one's.
    router.reply(window, { mediaId: 'm1', op: 'answer-offer', sdp: 'v=0\r\n' });
    router.reply(window, { mediaId: 'm1', op: 'reanswer', sdp: ANSWER.replace('5000', '5002') });
    await expect(reanswered).resolves.toBe(ANSWER.replace('5000', '5002'));
    expect(session.state).not.toBe('failed');
  });

  it('sends DTMF through the window only when it can (RFC 4733), else leaves the call to send SIP INFO', async () => {
    const { router } = setup();
    const window = fakeWindow();
    router.attach(window);
    const noEvents = router.createSession({ callId: 'call-1' });
    expect(noEvents.sendDtmf?.('1')).toBe(false);
    const answered = noEvents.answer(REMOTE_OFFER);
    router.reply(window, { mediaId: 'm1', op: 'answer-offer', sdp: ANSWER });
    await answered;
    // telephone-event not negotiated: the window's reports never say it can.
    router.report(window, { mediaId: 'm1', state: 'connected', stats: STATS });
    expect(noEvents.sendDtmf?.('1')).toBe(false);

    const session = router.createSession({ callId: 'call-2' });
    const second = session.answer(REMOTE_OFFER);
    router.reply(window, { mediaId: 'm2', op: 'answer-offer', sdp: ANSWER });
    await second;
    // Negotiated, but Chromium can send events only once the transport is up: its report says when.
    router.report(window, { mediaId: 'm2', state: 'connecting', stats: STATS });
    expect(session.sendDtmf?.('1')).toBe(false);
    router.report(window, { mediaId: 'm2', state: 'connected', stats: STATS, dtmf: true });
    expect(session.sendDtmf?.('12#')).toBe(true);
    expect(window.commands.at(-1)).toEqual({ op: 'dtmf', mediaId: 'm2', digits: '12#' });
    expect(session.sendDtmf?.('1x')).toBe(false);
    // Muted (or held): Chromium makes no event packets without a track, so INFO carries them.
    session.setMuted(true);
    expect(session.sendDtmf?.('5')).toBe(false);
    session.setMuted(false);
    expect(session.sendDtmf?.('a')).toBe(true);
    expect(window.commands.at(-1)).toEqual({ op: 'dtmf', mediaId: 'm2', digits: 'A' });
  });

  it("answers in the host when the window's answer cannot reach the embedded lab, and says so for the call", async () => {
    const placements: AudioPlacement[] = [];
    const hostAnswers: string[] = [];
    const host: MediaEngine = {
      createSession: () =>
        ({
          state: 'new',
          muted: false,
          answer: (offer: string) => (hostAnswers.push(offer), Promise.resolve(HOST_OFFER)),
          setMuted: () => undefined,
          onStateChange: () => () => undefined,
          onDtmf: (listener: (digit: string) => void) => (listener('7'), () => undefined),
        }) as unknown as MediaSession,
    };
    const router = new WindowMediaRouter({ host, logger: silentLogger, devices: () => ({}), needsLoopback: () => true, onAudio: (p) => placements.push(p) });
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ callId: 'call-1' });
    const heard: string[] = [];
    session.onDtmf?.((digit) => heard.push(digit));
    const answered = session.answer(LOOPBACK_OFFER);
    router.reply(window, { mediaId: 'm1', op: 'answer-offer', sdp: REMOTE_OFFER });
    await expect(answered).resolves.toBe(HOST_OFFER);
    expect(hostAnswers).toEqual([LOOPBACK_OFFER]);
    expect(window.commands.at(-1)).toEqual({ op: 'close', mediaId: 'm1' });
    expect(placements.at(-1)).toEqual({ callId: 'call-1', where: 'host', problem: expect.stringContaining('its answer has no 127.0.0.1 candidate') });
    // The host engine hears RFC 4733 events, and the call hears them through the guard.
    expect(heard).toEqual(['7']);

    const local = router.createSession({ callId: 'call-2' });
    const kept = local.answer(LOOPBACK_OFFER);
    router.reply(window, { mediaId: 'm2', op: 'answer-offer', sdp: LOOPBACK_OFFER });
    await expect(kept).resolves.toBe(LOOPBACK_OFFER);
  });

  it('makes an offer ahead while ringing without a time limit, then gives the window its time once accepted', async () => {
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const { router } = setup({ offerTimeoutMs: 30 });
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ focusUri: FOCUS, ahead: true });
    const offer = session.createOffer();
    const settled = vi.fn();
    offer.then(settled, settled);
    expect(window.commands.at(-1)).toMatchObject({ op: 'offer', mediaId: 'm1', focusUri: FOCUS, ahead: true });
    // Ringing for longer than the window's time to offer: no timeout, the window may be waiting for the agent.
    await sleep(60);
    expect(settled).not.toHaveBeenCalled();
    session.accepted?.();
    session.accepted?.();
    expect(window.commands.filter((c) => c.op === 'accepted')).toEqual([{ op: 'accepted', mediaId: 'm1' }]);
    await expect(offer).rejects.toMatchObject({ code: 'timeout' });
    expect(window.commands.at(-1)).toEqual({ op: 'close', mediaId: 'm1' });
  });

  it('tells where a session made ahead runs only once the agent accepted (its conversation exists from then on)', async () => {
    const { router, placements } = setup();
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ focusUri: FOCUS, ahead: true });
    const offer = session.createOffer();
    router.reply(window, { mediaId: 'm1', op: 'offer', sdp: OFFER });
    await expect(offer).resolves.toBe(OFFER);
    router.report(window, { mediaId: 'm1', state: 'new', stats: STATS, microphone: 'Fake Default Audio Input' });
    expect(placements).toEqual([]);
    session.accepted?.();
    expect(placements).toEqual([{ focusUri: FOCUS, where: 'window', microphone: 'Fake Default Audio Input' }]);
    router.report(window, { mediaId: 'm1', state: 'connecting', stats: STATS, microphone: 'Fake Audio Input 1' });
    expect(placements.at(-1)).toEqual({ focusUri: FOCUS, where: 'window', microphone: 'Fake Audio Input 1' });
  });

  it('closes an offer made ahead when the invitation ends unanswered, telling the window', async () => {
    const { router } = setup({ offerTimeoutMs: 30 });
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ focusUri: FOCUS, ahead: true });
    const offer = session.createOffer();
    await session.close();
    await expect(offer).rejects.toMatchObject({ code: 'invalid-state' });
    expect(window.commands.map((c) => c.op)).toEqual(['offer', 'close']);
    session.accepted?.();
    expect(window.commands.map((c) => c.op)).toEqual(['offer', 'close']);
    expect(router.sessionCount).toBe(0);
  });

  it('sends no accepted command for a session not made ahead', async () => {
    const { router } = setup();
    const window = fakeWindow();
    router.attach(window);
    const session = router.createSession({ focusUri: FOCUS });
    const offer = session.createOffer();
    expect(window.commands.at(-1)).not.toHaveProperty('ahead');
    router.reply(window, { mediaId: 'm1', op: 'offer', sdp: OFFER });
    await expect(offer).resolves.toBe(OFFER);
    session.accepted?.();
    expect(window.commands.some((c) => c.op === 'accepted')).toBe(false);
  });
});
