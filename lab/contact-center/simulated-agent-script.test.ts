import { describe, expect, it } from 'vitest';
import { agentCommandSchema, type AgentCommand } from '../../common/agent-commands';
import type { AgentEvent } from '../../common/agent-events';
import { CC_CONTEXT_KIND } from '../../extensions/crm-context/cc-protocol';
import { CRM_CONTEXT_APP_ID } from './agent-pane';
import { SimulatedAgentScript, type ScriptStep } from './simulated-agent-script';

const SELF = 'sip:tess@lab.local';
const FOCUS = 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:LAB1';
const CONV = 'conv-LAB1';
const CUSTOMER = 'sip:r-1@guests.lab.local';
const PAUSES = { greetingMs: 400, replyMinMs: 1000, replyMaxMs: 2000, wrapUpMs: 800 };

const script = (options: { maxReplies?: number; wrapUpCode?: string } = {}): SimulatedAgentScript =>
  new SimulatedAgentScript({ aor: SELF, name: 'Tess', skill: 'technical', replies: ['one', 'two', 'three'], ...options }, { pauses: PAUSES, random: () => 0.5 });

const joined: AgentEvent = { type: 'conference.joined', focusUri: FOCUS, conversationId: CONV };
const chatUp: AgentEvent = { type: 'im.state', conversationId: CONV, focusUri: FOCUS, state: 'connected' };
const line = (text: string, from = CUSTOMER, extra: Partial<Extract<AgentEvent, { type: 'im' }>> = {}): AgentEvent => ({
  type: 'im',
  conversationId: CONV,
  focusUri: FOCUS,
  from,
  contentType: 'text/plain',
  text,
  messageId: `m-${text}`,
  ...extra,
});
const context = (overrides: Record<string, unknown> = {}): AgentEvent => ({
  type: 'channel.context',
  appId: CRM_CONTEXT_APP_ID,
  conversationId: CONV,
  channelId: 'ch-1',
  data: JSON.stringify({
    kind: CC_CONTEXT_KIND,
    id: 'r-1',
    role: 'agent',
    name: 'Grace',
    email: 'grace@example.org',
    question: 'I forgot my password',
    pages: ['/'],
    pageCount: 1,
    skill: 'technical',
    call: false,
    customer: CUSTOMER,
    complete: true,
    wrapUpCodes: [
      { code: 'resolved', label: 'Resolved' },
      { code: 'callback', label: 'Call back' },
    ],
    skills: ['billing', 'technical', 'sales'],
    ...overrides,
  }),
});
const paneHears = (body: unknown): AgentEvent => ({ type: 'channel.data', appId: CRM_CONTEXT_APP_ID, conversationId: CONV, channelId: 'ch-1', contentType: 'application/json', body: JSON.stringify(body) });

const commands = (steps: readonly ScriptStep[]): Extract<ScriptStep, { kind: 'command' }>[] => steps.filter((s): s is Extract<ScriptStep, { kind: 'command' }> => s.kind === 'command');
const texts = (steps: readonly ScriptStep[]): string[] => commands(steps).map((s) => (s.command.cmd === 'im' ? s.command.text : `<${s.command.cmd}>`));

/** A script that has joined, has its chat up and knows the customer, at time 0. */
function inConversation(options: { maxReplies?: number; wrapUpCode?: string } = {}, contextOverrides: Record<string, unknown> = {}): SimulatedAgentScript {
  const s = script(options);
  s.react(joined, 0);
  s.react(chatUp, 0);
  s.react(context(contextOverrides), 0);
  return s;
}

