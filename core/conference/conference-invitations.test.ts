import type { IncomingInviteRequest } from 'sip.js/lib/core/index.js';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../common/agent-events';
import { silentLogger } from '../ports/logger';
import { FakeClock } from '../../test/support/fake-clock';
import { FaultBoundary } from '../sip/fault-boundary';
import { InviteAnswer } from '../sip/invite-answer';
import { RequestAdmission } from '../sip/request-admission';
import type { ConfInvite } from './conf-invite';
import { ConferenceInvitations, type ConferenceInvitationDeps, type ConferenceInvitationOptions } from './conference-invitations';
import { MAX_PREPARED_OFFERS, OfferPreparer, type PreparedOffer } from './prepared-offer';
import type { MediaEngine, MediaSession, MediaSessionOptions } from '../ports/media';

const VALID = '<Conferencing version="2.0"><focus-uri>sip:conf@lab.local;gruu;opaque=app:conf:focus:id:ABCDEFGH</focus-uri><subject>Help</subject><audio available="true"/><im available="false"/></Conferencing>';

const BOSS = 'sip:boss@lab.local';

/**
 * An in-memory stand-in for sip.js's IncomingInviteRequest that records what was answered and,
 * like sip.js, throws on a second final response.
 */
function fakeRequest(body: string, callId = 'call-1', from = BOSS) {
  const answers: { status: number; headers: string[] }[] = [];
  const session = { delegate: undefined as unknown, byes: 0, bye() { this.byes += 1; } };
  let final = false;
  const finalOnce = (status: number): void => {
    if (final) {
      throw new Error(`second final response ${status}`);
    }
    final = true;
  };
  const request = {
    message: { body, callId, getHeader: () => undefined, from: { uri: { toString: () => from } } },
    delegate: undefined as undefined | { onCancel?: (m: unknown) => void },
    progress: (o: { statusCode: number }) => answers.push({ status: o.statusCode, headers: [] }),
    accept: (o: { statusCode: number }) => {
      finalOnce(o.statusCode);
      answers.push({ status: o.statusCode, headers: [] });
      return { session };
    },
    reject: (o: { statusCode: number; extraHeaders?: string[] }) => {
      finalOnce(o.statusCode);
      answers.push({ status: o.statusCode, headers: o.extraHeaders ?? [] });
    },
  };
  return { request: new InviteAnswer(request as unknown as IncomingInviteRequest, silentLogger), raw: request, answers, session };
}

function setup(options: ConferenceInvitationOptions = {}, prepare?: ConferenceInvitationDeps['prepare']) {
  const clock = new FakeClock();
  const events: AgentEvent[] = [];
  const joined: ConfInvite[] = [];
  const inviters: string[] = [];
  const handedOver: (PreparedOffer | undefined)[] = [];
  const faults = new FaultBoundary(silentLogger, (f) => events.push({ type: 'error', code: 'internal', message: f.message }));
  const admission = new RequestAdmission(clock);
  let n = 0;
  const invitations = new ConferenceInvitations(
    {
      clock,
      logger: silentLogger,
      emit: (e) => events.push(e),
      join: (i, _conversation, inviter, prepared) => (joined.push(i), inviters.push(inviter), handedOver.push(prepared)),
      newId: () => `inv-${++n}`,
      faults,
      ring: (sender) => admission.ring(sender),
      ...(prepare !== undefined && { prepare }),
    },
    options,
  );
  return { clock, events, joined, inviters, invitations, faults, admission, handedOver };
}

