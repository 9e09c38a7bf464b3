import { readdirSync } from 'node:fs';
import { AgentChild } from './support/agent-child';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { runChannelCycles, ChannelWatch, type CycleCounts } from './support/channel-cycles';
import { SenderPacer, startChannelSenders, stopChannelSenders, type ChannelSender } from './support/channel-senders';
import { joinConference, leaveConference } from './support/conference-cycle';
import { pollUntil, sleep } from './support/event-log';
import { inspectorUrl, probeProcess } from './support/inspector-probe';
import { rssBytes } from './support/proc-cpu';
import { AGENT_AOR, LAB_APP, startProxiedLab, type ProxiedLab } from './support/proxied-lab';
import { leastSquares } from './support/stats';

// The agent under a long run of context channels, then of conference joins: does its memory,
// or what it holds open, grow with the work done? See bench/README.md for what is measured and
// how to read it.

/** Growth over the run the issue accepts as noise. */
const TARGET_GROWTH_MIB = 5;
const MIB = 1024 * 1024;

type Settings = {
  readonly channels: number;
  readonly concurrency: number;
  readonly joins: number;
  readonly senders: number;
  /** Channel lifecycles between two memory readings; the first reading is the warm-up baseline. */
  readonly sampleEvery: number;
  readonly joinSampleEvery: number;
  readonly warmupJoins: number;
  readonly maxMs: number;
  /** Quiet time after the last cycle, read every 10 s: what is released late versus never. */
  readonly settleMs: number;
};

/** One reading of the agent, after a full GC. */
type Sample = {
  /** `warm-idle` and `idle`: the agent idle after the warm-up and after the run, the two to compare. */
  readonly phase: 'start' | 'channels' | 'warm-idle' | 'conferences' | 'idle';
  /** Channel lifecycles or conference cycles done in that phase; seconds idle for the idle phases. */
  readonly done: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly fds: number;
  readonly resources: Readonly<Record<string, number>>;
};

/** What the run holds while it goes. */
type Run = {
  readonly settings: Settings;
  readonly rig: ProxiedLab;
  readonly agent: AgentChild;
  readonly senders: readonly ChannelSender[];
  readonly inspector: string;
  readonly deadline: number;
  readonly samples: Sample[];
  readonly channelCounts: CycleCounts;
  readonly joinCounts: CycleCounts;
  channelMs: number;
  joinMs: number;
};

/**
 * The soak bench: 10,000 context-channel lifecycles, 20 at a time, then 200 conference
 * join/leave cycles, against one headless agent; its RSS, heap, descriptors and live handles
 * after warm-up against the end, and what is still open at the end.
 * @remarks Knobs: `BENCH_SOAK_CHANNELS` (10000), `BENCH_SOAK_CONCURRENCY` (20),
 * `BENCH_SOAK_JOINS` (200), `BENCH_SOAK_SENDERS` (channel sender identities, 64),
 * `BENCH_SOAK_SAMPLE_EVERY` (lifecycles per reading, 1000; the first reading is the baseline),
 * `BENCH_SOAK_JOIN_SAMPLE_EVERY` (20), `BENCH_SOAK_WARMUP_JOINS` (3), `BENCH_SOAK_MAX_S` (900:
 * no new cycle starts after this), `BENCH_SOAK_SETTLE_S` (idle time read after the last cycle, 40).
 */
export const bench: Bench = {
  name: 'soak',
  run: runSoak,
};

function readSettings(): Settings {
  const channels = envInt('BENCH_SOAK_CHANNELS', 10_000);
  return {
    channels,
    concurrency: envInt('BENCH_SOAK_CONCURRENCY', 20),
    joins: envInt('BENCH_SOAK_JOINS', 200, 0),
    senders: envInt('BENCH_SOAK_SENDERS', 64),
    sampleEvery: Math.min(channels, envInt('BENCH_SOAK_SAMPLE_EVERY', 1000)),
    joinSampleEvery: envInt('BENCH_SOAK_JOIN_SAMPLE_EVERY', 20),
    warmupJoins: envInt('BENCH_SOAK_WARMUP_JOINS', 3, 0),
    maxMs: envInt('BENCH_SOAK_MAX_S', 900) * 1000,
    settleMs: envInt('BENCH_SOAK_SETTLE_S', 40, 0) * 1000,
  };
}

