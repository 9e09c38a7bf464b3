import { randomUUID } from 'node:crypto';
import type { AgentEvent, AgentEventOf } from '../common/agent-events';
import { AgentEngine } from '../core/agent/agent-engine';
import { ConferenceManager } from '../core/conference/conference-manager';
import { silentLogger } from '../core/ports/logger';
import { startKamailio } from '../lab/kamailio';
import type { LabConference } from '../lab/conference/lab-conference';
import { Lab } from '../lab/lab';
import { systemClock } from '../main/adapters/node-clock';
import { nodeSocketFactory } from '../main/adapters/node-socket';
import { createWeriftMediaEngine } from '../main/adapters/werift-media';
import { freeUdpPort } from '../test/support/free-port';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { EventLog, pollUntil, sleep } from './support/event-log';
import { createNoMediaEngine } from './support/no-media-engine';
import { median, mib, ms, percentile } from './support/stats';
import { SwitchableMediaEngine, type MediaMarks, type MediaMode } from './support/timed-media';

// Conference join, in one process: the lab (focus, A/V MCU, inviter) and the agent engine share
// this process and its performance.now(), so every figure is a difference of two readings of
// one clock. See bench/README.md for what is measured and how to read it.

/** A join that takes longer is a failure, reported and not waited for. */
const JOIN_TIMEOUT_MS = 10_000;
/** Bound on leaving, ending the conference and closing media after each join. */
const CLEANUP_TIMEOUT_MS = 5_000;
/** A setup stops after this many failed joins of one mode in a row: something is broken, not slow. */
const MAX_CONSECUTIVE_FAILURES = 3;
/**
 * Least time between two invitations: the agent admits 10 out-of-dialog requests a sender in
 * 10 s (LIMITS.requestsPerSender) and answers the 11th with 503, so joins faster than a second
 * would measure the rate limit. This bench measures latency, not how fast one agent is flooded.
 */
const MIN_INVITE_GAP_MS = 1_050;
const AGENT = 'sip:agent@lab.local';

/** Where the agent's SIP goes: through Kamailio (the lab behind it on UDP), or to the lab's own WebSocket edge. */
type Setup = 'kamailio' | 'standalone';
const SETUPS: readonly Setup[] = ['kamailio', 'standalone'];

/** One agent, one lab, and (for `kamailio`) the proxy between them, all on 127.0.0.1. */
type Rig = {
  readonly lab: Lab;
  readonly engine: AgentEngine;
  readonly conferences: ConferenceManager;
  readonly events: EventLog;
  readonly agentMedia: SwitchableMediaEngine;
  readonly labMedia: SwitchableMediaEngine;
  /** When the lab last invited the agent (performance.now), to pace invitations. */
  lastInviteAt: number;
  stop(): Promise<void>;
};

/** A finished join: `endAt` is the first RTP packet (media) or the MCU's 200 (floor). */
type Sample = {
  readonly ok: true;
  readonly mode: MediaMode;
  readonly acceptedAt: number;
  readonly endAt: number;
  readonly agent: MediaMarks;
  readonly lab: MediaMarks | undefined;
  /** Lab side: when its first RTP packet left. */
  readonly labFirstSentAt: number | undefined;
  /** CPU of this process from accept to the end mark (seen within the 1 ms poll). */
  readonly joinCpuMs: number;
  /** CPU of the whole cycle: invitation, join, leave, conference ended. */
  readonly cpuMs: number;
};
type Failure = { readonly ok: false; readonly mode: MediaMode; readonly reason: string; readonly cpuMs: number };
type Outcome = Sample | Failure;

const now = (): number => performance.now();

/**
 * Memory now; after a full collection when the process runs with `--expose-gc`
 * (`NODE_OPTIONS=--expose-gc npm run bench`), so that growth means retained memory, not garbage.
 */
function memoryNow(): NodeJS.MemoryUsage {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage();
}

/**
 * The conference-join bench: accept → first RTP against accept → MCU 200 with no media, per setup.
 * @remarks Knobs: `BENCH_JOINS` (measured joins per mode and setup, 50), `BENCH_WARMUP` (joins
 * per mode thrown away first, 3), `BENCH_SETUPS` (`kamailio,standalone`).
 */
export const bench: Bench = {
  name: 'conference-join',
  run: runConferenceJoin,
};

