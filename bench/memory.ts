import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConversationContextChannel } from '../lab/channels/conversation-context-channel';
import { WebHostProcess } from '../test/support/web-host-process';
import { AgentChild } from './support/agent-child';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { SenderPacer, startChannelSenders, stopChannelSenders, type ChannelSender } from './support/channel-senders';
import { pollUntil, sleep } from './support/event-log';
import { AGENT_AOR, ECHO_APP, startProxiedLab, type ProxiedLab } from './support/proxied-lab';
import { median } from './support/stats';

// Issue 15, memory per agent: the headless agent's resident memory registered and idle, then
// holding N conversations of two open context channels each, against a Node process that only
// loads the agent bundle's modules. See bench/README.md ("memory") for how to read it.

const MIB = 1024 * 1024;
/** Bytes as MiB with one decimal. */
const mib = (bytes: number): string => (bytes / MIB).toFixed(1);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(REPO, 'out', 'cli', 'switchboard.js');
/** The targets. */
const TARGET_IDLE_MIB = 64;
const TARGET_PER_CONVERSATION_MIB = 0.5;

/** Resident memory of a process: all of it, and its private (anonymous) part. */
type Memory = { readonly rss: number; readonly anon: number };

/** One round's figures, bytes. */
type Round = { readonly baseline: Memory; readonly idle: Memory; readonly loaded: Memory; readonly opened: number };

type Settings = { readonly rounds: number; readonly conversations: number; readonly settleMs: number; readonly samples: number };

/**
 * The memory bench: per round a fresh baseline process and a fresh agent, idle then loaded.
 * @remarks Knobs: `BENCH_MEMORY_ROUNDS` (3), `BENCH_MEMORY_CONVERSATIONS` (10, each two
 * channels; at most 32, the agent holds 64 channels), `BENCH_MEMORY_SETTLE_S` (10: quiet time
 * before reading, longer than the agent's heap trim 5 s after registering),
 * `BENCH_MEMORY_SAMPLES` (5 readings a second apart, median), `BENCH_MEMORY_WEB=0` skips
 * `switchboard web`.
 */
export const bench: Bench = { name: 'memory', run: runMemory };

/** VmRSS and RssAnon of `pid` from /proc/PID/status, bytes; NaN once gone. */
function memoryOf(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: field('VmRSS'), anon: field('RssAnon') };
  } catch {
    return { rss: Number.NaN, anon: Number.NaN };
  }
}

/** Waits `settleMs`, then the median of `samples` readings one second apart. */
async function settledMemory(pid: number, settings: Settings): Promise<Memory> {
  await sleep(settings.settleMs);
  const readings: Memory[] = [];
  for (let i = 0; i < settings.samples; i += 1) {
    if (i > 0) {
      await sleep(1000);
    }
    readings.push(memoryOf(pid));
  }
  return { rss: median(readings.map((r) => r.rss)), anon: median(readings.map((r) => r.anon)) };
}

/**
 * The baseline: a Node process that imports every module the agent bundle imports statically
 * (its chunks and packages, i.e. what `node bin/switchboard.js agent` loads before running
 * anything) and starts nothing, then gets the same heap trim the agent makes after registering.
 * So the ratio is what the agent's running state costs over its code, on the same Node.
 */
function startBaseline(): ChildProcess {
  const source = readFileSync(BUNDLE, 'utf8');
  const specifiers = [...source.matchAll(/^import\s[^;]*?from\s+"([^"]+)";/gms)].map((m) => m[1] ?? '');
  const urls = specifiers.map((s) => (s.startsWith('.') ? new URL(s, `file://${BUNDLE}`).href : s));
  const script = [
    `for (const u of ${JSON.stringify(urls)}) await import(u);`,
    "const { Session } = await import('node:inspector');",
    'const s = new Session(); s.connect();',
    "setTimeout(() => s.post('HeapProfiler.collectGarbage', () => setImmediate(() => s.disconnect())), 1000);",
    'setInterval(() => undefined, 1 << 30);',
  ].join('\n');
  // cwd at the repository root, so that the packages resolve from its node_modules.
  return spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Opens `conversations` conversations of two echo channels each; resolves with the channels the agent reported Established. */
async function openConversations(agent: AgentChild, senders: readonly ChannelSender[], conversations: number, round: number): Promise<{ opened: number; channels: ConversationContextChannel[] }> {
  const pacer = new SenderPacer(senders);
  let established = 0;
  const off = agent.on(({ event }) => {
    if (event.type === 'channel.state' && event.state === 'Established') {
      established += 1;
    }
  });
  const channels: ConversationContextChannel[] = [];
  try {
    for (let c = 0; c < conversations; c += 1) {
      const sender = await pacer.acquire();
      const conversation = { id: `mem-${round}-${c}` };
      for (let k = 0; k < 2; k += 1) {
        const channel = new ConversationContextChannel(sender.ua, conversation, AGENT_AOR);
        const outcome = await channel.establish(ECHO_APP, { applicationName: 'Echo' });
        if (!outcome.ok) {
          throw new Error(`channel ${c}.${k} refused: ${outcome.status} ${outcome.reason}`);
        }
        channels.push(channel);
      }
    }
    await pollUntil(() => (established >= 2 * conversations ? true : undefined), performance.now() + 10_000, 20);
    return { opened: established, channels };
  } finally {
    off();
  }
}

/** One round: baseline, then an agent idle, then loaded with conversations. */
async function runRound(rig: ProxiedLab, senders: readonly ChannelSender[], settings: Settings, round: number): Promise<Round> {
  const baselineChild = startBaseline();
  let baseline: Memory;
  try {
    baseline = await settledMemory(baselineChild.pid ?? -1, settings);
  } finally {
    baselineChild.kill('SIGKILL');
  }
  const agent = await AgentChild.start({ server: rig.kamailio.wsUrl, aor: AGENT_AOR, trust: senders.map((s) => s.uri), registry: rig.registry });
  try {
    const idle = await settledMemory(agent.pid, settings);
    const { opened, channels } = await openConversations(agent, senders, settings.conversations, round);
    const loaded = await settledMemory(agent.pid, settings);
    for (const channel of channels) {
      channel.terminate();
    }
    await sleep(500);
    return { baseline, idle, loaded, opened };
  } finally {
    await agent.stop();
  }
}

/** `switchboard web` registered through the same Kamailio, no window open, idle. */
async function webIdle(rig: ProxiedLab, settings: Settings): Promise<Memory> {
  const configDir = mkdtempSync(join(tmpdir(), 'sb-bench-memory-'));
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ server: rig.kamailio.wsUrl, aor: AGENT_AOR, autoAccept: false, trust: [] }));
  const host = new WebHostProcess(['--config-dir', configDir, '--no-lab']);
  try {
    await host.url;
    return await settledMemory(host.pid, settings);
  } finally {
    await host.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
}

