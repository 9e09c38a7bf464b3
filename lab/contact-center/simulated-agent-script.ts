/**
 * What a simulated contact-center agent does, as a state machine with no process and no timer:
 * each event of its `switchboard agent --json` goes in with the time, and the steps come out
 * (commands for its stdin, each after a pause; pending commands to drop; lines for the log).
 * `simulated-agent.ts` carries the steps out on a real process; the unit tests read them.
 *
 * The agent runs with `--auto-accept` and the contact center trusted, so offers and the
 * `crm-context` pane are accepted by the agent itself; the script only talks:
 * - once the conference's chat is up, it greets the customer with its name and skill;
 * - each line from the customer (the `customer` of the pane's initial context) gets the next
 *   canned reply after a human-like pause, at most `maxReplies` per conversation;
 * - when its pane hears `customer.left`, it sends a wrap-up code, so the contact center ends
 *   the conversation and routes to it again.
 * @packageDocumentation
 */
import type { AgentCommand } from '../../common/agent-commands';
import type { AgentEvent, AgentEventOf } from '../../common/agent-events';
import type { LogFields } from '../../core/ports/logger';
import { CC_CONTENT_TYPE, centerToPaneSchema, contextSummarySchema, readJson } from '../../extensions/crm-context/cc-protocol';
import { CRM_CONTEXT_APP_ID } from './agent-pane';

/** Who a simulated agent is, and what it says. @public */
export type SimulatedAgentProfile = {
  /** Its address of record, as the contact center's configuration lists it. */
  readonly aor: string;
  /** The name it gives in its greeting. */
  readonly name: string;
  /** The skill it names in its greeting (one of its skills in the configuration). */
  readonly skill: string;
  /** Canned replies, said in turn (the last one again if the list runs out). */
  readonly replies?: readonly string[];
  /** Replies per conversation; later customer lines go unanswered. Default 3. */
  readonly maxReplies?: number;
  /** The wrap-up code it picks; the first code the pane offers when this one is not among them. Default `resolved`. */
  readonly wrapUpCode?: string;
};

/** How long the simulated agent takes, in ms. @public */
export type SimulatedAgentPauses = {
  /** From the chat being up to the greeting. */
  readonly greetingMs: number;
  /** A reply comes between these two after the customer's line (uniformly, by `random`). */
  readonly replyMinMs: number;
  readonly replyMaxMs: number;
  /** From `customer.left` to the wrap-up code. */
  readonly wrapUpMs: number;
};

/** The default pauses: quick enough for a newcomer's minute, slow enough to read as a person. @public */
export const DEFAULT_PAUSES: SimulatedAgentPauses = { greetingMs: 400, replyMinMs: 1200, replyMaxMs: 2500, wrapUpMs: 800 };

/** Replies when the profile has none. */
const DEFAULT_REPLIES = ['Thanks, let me check that for you.', 'I can see it here; one moment please.', 'That should be sorted now. Anything else I can do?'];

/** One thing the plumbing does for the script. @public */
export type ScriptStep =
  /** Write `command` on the agent's stdin after `afterMs`; `conversation` lets a later `cancel` drop it. */
  | { readonly kind: 'command'; readonly command: AgentCommand; readonly afterMs: number; readonly conversation: string; readonly note: string }
  /** Drop the commands of `conversation` that are still waiting. */
  | { readonly kind: 'cancel'; readonly conversation: string }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn'; readonly message: string; readonly fields?: LogFields };

type Conversation = {
  readonly key: string;
  focusUri: string | undefined;
  chat: boolean;
  greeted: boolean;
  /** The customer's URI, from the pane's initial context. */
  customer: string | undefined;
  role: 'agent' | 'supervisor' | undefined;
  wrapUpCodes: readonly string[];
  channelId: string | undefined;
  /** Lines heard before the context said who the customer is (at most `maxReplies`). */
  held: { from: string; text: string }[];
  replies: number;
  /** Whether the log already said this conversation reached `maxReplies`. */
  limitSaid: boolean;
  /** When our last planned line (greeting or reply) goes out (ms, the caller's clock). */
  lastReplyAt: number;
  customerLeft: boolean;
};

/**
 * The reaction logic of one simulated agent: {@link SimulatedAgentScript.react} maps an event to
 * the steps it calls for. Deterministic given `random`.
 * @public
 */
