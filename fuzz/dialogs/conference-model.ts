/**
 * Model-based sequences against a {@link Conference} (focus dialog, roster subscription, MCU
 * call) joined through the {@link ConferenceManager}, on a real engine and sip.js core with
 * media that negotiates instantly and moves nothing.
 * @packageDocumentation
 */
import { createNoMediaEngine } from '../../bench/support/no-media-engine';
import { buildC3PResponse } from '../../lab/conference/c3p-focus';
import { buildConfInvite } from '../../lab/conference/conf-invite-builder';
import { type ConfState } from '../../core/conference/conference-info';
import { buildConferenceInfo } from '../../lab/conference/conference-info-builder';
import { ConferenceManager } from '../../core/conference/conference-manager';
import { MIME_CCCP, MIME_CONF_INVITE, MIME_CONFERENCE_INFO } from '../../core/conference/namespaces';
import { silentLogger } from '../../core/ports/logger';
import {
  AGENT_AOR,
  PeerDialog,
  TRANSACTION_MS,
  disposeChecked,
  settleAndCheck,
  startHarness,
  type Harness,
  type SipMessage,
} from '../../test/support/sip-harness';
import type { Rng } from '../rng';
import type { DialogModel } from './sequence';

const FOCUS = 'sip:organizer@lab.local;gruu;opaque=app:conf:focus:id:ABC';
const INVITER = 'sip:inviter@lab.local';
const SDP_ANSWER = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 0', 'c=IN IP4 127.0.0.1', 'a=setup:active', ''].join('\r\n');

/** One event of a conference sequence. */
export type ConferenceCommand =
  | { readonly k: 'invite' }
  | { readonly k: 'focus'; readonly outcome: 'success' | 'failure' | 403 | 'no-contact' }
  | { readonly k: 'subscribe' | 'mcu'; readonly status: number }
  | { readonly k: 'notify'; readonly state: ConfState; readonly version: number; readonly terminated: boolean }
  | { readonly k: 'benotify'; readonly inDialog: boolean; readonly version: number }
  | { readonly k: 'answer' | 'retransmit'; readonly pick: number; readonly status: number }
  | { readonly k: 'focusBye' | 'mcuBye' | 'leave' | 'reconnect' | 'drop' | 'unmute' | 'mute' | 'focusInfo' | 'focusReinvite' }
  | { readonly k: 'advance'; readonly ms: number };

function draw(rng: Rng): ConferenceCommand {
  switch (rng.int(20)) {
    case 0:
      return { k: 'invite' };
    case 1:
    case 2:
      return { k: 'focus', outcome: rng.pick(['success', 'success', 'success', 'failure', 403, 'no-contact'] as const) };
    case 3:
    case 4:
      return { k: 'subscribe', status: rng.pick([200, 200, 200, 481, 500]) };
    case 5:
      return { k: 'mcu', status: rng.pick([200, 200, 486]) };
    case 6:
    case 7:
      return { k: 'notify', state: rng.pick(['full', 'full', 'partial', 'deleted'] as const), version: rng.range(1, 4), terminated: rng.chance(0.1) };
    case 8:
      return { k: 'benotify', inDialog: rng.chance(0.6), version: rng.range(1, 5) };
    case 9:
    case 10:
      return { k: 'answer', pick: rng.int(8), status: rng.pick([200, 200, 202, 481, 491, 500, 408]) };
    case 11:
      return { k: 'retransmit', pick: rng.int(64), status: 0 };
    case 12:
      return { k: rng.pick(['focusBye', 'mcuBye'] as const) };
    case 13:
      return { k: rng.pick(['leave', 'reconnect', 'reconnect'] as const) };
    case 14:
      return { k: rng.pick(['mute', 'unmute'] as const) };
    case 15:
      return { k: rng.pick(['focusInfo', 'focusReinvite', 'drop'] as const) };
    default:
      return { k: 'advance', ms: rng.pick([1000, 5000, 30_000, TRANSACTION_MS, 900_000]) };
  }
}

type World = {
  readonly h: Harness;
  readonly manager: ConferenceManager;
  focus: PeerDialog | undefined;
  roster: PeerDialog | undefined;
  mcu: PeerDialog | undefined;
  seq: number;
};

