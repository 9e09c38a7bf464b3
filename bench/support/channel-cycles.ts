import type { AgentEvent } from '../../common/agent-events';
import { ConversationContextChannel } from '../../lab/channels/conversation-context-channel';
import type { AgentChild } from './agent-child';
import type { ChannelSender, SenderPacer } from './channel-senders';
import { AGENT_AOR, ECHO_APP } from './proxied-lab';

// Context-channel lifecycles for the soak: the lab's ConversationContextChannel (the UCMA model
// the lab application uses) opens a channel to the agent through Kamailio (INVITE, 200, ACK),
// sends two INFO, and ends it (BYE); the agent's own events confirm each step on its side.

/** Each step of a lifecycle is given this long; past it the lifecycle failed. */
const STEP_TIMEOUT_MS = 10_000;

/** What the agent said about one channel, by conversation id. */
type Watched = { established: boolean; data: number; end: (() => void) | undefined };

/** Totals over every lifecycle run so far. */
export type CycleCounts = { ok: number; failed: number; readonly problems: string[] };

/**
 * Follows the agent's `channel.state` and `channel.data` events per conversation id, so that a
 * lifecycle knows when the agent has ended its channel and how much data it delivered. Only
 * lifecycles in flight are held.
 */
export class ChannelWatch {
  private readonly watched = new Map<string, Watched>();
  private readonly off: () => void;

  constructor(agent: AgentChild) {
    this.off = agent.on(({ event }) => this.onEvent(event));
  }

  /** Channels the agent reported Established and not yet Terminated, among those watched. */
  get openAtAgent(): number {
    return [...this.watched.values()].filter((w) => w.established).length;
  }

  /** Starts watching `conversationId`; resolves when the agent reports it Terminated, or undefined after `timeoutMs`. */
  watch(conversationId: string, timeoutMs: number): Promise<{ established: boolean; data: number } | undefined> {
    const entry: Watched = { established: false, data: 0, end: undefined };
    this.watched.set(conversationId, entry);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.watched.delete(conversationId);
        resolve(undefined);
      }, timeoutMs);
      timer.unref();
      entry.end = () => {
        clearTimeout(timer);
        this.watched.delete(conversationId);
        resolve({ established: entry.established, data: entry.data });
      };
    });
  }

  /** Stops following the agent's events. */
  dispose(): void {
    this.off();
  }

  private onEvent(event: AgentEvent): void {
    if (event.type !== 'channel.state' && event.type !== 'channel.data') {
      return;
    }
    const entry = this.watched.get(event.conversationId);
    if (entry === undefined) {
      return;
    }
    if (event.type === 'channel.data') {
      entry.data += 1;
    } else if (event.state === 'Established') {
      entry.established = true;
    } else if (event.state === 'Terminated') {
      entry.end?.();
    }
  }
}

/** One lifecycle; resolves with what went wrong, or undefined when every step was seen on both sides. */
async function lifecycle(sender: ChannelSender, conversationId: string, watch: ChannelWatch): Promise<string | undefined> {
  const atAgent = watch.watch(conversationId, 3 * STEP_TIMEOUT_MS);
  const channel = new ConversationContextChannel(sender.ua, { id: conversationId }, AGENT_AOR);
  const outcome = await bounded(channel.establish(ECHO_APP, { applicationName: 'Echo' }), 'establish');
  if (typeof outcome === 'string' || !outcome.ok) {
    return typeof outcome === 'string' ? outcome : `establish refused: ${outcome.status} ${outcome.reason}${outcome.warning === undefined ? '' : ` (${outcome.warning})`}`;
  }
  const sent = await bounded(Promise.all([channel.sendData('text/plain', `${conversationId} 1`), channel.sendData('text/plain', `${conversationId} 2`)]), 'INFO');
  channel.terminate();
  if (typeof sent === 'string') {
    return sent;
  }
  const refused = sent.find((s) => !s.ok);
  if (refused !== undefined) {
    return `INFO answered ${refused.status} ${refused.reason}`;
  }
  const seen = await atAgent;
  if (seen === undefined) {
    return `the agent did not report the channel Terminated within ${3 * STEP_TIMEOUT_MS} ms of the INVITE`;
  }
  if (!seen.established || seen.data !== 2) {
    return `the agent reported ${seen.established ? 'Established' : 'no Established'} and ${seen.data} channel.data of 2`;
  }
  return undefined;
}

/**
 * Runs lifecycles `from` to `to` - 1 (conversation ids `soak-<n>`), `concurrency` at a time,
 * each from the next sender the pacer allows; stops starting new ones at `deadline`.
 */
export async function runChannelCycles(
  range: { readonly from: number; readonly to: number },
  concurrency: number,
  pacer: SenderPacer<ChannelSender>,
  watch: ChannelWatch,
  counts: CycleCounts,
  deadline: number,
): Promise<void> {
  let next = range.from;
  const worker = async (): Promise<void> => {
    while (next < range.to && performance.now() < deadline) {
      const n = next++;
      const sender = await pacer.acquire();
      const problem = await lifecycle(sender, `soak-${n}`, watch).catch((error: unknown) => `threw: ${String(error)}`);
      if (problem === undefined) {
        counts.ok += 1;
      } else {
        counts.failed += 1;
        if (counts.problems.length < 10) {
          counts.problems.push(`channel ${n} (${sender.uri}): ${problem}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
}

/** `promise`, or a string saying that `what` took over the step timeout. */
function bounded<T>(promise: Promise<T>, what: string): Promise<T | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(`${what} got no answer within ${STEP_TIMEOUT_MS} ms`), STEP_TIMEOUT_MS);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve(`${what} threw: ${String(error)}`);
      },
    );
  });
}
