/**
 * Model-based sequences against channel requests and {@link ContextChannel}s, through the
 * {@link ChannelManager} on a real engine and sip.js core.
 * @packageDocumentation
 */
import { ChannelManager } from '../../core/channels/channel-manager';
import { MIME_SESSION_INVITE } from '../../core/channels/session-invite';
import { buildSessionInvite } from '../../lab/channels/session-invite-builder';
import { silentLogger } from '../../core/ports/logger';
import type { InfoOutcome } from '../../core/channels/info-sender';
import {
  AGENT_AOR,
  HarnessViolation,
  PeerDialog,
  TRANSACTION_MS,
  checkAnsweredOnce,
  checkQuiet,
  disposeChecked,
  startHarness,
  type Harness,
} from '../../test/support/sip-harness';
import type { Rng } from '../rng';
import type { DialogModel } from './sequence';

/** The one registered pane application. */
export const CHANNEL_APP = '{6C6E2A0F-1A9B-4D3C-8E2F-0A1B2C3D4E5F}';
const OTHER_APP = '{11111111-2222-3333-4444-555555555555}';
const SLOTS = 3;

/** One event of a channel sequence: remote messages, the agent's actions, or time. */
export type ChannelCommand =
  | { readonly k: 'invite'; readonly slot: number; readonly body: 'ok' | 'unregistered' | 'bad' | 'empty'; readonly conversation: boolean }
  | { readonly k: 'cancel' | 'ack' | 'bye' | 'reinvite' | 'accept' | 'decline'; readonly slot: number }
  | { readonly k: 'info'; readonly slot: number; readonly kind: 'data' | 'huge' | 'package' | 'stale-cseq' }
  | { readonly k: 'retransmit' | 'answer'; readonly pick: number; readonly status: number }
  | { readonly k: 'send'; readonly slot: number; readonly named: boolean }
  | { readonly k: 'closePane' | 'drop' | 'refuse' }
  | { readonly k: 'advance'; readonly ms: number };

const STATUSES = [200, 200, 200, 481, 491, 500, 408, 503, 415];
const STEPS = [1000, 30_000, TRANSACTION_MS, 250, 5000];

function draw(rng: Rng): ChannelCommand {
  const slot = rng.int(SLOTS);
  switch (rng.int(19)) {
    case 0:
    case 1:
      return { k: 'invite', slot, body: rng.pick(['ok', 'ok', 'ok', 'unregistered', 'bad', 'empty'] as const), conversation: rng.chance(0.3) };
    case 2:
      return { k: 'cancel', slot };
    case 3:
    case 4:
      return { k: 'ack', slot };
    case 5:
      return { k: 'bye', slot };
    case 6:
      return { k: 'reinvite', slot };
    case 7:
    case 8:
      return { k: 'accept', slot };
    case 9:
      return { k: 'decline', slot };
    case 10:
      return { k: 'info', slot, kind: rng.pick(['data', 'data', 'huge', 'package', 'stale-cseq'] as const) };
    case 11:
      return { k: 'retransmit', pick: rng.int(64), status: 0 };
    case 12:
    case 13:
      return { k: 'answer', pick: rng.int(8), status: rng.pick(STATUSES) };
    case 14:
      return { k: 'send', slot, named: rng.chance(0.5) };
    case 15:
      return { k: 'closePane' };
    case 16:
      return { k: rng.chance(0.8) ? 'drop' : 'refuse' };
    default:
      return { k: 'advance', ms: rng.pick(STEPS) };
  }
}

type World = {
  readonly h: Harness;
  readonly manager: ChannelManager;
  readonly calls: (PeerDialog | undefined)[];
  /** Channel request id by Call-ID. */
  readonly requestIds: Map<string, string>;
  readonly channelIds: Map<string, string>;
  readonly sends: { settled: number; promise: Promise<InfoOutcome> | undefined }[];
  callSeq: number;
};

function inviteBody(kind: 'ok' | 'unregistered' | 'bad' | 'empty'): string {
  if (kind === 'bad') {
    return '<sessionInvite><applicationId>not-a-guid';
  }
  if (kind === 'empty') {
    return '';
  }
  const built = buildSessionInvite({ appId: kind === 'ok' ? CHANNEL_APP : OTHER_APP, data: 'ticket 42', name: 'CRM' });
  if (!built.ok) {
    throw new Error('session invite seed did not build');
  }
  return built.body;
}