function takeOutstanding(world: World, match: (m: SipMessage) => boolean): SipMessage | undefined {
  return world.h.peer.outstanding.find(match);
}

const isInvite = (type: string) => (m: SipMessage): boolean =>
  m.method === 'INVITE' && m.toTag === undefined && (m.headers.get('content-type')?.[0] ?? '').startsWith(type);

function answerFocus(world: World, outcome: 'success' | 'failure' | 403 | 'no-contact'): void {
  const request = takeOutstanding(world, isInvite(MIME_CCCP));
  if (!request) {
    return;
  }
  world.seq += 1;
  const tag = `f${world.seq}`;
  if (outcome === 403) {
    world.h.peer.answer(request, 403, { toTag: tag, headers: ['ms-diagnostics: 3010;reason="not allowed"'] });
    return;
  }
  const requestId = Number(/requestId="(\d+)"/.exec(request.body)?.[1] ?? '0');
  const body = buildC3PResponse({
    requestId,
    from: FOCUS,
    to: AGENT_AOR,
    code: outcome === 'failure' ? 'failure' : 'success',
    command: 'addUser',
    ...(outcome !== 'failure' && { body: { confEntity: FOCUS, userEntity: AGENT_AOR, grantedRole: 'attendee' } }),
  });
  const contact = outcome === 'no-contact' ? [] : ['Contact: <sip:focus@peer.invalid;transport=ws>'];
  world.h.peer.answer(request, 200, { toTag: tag, body, contentType: MIME_CCCP, headers: [...contact, 'Session-Expires: 1800;refresher=uac'] });
  world.focus = PeerDialog.fromAgentRequest(request, tag);
}

function conferenceInfo(state: ConfState, version: number): string {
  return buildConferenceInfo({
    entity: FOCUS,
    state,
    version,
    confUris: [{ uri: 'sip:organizer@lab.local;gruu;opaque=app:conf:audio-video:id:ABC', purpose: 'audio-video' }],
    users: [
      {
        entity: AGENT_AOR,
        roles: ['attendee'],
        endpoints: [{ entity: '{GUID-1}', sessionType: 'audio-video', status: 'connected', media: [{ id: '1', type: 'audio', status: 'sendrecv' }] }],
      },
    ],
  });
}

function remote(world: World, command: ConferenceCommand): void {
  const { peer } = world.h;
  switch (command.k) {
    case 'invite': {
      world.seq += 1;
      const dialog = new PeerDialog(`conf-inv${world.seq}`, INVITER, `i${world.seq}`, AGENT_AOR);
      peer.send(dialog.request('INVITE', { body: buildConfInvite({ focusUri: FOCUS, subject: 'Weekly', audio: true, im: false }), contentType: MIME_CONF_INVITE }));
      return;
    }
    case 'focus':
      answerFocus(world, command.outcome);
      return;
    case 'subscribe':
    case 'mcu': {
      const request = takeOutstanding(world, command.k === 'subscribe' ? (m) => m.method === 'SUBSCRIBE' && m.toTag === undefined : isInvite('application/sdp'));
      if (request) {
        world.seq += 1;
        const tag = `${command.k[0] ?? 'x'}${world.seq}`;
        const ok = command.status < 300;
        const headers = ok ? ['Contact: <sip:focus@peer.invalid;transport=ws>', ...(command.k === 'subscribe' ? ['Expires: 3600'] : [])] : [];
        peer.answer(request, command.status, { toTag: tag, headers, ...(ok && command.k === 'mcu' && { body: SDP_ANSWER, contentType: 'application/sdp' }) });
        if (ok) {
          world[command.k === 'subscribe' ? 'roster' : 'mcu'] = PeerDialog.fromAgentRequest(request, tag);
        }
      }
      return;
    }
    case 'notify':
      if (world.roster) {
        const state = command.terminated ? 'terminated;reason=noresource' : 'active;expires=3600';
        peer.send(world.roster.request('NOTIFY', { body: conferenceInfo(command.state, command.version), contentType: MIME_CONFERENCE_INFO, headers: ['Event: conference', `Subscription-State: ${state}`] }));
      }
      return;
    case 'benotify': {
      const dialog = command.inDialog ? world.roster : new PeerDialog('forged', FOCUS, 'forged', AGENT_AOR);
      if (dialog) {
        peer.send(dialog.request('BENOTIFY', { body: conferenceInfo('partial', command.version), contentType: MIME_CONFERENCE_INFO, headers: ['Event: conference'] }));
      }
      return;
    }
    case 'focusBye':
    case 'mcuBye': {
      const dialog = command.k === 'focusBye' ? world.focus : world.mcu;
      if (dialog) {
        peer.send(dialog.request('BYE', { headers: ['ms-diagnostics: 4;reason="ejected"'] }));
      }
      return;
    }
    case 'focusInfo':
    case 'focusReinvite':
      if (world.focus) {
        peer.send(world.focus.request(command.k === 'focusInfo' ? 'INFO' : 'INVITE', { body: '', contentType: MIME_CCCP }));
      }
      return;
    default:
      return;
  }
}

