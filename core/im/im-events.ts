import type { AgentEvent } from '../../common/agent-events';
import type { ImReport } from './im-session';

/** Where an IM dialog's reports go: its conversation, and what its `im` events carry besides. @public */
export type ImEventContext = {
  readonly conversationId: string;
  /** Fields every `im` event of this conversation carries (`focusUri` or `peer`). */
  readonly imFields: { readonly focusUri?: string; readonly peer?: string };
  readonly newMessageId: () => string;
};

/**
 * The agent event for one report of an {@link ImSession}: `im` for a received message,
 * `im.delivery`, `im.typing`; undefined for `dead`, which the dialog's owner handles.
 * @remarks One mapping for conference chat and two-party sessions, so both speak the same
 * contract (README, headless events).
 * @public
 */
export function imEventOf(report: ImReport, context: ImEventContext): AgentEvent | undefined {
  const { conversationId } = context;
  switch (report.kind) {
    case 'message':
      return { type: 'im', conversationId, ...context.imFields, from: report.from, contentType: report.contentType, text: report.text, messageId: context.newMessageId() };
    case 'delivery':
      return {
        type: 'im.delivery',
        conversationId,
        messageId: report.messageId,
        state: report.state,
        ...(report.reason !== undefined && { reason: report.reason }),
        ...(report.failed !== undefined && { failed: [...report.failed] }),
      };
    case 'typing':
      return { type: 'im.typing', conversationId, from: report.from, typing: report.typing };
    case 'dead':
      return undefined;
  }
}
