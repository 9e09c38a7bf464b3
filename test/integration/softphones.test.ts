import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { isRtpengineInstalled, type RtpengineHandle } from '../../lab/rtpengine/rtpengine-launcher';
import { AgentProcess } from '../support/agent-process';
import { Baresip, isBaresipInstalled, writeToneWav } from '../support/baresip';
import { freeUdpPort } from '../support/free-port';
import { renderScenario, runSipp, type SippResult } from '../support/sipp';
import { writeUlawTone } from '../support/ulaw-tone';

// Issue 17: plain SIP softphones (sipp, and baresip, a softphone nobody here wrote) call the
// agent through Kamailio with rtpengine as the media relay: their RTP/AVP offers reach the
// agent's WebRTC engine as DTLS-SRTP with ICE, its answer comes back as RTP/AVP, and audio
// flows both ways. Without the relay the same offer is refused with 488 and a Warning.
// The agent also holds and resumes a relayed call (its re-INVITE's SDP in RFC 8866 §5 order,
// which rtpengine insists on).

const haveRtpengine = await isRtpengineInstalled();
const haveBaresip = await isBaresipInstalled();
// Like every integration test, these fail (never skip) without their Debian packages, saying what to install.
const missing = [...(haveRtpengine ? [] : ['rtpengine-daemon']), ...(haveBaresip ? [] : ['baresip'])];
const MISSING = missing.length === 0 ? undefined : `softphone tests need ${missing.join(' and ')}: run apt-get install ${missing.join(' ')} (or scripts/install-debian-deps.sh)`;

/** sipp's tone: 3 s of 1 kHz, streamed once, so exactly 150 packets of 20 ms (160 bytes each). */
const TONE_PACKETS = 150;
/** The agent's own tone (werift's quiet 440 Hz) arrives at about 0.023; sipp's and baresip's 1 kHz at about 0.17. */
const PEER_TONE_LEVEL = 0.1;

const agents: AgentProcess[] = [];
const phones: Baresip[] = [];
const sippKills = new Set<() => void>();

afterAll(async () => {
  sippKills.forEach((kill) => kill());
  for (const phone of phones) {
    await phone.stop();
  }
  for (const agent of agents) {
    await agent.dispose();
  }
});

const aorOf = (user: string): string => `sip:${user}@lab.local`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function registered(kamailio: KamailioHandle, user: string): Promise<AgentProcess> {
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', aorOf(user), '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-'))]);
  agents.push(agent);
  await agent.waitForType('registered', 10_000);
  return agent;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await sleep(100)) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
  }
}

type SippRun = SippResult & { readonly evidence: () => string };

/**
 * Runs a lab/sipp scenario against Kamailio's UDP port, media on 127.0.0.1, with its messages
 * and errors traced for a failure's evidence; killed in afterAll if still running.
 */
function sipp(kamailio: KamailioHandle, scenario: string, service: string, extra: readonly string[] = [], timeoutSec = 30): Promise<SippRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sipp-trace-'));
  const files = { messages: join(dir, 'messages.log'), errors: join(dir, 'errors.log') };
  const run = freeUdpPort().then((port) => {
    const args = ['-p', String(port), '-mi', '127.0.0.1', '-s', service, '-trace_msg', '-message_file', files.messages, '-trace_err', '-error_file', files.errors, ...extra];
    const { result, kill } = runSipp(scenario, `127.0.0.1:${kamailio.udpPort}`, args, timeoutSec);
    sippKills.add(kill);
    return result.finally(() => sippKills.delete(kill));
  });
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return run.then((result) => ({
    ...result,
    evidence: () => [`sipp exit ${result.code} (traces in ${dir})`, result.stdout.slice(-800), result.stderr.slice(-600), `errors:\n${read(files.errors).slice(-1500)}`, `messages:\n${read(files.messages).slice(-4000)}`].join('\n'),
  }));
}

