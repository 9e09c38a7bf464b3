/**
 * One agent's `crm-context` pane, seen from the contact center: the context channel in the
 * conversation, the summary it opens with, the full context on request, and the pane's
 * messages read against the protocol.
 * @packageDocumentation
 */
import { ChannelState } from '../../core/channels/channel-state';
import type { Logger } from '../../core/ports/logger';
import {
  CC_CONTENT_TYPE,
  paneToCenterSchema,
  type CenterToPane,
  type ContextSummary,
  type PaneToCenter,
} from '../../extensions/crm-context/cc-protocol';
import type { ConversationContextChannel, EstablishOutcome } from '../channels/conversation-context-channel';
import { clip, fullContext, type CapturedContext } from './customer-context';
import { config as zodConfig, locales as zodLocales } from 'zod/mini';

// The protocol's schemas are zod/mini (small pane bundles), which loads no message locale: the
// contact center's refusals name the field and the rule in English, so load it on this side.
zodConfig(zodLocales.en());

/** The `crm-context` extension's application id (extensions/crm-context/extension.json). @public */
export const CRM_CONTEXT_APP_ID = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
/** Where an agent without the extension is sent (the manifest's `installLink`). */
const INSTALL_LINK = 'https://crm.example.org/switchboard/install';

/** What {@link AgentPane} needs. @public */
export type AgentPaneDeps = {
  readonly context: CapturedContext;
  readonly summary: ContextSummary;
  /** The conference's conversation id: the pane opens beside the chat, in the same conversation. */
  readonly conversationId: string;
  /** A valid message of the pane other than `context.request` (answered here). */
  readonly onMessage: (message: Exclude<PaneToCenter, { type: 'context.request' }>) => void;
  readonly logger: Logger;
};

/**
 * The contact center's end of one agent's pane (UCMA's ConversationContextChannel).
 * @remarks The INVITE carries the summary ({@link summarize}); `context.request` for this
 * request's id is answered with the full context; anything that is not JSON of the protocol is
 * answered with an `error` naming what was wrong, and goes no further.
 * @public
 */
export class AgentPane {
  private readonly log: Logger;

  constructor(
    private readonly channel: ConversationContextChannel,
    private readonly deps: AgentPaneDeps,
  ) {
    this.log = deps.logger.child('pane');
    channel.onDataReceived((data) => this.receive(data.contentType, data.body));
  }

  /** The agent this pane belongs to. */
  get agent(): string {
    return this.channel.remoteEndpoint;
  }

  /** Whether the channel is up (data can flow). */
  get isOpen(): boolean {
    return this.channel.state === ChannelState.Established || this.channel.state === ChannelState.Recovering;
  }

  /** Calls `listener` when the channel ends (the agent closed the pane, or left). */
  onClosed(listener: () => void): void {
    this.channel.onStateChanged((state) => {
      if (state === ChannelState.Terminated) {
        listener();
      }
    });
  }

  /** Opens the pane with the summary; resolves with the agent's answer (200, 403, 488, 603…). */
  open(): Promise<EstablishOutcome> {
    const { context, summary } = this.deps;
    return this.channel.establish(CRM_CONTEXT_APP_ID, {
      applicationName: 'CRM context',
      toast: clip(`${context.name}: ${context.question}`, 80),
      applicationInstallerPath: INSTALL_LINK,
      remoteConversationId: this.deps.conversationId,
      contextualData: JSON.stringify(summary),
    });
  }

  /** Sends a message to the pane (INFO); false when it was not delivered. */
  async send(message: CenterToPane): Promise<boolean> {
    if (!this.isOpen) {
      return false;
    }
    const outcome = await this.channel.sendData(CC_CONTENT_TYPE, JSON.stringify(message));
    if (!outcome.ok) {
      this.log.info('pane message not delivered', { agent: this.agent, type: message.type, status: outcome.status, reason: outcome.reason });
    }
    return outcome.ok;
  }

  /** Ends the channel (BYE) if it is still up. */
  close(): void {
    this.channel.terminate();
  }

  private receive(contentType: string, body: string): void {
    if (!contentType.toLowerCase().startsWith(CC_CONTENT_TYPE)) {
      void this.send({ type: 'error', ref: 'message', message: `expected ${CC_CONTENT_TYPE}, got ${clip(contentType, 60)}` });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      void this.send({ type: 'error', ref: 'message', message: 'not JSON' });
      return;
    }
    const parsed = paneToCenterSchema.safeParse(json);
    if (!parsed.success) {
      const ref = typeof json === 'object' && json !== null && typeof (json as { type?: unknown }).type === 'string' ? clip((json as { type: string }).type, 40) : 'message';
      void this.send({ type: 'error', ref, message: clip(parsed.error.issues.map((i) => `${i.path.join('.') || ref}: ${i.message}`).join('; '), 300) });
      return;
    }
    const message = parsed.data;
    if (message.type === 'context.request') {
      if (message.id !== this.deps.context.id) {
        void this.send({ type: 'error', ref: 'context.request', message: 'no such request in this conversation' });
        return;
      }
      void this.send(fullContext(this.deps.context));
      return;
    }
    this.log.debug('pane message', { agent: this.agent, type: message.type });
    this.deps.onMessage(message);
  }
}
