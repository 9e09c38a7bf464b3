import type { IncomingInviteRequest } from 'sip.js/lib/core/index.js';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../common/agent-events';
import { silentLogger } from '../ports/logger';
import { FakeClock } from '../../test/support/fake-clock';
import { FaultBoundary } from '../sip/fault-boundary';
import { InviteAnswer } from '../sip/invite-answer';
import { RequestAdmission } from '../sip/request-admission';
import type { ConfInvite } from './conf-invite';
import { ConferenceInvitations, type ConferenceInvitationOptions } from './conference-invitations';

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

function setup(options: ConferenceInvitationOptions = {}) {
  const clock = new FakeClock();
  const events: AgentEvent[] = [];
  const joined: ConfInvite[] = [];
  const inviters: string[] = [];
  const faults = new FaultBoundary(silentLogger, (f) => events.push({ type: 'error', code: 'internal', message: f.message }));
  const admission = new RequestAdmission(clock);
  let n = 0;
  const invitations = new ConferenceInvitations(
    { clock, logger: silentLogger, emit: (e) => events.push(e), join: (i, _conversation, inviter) => (joined.push(i), inviters.push(inviter)), newId: () => `inv-${++n}`, faults, ring: (sender) => admission.ring(sender) },
    options,
  );
  return { clock, events, joined, inviters, invitations, faults, admission };
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