export class SimulatedAgentScript {
  private readonly conversations = new Map<string, Conversation>();
  private readonly pauses: SimulatedAgentPauses;
  private readonly random: () => number;
  private readonly self: string;

  constructor(
    private readonly profile: SimulatedAgentProfile,
    options: { readonly pauses?: Partial<SimulatedAgentPauses>; readonly random?: () => number } = {},
  ) {
    this.pauses = { ...DEFAULT_PAUSES, ...options.pauses };
    this.random = options.random ?? Math.random;
    this.self = profile.aor.toLowerCase();
  }

  /** The conversations the agent is in (their keys: `Ms-Conversation-ID`, else the focus URI). */
  get active(): readonly string[] {
    return [...this.conversations.keys()];
  }

  /**
   * The steps `event` calls for.
   * @param now - the caller's clock in ms (only differences matter: replies keep their order)
   */
  react(event: AgentEvent, now: number): ScriptStep[] {
    switch (event.type) {
      case 'conference.joined': {
        const conversation = this.conversation(event.conversationId ?? event.focusUri, event.focusUri);
        return [{ kind: 'log', level: 'info', message: 'joined a customer conversation', fields: { conversation: conversation.key } }, ...this.greetIfReady(conversation, now)];
      }
      case 'im.state':
        return this.chatState(event, now);
      case 'im':
        return this.heard(event, now);
      case 'channel.context':
        return event.appId === CRM_CONTEXT_APP_ID ? this.paneOpened(event, now) : [];
      case 'channel.data':
        return event.appId === CRM_CONTEXT_APP_ID ? this.paneData(event) : [];
      case 'conference.left':
        return this.left(event);
      default:
        return [];
    }
  }

