import type { AgentEvent, AgentEventOf } from '../common/agent-events';
import { AgentChild, type Recording } from './support/agent-child';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { joinConference, leaveConference, type JoinTimes } from './support/conference-cycle';
import { sleep } from './support/event-log';
import { AGENT_AOR, LAB_APP, startProxiedLab, type ProxiedLab } from './support/proxied-lab';
import { median, ms, percentile } from './support/stats';

// Conference recovery after the proxy comes back, against a cold join measured in the same run
// with the same agent, lab and Kamailio. See bench/README.md for what is measured and how to
// read it.

/** Recovery is given this long after Kamailio is back; past it the round failed. */
const RECOVERY_TIMEOUT_MS = 30_000;
/** Something is broken, not slow: stop after this many failed rounds in a row. */
const MAX_CONSECUTIVE_FAILURES = 3;

/** When each step of one recovery reached the bench (`performance.now()`). */
type RecoveryTimes = {
  readonly killedAt: number;
  readonly restartCalledAt: number;
  /** `kamailio.restart()` resolved: Kamailio answers again. The recovery is timed from here. */
  readonly backAt: number;
  /** The agent's `connection` `connected` after the restart (its reconnect attempt got through). */
  readonly connectedAt: number;
  readonly registeredAt: number;
  /** `conference.state` joined after `reconnecting`. */
  readonly joinedAt: number;
  /** How it came back: `reconnected` (focus dialog refreshed) or `rejoined with a new addUser`. */
  readonly reason: string;
  /** Reconnect attempts the agent announced (`connection` `reconnecting`). */
  readonly attempts: number;
};

/** One round: a cold join, then a recovery in that conference; either may have failed. */
type Round = { readonly warmup: boolean; readonly cold?: JoinTimes; readonly recovery?: RecoveryTimes; readonly problems: readonly string[] };

/**
 * The recovery bench: Kamailio killed and restarted under a headless agent in a conference;
 * restart → `conference.state` joined, against a cold join (accepted → `conference.joined`).
 * @remarks Knobs: `BENCH_RECOVERY_ROUNDS` (20), `BENCH_RECOVERY_WARMUP` (rounds thrown away
 * first, 1), `BENCH_RECOVERY_OUTAGE_MS` (Kamailio down between kill and restart, 500).
 */
export const bench: Bench = {
  name: 'recovery',
  run: runRecovery,
};