async function runSoak(): Promise<BenchResult> {
  const settings = readSettings();
  const undo: (() => Promise<unknown>)[] = [];
  const lines: string[] = [];
  let failures = 0;
  try {
    const rig = await startProxiedLab(128);
    undo.push(() => rig.stop());
    const senders = await startChannelSenders(settings.senders, rig.kamailio.udpPort);
    undo.push(() => stopChannelSenders(senders));
    const agent = await AgentChild.start({
      server: rig.kamailio.wsUrl,
      aor: AGENT_AOR,
      registry: rig.registry,
      trust: [LAB_APP, ...senders.map((s) => s.uri)],
      nodeFlags: ['--inspect=127.0.0.1:0'],
    });
    undo.push(() => agent.stop());
    const inspector = inspectorUrl(agent.stderr());
    if (inspector === undefined) {
      throw new Error(`the agent printed no inspector URL; stderr: ${agent.stderr()}`);
    }
    const run: Run = {
      settings,
      rig,
      agent,
      senders,
      inspector,
      deadline: performance.now() + settings.maxMs,
      samples: [],
      channelCounts: { ok: 0, failed: 0, problems: [] },
      joinCounts: { ok: 0, failed: 0, problems: [] },
      channelMs: 0,
      joinMs: 0,
    };
    await phases(run);
    const end = await endState(run);
    await settle(run, 'idle');
    lines.push(...summarize(run), ...end.lines);
    failures += run.channelCounts.failed + run.joinCounts.failed + end.failures;
  } catch (error) {
    lines.push(`soak: could not run: ${error instanceof Error ? error.message : String(error)}`);
    failures += 1;
  } finally {
    for (const step of undo.splice(0).reverse()) {
      await step().catch((error: unknown) => progress(`cleanup step failed: ${String(error)}`));
    }
  }
  return { lines, failures };
}

/**
 * Warm-up (joins, so that werift is loaded, and the first channel batch), an idle pause for the
 * baseline, the rest of the channels, then the conference cycles, reading memory as they go.
 */
async function phases(run: Run): Promise<void> {
  const { settings } = run;
  const conferencePacer = new SenderPacer([LAB_APP]);
  await sample(run, 'start', 0);
  await joinCycles(run, settings.warmupJoins, conferencePacer, 'warm-up');
  const pacer = new SenderPacer(run.senders);
  const watch = new ChannelWatch(run.agent);
  progress(`soak: ${settings.channels} channel lifecycles, ${settings.concurrency} at a time, ${settings.senders} senders (<= ${pacer.maxPerSecond.toFixed(0)}/s)`);
  let spent = 0;
  try {
    for (let from = 0; from < settings.channels && performance.now() < run.deadline; from += settings.sampleEvery) {
      const to = Math.min(settings.channels, from + settings.sampleEvery);
      const started = performance.now();
      await runChannelCycles({ from, to }, settings.concurrency, pacer, watch, run.channelCounts, run.deadline);
      spent += performance.now() - started;
      run.channelMs = spent;
      const done = run.channelCounts.ok + run.channelCounts.failed;
      await sample(run, 'channels', done);
      progress(`soak: ${done}/${settings.channels} channels (${run.channelCounts.failed} failed) in ${(spent / 1000).toFixed(0)} s; ${describeSample(run.samples.at(-1))}`);
      if (from === 0) {
        await settle(run, 'warm-idle');
      }
    }
  } finally {
    watch.dispose();
  }
  const joinsStarted = performance.now();
  for (let done = 0; done < settings.joins && performance.now() < run.deadline; ) {
    const batch = Math.min(settings.joinSampleEvery, settings.joins - done);
    await joinCycles(run, batch, conferencePacer, 'measured');
    done += batch;
    run.joinMs = performance.now() - joinsStarted;
    await sample(run, 'conferences', run.joinCounts.ok + run.joinCounts.failed);
    progress(`soak: ${done}/${settings.joins} conference cycles (${run.joinCounts.failed} failed); ${describeSample(run.samples.at(-1))}`);
  }
}

/**
 * Reads the idle agent every 10 s for `settleMs`: timers and state that a finished dialog keeps
 * for a while (one refed timer per channel lifecycle, gone 20 to 30 s later; sip.js's accepted
 * INVITE server transaction waits 32 s, RFC 6026 Timer L) drain here, so what the last reading
 * still shows is held for good.
 */
async function settle(run: Run, phase: 'warm-idle' | 'idle'): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < run.settings.settleMs) {
    await sleep(Math.min(10_000, run.settings.settleMs - (performance.now() - started)));
    await sample(run, phase, Math.round((performance.now() - started) / 1000));
    progress(`soak: ${phase} ${run.samples.at(-1)?.done ?? '-'} s; ${describeSample(run.samples.at(-1))}`);
  }
}