async function runConferenceJoin(): Promise<BenchResult> {
  const joins = envInt('BENCH_JOINS', 50);
  const warmup = envInt('BENCH_WARMUP', 3, 0);
  const setups = parseSetups(process.env['BENCH_SETUPS']);
  const lines = [
    `conference join: ${joins} joins per mode and setup (after ${warmup} warm-up), media and floor joins interleaved; times from accept(id), ms`,
  ];
  let failures = 0;
  for (const setup of setups) {
    const result = await runSetup(setup, joins, warmup);
    lines.push(...result.lines);
    failures += result.failures;
  }
  return { lines, failures };
}

function parseSetups(raw: string | undefined): Setup[] {
  if (raw === undefined || raw.trim() === '') {
    return [...SETUPS];
  }
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !SETUPS.some((s) => s === n));
  if (bad.length > 0) {
    throw new Error(`BENCH_SETUPS takes ${SETUPS.join(', ')}; got ${bad.join(', ')}`);
  }
  return SETUPS.filter((s) => names.includes(s));
}

async function runSetup(setup: Setup, joins: number, warmup: number): Promise<BenchResult> {
  const label = `conference join (${setup})`;
  let rig: Rig;
  try {
    rig = await startRig(setup);
  } catch (error) {
    return { lines: [`${label}: could not start: ${error instanceof Error ? error.message : String(error)}`], failures: 1 };
  }
  const outcomes: Outcome[] = [];
  const failureLines: string[] = [];
  let before = memoryNow();
  let after = before;
  let aborted: string | undefined;
  try {
    progress(`${label}: ${warmup} warm-up + ${joins} measured joins per mode`);
    // Per mode: media failing every time while the floor succeeds must still stop the setup.
    const consecutive: Record<MediaMode, number> = { media: 0, floor: 0 };
    for (let i = 0; i < warmup + joins && aborted === undefined; i += 1) {
      if (i === warmup) {
        before = memoryNow();
      }
      // Alternate which mode goes first, so that neither always follows the other's cleanup.
      const order: MediaMode[] = i % 2 === 0 ? ['floor', 'media'] : ['media', 'floor'];
      for (const mode of order) {
        const outcome = await joinOnce(rig, mode, i);
        if (outcome.ok) {
          consecutive[mode] = 0;
        } else {
          consecutive[mode] += 1;
          failureLines.push(`  failed: ${i < warmup ? 'warm-up ' : ''}join ${i + 1} (${mode}): ${outcome.reason}`);
          progress(`${label}: join ${i + 1} (${mode}) failed: ${outcome.reason}`);
        }
        if (i >= warmup || !outcome.ok) {
          outcomes.push(outcome);
        }
        if (consecutive[mode] >= MAX_CONSECUTIVE_FAILURES) {
          aborted = `stopped after ${MAX_CONSECUTIVE_FAILURES} failed ${mode} joins in a row`;
          break;
        }
      }
      if (i >= warmup && (i - warmup + 1) % 10 === 0) {
        const memory = memoryNow();
        progress(`${label}: ${i - warmup + 1}/${joins} (rss ${mib(memory.rss)} MiB, heap ${mib(memory.heapUsed)} MiB)`);
      }
    }
    after = memoryNow();
  } finally {
    await rig.stop();
  }
  const lines = [...summarize(label, outcomes, before, after), ...failureLines];
  if (aborted !== undefined) {
    lines.push(`  ${aborted}`);
  }
  return { lines, failures: outcomes.filter((o) => !o.ok).length };
}

