/**
 * Model-based sequences against {@link ConferenceInvitations} alone (the join it starts is
 * recorded, not run), on a real engine and sip.js core.
 * @packageDocumentation
 */
import { buildConfInvite } from '../../lab/conference/conf-invite-builder';
import { ConferenceInvitations } from '../../core/conference/conference-invitations';
import { MIME_CONF_INVITE } from '../../core/conference/namespaces';
import { silentLogger } from '../../core/ports/logger';
import { AGENT_AOR, PeerDialog, TRANSACTION_MS, disposeChecked, settleAndCheck, startHarness } from '../../test/support/sip-harness';
import type { Rng } from '../rng';
import type { DialogModel } from './sequence';

const SLOTS = 3;
const INVITER = 'sip:inviter@lab.local';

/** One event of an invitation sequence. */
export type InvitationCommand =
  | { readonly k: 'invite'; readonly slot: number; readonly valid: boolean }
  | { readonly k: 'cancel' | 'ack' | 'bye' | 'accept' | 'decline'; readonly slot: number }
  | { readonly k: 'retransmit' | 'answer'; readonly pick: number; readonly status: number }
  | { readonly k: 'drop' }
  | { readonly k: 'advance'; readonly ms: number };

function draw(rng: Rng): InvitationCommand {
  const slot = rng.int(SLOTS);
  switch (rng.int(12)) {
    case 0:
    case 1:
      return { k: 'invite', slot, valid: rng.chance(0.85) };
    case 2:
      return { k: 'cancel', slot };
    case 3:
      return { k: 'ack', slot };
    case 4:
      return { k: 'bye', slot };
    case 5:
    case 6:
      return { k: rng.chance(0.7) ? 'accept' : 'decline', slot };
    case 7:
      return { k: 'retransmit', pick: rng.int(64), status: 0 };
    case 8:
      return { k: 'answer', pick: rng.int(8), status: rng.pick([200, 200, 481, 500, 408]) };
    case 9:
      return { k: 'drop' };
    default:
      return { k: 'advance', ms: rng.pick([1000, 5000, 30_000, TRANSACTION_MS]) };
  }
}

/** Runs one invitation sequence on a fresh harness. */
export async function runInvitationSequence(commands: readonly InvitationCommand[]): Promise<void> {
  let invitations: ConferenceInvitations | undefined;
  let nextId = 0;
  const joins: string[] = [];
  const h = await startHarness({
    setup: (engine, time) => {
      const handler = new ConferenceInvitations(
        {
          clock: time,
          logger: silentLogger,
          emit: (event) => engine.report(event),
          join: (invite) => joins.push(invite.focusUri),
          newId: () => `inv-${++nextId}`,
          faults: engine.faults,
          ring: (sender) => engine.admission.ring(sender),
        },
        { answerTimeoutMs: 30_000, byeGraceMs: 5000 },
      );
      engine.invites.handle(MIME_CONF_INVITE, (answer) => handler.handle(answer));
      invitations = handler;
    },
  });
  if (!invitations) {
    throw new Error('no invitation handler');
  }
  const handler = invitations;
  const calls: (PeerDialog | undefined)[] = [];
  const ids = new Map<string, string>();
  let lastCallId: string | undefined;
  h.engine.events.on('any', (event) => {
    if (event.type === 'dialog') {
      lastCallId = event.callId;
    } else if (event.type === 'invitation' && lastCallId !== undefined) {
      ids.set(lastCallId, event.id);
    }
  });
  let seq = 0;
  try {
    for (const command of commands) {
      for (const call of calls) {
        h.peer.fromAgent.filter((m) => m.method === undefined && call !== undefined && m.cseq === call.inviteCseq).forEach((m) => call?.learn(m));
      }
      const call = 'slot' in command ? calls[command.slot] : undefined;
      switch (command.k) {
        case 'invite': {
          seq += 1;
          const dialog = new PeerDialog(`inv${seq}`, INVITER, `i${seq}`, AGENT_AOR);
          calls[command.slot] = dialog;
          const body = command.valid ? buildConfInvite({ focusUri: 'sip:organizer@lab.local;gruu;opaque=app:conf:focus:id:ABC', subject: 'Weekly', audio: true, im: false }) : '<Conferencing version="2.0"><focus-uri>http://x';
          h.peer.send(dialog.request('INVITE', { body, contentType: MIME_CONF_INVITE }));
          break;
        }
        case 'cancel':
          if (call) {
            h.peer.send(call.request('CANCEL', { branch: call.inviteBranch }));
          }
          break;
        case 'ack':
        case 'bye':
          if (call) {
            h.peer.send(call.request(command.k.toUpperCase()));
          }
          break;
        case 'accept':
        case 'decline': {
          const id = call ? ids.get(call.callId) : undefined;
          if (id !== undefined) {
            handler[command.k](id);
          }
          break;
        }
        case 'retransmit': {
          h.peer.retransmit(command.pick);
          break;
        }
        case 'answer': {
          const request = h.peer.pickOutstanding(command.pick);
          if (request) {
            h.peer.answer(request, command.status);
          }
          break;
        }
        case 'drop':
          h.peer.drop();
          break;
        case 'advance':
          await h.time.advance(command.ms);
          continue;
      }
      await h.time.settle();
    }
    for (const pending of handler.pending()) {
      handler.decline(pending.id);
    }
    const invitations = handler;
    await settleAndCheck(h, 3, 'every invitation decided and 3·64·T1', () => (invitations.pending().length > 0 ? 'invitations still ringing after every one was declined' : undefined));
  } catch (error) {
    await h.dispose();
    throw error;
  }
  await disposeChecked(h);
}

/** ConferenceInvitations, for `npm run fuzz` and the unit tests. */
export const invitationModel: DialogModel<InvitationCommand> = {
  name: 'dialog-invitation',
  contract: [
    'ConferenceInvitations on a real engine and sip.js core: invitation INVITEs (valid or bad body)',
    'in up to 3 dialogs, CANCEL, ACK, BYE, retransmission of any earlier message, answers',
    '200/481/500/408 to the agent\'s BYE or never, accept, decline, connection drop, the 30 s answer',
    'timeout and 5 s BYE grace. Checks: nothing escapes, no fault, every request answered exactly',
    'once with an allowed status; after the rest are declined and 3·64·T1, nothing rings, no fault',
    'registration and no timer beyond the idle ones, none at all after the agent stops.',
  ].join('\n'),
  generate: (rng) => Array.from({ length: rng.range(1, 30) }, () => draw(rng)),
  run: runInvitationSequence,
  show: (command) => JSON.stringify(command),
};