/** The packets rtpengine received from each side of a call: the plain peer (RTP/AVP) and the agent (DTLS-SRTP). */
async function relayCounts(relay: RtpengineHandle, callId: string): Promise<{ peer: number; agent: number }> {
  const { parties } = await relay.query(callId);
  const sum = (protocol: string): number => parties.filter((p) => p.protocol === protocol).reduce((total, p) => total + p.packets, 0);
  return { peer: sum('RTP/AVP'), agent: sum('UDP/TLS/RTP/SAVPF') };
}

/** Starts baresip registered to Kamailio as `user` (its contact on UDP), the WAV as its microphone. */
async function registeredPhone(kamailio: KamailioHandle, user: string, wav: string): Promise<Baresip> {
  const phone = await Baresip.start({ aor: aorOf(user), proxy: `127.0.0.1:${kamailio.udpPort}`, wav });
  phones.push(phone);
  await until(`baresip to register as ${user}`, async () => ((await kamailio.locations()).some((l) => l.aor === user) ? true : undefined), 10_000);
  return phone;
}

/** baresip's own count (`rtp_stats yes`), printed when a call ends: "packets: <sent> <received>". */
function phoneRtpStats(phone: Baresip): Promise<{ sent: number; received: number }> {
  return until('baresip to print its RTP statistics', async () => {
    const match = /^packets:\s+(\d+)\s+(\d+)/m.exec(phone.log());
    return match ? { sent: Number(match[1]), received: Number(match[2]) } : undefined;
  }, 3000);
}

/** Waits until rtpengine no longer holds the call (deleted on BYE, CANCEL or a failure). */
async function forgotten(relay: RtpengineHandle, callId: string): Promise<void> {
  await until(`rtpengine to delete ${callId}`, async () => ((await relay.calls()).includes(callId) ? undefined : true), 3000);
}