/** Starts Kamailio (if asked), the lab and a registered agent; undoes what it started on failure. */
async function startRig(setup: Setup): Promise<Rig> {
  const undo: (() => Promise<unknown>)[] = [];
  const unwind = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) {
      await step().catch((error: unknown) => progress(`cleanup step failed: ${String(error)}`));
    }
  };
  try {
    // Both engines stamp with performance.now(), the bench's own clock, so firstPacketReceivedAt
    // needs no conversion.
    const real = createWeriftMediaEngine({ clock: now });
    const none = createNoMediaEngine();
    const labMedia = new SwitchableMediaEngine({ media: real, floor: none }, now);
    const agentMedia = new SwitchableMediaEngine({ media: real, floor: none }, now);

    let lab: Lab;
    let server: string;
    if (setup === 'kamailio') {
      const labPort = await freeUdpPort();
      const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
      undo.push(() => kamailio.stop());
      lab = await Lab.start({
        signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort },
        media: labMedia,
      });
      server = kamailio.wsUrl;
    } else {
      lab = await Lab.start({ signaling: { mode: 'standalone' }, media: labMedia });
      server = lab.wsUrl ?? '';
    }
    const labStarted = lab;
    undo.push(() => labStarted.stop());

    const engine = new AgentEngine({ server, aor: AGENT }, { socketFactory: nodeSocketFactory, clock: systemClock, logger: silentLogger });
    const events = new EventLog(engine);
    undo.push(() => {
      events.dispose();
      return engine.stop();
    });
    const conferences = new ConferenceManager(engine, {
      clock: systemClock,
      logger: silentLogger,
      media: agentMedia,
      newGuid: () => randomUUID(),
    });
    await withTimeout(engine.start(), 10_000, 'agent registration');
    return { lab, engine, conferences, events, agentMedia, labMedia, lastInviteAt: -Infinity, stop: unwind };
  } catch (error) {
    await unwind();
    throw error;
  }
}

/** One invitation, accepted at once, joined, then left and ended; never longer than the two bounds. */
async function joinOnce(rig: Rig, mode: MediaMode, index: number): Promise<Outcome> {
  rig.agentMedia.mode = mode;
  rig.labMedia.mode = mode;
  rig.agentMedia.reset();
  rig.labMedia.reset();
  rig.events.clear();
  const cpuBefore = process.cpuUsage();
  const cpuMs = (): number => {
    const used = process.cpuUsage(cpuBefore);
    return (used.user + used.system) / 1000;
  };

  await sleep(Math.max(0, rig.lastInviteAt + MIN_INVITE_GAP_MS - now()));
  rig.lastInviteAt = now();
  const { conference, outcome } = await rig.lab.invite(AGENT, `bench join ${index + 1}`);
  const focusUri = conference.focusUri;
  let result: Outcome;
  try {
    result = await measureJoin(rig, mode, focusUri);
  } catch (error) {
    result = { ok: false, mode, reason: `threw: ${String(error)}`, cpuMs: 0 };
  }
  const problem = await cleanUp(rig, conference, outcome);
  if (result.ok && problem !== undefined) {
    return { ok: false, mode, reason: `cleanup: ${problem}`, cpuMs: cpuMs() };
  }
  return { ...result, cpuMs: cpuMs() };
}

/** From the invitation to the end mark of `mode`; the caller cleans up whatever happened. */
async function measureJoin(rig: Rig, mode: MediaMode, focusUri: string): Promise<Outcome> {
  const fail = (reason: string): Failure => ({ ok: false, mode, reason, cpuMs: 0 });
  const invitation = await rig.events.waitFor(
    (e): e is AgentEventOf<'invitation'> => e.type === 'invitation' && e.focusUri === focusUri,
    JOIN_TIMEOUT_MS,
  );
  if (invitation === undefined) {
    return fail(`no invitation within ${JOIN_TIMEOUT_MS} ms`);
  }

  // The agent decides here: everything after this reading is the join.
  const cpuAtAccept = process.cpuUsage();
  const acceptedAt = now();
  if (!rig.conferences.accept(invitation.id)) {
    return fail('accept() found no ringing invitation');
  }
  // Polled every millisecond only to learn that it happened: the end time itself is stamped
  // by the session (first packet) or the decorator (acceptAnswer) at the moment it happens.
  const ended = await pollUntil((): { end: number } | { gaveUp: string } | undefined => {
    const agent = rig.agentMedia.sessions[0];
    const end = mode === 'media' ? agent?.stats().firstPacketReceivedAt : agent?.marks.acceptAnswerAt;
    if (end !== undefined) {
      return { end };
    }
    const gaveUp = givenUp(rig.events.all, agent?.state);
    return gaveUp === undefined ? undefined : { gaveUp };
  }, acceptedAt + JOIN_TIMEOUT_MS);
  if (ended === undefined) {
    const agent = rig.agentMedia.sessions[0];
    const where = agent === undefined ? 'no media session yet' : `media ${agent.state}, ${describeMarks(agent.marks, acceptedAt)}`;
    return fail(`no ${mode === 'media' ? 'first RTP' : 'MCU 200'} within ${JOIN_TIMEOUT_MS} ms (${where})`);
  }
  if ('gaveUp' in ended) {
    return fail(ended.gaveUp);
  }
  const endAt = ended.end;
  const joinCpu = process.cpuUsage(cpuAtAccept);
  const agent = rig.agentMedia.sessions[0];
  const lab = rig.labMedia.sessions[0];
  return {
    ok: true,
    mode,
    acceptedAt,
    endAt,
    agent: { ...(agent?.marks ?? { createdAt: Number.NaN }) },
    lab: lab === undefined ? undefined : { ...lab.marks },
    labFirstSentAt: lab?.stats().firstPacketSentAt,
    joinCpuMs: (joinCpu.user + joinCpu.system) / 1000,
    cpuMs: 0,
  };
}