  private conversation(key: string, focusUri?: string): Conversation {
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = { key, focusUri, chat: false, greeted: false, customer: undefined, role: undefined, wrapUpCodes: [], channelId: undefined, held: [], replies: 0, limitSaid: false, lastReplyAt: 0, customerLeft: false };
      this.conversations.set(key, conversation);
    }
    conversation.focusUri ??= focusUri;
    return conversation;
  }

  /** The `im` command into the conversation's conference chat. */
  private say(conversation: Conversation, text: string): AgentCommand {
    return conversation.focusUri !== undefined ? { cmd: 'im', focusUri: conversation.focusUri, text } : { cmd: 'im', conversationId: conversation.key, text };
  }

  private greetIfReady(conversation: Conversation, now: number): ScriptStep[] {
    if (!conversation.chat || conversation.greeted || conversation.customerLeft) {
      return [];
    }
    conversation.greeted = true;
    conversation.lastReplyAt = now + this.pauses.greetingMs;
    const text = `Hello, I'm ${this.profile.name} from the ${this.profile.skill} team. I'm reading your question now.`;
    return [{ kind: 'command', command: this.say(conversation, text), afterMs: this.pauses.greetingMs, conversation: conversation.key, note: 'greeting' }];
  }

  private chatState(event: AgentEventOf<'im.state'>, now: number): ScriptStep[] {
    // Only a conference's chat (it has a focus URI); two-party chats are not the contact center's.
    if (event.focusUri === undefined || event.state !== 'connected') {
      return [];
    }
    const conversation = this.conversation(event.conversationId, event.focusUri);
    conversation.chat = true;
    return this.greetIfReady(conversation, now);
  }

  private heard(event: AgentEventOf<'im'>, now: number): ScriptStep[] {
    if (event.outgoing === true || event.focusUri === undefined || event.from.toLowerCase() === this.self) {
      return [];
    }
    const conversation = this.conversation(event.conversationId, event.focusUri);
    if (conversation.customer === undefined) {
      // The chat can be up before the pane says who the customer is: keep the line until it does.
      if (conversation.held.length < this.maxReplies) {
        conversation.held.push({ from: event.from, text: event.text });
      }
      return [];
    }
    return event.from.toLowerCase() === conversation.customer ? this.reply(conversation, now) : [];
  }

  private get maxReplies(): number {
    return this.profile.maxReplies ?? 3;
  }

  private reply(conversation: Conversation, now: number): ScriptStep[] {
    if (conversation.customerLeft) {
      return [];
    }
    if (conversation.replies >= this.maxReplies) {
      if (conversation.limitSaid) {
        return [];
      }
      conversation.limitSaid = true;
      return [{ kind: 'log', level: 'info', message: 'reply limit reached; later customer lines go unanswered', fields: { conversation: conversation.key, limit: this.maxReplies } }];
    }
    const replies = this.profile.replies ?? DEFAULT_REPLIES;
    const text = replies[Math.min(conversation.replies, replies.length - 1)] ?? DEFAULT_REPLIES[0] ?? 'Thanks.';
    conversation.replies += 1;
    const { replyMinMs, replyMaxMs } = this.pauses;
    const pause = replyMinMs + Math.round(this.random() * Math.max(0, replyMaxMs - replyMinMs));
    // A pause after the later of the customer's line and our previous line: replies keep their
    // order, and two lines in a row do not get two answers at once.
    const at = Math.max(now, conversation.lastReplyAt) + pause;
    conversation.lastReplyAt = at;
    return [{ kind: 'command', command: this.say(conversation, text), afterMs: at - now, conversation: conversation.key, note: `reply ${conversation.replies} of at most ${this.maxReplies}` }];
  }

  private paneOpened(event: AgentEventOf<'channel.context'>, now: number): ScriptStep[] {
    const context = readJson(contextSummarySchema, event.data);
    if (!context) {
      return [{ kind: 'log', level: 'warn', message: 'the pane opened without a contact-center context; not answering in it', fields: { conversation: event.conversationId } }];
    }
    const conversation = this.conversation(event.conversationId);
    conversation.customer = context.customer.toLowerCase();
    conversation.role = context.role;
    conversation.wrapUpCodes = context.wrapUpCodes.map((c) => c.code);
    conversation.channelId = event.channelId;
    const held = conversation.held.splice(0);
    const steps: ScriptStep[] = [{ kind: 'log', level: 'info', message: 'pane opened', fields: { conversation: conversation.key, customer: context.name, skill: context.skill, role: context.role } }];
    const fromCustomer = held.filter((line) => line.from.toLowerCase() === conversation.customer);
    fromCustomer.forEach(() => steps.push(...this.reply(conversation, now)));
    return steps;
  }

  private paneData(event: AgentEventOf<'channel.data'>): ScriptStep[] {
    const message = readJson(centerToPaneSchema, event.body);
    const conversation = this.conversations.get(event.conversationId);
    if (!message || !conversation) {
      return [];
    }
    switch (message.type) {
      case 'customer.left':
        return this.wrapUp(conversation, event.appId, event.channelId);
      case 'ack':
        return message.ref === 'wrapup' ? [{ kind: 'log', level: 'info', message: 'wrap-up code taken', fields: { conversation: conversation.key } }] : [];
      case 'error':
        return [{ kind: 'log', level: 'warn', message: 'the contact center refused a pane message', fields: { conversation: conversation.key, ref: message.ref, reason: message.message } }];
      default:
        return [];
    }
  }

  private wrapUp(conversation: Conversation, appId: string, channelId: string): ScriptStep[] {
    conversation.customerLeft = true;
    // Replies still waiting would go to nobody: the customer has gone.
    const steps: ScriptStep[] = [{ kind: 'cancel', conversation: conversation.key }];
    if (conversation.role === 'supervisor') {
      return [...steps, { kind: 'log', level: 'info', message: 'the customer left; a supervisor owes no wrap-up code', fields: { conversation: conversation.key } }];
    }
    const wanted = this.profile.wrapUpCode ?? 'resolved';
    const code = conversation.wrapUpCodes.length === 0 || conversation.wrapUpCodes.includes(wanted) ? wanted : (conversation.wrapUpCodes[0] ?? wanted);
    const command: AgentCommand = { cmd: 'send', appId, contentType: CC_CONTENT_TYPE, body: JSON.stringify({ type: 'wrapup', code }), channelId: conversation.channelId ?? channelId };
    return [...steps, { kind: 'command', command, afterMs: this.pauses.wrapUpMs, conversation: conversation.key, note: `wrap-up code ${code}` }];
  }

  private left(event: AgentEventOf<'conference.left'>): ScriptStep[] {
    const conversation = [...this.conversations.values()].find((c) => c.focusUri === event.focusUri);
    if (!conversation) {
      return [];
    }
    this.conversations.delete(conversation.key);
    return [
      { kind: 'cancel', conversation: conversation.key },
      { kind: 'log', level: 'info', message: 'left the conversation', fields: { conversation: conversation.key, reason: event.reason, replies: conversation.replies } },
    ];
  }
}