async function step(world: World, command: ConferenceCommand): Promise<void> {
  const { h, manager } = world;
  switch (command.k) {
    case 'answer': {
      const request = h.peer.pickOutstanding(command.pick);
      if (request) {
        h.peer.answer(request, command.status, request.method === 'INVITE' && command.status < 300 ? { headers: ['Contact: <sip:focus@peer.invalid;transport=ws>'] } : {});
      }
      break;
    }
    case 'retransmit': {
      h.peer.retransmit(command.pick);
      break;
    }
    case 'leave':
      manager.leave(FOCUS);
      break;
    case 'reconnect':
      manager.reconnectAudio(FOCUS);
      break;
    case 'mute':
    case 'unmute':
      manager.mute(FOCUS, command.k === 'mute');
      break;
    case 'drop':
      h.peer.drop();
      break;
    case 'advance':
      await h.time.advance(command.ms);
      return;
    default:
      remote(world, command);
  }
  await h.time.settle();
}

/** Runs one conference sequence on a fresh harness. */
export async function runConferenceSequence(commands: readonly ConferenceCommand[]): Promise<void> {
  let manager: ConferenceManager | undefined;
  let guid = 0;
  const h = await startHarness({
    setup: (engine, time) => {
      manager = new ConferenceManager(
        engine,
        { clock: time, logger: silentLogger, media: createNoMediaEngine(), newGuid: () => `00000000-0000-4000-8000-${String(++guid).padStart(12, '0')}` },
        { autoAccept: true, trustList: [INVITER], byeGraceMs: 5000, mediaReportMs: 1000 },
      );
    },
  });
  if (!manager) {
    throw new Error('no conference manager');
  }
  const world: World = { h, manager, focus: undefined, roster: undefined, mcu: undefined, seq: 0 };
  try {
    for (const command of commands) {
      await step(world, command);
    }
    manager.leave(FOCUS);
    const conferences = manager;
    await settleAndCheck(h, 4, 'leaving and 4·64·T1', () => (conferences.active().length > 0 ? `still in ${conferences.active().join(', ')} after leaving` : undefined));
  } catch (error) {
    await h.dispose();
    throw error;
  }
  await disposeChecked(h);
}

/** A conference (focus + roster + MCU), for `npm run fuzz` and the unit tests. */
export const conferenceModel: DialogModel<ConferenceCommand> = {
  name: 'dialog-conference',
  contract: [
    'Conference via ConferenceManager (auto-accepted invitation) on a real engine and sip.js core, no-media',
    'engine: focus INVITE answered with a C3P success 200, a failure 200, 403, or a 200 without Contact;',
    'SUBSCRIBE and MCU INVITE answered 200/481/500/486 or never; NOTIFY (full/partial/deleted, versions',
    '1-4, terminated), BENOTIFY in and out of the roster dialog, focus INFO and re-INVITE, focus and',
    'MCU BYE, answers 200/202/481/491/500/408 to the agent\'s requests, retransmission of any earlier',
    'message, connection drop; local mute, unmute, leave, reconnect audio; time steps up to 15 min',
    '(session refresh). Checks: nothing escapes, no fault, every request answered exactly once with',
    'an allowed status, BENOTIFY never answered; after leaving and 4·64·T1 no conference, fault',
    'registration or timer beyond the idle ones, none at all after the agent stops.',
  ].join('\n'),
  generate: (rng) => [{ k: 'invite' }, ...Array.from({ length: rng.range(1, 30) }, () => draw(rng))],
  run: runConferenceSequence,
  show: (command) => JSON.stringify(command),
};