/** Why a join cannot end well any more, if it cannot: refused, left, or media failed. */
function givenUp(events: readonly AgentEvent[], mediaState: string | undefined): string | undefined {
  for (const event of events) {
    if (event.type === 'conference.left') {
      return `conference left before the end mark: ${event.reason}`;
    }
    if (event.type === 'error') {
      return `agent error ${event.code}: ${event.message}`;
    }
  }
  return mediaState === 'failed' ? 'media failed' : undefined;
}

function describeMarks(marks: MediaMarks, from: number): string {
  const at = (value: number | undefined): string => (value === undefined ? 'never' : `+${ms(value - from)}`);
  return `offer ${at(marks.offerDoneAt)}, MCU 200 ${at(marks.acceptAnswerAt)}, ICE ${at(marks.iceConnectedAt)}, connected ${at(marks.connectedAt)}`;
}

/**
 * Leaves (unsubscribe, BYE focus, BYE MCU), ends the lab conference, closes every media session
 * of this join on both sides, and checks that neither side still holds a dialog of it.
 * @returns what was left over, or undefined when all is clean.
 */
async function cleanUp(rig: Rig, conference: LabConference, invitation: Promise<unknown>): Promise<string | undefined> {
  const deadline = now() + CLEANUP_TIMEOUT_MS;
  const focusUri = conference.focusUri;
  if (rig.conferences.active().some((uri) => uri.toLowerCase() === focusUri.toLowerCase())) {
    const left = rig.events.waitFor(
      (e): e is AgentEventOf<'conference.left'> => e.type === 'conference.left' && e.focusUri === focusUri,
      CLEANUP_TIMEOUT_MS,
    );
    rig.conferences.leave(focusUri);
    await left;
  }
  // The lab must have taken our BYEs before it ends the conference: ending BYEs whatever legs
  // are left, and sip.js throws on a BYE in a dialog whose ACK is still in flight (see README).
  await pollUntil(() => (labHolds(rig, conference.id) ? undefined : true), deadline, 1);
  let ended: string | undefined;
  try {
    rig.lab.conferences.end(conference.id);
  } catch (error) {
    ended = `the lab could not end the conference: ${error instanceof Error ? error.message : String(error)}`;
  }
  const sessions = [...rig.agentMedia.sessions, ...rig.labMedia.sessions];
  const closed = await withTimeout(
    Promise.all(sessions.map((s) => s.close())).then(() => true),
    Math.max(0, deadline - now()),
    'media close',
  ).catch(() => false);
  const clean = await pollUntil(
    () => (labHolds(rig, conference.id) || rig.lab.conferences.notifier.count(conference.id) > 0 || rig.conferences.active().length > 0 ? undefined : true),
    deadline,
    1,
  );
  // The inviter's own transaction must be over too, or its retransmissions would run into the next join.
  const settled = await withTimeout(invitation.then(() => true), Math.max(1, deadline - now()), 'invitation outcome').catch(() => false);
  const problems = [
    ...(ended === undefined ? [] : [ended]),
    ...(closed ? [] : ['media sessions did not close']),
    ...(clean === true ? [] : ['dialogs or subscriptions still open']),
    ...(settled ? [] : ['the invitation never got its final answer']),
  ];
  return problems.length === 0 ? undefined : problems.join(', ');
}

/** Whether the lab still holds a focus or MCU dialog of the agent in this conference. */
function labHolds(rig: Rig, conferenceId: string): boolean {
  const dialogs = rig.lab.conferences.dialogsOf(conferenceId, AGENT);
  return dialogs.focus || dialogs.mcu;
}

