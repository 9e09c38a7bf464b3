/**
 * Model-based sequences against {@link InfoSender} alone, on a session whose INFOs the test
 * answers in any order, any number of times, or never.
 * @packageDocumentation
 */
import type { IncomingResponse, OutgoingRequestDelegate, RequestOptions, Session } from 'sip.js/lib/core/index.js';
import { InfoSender, type InfoOutcome } from '../../core/channels/info-sender';
import { FakeClock } from '../../test/support/fake-clock';
import { HarnessViolation } from '../../test/support/sip-harness';
import type { Rng } from '../rng';
import type { DialogModel } from './sequence';

/** One event of an InfoSender sequence. */
export type InfoSenderCommand =
  | { readonly k: 'send'; readonly size: number }
  | { readonly k: 'answer'; readonly pick: number; readonly status: number }
  | { readonly k: 'pause' | 'resume' | 'close' | 'throwing' }
  | { readonly k: 'advance'; readonly ms: number };

const STATUSES = [200, 200, 202, 408, 500, 503, 481, 415, 0, 404, 491];

function draw(rng: Rng): InfoSenderCommand {
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
      return { k: 'send', size: rng.chance(0.05) ? 600_000 : rng.range(0, 20) };
    case 3:
    case 4:
    case 5:
      return { k: 'answer', pick: rng.int(8), status: rng.pick(STATUSES) };
    case 6:
      return { k: rng.pick(['pause', 'resume', 'throwing'] as const) };
    case 7:
      return { k: 'close' };
    default:
      return { k: 'advance', ms: rng.pick([100, 500, 1000, 8000, 20_000]) };
  }
}

type Sent = { readonly seq: number; readonly delegate: OutgoingRequestDelegate; answered: number };

/** Runs one sequence; throws on a broken invariant. */
export async function runInfoSenderSequence(commands: readonly InfoSenderCommand[]): Promise<void> {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  let throwing = false;
  let paused = false;
  let dialogGone = 0;
  const session = {
    info(delegate: OutgoingRequestDelegate, options: RequestOptions) {
      if (throwing) {
        throw new Error('transport down');
      }
      const header = (options.extraHeaders ?? []).find((h) => h.startsWith('X-Switchboard-Seq:'));
      sent.push({ seq: Number(header?.split(':')[1]), delegate, answered: 0 });
    },
  } as unknown as Session;
  const sender = new InfoSender(session, clock, { onDialogGone: () => (dialogGone += 1) }, { maxQueued: 6, maxQueuedChars: 1_000_000 });
  const outcomes: { outcome: InfoOutcome | undefined; count: number }[] = [];
  const before = (): number => sent.length;
  for (const command of commands) {
    const sentBefore = before();
    switch (command.k) {
      case 'send': {
        const entry: (typeof outcomes)[number] = { outcome: undefined, count: 0 };
        outcomes.push(entry);
        void sender.send('text/plain', 'x'.repeat(command.size)).then((outcome) => {
          entry.outcome = outcome;
          entry.count += 1;
        });
        break;
      }
      case 'answer': {
        const item = sent.length === 0 ? undefined : sent[command.pick % sent.length];
        if (item) {
          item.answered += 1;
          const response = { message: { statusCode: command.status, reasonPhrase: `R${command.status}` } } as unknown as IncomingResponse;
          (command.status >= 200 && command.status < 300 ? item.delegate.onAccept : item.delegate.onReject)?.(response);
        }
        break;
      }
      case 'pause':
        paused = true;
        sender.pause();
        break;
      case 'resume':
        paused = false;
        sender.resume();
        break;
      case 'close':
        sender.close('closed by the model');
        break;
      case 'throwing':
        throwing = !throwing;
        break;
      case 'advance':
        clock.advance(command.ms);
        break;
    }
    if (paused && command.k !== 'resume' && sent.length > sentBefore) {
      throw new HarnessViolation(`INFO sent while paused (after ${command.k})`);
    }
    checkOrder(sent);
    await Promise.resolve();
  }
  sender.close('end of sequence');
  await new Promise((resolve) => setImmediate(resolve));
  checkEnd(sender, clock, outcomes, dialogGone);
}

/** INFOs go out in sequence order: a seq is only ever followed by itself (a resend) or a later one. */
function checkOrder(sent: readonly Sent[]): void {
  for (let i = 1; i < sent.length; i += 1) {
    const previous = sent[i - 1]?.seq ?? 0;
    const current = sent[i]?.seq ?? 0;
    if (current < previous) {
      throw new HarnessViolation(`INFO ${current} sent after INFO ${previous}`);
    }
  }
}

function checkEnd(sender: InfoSender, clock: FakeClock, outcomes: readonly { outcome: InfoOutcome | undefined; count: number }[], dialogGone: number): void {
  if (sender.pending !== 0 || sender.retrying || clock.pending !== 0) {
    throw new HarnessViolation(`left after close: ${sender.pending} queued, retry timer ${String(sender.retrying)}, ${clock.pending} timer(s)`);
  }
  const unsettled = outcomes.filter((o) => o.count !== 1);
  if (unsettled.length > 0) {
    throw new HarnessViolation(`${unsettled.length} send(s) settled ${unsettled.map((o) => o.count).join('/')} times, not once`);
  }
  const delivered = outcomes.flatMap((o) => (o.outcome?.ok === true ? [o.outcome.seq] : []));
  if (delivered.some((seq, i) => i > 0 && seq <= (delivered[i - 1] ?? 0))) {
    throw new HarnessViolation(`delivered out of order: ${delivered.join(', ')}`);
  }
  const gone = outcomes.filter((o) => o.outcome?.status === 481).length;
  if (dialogGone !== gone) {
    throw new HarnessViolation(`onDialogGone called ${dialogGone} times for ${gone} INFO(s) answered 481`);
  }
}

/** InfoSender alone, for `npm run fuzz` and the unit tests. */
export const infoSenderModel: DialogModel<InfoSenderCommand> = {
  name: 'dialog-info-sender',
  contract: [
    'InfoSender on a fake session: pane sends (up to a 600,000-character body against the caps),',
    'answers 2xx/408/500/503/481/415/404/491/0 to any INFO sent so far, in any order and any number of',
    'times (late answers to superseded tries included), pause, resume, close, session.info throwing,',
    'time steps up to 20 s. Checks: nothing throws; nothing is sent while paused; INFOs go out in',
    'sequence order (a seq followed only by its resend or a later one); every send settles exactly',
    'once; delivered INFOs in increasing seq; onDialogGone once per INFO failed with 481; after',
    'close nothing queued and no timer.',
  ].join('\n'),
  generate: (rng) => Array.from({ length: rng.range(1, 40) }, () => draw(rng)),
  run: runInfoSenderSequence,
  show: (command) => JSON.stringify(command),
};
