import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConversationContextChannel } from '../lab/channels/conversation-context-channel';
import { AgentChild } from './support/agent-child';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { SenderPacer, startChannelSenders, stopChannelSenders, type ChannelSender } from './support/channel-senders';
import { pollUntil, sleep } from './support/event-log';
import { AGENT_AOR, ECHO_APP, startProxiedLab, type ProxiedLab } from './support/proxied-lab';
import { median } from './support/stats';
import { measureWebAndChromium, memoryOf, settled, type ChromiumMemory, type Memory, type WebMemory } from './support/web-memory';

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

/** One round's figures, bytes. */
type Round = { readonly baseline: Memory; readonly idle: Memory; readonly loaded: Memory; readonly opened: number };

type Settings = { readonly rounds: number; readonly conversations: number; readonly settleMs: number; readonly loadedSettleMs: number; readonly samples: number };

/**
 * The memory bench: per round a fresh baseline process and a fresh agent, idle then loaded.
 * @remarks Knobs: `BENCH_MEMORY_ROUNDS` (3), `BENCH_MEMORY_CONVERSATIONS` (10, each two
 * channels; at most 32, the agent holds 64 channels), `BENCH_MEMORY_SETTLE_S` (10: quiet time
 * before reading, longer than the agent's heap trim 5 s after registering),
 * `BENCH_MEMORY_LOADED_SETTLE_S` (25: the same before the loaded reading, longer than the agent
 * takes to trim again once the burst of opening conversations is over: heap-trim.ts),
 * `BENCH_MEMORY_SAMPLES` (5 readings a second apart, median), `BENCH_MEMORY_WEB=0` skips
 * `switchboard web` and Chromium.
 */
export const bench: Bench = { name: 'memory', run: runMemory };

/** One process's memory, settled (see {@link settled}). */
async function settledMemory(pid: number, settings: Settings): Promise<Memory> {
  return (await settled(() => ({ process: memoryOf(pid) }), settings)).process;
}

/**
 * The baseline: a Node process that imports every module the agent bundle imports statically
 * (its chunks and packages, i.e. what `node bin/switchboard.js agent` loads before running
 * anything) and starts nothing, then gets the same heap trim the agent makes after registering.
 * So the ratio is what the agent's running state costs over its code, on the same Node.
 */
function startBaseline(): ChildProcess {
  const source = readFileSync(BUNDLE, 'utf8');
  // Minified (`;import{a}from"../chunks/x.js";import"../chunks/y.js";`): statement starts only.
  const specifiers = [...source.matchAll(/(?:^|;)\s*import\s*(?:[^;"']*?from\s*)?["']([^"']+)["']/g)].map((m) => m[1] ?? '');
  // commander is bundled into the entry itself, which the baseline cannot import without running
  // the command: the package stands in for it.
  specifiers.push('commander');
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
    const loaded = await settledMemory(agent.pid, { ...settings, settleMs: settings.loadedSettleMs });
    for (const channel of channels) {
      channel.terminate();
    }
    await sleep(500);
    return { baseline, idle, loaded, opened };
  } finally {
    await agent.stop();
  }
}

/** Memory as `RSS x MiB (private y, files z)`. */
const describe = (m: Memory): string => `RSS ${mib(m.rss)} MiB (private ${mib(m.anon)}, files ${mib(m.file)})`;

/** Chromium's roles: RSS each, PSS of all (RSS sums count the shared Chromium binary once per process). */
const describeChromium = (c: ChromiumMemory): string =>
  `RSS browser ${mib(c.browser.rss)}, renderers ${mib(c.renderer.rss)}, GPU ${mib(c.gpu.rss)}, other ${mib(c.other.rss)} MiB; all: PSS ${mib(c.total.pss)} MiB, private ${mib(c.total.anon)} MiB`;

/** The desktop half: `switchboard web` and Chromium beside their baselines. */
function webReport(web: WebMemory): string[] {
  return [
    `  switchboard web, registered, no window: ${describe(web.hostNoWindow)}`,
    `  switchboard web, app page open, idle: ${describe(web.hostIdle)}; in a conference, audio in the window: ${describe(web.hostInCall)} (${web.packetsPerS.toFixed(0)} packets/s at the MCU)`,
    `  Chromium, one blank page (baseline): ${describeChromium(web.chromiumBlank)}`,
    `  Chromium, app page idle: ${describeChromium(web.chromiumIdle)}`,
    `  Chromium, app page in the conference: ${describeChromium(web.chromiumInCall)}`,
  ];
}

function report(rounds: readonly Round[], settings: Settings, web: WebMemory | undefined): string[] {
  const med = (pick: (r: Round) => number): number => median(rounds.map(pick));
  const medMemory = (pick: (r: Round) => Memory): Memory => ({ rss: med((r) => pick(r).rss), anon: med((r) => pick(r).anon), file: med((r) => pick(r).file), pss: med((r) => pick(r).pss) });
  const perConversation = (r: Round, key: keyof Memory): number => (r.loaded[key] - r.idle[key]) / settings.conversations;
  const idle = medMemory((r) => r.idle);
  const baseline = medMemory((r) => r.baseline);
  const per = med((r) => perConversation(r, 'rss'));
  const lines = [
    `memory: headless agent on Node ${process.version} (${process.execPath}), ${rounds.length} rounds (median), ${settings.conversations} conversations of 2 channels, readings after ${settings.settleMs / 1000} s quiet (loaded: ${settings.loadedSettleMs / 1000} s)`,
    `  idle ${describe(idle)}; target RSS <= ${TARGET_IDLE_MIB} MiB`,
    `  per conversation with two channels: RSS +${(per / MIB).toFixed(3)} MiB (private +${(med((r) => perConversation(r, 'anon')) / MIB).toFixed(3)} MiB); target <= ${TARGET_PER_CONVERSATION_MIB} MiB`,
    `  baseline (Node with the bundle's modules loaded, nothing started) ${describe(baseline)}`,
    `  ratio idle agent / baseline: RSS ${(idle.rss / baseline.rss).toFixed(2)}, private ${(idle.anon / baseline.anon).toFixed(2)}`,
  ];
  for (const [i, r] of rounds.entries()) {
    lines.push(
      `  round ${i + 1}: baseline ${mib(r.baseline.rss)}, idle ${mib(r.idle.rss)}, loaded ${mib(r.loaded.rss)} MiB (${r.opened} channels established); private ${mib(r.baseline.anon)}, ${mib(r.idle.anon)}, ${mib(r.loaded.anon)} MiB; files ${mib(r.baseline.file)}, ${mib(r.idle.file)}, ${mib(r.loaded.file)} MiB`,
    );
  }
  return web === undefined ? lines : [...lines, ...webReport(web)];
}

async function runMemory(): Promise<BenchResult> {
  const settings: Settings = {
    rounds: envInt('BENCH_MEMORY_ROUNDS', 3),
    conversations: Math.min(32, envInt('BENCH_MEMORY_CONVERSATIONS', 10)),
    settleMs: envInt('BENCH_MEMORY_SETTLE_S', 10) * 1000,
    loadedSettleMs: envInt('BENCH_MEMORY_LOADED_SETTLE_S', 25) * 1000,
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
    const web = process.env['BENCH_MEMORY_WEB'] === '0' ? undefined : await measureWebAndChromium(rig, settings);
    return { lines: report(rounds, settings, web), failures };
  } finally {
    await stopChannelSenders(senders);
    await rig.stop();
  }
}