/** `count` conference join/leave cycles, each invitation paced under the agent's per-sender rate. */
async function joinCycles(run: Run, count: number, pacer: SenderPacer<string>, kind: 'warm-up' | 'measured'): Promise<void> {
  for (let i = 0; i < count && performance.now() < run.deadline; i += 1) {
    await pacer.acquire();
    let problem: string | undefined;
    try {
      const joined = await joinConference(run.agent, run.rig.lab, `soak ${kind} ${i + 1}`);
      problem = await leaveConference(run.agent, run.rig.lab, joined);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (kind === 'warm-up') {
      if (problem !== undefined) {
        throw new Error(`warm-up join ${i + 1}: ${problem}`);
      }
      continue;
    }
    if (problem === undefined) {
      run.joinCounts.ok += 1;
    } else {
      run.joinCounts.failed += 1;
      progress(`soak: conference cycle failed: ${problem}`);
      if (run.joinCounts.problems.length < 10) {
        run.joinCounts.problems.push(problem);
      }
    }
  }
}

/** Forces a full GC in the agent, then reads its heap, handles, RSS and descriptors. */
async function sample(run: Run, phase: Sample['phase'], done: number): Promise<void> {
  const probe = await probeProcess(run.inspector);
  run.samples.push({ phase, done, rss: rssBytes(run.agent.pid), heapUsed: probe.heapUsed, fds: openDescriptors(run.agent.pid), resources: probe.resources });
}

function openDescriptors(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

function describeSample(s: Sample | undefined): string {
  return s === undefined ? '-' : `rss ${(s.rss / MIB).toFixed(1)} MiB, heap ${(s.heapUsed / MIB).toFixed(1)} MiB, ${s.fds} fds, ${describeResources(s.resources)}`;
}

function describeResources(resources: Readonly<Record<string, number>>): string {
  const kinds = Object.entries(resources).sort(([a], [b]) => a.localeCompare(b));
  return kinds.length === 0 ? 'no live handles' : kinds.map(([kind, n]) => `${n} ${kind}`).join(' ');
}

/**
 * What the agent still holds once everything is over: the dialogs in its journal (sip.js's own
 * table, written 2 s after a change), the dialogs its SIP trace shows as started and not ended,
 * and Kamailio's registration (the agent must still be registered, once).
 */
async function endState(run: Run): Promise<{ lines: string[]; failures: number }> {
  // The journal is rewritten at most 2 s after the set of dialogs changed.
  await sleep(2500);
  const journal = await pollUntil(() => {
    const open = run.agent.journaledDialogs();
    return open.length === 0 ? open : undefined;
  }, performance.now() + 5000, 250);
  const open = journal ?? run.agent.journaledDialogs();
  const trace = await run.agent.trace();
  const unended = trace?.dialogs.filter((d) => d.methods.includes('INVITE') && !d.methods.includes('BYE')) ?? [];
  const lines = [
    `soak: at the end: ${open.length} dialogs open in the agent's journal (sip.js's confirmed dialogs)` +
      (open.length > 0 ? `: ${open.slice(0, 5).map((d) => `${d.kind} ${d.callId}`).join(', ')}${open.length > 5 ? ', ...' : ''}` : '') +
      ` | SIP trace window (last 2,000 messages): ${trace?.dialogs.length ?? '-'} dialogs, ${unended.length} with an INVITE and no BYE` +
      ` | agent still running: ${run.agent.running ? 'yes' : 'NO'}` +
      ` | agent error/refusal events: ${run.agent.problemTotal}`,
    ...run.agent.problems.slice(0, 5).map((p) => `  agent: ${p}`),
  ];
  return { lines, failures: open.length > 0 || !run.agent.running ? 1 : 0 };
}

/** Channel and conference throughput, memory after warm-up against the end, trends and handles. */
function summarize(run: Run): string[] {
  const { settings, samples } = run;
  const of = (phase: Sample['phase']): Sample[] => samples.filter((s) => s.phase === phase);
  const channelSamples = of('channels');
  const joinSamples = of('conferences');
  const start = samples[0];
  const warmIdle = of('warm-idle').at(-1);
  const idle = of('idle').at(-1);
  const loadedFirst = channelSamples[0];
  const afterChannels = channelSamples.at(-1);
  const last = [...channelSamples, ...joinSamples].at(-1);
  const mibOf = (s: Sample | undefined, field: 'rss' | 'heapUsed' = 'rss'): string => (s === undefined ? '-' : (s[field] / MIB).toFixed(1));
  const fixed = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');
  const growth = warmIdle !== undefined && idle !== undefined ? (idle.rss - warmIdle.rss) / MIB : Number.NaN;
  const verdict = Number.isFinite(growth) ? (growth < TARGET_GROWTH_MIB ? 'met' : 'NOT MET') : '-';
  // The trend under load leaves out the warm-up batch: its reading comes before the state that
  // finished lifecycles keep for 32 s has built up to its steady level.
  const steady = channelSamples.slice(1);
  const trend = leastSquares(steady.map((s) => s.done / 1000), steady.map((s) => s.rss / MIB));
  const heapTrend = leastSquares(steady.map((s) => s.done / 1000), steady.map((s) => s.heapUsed / MIB));
  const joinTrend = leastSquares(joinSamples.map((s) => s.done / 100), joinSamples.map((s) => s.rss / MIB));
  const joinHeap = leastSquares(joinSamples.map((s) => s.done / 100), joinSamples.map((s) => s.heapUsed / MIB));
  const rate = (n: number, spentMs: number): string => (spentMs > 0 ? (n / (spentMs / 1000)).toFixed(1) : '-');
  const channelsDone = run.channelCounts.ok + run.channelCounts.failed;
  const joinsDone = run.joinCounts.ok + run.joinCounts.failed;
  const label = (s: Sample): string => ({ start: 's', channels: 'c', 'warm-idle': 'w', conferences: 'f', idle: 'i' })[s.phase] + String(s.done);
  return [
    `soak: one headless agent (WS) -> Kamailio -> lab (UDP); ${channelsDone} of ${settings.channels} context-channel lifecycles (INVITE, 200/ACK, 2 INFO, BYE), ${settings.concurrency} at a time from ${settings.senders} trusted sender identities; then ${joinsDone} of ${settings.joins} conference join/leave cycles (audio connected each time); warm-up ${settings.warmupJoins} joins + ${loadedFirst?.done ?? '-'} channels; every reading after a full GC forced through the agent's inspector`,
    `soak: channels ${run.channelCounts.ok} ok, ${run.channelCounts.failed} failed in ${fixed(run.channelMs / 1000, 0)} s (${rate(channelsDone, run.channelMs)}/s)` +
      ` | conferences ${run.joinCounts.ok} ok, ${run.joinCounts.failed} failed in ${fixed(run.joinMs / 1000, 0)} s (${rate(joinsDone, run.joinMs)}/s)`,
    `soak: agent RSS idle after warm-up ${mibOf(warmIdle)} MiB (baseline) -> idle after the run ${mibOf(idle)} MiB: growth ${fixed(growth, 1)} MiB, ratio ${warmIdle !== undefined && idle !== undefined ? fixed(idle.rss / warmIdle.rss, 3) : '-'}` +
      ` (target < ${TARGET_GROWTH_MIB} MiB: ${verdict}) | V8 heap ${mibOf(warmIdle, 'heapUsed')} -> ${mibOf(idle, 'heapUsed')} MiB` +
      ` | at start (registered, nothing done yet) ${mibOf(start)} MiB, heap ${mibOf(start, 'heapUsed')} MiB`,
    `soak: under load: RSS ${mibOf(loadedFirst)} MiB after the warm-up batch -> ${mibOf(afterChannels)} after ${afterChannels?.done ?? '-'} channels -> ${mibOf(last)} after the conferences` +
      ` (heap ${mibOf(loadedFirst, 'heapUsed')} -> ${mibOf(afterChannels, 'heapUsed')} -> ${mibOf(last, 'heapUsed')})` +
      ` | trend over channel readings ${steady[0]?.done ?? '-'}..${steady.at(-1)?.done ?? '-'}: RSS ${fixed(trend.slope, 3)} MiB per 1,000 lifecycles (residual sd ${fixed(trend.residualSd)} MiB), heap ${fixed(heapTrend.slope, 3)} MiB per 1,000 (sd ${fixed(heapTrend.residualSd)})` +
      ` | over conference readings: RSS ${fixed(joinTrend.slope, 3)} MiB per 100 cycles (sd ${fixed(joinTrend.residualSd)}), heap ${fixed(joinHeap.slope, 3)} (sd ${fixed(joinHeap.residualSd)})`,
    `soak: descriptors ${start?.fds ?? '-'} at start, ${warmIdle?.fds ?? '-'} idle after warm-up, ${last?.fds ?? '-'} after the last cycle, ${idle?.fds ?? '-'} idle at the end` +
      ` | live handles: at start ${describeResources(start?.resources ?? {})}; idle after warm-up ${describeResources(warmIdle?.resources ?? {})};` +
      ` after the last cycle ${describeResources(last?.resources ?? {})}; idle at the end ${describeResources(idle?.resources ?? {})}`,
    `  readings (s start, c channels done, w idle seconds after warm-up, f conference cycles done, i idle seconds at the end: rss/heap MiB, fds): ` +
      samples.map((s) => `${label(s)} ${(s.rss / MIB).toFixed(1)}/${(s.heapUsed / MIB).toFixed(1)} ${s.fds}`).join(' | '),
    ...run.channelCounts.problems.map((p) => `  FAILED ${p}`),
    ...run.joinCounts.problems.map((p) => `  FAILED conference cycle: ${p}`),
  ];
}