describe('ConferenceInvitations', () => {
  it('rings, reports the invitation, and on accept answers 200, joins, then BYEs after the grace period', () => {
    const { clock, events, joined, invitations } = setup({ byeGraceMs: 5000 });
    const { request, answers, session } = fakeRequest(VALID);
    invitations.handle(request);
    expect(answers).toEqual([{ status: 180, headers: [] }]);
    // The invitation dialog is announced first, so a conversation window can show its trace.
    expect(events[0]).toMatchObject({ type: 'dialog', role: 'invitation', peer: 'sip:boss@lab.local' });
    expect(events[1]).toMatchObject({ type: 'invitation', id: 'inv-1', from: 'sip:boss@lab.local', subject: 'Help', audio: true, im: false });
    expect((events[1] as { conversationId?: string }).conversationId).toBe((events[0] as { conversationId: string }).conversationId);
    expect(invitations.accept('inv-1')).toBe(true);
    expect(answers.at(-1)?.status).toBe(200);
    expect(joined).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'invitation.accepted', id: 'inv-1' });
    expect(invitations.accept('inv-1')).toBe(false);
    clock.advance(4999);
    expect(session.byes).toBe(0);
    clock.advance(1);
    expect(session.byes).toBe(1);
  });

  it('tells the join who invited the agent, for the pane that follows (open question 36)', () => {
    const { inviters, invitations } = setup();
    invitations.handle(fakeRequest(VALID).request);
    invitations.accept('inv-1');
    expect(inviters).toEqual(['sip:boss@lab.local']);
  });

  it('declines with 603 and forgets the invitation', () => {
    const { events, invitations, joined } = setup();
    const { request, answers } = fakeRequest(VALID);
    invitations.handle(request);
    expect(invitations.decline('inv-1')).toBe(true);
    expect(answers.at(-1)?.status).toBe(603);
    expect(events.at(-1)).toMatchObject({ type: 'invitation.declined', id: 'inv-1' });
    expect(invitations.decline('inv-1')).toBe(false);
    expect(joined).toEqual([]);
  });

  it('answers 480 when nobody decides in time, and not before', () => {
    const { clock, events, invitations } = setup({ answerTimeoutMs: 1000 });
    const { request, answers } = fakeRequest(VALID);
    invitations.handle(request);
    clock.advance(999);
    expect(answers.map((a) => a.status)).toEqual([180]);
    clock.advance(1);
    expect(answers.map((a) => a.status)).toEqual([180, 480]);
    expect(events.at(-1)).toMatchObject({ type: 'invitation.cancelled', reason: 'timeout' });
    expect(invitations.pending()).toEqual([]);
  });

  it('answers 487 when the inviter cancels, and ignores a late accept', () => {
    const { events, invitations } = setup();
    const { request, raw, answers } = fakeRequest(VALID);
    invitations.handle(request);
    raw.delegate?.onCancel?.({});
    expect(answers.at(-1)?.status).toBe(487);
    expect(events.at(-1)).toMatchObject({ type: 'invitation.cancelled', reason: 'cancelled' });
    expect(invitations.accept('inv-1')).toBe(false);
  });

  it('accepts at once with autoAccept from a trusted sender', () => {
    const { invitations, joined, events } = setup({ autoAccept: true, trustList: [BOSS] });
    const { request, answers } = fakeRequest(VALID);
    invitations.handle(request);
    expect(answers.map((a) => a.status)).toEqual([180, 200]);
    expect(joined).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['dialog', 'invitation', 'invitation.accepted']);
  });

  it('refuses a bad body with 400 and a Warning that names the rule, without ringing', () => {
    const { invitations, events } = setup();
    const { request, answers } = fakeRequest('<Conferencing><subject>no focus</subject></Conferencing>');
    invitations.handle(request);
    expect(answers).toEqual([{ status: 400, headers: ['Warning: 399 switchboard "missing focus-uri"'] }]);
    expect(events).toEqual([]);
  });

  it('rings, even with autoAccept, for a sender not on the trust list', () => {
    const { invitations, joined, events } = setup({ autoAccept: true, trustList: ['sip:cc@lab.local'] });
    const { request, answers } = fakeRequest(VALID, 'call-2', 'sip:stranger@example.org');
    invitations.handle(request);
    expect(answers.map((a) => a.status)).toEqual([180]);
    expect(joined).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['dialog', 'invitation']);
  });

  it('answers every order of CANCEL, decline, accept and timeout with exactly one final response', () => {
    const orders = [
      ['cancel', 'decline', 'accept', 'timeout'],
      ['decline', 'cancel', 'timeout'],
      ['timeout', 'cancel', 'accept'],
      ['accept', 'cancel', 'decline', 'timeout'],
    ] as const;
    for (const order of orders) {
      const { clock, invitations, faults } = setup({ answerTimeoutMs: 100 });
      const { request, raw, answers } = fakeRequest(VALID);
      invitations.handle(request);
      for (const step of order) {
        if (step === 'cancel') {raw.delegate?.onCancel?.({});}
        if (step === 'decline') {invitations.decline('inv-1');}
        if (step === 'accept') {invitations.accept('inv-1');}
        if (step === 'timeout') {clock.advance(10_000);}
      }
      expect(answers.filter((a) => a.status >= 200), order.join(',')).toHaveLength(1);
      expect(faults.faults).toBe(0);
      expect(clock.pending).toBe(0);
    }
  });

  it('caps what rings from one sender with 486, and frees the slot once answered', () => {
    const { invitations, admission } = setup();
    const answered: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const { request, answers } = fakeRequest(VALID, `call-${i}`);
      invitations.handle(request);
      answered.push(answers.at(-1)?.status ?? 0);
    }
    expect(answered).toEqual([180, 180, 180, 180, 180, 486, 486]);
    expect(admission.ringing).toBe(5);
    invitations.decline('inv-1');
    expect(admission.ringing).toBe(4);
  });

  it('contains a fault in a handler: the invitation ends with 500, nothing escapes', () => {
    const { invitations, faults, events } = setup();
    const { request, raw, answers } = fakeRequest(VALID);
    invitations.handle(request);
    raw.progress = () => {
      throw new Error('boom');
    };
    faults.fault('call-1', 'test', new Error('boom'));
    expect(answers.at(-1)?.status).toBe(500);
    expect(invitations.pending()).toEqual([]);
    expect(events.some((e) => e.type === 'error' && e.code === 'internal')).toBe(true);
  });
});