describe('plain-RTP softphones call the agent through Kamailio and rtpengine', () => {
  let kamailio: KamailioHandle;
  let relay: RtpengineHandle;
  const tone = writeUlawTone(1000, TONE_PACKETS / 50);

  beforeAll(async () => {
    if (MISSING !== undefined) {
      throw new Error(MISSING);
    }
    kamailio = await startKamailio({ mediaRelay: 'start' });
    if (kamailio.mediaRelay === undefined) {
      throw new Error('startKamailio did not start rtpengine');
    }
    relay = kamailio.mediaRelay;
  });

  afterAll(async () => {
    await kamailio?.stop();
  });

  it('sipp: rings, is answered with RTP/AVP, RTP flows both ways through the relay, sipp hangs up', async () => {
    const agent = await registered(kamailio, 'soft-one');
    const scenario = renderScenario('uac-call-rtp.xml', { TONE: tone, TALK_MS: '8000' });
    // -rtp_echo: sipp sends back every packet the agent's stream brings it, so what rtpengine
    // receives from sipp beyond its own 150 proves the agent-to-sipp direction.
    const run = sipp(kamailio, scenario, 'soft-one', ['-rtp_echo']);
    const ring = await agent.waitForType('call', 10_000);
    expect(ring.event).toMatchObject({ from: 'sip:sipp@lab.local', displayName: 'Plain Phone' });
    const dialog = await agent.waitForType('dialog', 5000, 0, (e) => e.role === 'call');
    const answeredAt = performance.now();
    agent.send({ cmd: 'answer', id: ring.event.id });
    await agent.waitForType('call.state', 10_000, 0, (e) => e.id === ring.event.id && e.state === 'connected');
    const heard = await agent.waitForType('call.media', 10_000, 0, (e) => e.packetsReceived > 25 && (e.level ?? 0) > PEER_TONE_LEVEL);
    const counts = await until(
      'rtpengine to relay 25 packets each way',
      async () => {
        const c = await relayCounts(relay, dialog.event.callId);
        return c.agent > 25 && c.peer >= TONE_PACKETS + 25 ? c : undefined;
      },
      6000,
    );
    console.info(`[figures] sipp: answer → agent heard 25 packets of sipp's tone in ${Math.round(heard.at - answeredAt)} ms (level ${heard.event.level}); rtpengine: ${counts.agent} from the agent, ${counts.peer} from sipp (at most ${TONE_PACKETS} streamed, so at least ${counts.peer - TONE_PACKETS} echoed)`);
    const result = await run;
    expect(result.code, result.evidence()).toBe(0);
    const ended = await agent.waitForType('call.state', 5000, 0, (e) => e.id === ring.event.id && e.state === 'ended');
    expect(ended.event.reason).toBe('the other side hung up');
    await forgotten(relay, dialog.event.callId);
  });

  it('sipp: the agent hangs up and sipp answers its BYE', async () => {
    const agent = await registered(kamailio, 'soft-two');
    const scenario = renderScenario('uac-call-rtp-remote-bye.xml', { TONE: tone, TALK_MS: '15000' });
    const run = sipp(kamailio, scenario, 'soft-two');
    const ring = await agent.waitForType('call', 10_000);
    const dialog = await agent.waitForType('dialog', 5000, 0, (e) => e.role === 'call');
    agent.send({ cmd: 'answer', id: ring.event.id });
    await agent.waitForType('call.media', 10_000, 0, (e) => e.packetsReceived > 25);
    agent.send({ cmd: 'hangup', id: ring.event.id });
    const result = await run;
    expect(result.code, result.evidence()).toBe(0);
    await agent.waitForType('call.state', 5000, 0, (e) => e.id === ring.event.id && e.state === 'ended');
    await forgotten(relay, dialog.event.callId);
  });

  it('sipp: CANCEL while ringing is answered 487, a decline 603, and rtpengine forgets both', async () => {
    const agent = await registered(kamailio, 'soft-three');
    const cancelled = await sipp(kamailio, 'uac-call-cancel.xml', 'soft-three');
    expect(cancelled.code, cancelled.evidence()).toBe(0);
    const ring = await agent.waitForType('call', 5000);
    const ended = await agent.waitForType('call.state', 5000, 0, (e) => e.id === ring.event.id && e.state === 'ended');
    expect(ended.event.reason).toBe('cancelled');
    const first = await agent.waitForType('dialog', 5000, 0, (e) => e.role === 'call');
    await forgotten(relay, first.event.callId);

    const mark = agent.events.length;
    const scenario = renderScenario('uac-call-refused.xml', { EXPECT: '603', WARNING: '.*', CHECK: 'false' });
    const run = sipp(kamailio, scenario, 'soft-three');
    const ring2 = await agent.waitForType('call', 10_000, mark);
    agent.send({ cmd: 'decline', id: ring2.event.id });
    const declined = await run;
    expect(declined.code, declined.evidence()).toBe(0);
    const second = await agent.waitForType('dialog', 5000, mark, (e) => e.role === 'call');
    await forgotten(relay, second.event.callId);
  });

  it('baresip: calls the agent, is answered, RTP flows both ways, is held and resumed, hangs up', async () => {
    const agent = await registered(kamailio, 'soft-four');
    const wav = await writeToneWav(mkdtempSync(join(tmpdir(), 'sb-wav-')), 1000, 60);
    const phone = await registeredPhone(kamailio, 'softphone', wav);
    phone.command('dial', aorOf('soft-four'));
    const ring = await agent.waitForType('call', 10_000);
    expect(ring.event.from).toBe(aorOf('softphone'));
    const dialog = await agent.waitForType('dialog', 5000, 0, (e) => e.role === 'call');
    const answeredAt = performance.now();
    agent.send({ cmd: 'answer', id: ring.event.id });
    await phone.waitForEvent('CALL_ESTABLISHED', 10_000);
    const heard = await agent.waitForType('call.media', 10_000, 0, (e) => e.packetsReceived > 25 && (e.level ?? 0) > PEER_TONE_LEVEL);
    // 50 each way before hanging up, so baresip's own count (what reached it) clears 25 with room.
    const counts = await until(
      'rtpengine to relay 50 packets each way',
      async () => {
        const c = await relayCounts(relay, dialog.event.callId);
        return c.agent > 50 && c.peer > 50 ? c : undefined;
      },
      6000,
    );
    // Hold and resume through the relay: baresip answers each re-INVITE.
    agent.send({ cmd: 'hold', id: ring.event.id, held: true });
    const held = await agent.waitForType('call.state', 10_000, 0, (e) => e.id === ring.event.id && e.state === 'held');
    agent.send({ cmd: 'hold', id: ring.event.id, held: false });
    await agent.waitForType('call.state', 10_000, agent.events.indexOf(held), (e) => e.id === ring.event.id && e.state === 'connected');
    phone.command('hangup');
    await agent.waitForType('call.state', 5000, 0, (e) => e.id === ring.event.id && e.state === 'ended');
    await phone.waitForEvent('CALL_CLOSED', 5000);
    const received = await phoneRtpStats(phone);
    console.info(`[figures] baresip: answer → agent heard 25 packets in ${Math.round(heard.at - answeredAt)} ms (level ${heard.event.level}); rtpengine: ${counts.agent} from the agent, ${counts.peer} from baresip; baresip sent ${received.sent}, received ${received.received}`);
    expect(received.received).toBeGreaterThan(25);
    await forgotten(relay, dialog.event.callId);
  });

  it('baresip: the agent calls it, it answers, RTP flows both ways, the agent hangs up', async () => {
    const agent = await registered(kamailio, 'soft-five');
    const wav = await writeToneWav(mkdtempSync(join(tmpdir(), 'sb-wav-')), 1000, 60);
    const phone = await registeredPhone(kamailio, 'softphone-out', wav);
    agent.send({ cmd: 'call', to: aorOf('softphone-out') });
    const dialing = await agent.waitForType('call.state', 5000, 0, (e) => e.state === 'dialing' && e.outgoing);
    await phone.waitForEvent('CALL_INCOMING', 10_000);
    phone.command('accept');
    await agent.waitForType('call.state', 10_000, 0, (e) => e.id === dialing.event.id && e.state === 'connected');
    const heard = await agent.waitForType('call.media', 10_000, 0, (e) => e.packetsReceived > 25 && (e.level ?? 0) > PEER_TONE_LEVEL);
    const dialog = await agent.waitForType('dialog', 5000, 0, (e) => e.role === 'call');
    const counts = await until(
      'rtpengine to relay 50 packets each way',
      async () => {
        const c = await relayCounts(relay, dialog.event.callId);
        return c.agent > 50 && c.peer > 50 ? c : undefined;
      },
      6000,
    );
    agent.send({ cmd: 'hangup', id: dialing.event.id });
    await phone.waitForEvent('CALL_CLOSED', 5000);
    await agent.waitForType('call.state', 5000, 0, (e) => e.id === dialing.event.id && e.state === 'ended');
    const received = await phoneRtpStats(phone);
    console.info(`[figures] agent calls baresip: heard its tone at level ${heard.event.level}; rtpengine: ${counts.agent} from the agent, ${counts.peer} from baresip; baresip received ${received.received}`);
    expect(received.received).toBeGreaterThan(25);
    await forgotten(relay, dialog.event.callId);
  });
});

describe('a plain-RTP softphone without a media relay', () => {
  let kamailio: KamailioHandle;

  beforeAll(async () => {
    kamailio = await startKamailio();
  });

  afterAll(async () => {
    await kamailio?.stop();
  });

  it('is refused with 488 and a Warning saying a media relay must bridge it', async () => {
    const agent = await registered(kamailio, 'soft-bare');
    const scenario = renderScenario('uac-call-refused.xml', { EXPECT: '488', WARNING: '399 switchboard "[^"]*route plain RTP through a media relay', CHECK: 'true' });
    const result = await sipp(kamailio, scenario, 'soft-bare');
    expect(result.code, result.evidence()).toBe(0);
    // Refused before ringing: the agent never saw a call.
    expect(agent.events.some((e) => e.event.type === 'call')).toBe(false);
  });
});
