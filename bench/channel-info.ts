import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, tmpdir as osTmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startKamailio, type KamailioHandle } from '../lab/kamailio';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { summarizeCpuProfile, type ProfileSummary } from './support/cpu-profile';
import { sleep } from './support/event-log';
import { RECEIVER_KINDS, startReceiver, type InfoReceiver, type ReceiverKind } from './support/info-receivers';
import { cpuMsOf, processGroup, rssBytes } from './support/proc-cpu';
import { makePristineSipJs } from './support/pristine-sipjs';
import { startSippLoad, type SippLoadResult } from './support/sipp-load';
import { median, mib } from './support/stats';

// Context channel INFO throughput: sipp (UDP) -> Kamailio -> receiver (WebSocket), with many
// dialogs at once so that the receiver is the bottleneck, for the headless agent and for a
// plain sip.js UA measured in the same run. See bench/README.md for what is measured and how
// to read it.

const AOR = 'sip:agent@lab.local';
const BIN = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url));
const ECHO_PACKAGE = fileURLToPath(new URL('../out/extensions/echo', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../lab/sipp/uac-channel-info.xml', import.meta.url));
const LABELS: Readonly<Record<ReceiverKind, string>> = {
  agent: 'agent',
  'sip.js': 'plain sip.js 0.21.2 baseline',
  'sip.js-patched': 'sip.js 0.21.2 patched',
  bare: 'bare responder (the rig alone)',
};

/** CPU counters at one moment: wall time (epoch ms, the clock sipp's gettimeofday reads) and CPU ms. */
type CpuReading = { readonly at: number; readonly receiver: number; readonly kamailio: number; readonly sipp: number; readonly bench: number };

/**
 * Where the processes run. `split`: the receiver alone on the last CPU, Kamailio, sipp and this
 * bench on the others; `receiver`: the receiver on the last CPU, the rest anywhere; `none`.
 */
type Pinning = 'split' | 'receiver' | 'none';

/** One measured INFO phase of one receiver. */
type Measurement = {
  readonly kind: ReceiverKind;
  readonly round: number;
  /** INFOs sipp got a 200 for. */
  readonly answered: number;
  /** INFOs the receiver delivered (agent: channel.data events; sip.js: INFOs it accepted). */
  readonly delivered: number;
  readonly phaseMs: number;
  readonly infoPerSec: number;
  readonly receiverCpuMs: number;
  readonly kamailioCpuMs: number;
  readonly sippCpuMs: number;
  /** This process, which reads the receiver's stdout (the agent's JSON lines) and runs the rig. */
  readonly benchCpuMs: number;
  readonly rss: number;
  /** Anything that makes the figures or the delivery suspect; non-empty means a failed measurement. */
  readonly problems: readonly string[];
  readonly retransmitted: number;
  readonly watchdogTrips: number;
  readonly profile: ProfileSummary | undefined;
};

type Settings = {
  readonly dialogs: number;
  readonly infos: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly kinds: readonly ReceiverKind[];
  readonly profile: boolean;
  readonly kamailioShmMib: number;
  readonly pin: Pinning;
};

/**
 * The channel-info bench: INFO/s and CPU per INFO through Kamailio to the headless agent's
 * pane, beside a plain sip.js UA.
 * @remarks Knobs: `BENCH_INFO_DIALOGS` (concurrent dialogs, 32), `BENCH_INFO_PER_DIALOG` (INFOs
 * per dialog and measurement, 250), `BENCH_INFO_WARMUP` (INFOs per dialog thrown away first, 50),
 * `BENCH_ROUNDS` (3), `BENCH_INFO_RECEIVERS` (`agent,sip.js`), `BENCH_INFO_PROFILE=1` (run the
 * receivers under `--cpu-prof` and print where their time goes; the figures then include the
 * profiler's cost), `BENCH_INFO_PROFILE_DIR` (also keep the profiles there),
 * `BENCH_KAMAILIO_SHM_MIB` (Kamailio's shared memory, 256), `BENCH_INFO_PIN` (`receiver`,
 * `split` or `none`; see {@link Pinning}), `BENCH_INFO_AGENT_NODE_FLAGS` (Node/V8 flags for
 * the agent's process only, to try one, e.g. `--max-semi-space-size=16`).
 */
export const bench: Bench = {
  name: 'channel-info',
  run: runChannelInfo,
};

async function runChannelInfo(): Promise<BenchResult> {
  const settings: Settings = {
    dialogs: envInt('BENCH_INFO_DIALOGS', 32),
    infos: envInt('BENCH_INFO_PER_DIALOG', 250),
    warmup: envInt('BENCH_INFO_WARMUP', 50, 0),
    rounds: envInt('BENCH_ROUNDS', 3),
    kinds: parseKinds(process.env['BENCH_INFO_RECEIVERS']),
    profile: (process.env['BENCH_INFO_PROFILE'] ?? '') !== '' && process.env['BENCH_INFO_PROFILE'] !== '0',
    kamailioShmMib: envInt('BENCH_KAMAILIO_SHM_MIB', 256, 64),
    pin: parsePinning(process.env['BENCH_INFO_PIN']),
  };
  const head =
    `channel INFO: sipp (UDP) -> Kamailio -> receiver (WS) as ${AOR}; ${settings.dialogs} dialogs x ${settings.infos} INFO, ` +
    `one INFO in flight per dialog, after ${settings.dialogs} x ${settings.warmup} warm-up; ${settings.rounds} rounds, receivers alternating; ` +
    `figures are medians of rounds${settings.profile ? ' (PROFILED: receivers under --cpu-prof, figures include its cost)' : ''}; ` +
    `pinning: ${describePinning(settings.pin)}`;

  const undo: (() => Promise<unknown>)[] = [];
  const measurements: Measurement[] = [];
  const lines = [head];
  let failures = 0;
  let shmPeakMib: number | undefined;
  try {
    const registry = mkdtempSync(join(osTmpdir(), 'sb-bench-registry-'));
    undo.push(() => Promise.resolve(rmSync(registry, { recursive: true, force: true })));
    execFileSync(process.execPath, [BIN, 'extensions', 'install', ECHO_PACKAGE, '--registry', registry], { stdio: 'pipe', timeout: 30_000 });
    // Each relayed INFO holds ~14 KiB of Kamailio's shared memory for tm's 5 s wait timer, so
    // the launcher's default 64 MiB runs out near 800 INFO/s ("500 ... (1/SL)").
    const kamailio = await startKamailio({ sharedMemoryMiB: settings.kamailioShmMib });
    undo.push(() => kamailio.stop());
    const kamailioPids = processGroup(kamailio.pid);
    undo.push(async () => {
      shmPeakMib = await sharedMemoryPeakMib(kamailio);
    });
    const cpus = pinRig(settings.pin, kamailioPids, undo);
    let pristineSipJs: string | undefined;
    if (settings.kinds.includes('sip.js')) {
      const pristine = makePristineSipJs();
      undo.push(() => Promise.resolve(pristine.dispose()));
      pristineSipJs = pristine.dir;
      lines.push(`  plain sip.js: ${pristine.source}, loaded from its own folder`);
    }
    const where: Placement = { registry, cpus, ...(pristineSipJs !== undefined && { pristineSipJs }) };

    for (let round = 1; round <= settings.rounds; round += 1) {
      // ABBA: neither receiver always runs first, on a colder or warmer machine.
      const order = round % 2 === 1 ? settings.kinds : [...settings.kinds].reverse();
      for (const kind of order) {
        const measurement = await measureOnce(kind, round, settings, kamailio, kamailioPids, where);
        measurements.push(measurement);
        progress(`channel-info: round ${round} ${kind}: ${describe(measurement)}`);
      }
    }
  } catch (error) {
    lines.push(`channel INFO: could not run: ${error instanceof Error ? error.message : String(error)}`);
    failures += 1;
  } finally {
    for (const step of undo.splice(0).reverse()) {
      await step().catch((error: unknown) => progress(`cleanup step failed: ${String(error)}`));
    }
  }
  lines.push(...summarize(settings, measurements));
  if (shmPeakMib !== undefined) {
    lines.push(`  Kamailio shared memory: peak ${fixed(shmPeakMib, 0)} of ${settings.kamailioShmMib} MiB (it answers 500 to what it cannot relay once full)`);
  }
  failures += measurements.filter((m) => m.problems.length > 0).length;
  return { lines, failures };
}

/** Kamailio's `core.shmmem` high-water mark in MiB; NaN when it does not answer. */
async function sharedMemoryPeakMib(kamailio: KamailioHandle): Promise<number> {
  try {
    const result = (await kamailio.rpc('core.shmmem', ['k'])) as { max_used?: unknown };
    return typeof result.max_used === 'number' ? result.max_used / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function parsePinning(raw: string | undefined): Pinning {
  const value = raw === undefined || raw.trim() === '' ? 'receiver' : raw.trim();
  if (value !== 'split' && value !== 'receiver' && value !== 'none') {
    throw new Error(`BENCH_INFO_PIN takes split, receiver or none; got ${value}`);
  }
  return value;
}

function describePinning(pin: Pinning): string {
  const last = availableParallelism() - 1;
  switch (pin) {
    case 'split':
      return `receiver alone on CPU ${last}, Kamailio, sipp and the bench on CPU 0-${last - 1}`;
    case 'receiver':
      return `receiver on CPU ${last}, Kamailio, sipp and the bench anywhere`;
    case 'none':
      return 'none';
  }
}

/** Where receivers and sipp go: the CPU lists of {@link Pinning}, and what a receiver needs. */
type Placement = {
  readonly registry: string;
  readonly pristineSipJs?: string;
  readonly cpus: { readonly receiver?: string; readonly rig?: string };
};

/**
 * Pins Kamailio and this process (every thread) for `pin`; their old affinity comes back
 * through `undo`. Returns the CPU lists for the receivers and sipp.
 */
function pinRig(pin: Pinning, kamailioPids: readonly number[], undo: (() => Promise<unknown>)[]): Placement['cpus'] {
  const cpus = availableParallelism();
  if (pin === 'none' || cpus < 2) {
    return {};
  }
  const receiver = String(cpus - 1);
  if (pin === 'receiver') {
    return { receiver };
  }
  const rig = cpus === 2 ? '0' : `0-${cpus - 2}`;
  const all = `0-${cpus - 1}`;
  for (const pid of [...kamailioPids, process.pid]) {
    execFileSync('taskset', ['-a', '-p', '-c', rig, String(pid)], { stdio: 'pipe', timeout: 5000 });
  }
  undo.push(() => Promise.resolve(execFileSync('taskset', ['-a', '-p', '-c', all, String(process.pid)], { stdio: 'pipe', timeout: 5000 })));
  return { receiver, rig };
}

function parseKinds(raw: string | undefined): ReceiverKind[] {
  if (raw === undefined || raw.trim() === '') {
    return [...RECEIVER_KINDS];
  }
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !RECEIVER_KINDS.some((k) => k === n));
  if (bad.length > 0) {
    throw new Error(`BENCH_INFO_RECEIVERS takes ${RECEIVER_KINDS.join(', ')}; got ${bad.join(', ')}`);
  }
  return RECEIVER_KINDS.filter((k) => names.includes(k));
}

/** A fresh receiver: registered, warmed up, measured once, stopped; never throws. */
async function measureOnce(
  kind: ReceiverKind,
  round: number,
  settings: Settings,
  kamailio: KamailioHandle,
  kamailioPids: readonly number[],
  where: Placement,
): Promise<Measurement> {
  const profileDir = settings.profile ? mkdtempSync(join(osTmpdir(), `sb-bench-prof-${kind}-`)) : undefined;
  const receiver = startReceiver(kind, {
    server: kamailio.wsUrl,
    aor: AOR,
    registry: where.registry,
    dialogs: settings.dialogs,
    ...(profileDir !== undefined && { profileDir }),
    ...(where.pristineSipJs !== undefined && { pristineSipJs: where.pristineSipJs }),
    ...(where.cpus.receiver !== undefined && { cpus: where.cpus.receiver }),
  });
  const failed = (problem: string): Measurement => ({
    kind,
    round,
    answered: 0,
    delivered: 0,
    phaseMs: Number.NaN,
    infoPerSec: Number.NaN,
    receiverCpuMs: Number.NaN,
    kamailioCpuMs: Number.NaN,
    sippCpuMs: Number.NaN,
    benchCpuMs: Number.NaN,
    rss: Number.NaN,
    problems: [problem],
    retransmitted: 0,
    watchdogTrips: 0,
    profile: undefined,
  });
  let measurement: Measurement;
  try {
    await receiver.registered(10_000);
    if (settings.warmup > 0) {
      const warm = await runLoad(receiver, settings.dialogs, settings.warmup, kamailio, kamailioPids, where.cpus.rig);
      // The warm-up's figures are thrown away, so only what it delivered matters, not its CPU readings.
      const wrong = warm.problems.filter((p) => !p.startsWith('CPU '));
      if (wrong.length > 0) {
        throw new Error(`warm-up: ${wrong.join('; ')}`);
      }
    }
    measurement = { ...(await runLoad(receiver, settings.dialogs, settings.infos, kamailio, kamailioPids, where.cpus.rig)), round, profile: undefined };
  } catch (error) {
    measurement = failed(error instanceof Error ? error.message : String(error));
  }
  const clean = await receiver.stop();
  const problems = [...measurement.problems];
  if (!clean) {
    problems.push(`${kind} did not stop within 5 s of being asked; killed`);
  }
  // The next receiver must be the AoR's only contact: a left-over binding would fork INVITEs to it.
  const left = await kamailio.locations().catch(() => []);
  if (left.some((l) => l.contacts > 0)) {
    await kamailio.rpc('ul.rm', ['location', 'agent']).catch(() => undefined);
    if (clean) {
      problems.push(`${kind} left a registration behind in Kamailio (removed)`);
    }
  }
  let profile: ProfileSummary | undefined;
  if (profileDir !== undefined) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    profile = file === undefined ? undefined : summarizeCpuProfile(join(profileDir, file));
    const keep = process.env['BENCH_INFO_PROFILE_DIR'];
    if (file !== undefined && keep !== undefined && keep !== '') {
      // For a closer look than the summary (callers, inclusive time): DevTools or a script.
      copyFileSync(join(profileDir, file), join(keep, `channel-info-${kind.replace('.', '')}-round${round}.cpuprofile`));
    }
    rmSync(profileDir, { recursive: true, force: true });
  }
  return { ...measurement, problems, profile };
}

/**
 * One sipp run against `receiver`: `dialogs` dialogs of `infos` INFOs each. CPU is read when
 * the receiver has confirmed every dialog and again when the first BYE reaches it; the
 * scenario keeps 300 ms of quiet on both sides of its INFO phase, so those two readings
 * bracket the phase and nothing else but idle time.
 */
async function runLoad(
  receiver: InfoReceiver,
  dialogs: number,
  infos: number,
  kamailio: KamailioHandle,
  kamailioPids: readonly number[],
  rigCpus: string | undefined,
): Promise<Omit<Measurement, 'round' | 'profile'>> {
  const problems: string[] = [];
  const established0 = receiver.established;
  const ended0 = receiver.ended;
  const problems0 = receiver.problems.length;
  const delivered0 = await receiver.delivered();
  const timeoutSec = 30 + Math.ceil((dialogs * infos) / 50);
  const load = startSippLoad({
    scenario: SCENARIO,
    target: `127.0.0.1:${kamailio.udpPort}`,
    service: 'agent',
    dialogs,
    infos,
    timeoutSec,
    ...(rigCpus !== undefined && { cpus: rigCpus }),
  });
  const read = (): CpuReading => ({
    at: performance.timeOrigin + performance.now(),
    receiver: cpuMsOf([receiver.pid]),
    kamailio: cpuMsOf(kamailioPids),
    sipp: cpuMsOf([load.pid]),
    bench: cpuMsOf([process.pid]),
  });
  let before: CpuReading | undefined;
  let after: CpuReading | undefined;
  const off = receiver.onDialog(() => {
    if (before === undefined && receiver.established - established0 >= dialogs) {
      before = read();
    }
    if (after === undefined && receiver.ended > ended0) {
      after = read();
    }
  });
  let result: SippLoadResult;
  try {
    result = await load.result;
  } finally {
    await load.kill();
  }
  // Every BYE answered means every INFO's data is out of the receiver already. The listener
  // stays until then: the receiver's line for the first BYE may reach us after sipp's exit.
  for (let waited = 0; receiver.ended - ended0 < dialogs && waited < 3000 && receiver.running; waited += 10) {
    await sleep(10);
  }
  off();
  const delivered = (await receiver.delivered()) - delivered0;
  const rss = rssBytes(receiver.pid);

  problems.push(...result.problems);
  const counts = result.counts;
  const answered = counts?.answered ?? 0;
  const expected = dialogs * infos;
  if (counts !== undefined && (answered !== expected || counts.unexpected > 0 || counts.answerTimeouts > 0 || counts.timedOut > 0)) {
    problems.push(
      `${answered} of ${expected} INFO answered 200 (${counts.unexpected} other answers, ${counts.answerTimeouts} waits for the 200 ran out, ${counts.timedOut} INFO given up)`,
    );
  }
  if (delivered !== answered) {
    const what = receiver.kind === 'agent' ? 'channel.data events' : 'INFOs accepted';
    problems.push(`MISMATCH: the ${receiver.kind} reports ${delivered} ${what} for ${answered} INFO answered 200`);
  }
  problems.push(...receiver.problems.slice(problems0));
  if (receiver.ended - ended0 < dialogs) {
    problems.push(`only ${receiver.ended - ended0} of ${dialogs} dialogs ended at the ${receiver.kind}`);
  }

  const phases = result.phases;
  if (phases.length < dialogs) {
    problems.push(`only ${phases.length} of ${dialogs} calls finished their INFO phase`);
  }
  const phaseStart = Math.min(...phases.map((p) => p.startMs));
  const phaseEnd = Math.max(...phases.map((p) => p.endMs));
  const phaseMs = phaseEnd - phaseStart;
  let cpu = { receiver: Number.NaN, kamailio: Number.NaN, sipp: Number.NaN, bench: Number.NaN };
  if (before === undefined || after === undefined) {
    problems.push(`CPU not read: ${before === undefined ? 'the receiver never confirmed every dialog' : 'no BYE reached the receiver'}`);
  } else if (phases.length > 0 && (before.at > phaseStart || after.at < phaseEnd)) {
    problems.push(
      `CPU readings do not bracket the INFO phase (read ${(before.at - phaseStart).toFixed(0)} ms from its start, ${(after.at - phaseEnd).toFixed(0)} ms from its end)`,
    );
  } else {
    cpu = {
      receiver: after.receiver - before.receiver,
      kamailio: after.kamailio - before.kamailio,
      sipp: after.sipp - before.sipp,
      bench: after.bench - before.bench,
    };
  }
  return {
    kind: receiver.kind,
    answered,
    delivered,
    phaseMs,
    infoPerSec: phases.length > 0 && phaseMs > 0 ? answered / (phaseMs / 1000) : Number.NaN,
    receiverCpuMs: cpu.receiver,
    kamailioCpuMs: cpu.kamailio,
    sippCpuMs: cpu.sipp,
    benchCpuMs: cpu.bench,
    rss,
    problems,
    retransmitted: counts?.retransmitted ?? 0,
    watchdogTrips: result.watchdogTrips,
  };
}

const perInfo = (cpuMs: number, m: Measurement): number => cpuMs / m.answered;
const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function describe(m: Measurement): string {
  if (m.problems.length > 0 && !Number.isFinite(m.infoPerSec)) {
    return `FAILED: ${m.problems.join('; ')}`;
  }
  return (
    `${fixed(m.infoPerSec, 0)} INFO/s, ${fixed(perInfo(m.receiverCpuMs, m), 2)} ms CPU/INFO (Kamailio ${fixed(perInfo(m.kamailioCpuMs, m), 2)}), ` +
    `${m.answered} answered, ${m.delivered} delivered${m.problems.length > 0 ? `; PROBLEMS: ${m.problems.join('; ')}` : ''}`
  );
}

/** One line per receiver, the ratio line, then anything that went wrong and the profiles. */
function summarize(settings: Settings, all: readonly Measurement[]): string[] {
  const lines: string[] = [];
  const medians = new Map<ReceiverKind, { rate: number; cpu: number }>();
  for (const kind of settings.kinds) {
    const mine = all.filter((m) => m.kind === kind);
    const good = mine.filter((m) => m.problems.length === 0);
    const rates = good.map((m) => m.infoPerSec);
    const cpu = good.map((m) => perInfo(m.receiverCpuMs, m));
    medians.set(kind, { rate: median(rates), cpu: median(cpu) });
    const answered = mine.reduce((sum, m) => sum + m.answered, 0);
    const delivered = mine.reduce((sum, m) => sum + m.delivered, 0);
    const what = kind === 'agent' ? 'channel.data events' : 'INFOs accepted';
    lines.push(
      `channel INFO (${LABELS[kind]}): ${fixed(median(rates), 0)} INFO/s (rounds ${rates.map((r) => fixed(r, 0)).join(' ') || '-'})` +
        ` | cpu/INFO ${fixed(median(cpu), 2)} ms (rounds ${cpu.map((c) => fixed(c, 2)).join(' ') || '-'})` +
        ` | busy ${fixed(median(good.map((m) => (100 * m.receiverCpuMs) / m.phaseMs)), 0)}% of a core` +
        ` | Kamailio ${fixed(median(good.map((m) => perInfo(m.kamailioCpuMs, m))), 3)} ms/INFO, sipp ${fixed(median(good.map((m) => perInfo(m.sippCpuMs, m))), 3)} ms/INFO` +
        `, bench ${fixed(median(good.map((m) => perInfo(m.benchCpuMs, m))), 3)} ms/INFO` +
        ` | rss after ${fixed(median(good.map((m) => Number(mib(m.rss)))), 0)} MiB` +
        ` | ${answered} INFO answered 200, ${delivered} ${what}${answered === delivered ? '' : ' (MISMATCH)'}` +
        ` | ${good.length} ok, ${mine.length - good.length} failed`,
    );
  }
  lines.push(...ratioLines(medians));
  for (const m of all.filter((x) => x.problems.length > 0)) {
    lines.push(`  FAILED round ${m.round} (${LABELS[m.kind]}): ${m.problems.join('; ')}`);
  }
  const trips = all.reduce((sum, m) => sum + m.watchdogTrips, 0);
  if (trips > 0) {
    lines.push(`  note: sipp's watchdog tripped ${trips} times (its own loop ran late: the machine was busy); the figures stand, the load was uneven`);
  }
  const retransmitted = all.reduce((sum, m) => sum + m.retransmitted, 0);
  if (retransmitted > 0) {
    lines.push(`  note: sipp retransmitted ${retransmitted} INFO (no answer within 500 ms); the figures stand, the load was uneven`);
  }
  for (const kind of settings.kinds) {
    const profiled = all.find((m) => m.kind === kind && m.profile !== undefined);
    const profile = profiled?.profile;
    if (profile === undefined) {
      continue;
    }
    const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
    lines.push(
      `  profile (${LABELS[kind]}, round ${profiled?.round ?? '?'}, whole process life, ${profile.busyMs.toFixed(0)} ms busy): by area ` +
        profile.areas.map((a) => `${a.name} ${pct(a.share)}`).join(', '),
    );
    lines.push(`    top self time: ${profile.functions.map((f) => `${f.name} ${pct(f.share)}`).join(' | ')}`);
  }
  return lines;
}

/** The agent against each baseline of the run, and the share of the rig's ceiling it reaches. */
function ratioLines(medians: ReadonlyMap<ReceiverKind, { rate: number; cpu: number }>): string[] {
  const agent = medians.get('agent');
  const lines: string[] = [];
  if (agent === undefined) {
    return lines;
  }
  for (const kind of ['sip.js', 'sip.js-patched'] as const) {
    const baseline = medians.get(kind);
    if (baseline !== undefined) {
      lines.push(
        `channel INFO: agent/${kind === 'sip.js' ? 'plain sip.js' : 'sip.js patched'}: INFO/s ${fixed(agent.rate / baseline.rate, 2)}x` +
          ` | cpu/INFO ${fixed(agent.cpu / baseline.cpu, 2)}x (${fixed(baseline.cpu / agent.cpu, 1)} times less CPU per INFO)`,
      );
    }
  }
  const bare = medians.get('bare');
  if (bare !== undefined) {
    lines.push(`channel INFO: agent/bare responder INFO/s ${fixed(agent.rate / bare.rate, 2)}x (the rig alone carries ${fixed(bare.rate, 0)} INFO/s here)`);
  }
  return lines;
}
