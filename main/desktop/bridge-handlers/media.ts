import type { BridgeCaller } from '../desktop-platform';
import type { MediaWindow, WindowMediaRouter } from '../window-media';
import { fail } from './failures';
import type { AreaHandlers } from './types';

/** What the media handlers need of the session. */
export type MediaAreaContext = {
  /** Conference audio, carried by the window that attached last (`window-media.ts`). */
  readonly media: Pick<WindowMediaRouter, 'attach' | 'reply' | 'report'>;
};

/** The bridge methods of the media link (`common/media-link.ts`). */
export type MediaMethod = 'media.attach' | 'media.reply' | 'media.report';

/**
 * `media.attach`, `media.reply` and `media.report` of `common/bridge.ts`: a window offers to
 * carry conference audio, then answers the media commands sent to it. Replies and reports
 * count only from a window that attached, and only for the sessions it carries.
 */
export function mediaHandlers({ media }: MediaAreaContext): AreaHandlers<MediaMethod> {
  // One media window per caller: attaching twice is a no-op, and it is forgotten when it goes.
  const windows = new WeakMap<BridgeCaller, MediaWindow>();
  const attach = (caller: BridgeCaller | undefined): boolean => {
    if (caller === undefined) {
      return fail('unsupported', 'media.attach: this host cannot send media commands to the caller');
    }
    if (windows.has(caller)) {
      return true;
    }
    const window: MediaWindow = { send: caller.sendMedia };
    windows.set(caller, window);
    const detach = media.attach(window);
    caller.onGone(() => {
      detach();
      windows.delete(caller);
    });
    return true;
  };
  const windowOf = (caller: BridgeCaller | undefined): MediaWindow | undefined => (caller === undefined ? undefined : windows.get(caller));
  const notCarried = (method: MediaMethod, mediaId: string): never => fail('not-found', `${method}: this window carries no media session ${mediaId}`);
  return {
    'media.attach': (_params, caller) => ({ attached: attach(caller) }),
    'media.reply': (reply, caller) => {
      const window = windowOf(caller);
      return window !== undefined && media.reply(window, reply) ? {} : notCarried('media.reply', reply.mediaId);
    },
    'media.report': (report, caller) => {
      const window = windowOf(caller);
      return window !== undefined && media.report(window, report) ? {} : notCarried('media.report', report.mediaId);
    },
  };
}