async function runRecovery(): Promise<BenchResult> {
  const rounds = envInt('BENCH_RECOVERY_ROUNDS', 20);
  const warmup = envInt('BENCH_RECOVERY_WARMUP', 1, 0);
  const outageMs = envInt('BENCH_RECOVERY_OUTAGE_MS', 500, 0);
  const head =
    `recovery: headless agent (WS) -> Kamailio -> lab (UDP), in a conference; Kamailio killed, ${outageMs} ms down, restarted; ` +
    `${rounds} rounds (after ${warmup} warm-up), each a cold join then a recovery in that conference; ms`;
  let rig: ProxiedLab | undefined;
  let agent: AgentChild | undefined;
  const done: Round[] = [];
  let aborted: string | undefined;
  try {
    rig = await startProxiedLab();
    agent = await AgentChild.start({ server: rig.kamailio.wsUrl, aor: AGENT_AOR, trust: [LAB_APP] });
    let consecutive = 0;
    for (let i = 0; i < warmup + rounds; i += 1) {
      const round = await oneRound(rig, agent, i, i < warmup, outageMs);
      done.push(round);
      progress(`recovery: round ${i + 1}/${warmup + rounds}${round.warmup ? ' (warm-up)' : ''}: ${describe(round)}`);
      consecutive = round.problems.length > 0 ? consecutive + 1 : 0;
      if (consecutive >= MAX_CONSECUTIVE_FAILURES) {
        aborted = `stopped after ${MAX_CONSECUTIVE_FAILURES} failed rounds in a row`;
        break;
      }
    }
  } catch (error) {
    aborted = `could not run: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await agent?.stop();
    await rig?.stop();
  }
  const lines = [head, ...summarize(done.filter((r) => !r.warmup))];
  for (const [i, round] of done.entries()) {
    if (round.problems.length > 0) {
      lines.push(`  FAILED round ${i + 1}${round.warmup ? ' (warm-up)' : ''}: ${round.problems.join('; ')}`);
    }
  }
  if (agent !== undefined && agent.problemTotal > 0) {
    lines.push(`  agent problems (${agent.problemTotal}): ${agent.problems.join(' | ')}`);
  }
  if (aborted !== undefined) {
    lines.push(`  ${aborted}`);
  }
  return { lines, failures: done.filter((r) => r.problems.length > 0).length + (aborted === undefined ? 0 : 1) };
}

/** A cold join, a kill/restart with the agent in the conference, then leave; never throws. */
async function oneRound(rig: ProxiedLab, agent: AgentChild, index: number, warmup: boolean, outageMs: number): Promise<Round> {
  let joined;
  try {
    joined = await joinConference(agent, rig.lab, `recovery ${index + 1}`);
  } catch (error) {
    return { warmup, problems: [`cold join: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const problems: string[] = [];
  // Media flowing for a moment first, so that the outage hits a conference in its steady state.
  await sleep(300);
  let recovery: RecoveryTimes | undefined;
  try {
    recovery = await recoverOnce(rig, agent, joined.focusUri, outageMs);
  } catch (error) {
    problems.push(`recovery: ${error instanceof Error ? error.message : String(error)}`);
  }
  const left = await leaveConference(agent, rig.lab, joined);
  if (left !== undefined) {
    problems.push(`leave: ${left}`);
  }
  return { warmup, cold: joined.times, ...(recovery !== undefined && { recovery }), problems };
}

/** Kills Kamailio under the agent, restarts it, and times the way back into the conference. */
async function recoverOnce(rig: ProxiedLab, agent: AgentChild, focusUri: string, outageMs: number): Promise<RecoveryTimes> {
  const recording = agent.record();
  try {
    const killedAt = performance.now();
    await rig.kamailio.kill();
    await sleep(outageMs);
    const restartCalledAt = performance.now();
    await rig.kamailio.restart();
    const backAt = performance.now();
    const mine = (e: AgentEvent): boolean => 'focusUri' in e && typeof e.focusUri === 'string' && e.focusUri.toLowerCase() === focusUri.toLowerCase();
    const isState = (state: string) => (e: AgentEvent): e is AgentEventOf<'conference.state'> => e.type === 'conference.state' && e.state === state && mine(e);
    const reconnecting = await recording.waitFor(isState('reconnecting'), RECOVERY_TIMEOUT_MS);
    const joined = await recording.waitFor(
      (e): e is AgentEventOf<'conference.state'> => isState('joined')(e) && reconnecting !== undefined,
      Math.max(1, backAt + RECOVERY_TIMEOUT_MS - performance.now()),
    );
    if (reconnecting === undefined || joined === undefined || joined.at < reconnecting.at) {
      throw new Error(`not joined again within ${RECOVERY_TIMEOUT_MS} ms of Kamailio's restart (${seen(recording)})`);
    }
    const connected = firstAt(recording, (e) => e.type === 'connection' && e.state === 'connected');
    const registered = firstAt(recording, (e) => e.type === 'registered');
    const attempts = recording.events.filter((t) => t.event.type === 'connection' && t.event.state === 'reconnecting').length;
    return { killedAt, restartCalledAt, backAt, connectedAt: connected, registeredAt: registered, joinedAt: joined.at, reason: joined.event.reason ?? '', attempts };
  } finally {
    recording.dispose();
  }
}

function firstAt(recording: Recording, match: (e: AgentEvent) => boolean): number {
  return recording.events.find((t) => match(t.event))?.at ?? Number.NaN;
}

function seen(recording: Recording): string {
  const kinds = recording.events.map((t) => (t.event.type === 'connection' || t.event.type === 'conference.state' ? `${t.event.type} ${t.event.state}` : t.event.type));
  return kinds.length === 0 ? 'no agent event' : `seen: ${kinds.slice(-15).join(', ')}`;
}

function describe(round: Round): string {
  const parts: string[] = [];
  if (round.cold !== undefined) {
    parts.push(`cold join ${ms(round.cold.joinedAt - round.cold.acceptedAt)} ms`);
  }
  const r = round.recovery;
  if (r !== undefined) {
    parts.push(
      `recovery ${ms(r.joinedAt - r.backAt)} ms (connected +${ms(r.connectedAt - r.backAt)}, registered +${ms(r.registeredAt - r.backAt)}; ` +
        `${r.attempts} reconnect attempts; ${r.reason}; Kamailio restart took ${ms(r.backAt - r.restartCalledAt)} ms)`,
    );
  }
  return [...parts, ...round.problems.map((p) => `PROBLEM ${p}`)].join(', ');
}

/** Median, p90, min and max of `samples`, as one phrase. */
function spread(samples: readonly number[]): string {
  if (samples.length === 0) {
    return '-';
  }
  return `median ${ms(median(samples))} p90 ${ms(percentile(samples, 90))} min ${ms(Math.min(...samples))} max ${ms(Math.max(...samples))}`;
}

function summarize(rounds: readonly Round[]): string[] {
  const cold = rounds.flatMap((r) => (r.cold === undefined ? [] : [r.cold]));
  const recovered = rounds.flatMap((r) => (r.recovery === undefined ? [] : [r.recovery]));
  const coldJoin = cold.map((c) => c.joinedAt - c.acceptedAt);
  const recovery = recovered.map((r) => r.joinedAt - r.backAt);
  const ratio = median(recovery) / median(coldJoin);
  const work = median(recovered.map((r) => r.joinedAt - r.registeredAt)) / median(coldJoin);
  const share = recovered.map((r) => (r.registeredAt - r.backAt) / (r.joinedAt - r.backAt));
  const reasons = new Map<string, number>();
  recovered.forEach((r) => reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1));
  const step = (from: (r: RecoveryTimes) => number, to: (r: RecoveryTimes) => number): string => ms(median(recovered.map((r) => to(r) - from(r))));
  return [
    `recovery: Kamailio back -> conference.state joined ${spread(recovery)} (${recovered.length} of ${rounds.length})`,
    `recovery: baseline cold join, invitation.accepted -> conference.joined ${spread(coldJoin)} (${cold.length} of ${rounds.length})`,
    `recovery: ratio recovery/cold join (medians) ${Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : '-'}` +
      ` (registered->joined/cold join ${Number.isFinite(work) ? `${work.toFixed(1)}x` : '-'})` +
      ` | share of the recovery spent until registered: median ${Number.isFinite(median(share)) ? `${(median(share) * 100).toFixed(0)}%` : '-'}` +
      ` (min ${share.length > 0 ? (Math.min(...share) * 100).toFixed(0) : '-'}%, max ${share.length > 0 ? (Math.max(...share) * 100).toFixed(0) : '-'}%)`,
    `  recovery split, medians (ms): back->connected (waiting for the agent's next reconnect attempt) ${step((r) => r.backAt, (r) => r.connectedAt)}` +
      ` | connected->registered ${step((r) => r.connectedAt, (r) => r.registeredAt)}` +
      ` | registered->joined (focus re-INVITE, roster re-SUBSCRIBE, MCU re-INVITE) ${step((r) => r.registeredAt, (r) => r.joinedAt)}` +
      ` | reconnect attempts median ${ms(median(recovered.map((r) => r.attempts)))}` +
      ` | ${[...reasons].map(([reason, n]) => `${n}x ${reason || '(no reason)'}`).join(', ') || '-'}`,
    `  outage: killed -> restart called ${step((r) => r.killedAt, (r) => r.restartCalledAt)} | Kamailio restart (spawn to answering) ${step((r) => r.restartCalledAt, (r) => r.backAt)}` +
      ` | cold join for reference: accepted -> audio connected ${spread(cold.map((c) => c.mediaAt - c.acceptedAt))}`,
  ];
}
