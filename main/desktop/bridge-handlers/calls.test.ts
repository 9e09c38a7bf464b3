import { describe, expect, it } from 'vitest';
import type { AgentCommand } from '../../../common/agent-commands';
import { parseBridgeParams } from '../../../common/bridge';
import type { CallCommandResult } from '../../../core/calls/call-manager';
import type { CommandResult } from '../../agent/agent-host';
import { callHandlers, type CallsAreaContext } from './calls';
import { BridgeFailure } from './failures';

/** Runs a handler and gives back its refusal, or fails the test when it did not refuse. */
function refusal(run: () => unknown): BridgeFailure['error'] {
  try {
    run();
  } catch (error) {
    if (error instanceof BridgeFailure) {
      return error.error;
    }
    throw error;
  }
  throw new Error('the handler did not refuse');
}

/** An agent whose commands are recorded and answered with `answer`, with the calls named in `live`. */
function fakeAgent(answer: CommandResult = { ok: true }, live: readonly string[] = ['call-1'], placed: CallCommandResult = { ok: true, id: 'call-2' }) {
  const commands: AgentCommand[] = [];
  const dialled: [string, string | undefined][] = [];
  const agent = {
    execute: (command: AgentCommand) => (commands.push(command), answer),
    calls: {
      get: (id: string) => (live.includes(id) ? {} : undefined),
      call: (to: string, conversationId?: string) => (dialled.push([to, conversationId]), placed),
    },
  };
  return { commands, dialled, context: { runningAgent: () => agent } as unknown as CallsAreaContext };
}

describe('call handlers', () => {
  it('send each method as the agent command a headless agent reads', () => {
    const { commands, context } = fakeAgent();
    const handlers = callHandlers(context);
    expect(handlers['call.answer']({ id: 'call-1' }, undefined)).toEqual({});
    handlers['call.decline']({ id: 'call-1' }, undefined);
    handlers['call.hold']({ id: 'call-1', held: true }, undefined);
    handlers['call.mute']({ id: 'call-1', muted: true }, undefined);
    handlers['call.dtmf']({ id: 'call-1', digits: '12#' }, undefined);
    handlers['call.transfer']({ id: 'call-1', to: 'sip:b@lab.local' }, undefined);
    handlers['call.hangup']({ id: 'call-1' }, undefined);
    expect(commands).toEqual([
      { cmd: 'answer', id: 'call-1' },
      { cmd: 'decline', id: 'call-1' },
      { cmd: 'hold', id: 'call-1', held: true },
      { cmd: 'mute', id: 'call-1', muted: true },
      { cmd: 'dtmf', id: 'call-1', digits: '12#' },
      { cmd: 'transfer', id: 'call-1', to: 'sip:b@lab.local' },
      { cmd: 'hangup', id: 'call-1' },
    ]);
  });

  it('answer not-found for a call the agent does not have, refused for a transfer it will not make, unavailable with no agent', () => {
    const gone = fakeAgent({ ok: false, message: 'no connected call call-9' });
    expect(refusal(() => callHandlers(gone.context)['call.hold']({ id: 'call-9', held: true }, undefined))).toEqual({ code: 'not-found', message: 'no connected call call-9' });
    expect(refusal(() => callHandlers(gone.context)['call.transfer']({ id: 'call-9', to: 'sip:b@lab.local' }, undefined))).toEqual({ code: 'not-found', message: 'no call call-9' });
    expect(gone.commands).toEqual([{ cmd: 'hold', id: 'call-9', held: true }]);
    const busy = fakeAgent({ ok: false, message: 'call call-1 cannot be transferred now' });
    expect(refusal(() => callHandlers(busy.context)['call.transfer']({ id: 'call-1', to: 'call-3' }, undefined))).toEqual({ code: 'refused', message: 'call call-1 cannot be transferred now' });
    expect(refusal(() => callHandlers({ runningAgent: () => undefined })['call.answer']({ id: 'call-1' }, undefined))).toEqual({ code: 'unavailable', message: 'the agent is not running' });
  });

  it('place a call in a new conversation, or the one named, and give back both ids', async () => {
    const { dialled, context } = fakeAgent();
    const placed = await callHandlers(context)['call.place']({ to: 'sip:conf@lab.local' }, undefined);
    expect(placed).toEqual({ id: 'call-2', conversationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(dialled).toEqual([['sip:conf@lab.local', placed.conversationId]]);
    expect(callHandlers(context)['call.place']({ to: 'sip:conf@lab.local', conversationId: 'conv-1' }, undefined)).toEqual({ id: 'call-2', conversationId: 'conv-1' });
    const full = fakeAgent({ ok: true }, [], { ok: false, message: '4 calls at once already' });
    expect(refusal(() => callHandlers(full.context)['call.place']({ to: 'sip:conf@lab.local' }, undefined))).toEqual({ code: 'refused', message: '4 calls at once already' });
  });

  it('are reached only with params the contract accepts', () => {
    expect(parseBridgeParams('call.dtmf', { id: 'call-1', digits: '0123456789*#' })).toMatchObject({ ok: true });
    expect(parseBridgeParams('call.dtmf', { id: 'call-1', digits: '12x' })).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('digits') } });
    expect(parseBridgeParams('call.dtmf', { id: 'call-1', digits: '1'.repeat(33) })).toMatchObject({ ok: false });
    expect(parseBridgeParams('call.place', { to: '5551234' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('SIP URI with a user') } });
    expect(parseBridgeParams('call.place', { to: 'sip:5551234@lab.local' })).toMatchObject({ ok: true });
    expect(parseBridgeParams('call.transfer', { id: 'call-1', to: 'call-2' })).toMatchObject({ ok: true });
    expect(parseBridgeParams('call.transfer', { id: 'call-1', to: 'not a target' })).toMatchObject({ ok: false });
    expect(parseBridgeParams('call.hold', { id: 'call-1' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('held') } });
    expect(parseBridgeParams('call.answer', { id: '', extra: 1 })).toMatchObject({ ok: false });
  });
});