/** Learns the agent's tag and Contact for each slot from its responses so far. */
function learn(world: World): void {
  for (const call of world.calls) {
    if (call) {
      for (const message of world.h.peer.fromAgent) {
        if (message.method === undefined && message.cseqMethod === 'INVITE' && message.cseq === call.inviteCseq) {
          call.learn(message);
        }
      }
    }
  }
}

/** The agent's final status to a slot's current INVITE, if any. */
function inviteFinal(world: World, call: PeerDialog): number | undefined {
  return world.h.peer.fromAgent.find((m) => m.method === undefined && m.callId === call.callId && m.cseqMethod === 'INVITE' && m.cseq === call.inviteCseq && m.status >= 200)?.status;
}

function remote(world: World, command: ChannelCommand): void {
  const { peer } = world.h;
  const slot = 'slot' in command ? command.slot : 0;
  const call = world.calls[slot];
  switch (command.k) {
    case 'invite': {
      world.callSeq += 1;
      const dialog = new PeerDialog(`ch${world.callSeq}-${slot}`, 'sip:crm@apps.lab.local', `p${world.callSeq}`, AGENT_AOR);
      world.calls[slot] = dialog;
      const body = inviteBody(command.body);
      peer.send(dialog.request('INVITE', { body, contentType: MIME_SESSION_INVITE, headers: command.conversation ? ['Ms-Conversation-ID: conv-shared'] : [] }));
      return;
    }
    case 'cancel':
      if (call) {
        peer.send(call.request('CANCEL', { branch: call.inviteBranch }));
      }
      return;
    case 'ack':
      if (call) {
        const final = inviteFinal(world, call);
        // A non-2xx is ACKed in its transaction; a 2xx (or nothing yet: a sloppy peer) in a new one.
        peer.send(call.request('ACK', final !== undefined && final >= 300 ? { branch: call.inviteBranch } : {}));
      }
      return;
    case 'bye':
      if (call) {
        peer.send(call.request('BYE'));
      }
      return;
    case 'reinvite':
      if (call) {
        peer.send(call.request('INVITE', { body: '', contentType: MIME_SESSION_INVITE }));
      }
      return;
    case 'info':
      if (call) {
        const huge = command.kind === 'huge' ? 'x'.repeat(64_001) : 'note';
        const headers = command.kind === 'package' ? ['Info-Package: foo'] : ['X-Switchboard-Seq: 1'];
        peer.send(call.request('INFO', { body: huge, contentType: 'text/plain', headers, ...(command.kind === 'stale-cseq' && { cseq: 1 }) }));
      }
      return;
    default:
      return;
  }
}

async function step(world: World, command: ChannelCommand): Promise<void> {
  const { peer, time } = world.h;
  learn(world);
  const call = 'slot' in command ? world.calls[command.slot] : undefined;
  switch (command.k) {
    case 'retransmit': {
      const raw = peer.sent.length === 0 ? undefined : peer.sent[command.pick % peer.sent.length];
      if (raw !== undefined) {
        peer.send(raw);
      }
      break;
    }
    case 'answer': {
      const request = peer.pickOutstanding(command.pick);
      if (request) {
        peer.answer(request, command.status, request.method === 'INVITE' && command.status < 300 ? { headers: ['Contact: <sip:crm@peer.invalid;transport=ws>'] } : {});
      }
      break;
    }
    case 'accept':
    case 'decline': {
      const id = call ? world.requestIds.get(call.callId) : undefined;
      if (id !== undefined) {
        world.manager[command.k](id);
      }
      break;
    }
    case 'send': {
      const channelId = call ? world.channelIds.get(call.callId) : undefined;
      const promise = world.manager.send({ appId: CHANNEL_APP, contentType: 'text/plain', body: 'pane data', ...(command.named && channelId !== undefined && { channelId }) });
      const entry: World['sends'][number] = { settled: 0, promise };
      void promise?.then(() => {
        entry.settled += 1;
      });
      world.sends.push(entry);
      break;
    }
    case 'closePane':
      world.manager.closePane(CHANNEL_APP);
      break;
    case 'drop':
      peer.drop();
      break;
    case 'refuse':
      peer.refuse = !peer.refuse;
      break;
    case 'advance':
      await time.advance(command.ms);
      return;
    default:
      remote(world, command);
  }
  await time.settle();
}

