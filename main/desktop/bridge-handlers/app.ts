import type { BridgeResult } from '../../../common/bridge';
import type { DesktopPlatform } from '../desktop-platform';
import type { EmbeddedLab } from '../embedded-lab';
import { fail } from './failures';
import type { AreaHandlers } from './types';

/** What the app-wide handlers need of the session. */
export type AppAreaContext = {
  readonly version: string;
  readonly platform: Pick<DesktopPlatform, 'host' | 'openExternal' | 'openConversation'>;
  /** Whether the embedded lab can be started here (its bundle is present, or the options say so). */
  readonly labAvailable: () => boolean;
  /** The current desktop state and the number of the last event it reflects. */
  readonly snapshot: () => BridgeResult<'state.snapshot'>;
  /** The embedded lab while it runs (no account configured). */
  readonly embeddedLab: () => Pick<EmbeddedLab, 'tryIt'> | undefined;
  /** Shows a notice in every window. */
  readonly notice: (level: 'info' | 'warning', text: string) => void;
};

/** The bridge methods about the app and its host rather than one feature. */
export type AppMethod = 'app.info' | 'state.snapshot' | 'lab.try' | 'shell.openExternal' | 'window.openConversation';

/**
 * `app.info`, `state.snapshot`, `lab.try`, `shell.openExternal` and `window.openConversation`
 * of `common/bridge.ts`: facts about the host, the state a window starts from, the embedded
 * lab's try-it actions, and what only some shells can do (answered `false` where they cannot).
 */
export function appHandlers(context: AppAreaContext): AreaHandlers<AppMethod> {
  const { platform } = context;
  return {
    'app.info': () => ({ name: 'Switchboard', version: context.version, host: platform.host, labAvailable: context.labAvailable() }),
    'state.snapshot': () => context.snapshot(),
    'lab.try': async ({ action }) => {
      const lab = context.embeddedLab() ?? fail('unavailable', 'the embedded lab is not running (an account is configured)');
      try {
        const message = await lab.tryIt(action);
        context.notice('info', message);
        return { message };
      } catch (error) {
        return fail('refused', error instanceof Error ? error.message : String(error));
      }
    },
    'shell.openExternal': async ({ url }) => {
      if (!platform.openExternal) {
        return { opened: false };
      }
      await platform.openExternal(url);
      return { opened: true };
    },
    'window.openConversation': ({ conversationId }) => ({ opened: platform.openConversation?.(conversationId) ?? false }),
  };
}
