import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AgentEngine } from '../core/agent/agent-engine';
import { ConferenceManager } from '../core/conference/conference-manager';
import { silentLogger } from '../core/ports/logger';
import type { MediaEngine, MediaSession } from '../core/ports/media';
import type { LabConference } from '../lab/conference/lab-conference';
import { AudioBridgeMcu } from '../lab/janus/audio-bridge-mcu';
import { startJanus, type JanusHandle } from '../lab/janus/janus-launcher';
import { startKamailio, type KamailioHandle } from '../lab/kamailio';
import { Lab } from '../lab/lab';
import { systemClock } from '../main/adapters/node-clock';
import { nodeSocketFactory } from '../main/adapters/node-socket';
import { createWeriftMediaEngine } from '../main/adapters/werift-media';
import { freeUdpPort } from '../test/support/free-port';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { median, ms } from './support/stats';

// Issue 16's benchmark: join time (accept -> first RTP) with the lab MCU on Janus AudioBridge
// against the echo MCU in the same run, and Janus's CPU per participant with 2, 5 and 10
// participants in one conference. Agents run in this process (one engine each), so only Janus's
// own CPU is read from /proc.

/** One agent in this process: its engine, conferences and the media sessions it made. */
type Agent = { engine: AgentEngine; conferences: ConferenceManager; sessions: MediaSession[]; aor: string };

type Rig = { kamailio: KamailioHandle; janus: JanusHandle; lab: Lab; bridge: AudioBridgeMcu };

const TICK_MS = 1000 / 100;

async function startRig(): Promise<Rig> {
  const labPort = await freeUdpPort();
  const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
  const janus = await startJanus();
  const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  const bridge = new AudioBridgeMcu(janus.client, janus.adminKey, createWeriftMediaEngine(), silentLogger);
  return { kamailio, janus, lab, bridge };
}

async function startAgent(rig: Rig, user: string): Promise<Agent> {
  const aor = `sip:${user}@lab.local`;
  const sessions: MediaSession[] = [];
  const werift = createWeriftMediaEngine({ clock: () => performance.now() });
  const media: MediaEngine = { createSession: (options) => sessions[sessions.push(werift.createSession(options)) - 1] as MediaSession };
  const engine = new AgentEngine({ server: rig.kamailio.wsUrl, aor }, { socketFactory: nodeSocketFactory, clock: systemClock, logger: silentLogger });
  const conferences = new ConferenceManager(engine, { clock: systemClock, logger: silentLogger, media, newGuid: () => randomUUID() }, { autoAccept: true, trustList: ['sip:conf@lab.local'] });
  await engine.start();
  return { engine, conferences, sessions, aor };
}

/** The invitation (auto-accepted) -> the first RTP packet of the agent's new media session, in ms. */
async function joinTime(rig: Rig, agent: Agent, conference: LabConference | undefined): Promise<{ ms: number; conference: LabConference }> {
  const before = agent.sessions.length;
  const started = performance.now();
  const made = conference ?? (await rig.lab.invite(agent.aor, 'mixer bench')).conference;
  if (conference) {
    rig.lab.inviteTo(conference, agent.aor);
  }
  for (let i = 0; i < 1000; i += 1) {
    const first = agent.sessions[before]?.stats().firstPacketReceivedAt;
    if (first !== undefined) {
      return { ms: first - started, conference: made };
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${agent.aor} heard nothing within 5 s`);
}

/** Janus's CPU time in ms (utime + stime of its main process, /proc/PID/stat). */
function janusCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function joinTimes(rig: Rig, agent: Agent, rounds: number): Promise<{ echo: number[]; janus: number[] }> {
  const times = { echo: [] as number[], janus: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    for (const mixer of ['echo', 'janus'] as const) {
      rig.lab.conferences.useAudioBridge(mixer === 'janus' ? rig.bridge : undefined);
      const { ms: took, conference } = await joinTime(rig, agent, undefined);
      times[mixer].push(took);
      rig.lab.conferences.end(conference.id);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  return times;
}

async function cpuPerParticipant(rig: Rig, agents: readonly Agent[], count: number, windowMs: number): Promise<number> {
  rig.lab.conferences.useAudioBridge(rig.bridge);
  let conference: LabConference | undefined;
  for (const agent of agents.slice(0, count)) {
    conference = (await joinTime(rig, agent, conference)).conference;
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = janusCpuMs(rig.janus.pid);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const used = janusCpuMs(rig.janus.pid) - before;
  if (conference) {
    rig.lab.conferences.end(conference.id);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return used / (windowMs / 1000) / count;
}

export const bench: Bench = {
  name: 'mixer',
  async run(): Promise<BenchResult> {
    const rounds = envInt('BENCH_MIXER_ROUNDS', 8);
    const windowMs = envInt('BENCH_MIXER_WINDOW_MS', 5000, 1000);
    const rig = await startRig();
    const agents: Agent[] = [];
    try {
      for (let i = 0; i < 10; i += 1) {
        agents.push(await startAgent(rig, `mix${i}`));
      }
      const first = agents[0] ?? raise('no agent');
      progress(`mixer: ${rounds} joins each with the echo MCU and with Janus`);
      const times = await joinTimes(rig, first, rounds);
      const lines = [
        `mixer: invitation -> first RTP (auto-accept), echo MCU: median ${ms(median(times.echo))} ms (${rounds} joins)`,
        `mixer: invitation -> first RTP (auto-accept), Janus AudioBridge: median ${ms(median(times.janus))} ms; ratio to echo ${(median(times.janus) / median(times.echo)).toFixed(2)}`,
      ];
      const perParticipant: number[] = [];
      for (const count of [2, 5, 10]) {
        progress(`mixer: Janus CPU with ${count} participants over ${windowMs} ms`);
        const cpu = await cpuPerParticipant(rig, agents, count, windowMs);
        perParticipant.push(cpu);
        lines.push(`mixer: Janus CPU with ${count} participants: ${cpu.toFixed(1)} ms per second per participant (${((cpu * count) / 10).toFixed(1)} % of one core in all)`);
      }
      lines.push(`mixer: per-participant CPU at 10 relative to 2: ${((perParticipant[2] ?? 0) / (perParticipant[0] ?? 1)).toFixed(2)}`);
      return { lines, failures: 0 };
    } finally {
      for (const agent of agents) {
        await agent.conferences.dispose().catch(() => undefined);
        await agent.engine.stop().catch(() => undefined);
      }
      await rig.lab.stop();
      await rig.janus.stop();
      await rig.kamailio.stop();
    }
  },
};

function raise(message: string): never {
  throw new Error(message);
}