/** Ends every channel, lets 64·T1 pass three times, and checks that nothing is left. */
async function finish(world: World): Promise<void> {
  const { h } = world;
  h.peer.refuse = false;
  for (let i = 0; i < 20 && !(h.peer.connected && h.engine.isRegistered); i += 1) {
    await h.time.advance(1000);
  }
  world.manager.closePane(CHANNEL_APP);
  for (let i = 0; i < 3; i += 1) {
    await h.time.advance(TRANSACTION_MS);
  }
  const left = world.manager.active();
  if (left.length > 0) {
    throw new HarnessViolation(`channels left after closePane: ${left.map((c) => `${c.channelId} ${c.state}`).join(', ')}`);
  }
  const hanging = world.sends.filter((s) => s.promise !== undefined && s.settled !== 1);
  if (hanging.length > 0) {
    throw new HarnessViolation(`${hanging.length} pane send(s) never settled`);
  }
  checkAnsweredOnce(h.peer);
  checkQuiet(h, 'every channel ended and 3·64·T1');
}

/** Runs one channel sequence on a fresh harness. */
export async function runChannelSequence(commands: readonly ChannelCommand[], options: { autoAccept: boolean }): Promise<void> {
  let manager: ChannelManager | undefined;
  let nextId = 0;
  const h = await startHarness({
    setup: (engine, time) => {
      manager = new ChannelManager(
        engine,
        {
          clock: time,
          logger: silentLogger,
          lookup: (appId) => (appId.toUpperCase() === CHANNEL_APP ? { name: 'CRM' } : undefined),
          isConferenceConversation: () => false,
          newId: () => String(++nextId),
        },
        { autoAccept: options.autoAccept, answerTimeoutMs: 30_000 },
      );
    },
  });
  if (!manager) {
    throw new Error('no channel manager');
  }
  const world: World = { h, manager, calls: [], requestIds: new Map(), channelIds: new Map(), sends: [], callSeq: 0 };
  let lastCallId: string | undefined;
  h.engine.events.on('any', (event) => {
    if (event.type === 'dialog') {
      lastCallId = event.callId;
    } else if (event.type === 'channel.request' && lastCallId !== undefined) {
      world.requestIds.set(lastCallId, event.id);
    } else if (event.type === 'channel.state' && lastCallId !== undefined && !world.channelIds.has(lastCallId)) {
      world.channelIds.set(lastCallId, event.channelId);
    }
  });
  try {
    for (const command of commands) {
      await step(world, command);
    }
    await finish(world);
  } catch (error) {
    await h.dispose();
    throw error;
  }
  await disposeChecked(h);
}

/** Channel requests and context channels, for `npm run fuzz` and the unit tests. */
export const channelModel: DialogModel<ChannelCommand | { readonly k: 'auto' }> = {
  name: 'dialog-channel',
  contract: [
    'ChannelManager + ContextChannel on a real engine and sip.js core, against a scripted peer:',
    'INVITE (valid, unregistered, bad, empty body; shared conversation), CANCEL, ACK (2xx and non-2xx),',
    'BYE, re-INVITE, INFO (data, 64,001 chars, Info-Package, stale CSeq), retransmission of any earlier',
    'message, answers 200/481/491/500/408/503/415 to the agent\'s BYE/INFO/re-INVITE in any order or never;',
    'accept, decline, pane send, closePane, connection drop/refusal (so re-registration and target',
    'refresh), time steps of 0.25 s to 64·T1. Checks: nothing escapes, no fault (so no illegal',
    'transition), every request answered exactly once with an allowed final status, every pane send',
    'settles once; after closePane and 3·64·T1 no channel, ringing slot, fault registration or timer',
    'beyond the idle ones is left, and none at all after the agent stops.',
  ].join('\n'),
  generate: (rng) => {
    const length = rng.range(1, 30);
    const commands: (ChannelCommand | { readonly k: 'auto' })[] = rng.chance(0.25) ? [{ k: 'auto' }] : [];
    for (let i = 0; i < length; i += 1) {
      commands.push(draw(rng));
    }
    return commands;
  },
  run: (commands) => {
    const autoAccept = commands.some((c) => c.k === 'auto');
    return runChannelSequence(commands.filter((c): c is ChannelCommand => c.k !== 'auto'), { autoAccept });
  },
  show: (command) => JSON.stringify(command),
};