describe('SimulatedAgentScript', () => {
  it('greets the customer with its name and skill once the conference chat is up, after a short pause', () => {
    const s = script();
    expect(commands(s.react(joined, 0))).toEqual([]);
    const steps = commands(s.react(chatUp, 100));
    expect(steps).toEqual([{ kind: 'command', command: { cmd: 'im', focusUri: FOCUS, text: "Hello, I'm Tess from the technical team. I'm reading your question now." }, afterMs: 400, conversation: CONV, note: 'greeting' }]);
    expect(s.react(chatUp, 200)).toEqual([]);
  });

  it('keeps lines heard before the pane names the customer, then answers the customer\u2019s alone', () => {
    const s = script();
    s.react(joined, 0);
    s.react(chatUp, 0);
    expect(s.react(line('I forgot my password'), 10)).toEqual([]);
    expect(s.react(line('I can help too', 'sip:agent@lab.local'), 20)).toEqual([]);
    const steps = s.react(context(), 50);
    // One reply, after the greeting (at 400) plus a pause: 400 + 1000 + 0.5 × 1000 = 1900, i.e. 1850 from now.
    expect(commands(steps).map((c) => [c.afterMs, c.command])).toEqual([[1850, { cmd: 'im', focusUri: FOCUS, text: 'one' }]]);
  });

  it('answers customer lines only: not colleagues, not its own lines, not two-party chats', () => {
    const s = inConversation();
    expect(s.react(line('hi', 'sip:sam@lab.local'), 0)).toEqual([]);
    expect(s.react(line('my own line', SELF), 0)).toEqual([]);
    expect(s.react(line('sent by me', CUSTOMER, { outgoing: true }), 0)).toEqual([]);
    expect(s.react({ ...line('a two-party chat'), focusUri: undefined } as AgentEvent, 0)).toEqual([]);
    expect(texts(s.react(line('it says error 42', 'SIP:R-1@guests.lab.local'), 0))).toEqual(['one']);
  });

  it('replies in order, each a pause after the previous one, and at most maxReplies times', () => {
    const s = inConversation({ maxReplies: 2 });
    const first = commands(s.react(line('a'), 1000));
    const second = commands(s.react(line('b'), 1100));
    expect(first.map((c) => c.afterMs)).toEqual([1500]);
    // Planned 1500 ms after the first reply (at 2500), not 1500 ms after the line.
    expect(second.map((c) => c.afterMs)).toEqual([2900]);
    expect(texts([...first, ...second])).toEqual(['one', 'two']);
    const third = s.react(line('c'), 1200);
    expect(third).toEqual([expect.objectContaining({ kind: 'log', message: 'reply limit reached; later customer lines go unanswered' })]);
    expect(s.react(line('d'), 1300)).toEqual([]);
  });

  it('sends the wrap-up code over its pane when the customer leaves, and drops replies still waiting', () => {
    const s = inConversation();
    s.react(line('a'), 0);
    const steps = s.react(paneHears({ type: 'customer.left' }), 500);
    expect(steps[0]).toEqual({ kind: 'cancel', conversation: CONV });
    expect(commands(steps)).toEqual([
      {
        kind: 'command',
        command: { cmd: 'send', appId: CRM_CONTEXT_APP_ID, contentType: 'application/json', body: '{"type":"wrapup","code":"resolved"}', channelId: 'ch-1' },
        afterMs: 800,
        conversation: CONV,
        note: 'wrap-up code resolved',
      },
    ]);
    // The customer has gone: nothing more to answer.
    expect(s.react(line('late line'), 600)).toEqual([]);
    expect(s.react(paneHears({ type: 'ack', ref: 'wrapup' }), 700)).toEqual([expect.objectContaining({ kind: 'log', message: 'wrap-up code taken' })]);
  });

  it('picks the first offered code when its own is not offered, and none as a supervisor', () => {
    const other = inConversation({ wrapUpCode: 'fixed' });
    expect(commands(other.react(paneHears({ type: 'customer.left' }), 0))[0]?.command).toMatchObject({ body: '{"type":"wrapup","code":"resolved"}' });
    const supervisor = inConversation({}, { role: 'supervisor' });
    const steps = supervisor.react(paneHears({ type: 'customer.left' }), 0);
    expect(commands(steps)).toEqual([]);
    expect(steps).toContainEqual(expect.objectContaining({ kind: 'log', message: 'the customer left; a supervisor owes no wrap-up code' }));
  });

  it('forgets the conversation when it leaves the conference, dropping what still waits', () => {
    const s = inConversation();
    s.react(line('a'), 0);
    expect(s.react({ type: 'conference.left', focusUri: FOCUS, reason: 'ended' }, 100)).toEqual([{ kind: 'cancel', conversation: CONV }, expect.objectContaining({ kind: 'log', message: 'left the conversation' })]);
    expect(s.active).toEqual([]);
    expect(s.react(paneHears({ type: 'customer.left' }), 200)).toEqual([]);
  });

  it('ignores other panes and contexts that are not the contact center\u2019s, and logs refusals', () => {
    const s = script();
    s.react(joined, 0);
    expect(s.react({ ...context(), appId: '{6F2C4B1E-3A5D-4E7F-8B9C-0D1E2F3A4B5C}' } as AgentEvent, 0)).toEqual([]);
    expect(s.react({ ...context(), data: '{"name":"a plain card"}' } as AgentEvent, 0)).toEqual([expect.objectContaining({ kind: 'log', level: 'warn' })]);
    expect(s.react(paneHears({ type: 'error', ref: 'wrapup', message: 'unknown wrap-up code "x"' }), 0)).toEqual([
      expect.objectContaining({ kind: 'log', level: 'warn', fields: expect.objectContaining({ reason: 'unknown wrap-up code "x"' }) as unknown }),
    ]);
  });

  it('writes only commands the agent accepts', () => {
    const s = script();
    const steps = [...s.react(joined, 0), ...s.react(chatUp, 0), ...s.react(line('q'), 0), ...s.react(context(), 0), ...s.react(line('more'), 0), ...s.react(paneHears({ type: 'customer.left' }), 0)];
    const sent: AgentCommand[] = commands(steps).map((c) => c.command);
    expect(sent.map((c) => c.cmd)).toEqual(['im', 'im', 'im', 'send']);
    for (const command of sent) {
      expect(agentCommandSchema.safeParse(command).success).toBe(true);
    }
  });
});