/** `promise`, or a rejection naming `what` once `limitMs` has passed. */
function withTimeout<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took over ${limitMs.toFixed(0)} ms`)), limitMs);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** One line of figures, then where the time goes in each mode, then CPU per whole cycle. */
function summarize(label: string, outcomes: readonly Outcome[], before: NodeJS.MemoryUsage, after: NodeJS.MemoryUsage): string[] {
  const samples = outcomes.filter((o): o is Sample => o.ok);
  const media = samples.filter((s) => s.mode === 'media');
  const floor = samples.filter((s) => s.mode === 'floor');
  const join = media.map((s) => s.endAt - s.acceptedAt);
  const sip = floor.map((s) => s.endAt - s.acceptedAt);
  const ratio = median(join) / median(sip);
  const failed = outcomes.length - samples.length;
  const head =
    `${label}: accept->first RTP median ${ms(median(join))} ms p95 ${ms(percentile(join, 95))} ms` +
    ` | floor (SIP only: focus + MCU INVITE) median ${ms(median(sip))} ms p95 ${ms(percentile(sip, 95))} ms` +
    ` | ratio ${Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : '-'}` +
    ` | cpu/join ${ms(median(media.map((s) => s.joinCpuMs)))} ms (floor ${ms(median(floor.map((s) => s.joinCpuMs)))} ms)` +
    ` | rss ${mib(before.rss)} -> ${mib(after.rss)} MiB (heap ${mib(before.heapUsed)} -> ${mib(after.heapUsed)})` +
    ` | ${media.length}+${floor.length} ok, ${failed} failed`;

  // Medians of each step taken alone: they need not add up to the median total.
  const step = (list: readonly Sample[], from: (s: Sample) => number | undefined, to: (s: Sample) => number | undefined): string => {
    const spans = list.flatMap((s) => {
      const a = from(s);
      const b = to(s);
      return a === undefined || b === undefined ? [] : [b - a];
    });
    return ms(median(spans));
  };
  // The agent's offer is made while the invitation rings (issue 15), so it is off the path: the
  // split goes from accept to the MCU INVITE reaching the lab (focus 200 included), and says how
  // long before accept the offer was ready.
  const where =
    `  media join, medians (ms): accept->MCU INVITE at the lab ${step(media, (s) => s.acceptedAt, (s) => s.lab?.answerStartedAt)}` +
    ` | agent offer (ICE gathering) ${step(media, (s) => s.agent.offerStartedAt, (s) => s.agent.offerDoneAt)}, ready ${step(media, (s) => s.agent.offerDoneAt, (s) => s.acceptedAt)} before accept` +
    ` | MCU INVITE->200 ${step(media, (s) => s.lab?.answerStartedAt, (s) => s.agent.acceptAnswerAt)}` +
    ` (lab answer ${step(media, (s) => s.lab?.answerStartedAt, (s) => s.lab?.answerDoneAt)})` +
    ` | ICE checks ${step(media, (s) => s.agent.acceptAnswerAt, (s) => s.agent.iceConnectedAt)}` +
    ` | DTLS ${step(media, (s) => s.agent.iceConnectedAt, (s) => s.agent.connectedAt)}` +
    ` | agent connected->1st RTP in ${step(media, (s) => s.agent.connectedAt, (s) => s.endAt)}` +
    ` (lab connected ${step(media, (s) => s.agent.connectedAt, (s) => s.lab?.connectedAt)}, lab 1st RTP out ${step(media, (s) => s.agent.connectedAt, (s) => s.labFirstSentAt)})`;
  const floorWhere =
    `  floor, medians (ms): accept->MCU INVITE at the lab ${step(floor, (s) => s.acceptedAt, (s) => s.lab?.answerStartedAt)}` +
    ` | MCU INVITE->200 ${step(floor, (s) => s.lab?.answerStartedAt, (s) => s.agent.acceptAnswerAt)}`;
  const cycle =
    `  cpu per whole cycle (invitation to conference ended, agent and lab): media ${ms(median(media.map((s) => s.cpuMs)))} ms` +
    ` | floor ${ms(median(floor.map((s) => s.cpuMs)))} ms`;
  return [head, ...(media.length > 0 ? [where] : []), ...(floor.length > 0 ? [floorWhere] : []), ...(samples.length > 0 ? [cycle] : [])];
}
