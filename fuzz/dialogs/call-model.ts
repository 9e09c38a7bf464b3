/**
 * Model-based sequences against {@link CallManager} (incoming calls and what a hostile or sloppy
 * caller does in them), on a real engine and sip.js core, with media that negotiates instantly.
 * @packageDocumentation
 */
import { createNoMediaEngine } from '../../bench/support/no-media-engine';
import { CallManager } from '../../core/calls/call-manager';
import { withAudioDirection } from '../../core/calls/sdp-direction';
import { silentLogger } from '../../core/ports/logger';
import { AGENT_AOR, PeerDialog, TRANSACTION_MS, disposeChecked, settleAndCheck, startHarness } from '../../test/support/sip-harness';
import type { Rng } from '../rng';
import type { DialogModel } from './sequence';

const SLOTS = 3;
const CALLER = 'sip:caller@lab.local';

/** A WebRTC offer of the shape werift and Chromium send (the checks before ringing pass). */
const OFFER = [
  'v=0',
  'o=- 77 1 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 0 101',
  'c=IN IP4 127.0.0.1',
  'a=mid:0',
  'a=sendrecv',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=ice-ufrag:peer',
  'a=ice-pwd:peerpeerpeerpeerpeerpe',
  'a=fingerprint:sha-256 AA:BB:CC',
  'a=setup:actpass',
  'a=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host',
  '',
].join('\r\n');

type Body = 'offer' | 'hold' | 'plain-rtp' | 'garbage' | 'huge' | 'none';

/** One event of a call sequence. */
export type CallCommand =
  | { readonly k: 'invite' | 'reinvite'; readonly slot: number; readonly body: Body; readonly replaces: boolean }
  | { readonly k: 'cancel' | 'ack' | 'bye' | 'refer' | 'notify'; readonly slot: number }
  | { readonly k: 'info'; readonly slot: number; readonly body: string; readonly type: string }
  | { readonly k: 'answer' | 'decline' | 'hangup' | 'hold' | 'resume' | 'dtmf' | 'transfer'; readonly slot: number }
  | { readonly k: 'retransmit' | 'respond'; readonly pick: number; readonly status: number }
  | { readonly k: 'drop' }
  | { readonly k: 'advance'; readonly ms: number };