/** An in-memory media session that counts offers and closes, and never connects. */
function fakeMedia() {
  const made: { offers: number; closes: number; options: MediaSessionOptions }[] = [];
  const engine: MediaEngine = {
    createSession(options: MediaSessionOptions = {}): MediaSession {
      const record = { offers: 0, closes: 0, options };
      made.push(record);
      return {
        state: 'new',
        muted: false,
        createOffer: () => {
          record.offers += 1;
          return Promise.resolve('v=0 prepared');
        },
        acceptAnswer: () => Promise.resolve(),
        answer: () => Promise.reject(new Error('not the answering side')),
        setMuted: () => undefined,
        stats: () => ({ packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 }),
        onStateChange: () => () => undefined,
        close: () => {
          record.closes += 1;
          return Promise.resolve();
        },
      };
    },
  };
  const preparer = new OfferPreparer(engine, silentLogger);
  return { made, preparer, prepare: (invite: ConfInvite) => preparer.prepare({ focusUri: invite.focusUri }) };
}

describe('ConferenceInvitations: media prepared while ringing (issue 15)', () => {
  it('makes the offer once while ringing and hands it, open, to the join on accept', async () => {
    const media = fakeMedia();
    const { invitations, handedOver } = setup({}, media.prepare);
    invitations.handle(fakeRequest(VALID).request);
    expect(media.made).toHaveLength(1);
    expect(media.made[0]).toMatchObject({ offers: 1, closes: 0, options: { focusUri: expect.stringContaining('sip:conf@lab.local') } });
    expect(invitations.accept('inv-1')).toBe(true);
    const taken = handedOver[0]?.take();
    expect(taken).toBeDefined();
    await expect(taken?.offer).resolves.toBe('v=0 prepared');
    // Taken once: the join owns it, nobody closes it behind its back, no second offer.
    expect(handedOver[0]?.take()).toBeUndefined();
    handedOver[0]?.discard();
    expect(media.made[0]).toMatchObject({ offers: 1, closes: 0 });
    expect(media.preparer.count).toBe(0);
  });

  it.each([
    ['decline', (t: ReturnType<typeof setup>) => t.invitations.decline('inv-1')],
    ['timeout', (t: ReturnType<typeof setup>) => t.clock.advance(30_000)],
    ['agent stopping', (t: ReturnType<typeof setup>) => t.invitations.dispose()],
  ] as const)('closes the prepared session on %s', (_name, end) => {
    const media = fakeMedia();
    const t = setup({}, media.prepare);
    t.invitations.handle(fakeRequest(VALID).request);
    end(t);
    expect(media.made[0]).toMatchObject({ offers: 1, closes: 1 });
    expect(media.preparer.count).toBe(0);
    expect(t.joined).toHaveLength(0);
  });

  it('closes the prepared session on CANCEL', () => {
    const media = fakeMedia();
    const { invitations } = setup({}, media.prepare);
    const { request, raw } = fakeRequest(VALID);
    invitations.handle(request);
    raw.delegate?.onCancel?.({});
    expect(media.made[0]).toMatchObject({ offers: 1, closes: 1 });
    expect(invitations.accept('inv-1')).toBe(false);
  });

  it('closes the prepared session when the accept fails (answered meanwhile)', () => {
    const media = fakeMedia();
    const { invitations, joined } = setup({}, media.prepare);
    const { request, raw } = fakeRequest(VALID);
    invitations.handle(request);
    raw.accept = () => {
      throw new Error('transaction gone');
    };
    expect(invitations.accept('inv-1')).toBe(false);
    expect(joined).toHaveLength(0);
    expect(media.made[0]).toMatchObject({ closes: 1 });
    expect(media.preparer.count).toBe(0);
  });

  it('prepares nothing for an invitation without audio or a quiet one; an auto-accepted one joins with its offer at once', async () => {
    const noAudio = fakeMedia();
    setup({}, noAudio.prepare).invitations.handle(fakeRequest(VALID.replace('<audio available="true"/>', '<audio available="false"/>')).request);
    expect(noAudio.made).toHaveLength(0);

    const quiet = fakeMedia();
    setup({ doNotDisturb: () => true }, quiet.prepare).invitations.handle(fakeRequest(VALID).request);
    expect(quiet.made).toHaveLength(0);

    const auto = fakeMedia();
    const { invitations, handedOver } = setup({ autoAccept: true, trustList: [BOSS] }, auto.prepare);
    invitations.handle(fakeRequest(VALID).request);
    expect(auto.made).toHaveLength(1);
    await expect(handedOver[0]?.take()?.offer).resolves.toBe('v=0 prepared');
    expect(auto.made[0]).toMatchObject({ offers: 1, closes: 0 });
  });

  it(`prepares at most ${MAX_PREPARED_OFFERS} at once; the others ring and join as before`, () => {
    const media = fakeMedia();
    const { invitations, handedOver } = setup({}, media.prepare);
    for (let i = 0; i < MAX_PREPARED_OFFERS + 2; i += 1) {
      invitations.handle(fakeRequest(VALID, `call-${i}`, `sip:boss${i}@lab.local`).request);
    }
    expect(media.made).toHaveLength(MAX_PREPARED_OFFERS);
    expect(invitations.pending()).toHaveLength(MAX_PREPARED_OFFERS + 2);
    // A declined one frees its place for the next invitation.
    invitations.decline('inv-1');
    invitations.handle(fakeRequest(VALID, 'call-late', 'sip:late@lab.local').request);
    expect(media.made).toHaveLength(MAX_PREPARED_OFFERS + 1);
    // An invitation that rang without prepared media joins with none.
    expect(invitations.accept(`inv-${MAX_PREPARED_OFFERS + 1}`)).toBe(true);
    expect(handedOver).toEqual([undefined]);
  });
});
