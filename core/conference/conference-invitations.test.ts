import type { IncomingInviteRequest } from 'sip.js/lib/core/index.js';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../common/agent-events';
import { silentLogger } from '../ports/logger';
import { FakeClock } from '../../test/support/fake-clock';
import type { ConfInvite } from './conf-invite';
import { ConferenceInvitations } from './conference-invitations';

const VALID = '<Conferencing version="2.0"><focus-uri>sip:conf@lab.local;gruu;opaque=app:conf:focus:id:ABCDEFGH</focus-uri><subject>Help</subject><audio available="true"/><im available="false"/></Conferencing>';

/** An in-memory stand-in for sip.js's IncomingInviteRequest that records what was answered. */
function fakeRequest(body: string) {
  const answers: { status: number; headers: string[] }[] = [];
  const session = { delegate: undefined as unknown, byes: 0, bye() { this.byes += 1; } };
  const request = {
    message: { body, callId: 'call-1', getHeader: () => undefined, from: { uri: { toString: () => 'sip:boss@lab.local' } } },
    delegate: undefined as undefined | { onCancel?: (m: unknown) => void },
    progress: (o: { statusCode: number }) => answers.push({ status: o.statusCode, headers: [] }),
    accept: (o: { statusCode: number }) => {
      answers.push({ status: o.statusCode, headers: [] });
      return { session };
    },
    reject: (o: { statusCode: number; extraHeaders?: string[] }) => answers.push({ status: o.statusCode, headers: o.extraHeaders ?? [] }),
  };
  return { request: request as unknown as IncomingInviteRequest, raw: request, answers, session };
}

function setup(options = {}) {
  const clock = new FakeClock();
  const events: AgentEvent[] = [];
  const joined: ConfInvite[] = [];
  let n = 0;
  const invitations = new ConferenceInvitations(
    { clock, logger: silentLogger, emit: (e) => events.push(e), join: (i) => joined.push(i), newId: () => `inv-${++n}` },
    options,
  );
  return { clock, events, joined, invitations };
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

  it('accepts at once with autoAccept', () => {
    const { invitations, joined, events } = setup({ autoAccept: true });
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
});