function bodyOf(kind: Body): { body: string; contentType: string } {
  switch (kind) {
    case 'offer':
      return { body: OFFER, contentType: 'application/sdp' };
    case 'hold':
      return { body: withAudioDirection(OFFER, 'sendonly'), contentType: 'application/sdp' };
    case 'plain-rtp':
      return { body: OFFER.replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP'), contentType: 'application/sdp' };
    case 'garbage':
      return { body: 'v=0\r\nm=audio x y\r\nthis is not SDP', contentType: 'application/sdp' };
    case 'huge':
      return { body: OFFER + 'a=x-pad:' + 'x'.repeat(20_000) + '\r\n', contentType: 'application/sdp' };
    case 'none':
      return { body: '', contentType: 'application/sdp' };
  }
}

function draw(rng: Rng): CallCommand {
  const slot = rng.int(SLOTS);
  const body = rng.pick<Body>(['offer', 'offer', 'offer', 'hold', 'plain-rtp', 'garbage', 'huge', 'none']);
  switch (rng.int(16)) {
    case 0:
    case 1:
      return { k: 'invite', slot, body, replaces: rng.chance(0.1) };
    case 2:
      return { k: 'reinvite', slot, body, replaces: false };
    case 3:
      return { k: rng.pick(['cancel', 'ack', 'bye'] as const), slot };
    case 4:
      return { k: rng.pick(['refer', 'notify'] as const), slot };
    case 5:
      return { k: 'info', slot, body: rng.pick(['Signal=5\r\nDuration=100', 'Signal=Z', '', 'x'.repeat(300)]), type: rng.pick(['application/dtmf-relay', 'application/json']) };
    case 6:
    case 7:
      return { k: rng.pick(['answer', 'answer', 'decline'] as const), slot };
    case 8:
      return { k: rng.pick(['hangup', 'hold', 'resume', 'dtmf', 'transfer'] as const), slot };
    case 9:
      return { k: 'retransmit', pick: rng.int(64), status: 0 };
    case 10:
    case 11:
      return { k: 'respond', pick: rng.int(8), status: rng.pick([200, 200, 202, 481, 491, 500, 408]) };
    case 12:
      return { k: 'drop' };
    default:
      return { k: 'advance', ms: rng.pick([100, 1000, 5000, 30_000, TRANSACTION_MS]) };
  }
}

/** Runs one call sequence on a fresh harness. */
export async function runCallSequence(commands: readonly CallCommand[]): Promise<void> {
  let manager: CallManager | undefined;
  let nextId = 0;
  const h = await startHarness({
    setup: (engine, time) => {
      manager = new CallManager(engine, { clock: time, logger: silentLogger, media: createNoMediaEngine(), newId: () => `id-${String(++nextId).padStart(12, '0')}` }, { answerTimeoutMs: 30_000 });
    },
  });
  if (!manager) {
    throw new Error('no call manager');
  }
  const calls = manager;
  const dialogs: (PeerDialog | undefined)[] = [];
  const ids = new Map<string, string>();
  let lastCallId: string | undefined;
  h.engine.events.on('any', (event) => {
    if (event.type === 'dialog') {
      lastCallId = event.callId;
    } else if (event.type === 'call' && lastCallId !== undefined) {
      ids.set(lastCallId, event.id);
    }
  });
  let seq = 0;
  try {
    for (const command of commands) {
      for (const dialog of dialogs) {
        h.peer.fromAgent.filter((m) => m.method === undefined && dialog !== undefined && m.cseq === dialog.inviteCseq).forEach((m) => dialog?.learn(m));
      }
      const dialog = 'slot' in command ? dialogs[command.slot] : undefined;
      const id = dialog ? ids.get(dialog.callId) : undefined;
      switch (command.k) {
        case 'invite': {
          seq += 1;
          const next = new PeerDialog(`call${seq}`, CALLER, `c${seq}`, AGENT_AOR);
          dialogs[command.slot] = next;
          const replaces = command.replaces && dialog?.remoteTag !== undefined ? [`Replaces: ${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`] : [];
          h.peer.send(next.request('INVITE', { ...bodyOf(command.body), headers: replaces }));
          break;
        }
        case 'reinvite':
          if (dialog?.remoteTag !== undefined) {
            h.peer.send(dialog.request('INVITE', bodyOf(command.body)));
          }
          break;
        case 'cancel':
          if (dialog) {
            h.peer.send(dialog.request('CANCEL', { branch: dialog.inviteBranch }));
          }
          break;
        case 'ack':
        case 'bye':
          if (dialog) {
            h.peer.send(dialog.request(command.k.toUpperCase()));
          }
          break;
        case 'refer':
          if (dialog) {
            h.peer.send(dialog.request('REFER', { headers: ['Refer-To: <sip:elsewhere@lab.local>'] }));
          }
          break;
        case 'notify':
          if (dialog) {
            h.peer.send(dialog.request('NOTIFY', { headers: ['Event: refer', 'Subscription-State: terminated'], body: 'SIP/2.0 200 OK\r\n', contentType: 'message/sipfrag;version=2.0' }));
          }
          break;
        case 'info':
          if (dialog) {
            h.peer.send(dialog.request('INFO', { body: command.body, contentType: command.type }));
          }
          break;
        case 'answer':
        case 'decline':
          if (id !== undefined) {
            calls[command.k](id);
          }
          break;
        case 'hangup':
          if (id !== undefined) {
            calls.hangUp(id);
          }
          break;
        case 'hold':
        case 'resume':
          if (id !== undefined) {
            calls.hold(id, command.k === 'hold');
          }
          break;
        case 'dtmf':
          if (id !== undefined) {
            calls.dtmf(id, '12#');
          }
          break;
        case 'transfer':
          if (id !== undefined) {
            calls.transfer(id, 'sip:supervisor@lab.local');
          }
          break;
        case 'retransmit': {
          h.peer.retransmit(command.pick);
          break;
        }
        case 'respond': {
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
    calls.dispose();
    await settleAndCheck(h, 3, 'every call ended and 3·64·T1', () => undefined);
  } catch (error) {
    await h.dispose();
    throw error;
  }
  await disposeChecked(h);
}

/** CallManager, for `npm run fuzz` and the unit tests. */
export const callModel: DialogModel<CallCommand> = {
  name: 'dialog-call',
  contract: [
    'CallManager on a real engine and sip.js core: call INVITEs (WebRTC, hold, plain RTP, garbage,',
    'oversized, no body; some with Replaces) in up to 3 dialogs, re-INVITEs of the same kinds, CANCEL,',
    'ACK, BYE, REFER, NOTIFY, INFO (DTMF valid or not, other types), retransmission of any earlier',
    'message, answers 200/202/481/491/500/408 to the agent\'s requests or never, the agent answering,',
    'declining, hanging up, holding, resuming, sending DTMF and transferring, connection drop, the 30 s',
    'answer timeout. Checks: nothing escapes, no fault, every request answered exactly once with an',
    'allowed status; after every call is ended and 3·64·T1, no fault and no timer beyond the idle ones.',
  ].join('\n'),
  generate: (rng) => Array.from({ length: rng.range(1, 30) }, () => draw(rng)),
  run: runCallSequence,
  show: (command) => JSON.stringify(command),
};