function report(rounds: readonly Round[], settings: Settings, web: Memory | undefined): string[] {
  const med = (pick: (r: Round) => number): number => median(rounds.map(pick));
  const perConversation = (r: Round, key: keyof Memory): number => (r.loaded[key] - r.idle[key]) / settings.conversations;
  const idle = med((r) => r.idle.rss);
  const per = med((r) => perConversation(r, 'rss'));
  const baseline = med((r) => r.baseline.rss);
  const lines = [
    `memory: headless agent, ${rounds.length} rounds (median), ${settings.conversations} conversations of 2 channels, readings after ${settings.settleMs / 1000} s quiet`,
    `  idle RSS ${mib(idle)} MiB (private ${mib(med((r) => r.idle.anon))} MiB); target <= ${TARGET_IDLE_MIB} MiB`,
    `  per conversation with two channels: RSS +${(per / MIB).toFixed(3)} MiB (private +${(med((r) => perConversation(r, 'anon')) / MIB).toFixed(3)} MiB); target <= ${TARGET_PER_CONVERSATION_MIB} MiB`,
    `  baseline (Node with the bundle's modules loaded, nothing started) RSS ${mib(baseline)} MiB (private ${mib(med((r) => r.baseline.anon))} MiB)`,
    `  ratio idle agent / baseline: RSS ${(idle / baseline).toFixed(2)}, private ${(med((r) => r.idle.anon) / med((r) => r.baseline.anon)).toFixed(2)}`,
  ];
  for (const [i, r] of rounds.entries()) {
    lines.push(
      `  round ${i + 1}: baseline ${mib(r.baseline.rss)}, idle ${mib(r.idle.rss)}, loaded ${mib(r.loaded.rss)} MiB (${r.opened} channels established); private ${mib(r.baseline.anon)}, ${mib(r.idle.anon)}, ${mib(r.loaded.anon)} MiB`,
    );
  }
  if (web !== undefined) {
    lines.push(`  switchboard web, registered, no window: RSS ${mib(web.rss)} MiB (private ${mib(web.anon)} MiB)`);
  }
  return lines;
}

async function runMemory(): Promise<BenchResult> {
  const settings: Settings = {
    rounds: envInt('BENCH_MEMORY_ROUNDS', 3),
    conversations: Math.min(32, envInt('BENCH_MEMORY_CONVERSATIONS', 10)),
    settleMs: envInt('BENCH_MEMORY_SETTLE_S', 10) * 1000,
    samples: envInt('BENCH_MEMORY_SAMPLES', 5),
  };
  const rig = await startProxiedLab();
  // Enough sender identities that none goes over the agent's 10 new INVITEs per 10 s.
  const senders = await startChannelSenders(Math.ceil((2 * settings.conversations) / 8), rig.kamailio.udpPort).catch(async (error: unknown) => {
    await rig.stop();
    throw error;
  });
  const rounds: Round[] = [];
  let failures = 0;
  try {
    for (let round = 0; round < settings.rounds; round += 1) {
      progress(`memory: round ${round + 1} of ${settings.rounds}`);
      const result = await runRound(rig, senders, settings, round);
      failures += result.opened === 2 * settings.conversations ? 0 : 1;
      rounds.push(result);
    }
    const web = process.env['BENCH_MEMORY_WEB'] === '0' ? undefined : await webIdle(rig, settings);
    return { lines: report(rounds, settings, web), failures };
  } finally {
    await stopChannelSenders(senders);
    await rig.stop();
  }
}
