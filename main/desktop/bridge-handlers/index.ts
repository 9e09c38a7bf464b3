import { agentHandlers, type AgentAreaContext } from './agent';
import { appHandlers, type AppAreaContext } from './app';
import { callHandlers, type CallsAreaContext } from './calls';
import { extensionsHandlers, type ExtensionsAreaContext } from './extensions';
import { mediaHandlers, type MediaAreaContext } from './media';
import { paneHandlers, type PaneAreaContext } from './panes';
import { imHandlers, type ImAreaContext } from './im';
import { presenceHandlers, type PresenceAreaContext } from './presence';
import { settingsHandlers, type SettingsAreaContext } from './settings';
import { traceHandlers, type TraceAreaContext } from './trace';
import type { BridgeHandlers } from './types';

export { BridgeFailure, knownBridgeError } from './failures';
export type { BridgeHandler, BridgeHandlers } from './types';

/**
 * All that the bridge handlers may see and do of the desktop session: the union of what each
 * area asks for, which the session grants without handing out its private state.
 */
export type BridgeHandlerContext = AppAreaContext & AgentAreaContext & MediaAreaContext & PaneAreaContext & TraceAreaContext & ExtensionsAreaContext & SettingsAreaContext & PresenceAreaContext & ImAreaContext & CallsAreaContext;

/** The handler tables of the areas, in the order {@link createBridgeHandlers} merges them. */
type HandlerAreas = [
  ReturnType<typeof appHandlers>,
  ReturnType<typeof agentHandlers>,
  ReturnType<typeof mediaHandlers>,
  ReturnType<typeof paneHandlers>,
  ReturnType<typeof traceHandlers>,
  ReturnType<typeof extensionsHandlers>,
  ReturnType<typeof settingsHandlers>,
  ReturnType<typeof presenceHandlers>,
  ReturnType<typeof imHandlers>,
  ReturnType<typeof callHandlers>,
];

/** The methods of `Areas` that an earlier area already handles. */
type ClaimedAgain<Areas extends readonly object[], Seen = never> = Areas extends readonly [infer First extends object, ...infer Rest extends readonly object[]]
  ? Extract<keyof First, Seen> | ClaimedAgain<Rest, Seen | keyof First>
  : never;

/**
 * The methods two areas both handle: `never`, which `bridge-handlers.test.ts` makes the
 * compiler check, since merging the areas would silently keep the last one.
 */
export type MethodsHandledTwice = ClaimedAgain<HandlerAreas>;

/**
 * The dispatch table of the bridge: one handler per method of `common/bridge.ts`, from the
 * area that owns it. Typed {@link BridgeHandlers}, so the compiler refuses a method without a
 * handler or a handler whose params or result differ from the contract's.
 */
export function createBridgeHandlers(context: BridgeHandlerContext): BridgeHandlers {
  return {
    ...appHandlers(context),
    ...agentHandlers(context),
    ...mediaHandlers(context),
    ...paneHandlers(context),
    ...traceHandlers(context),
    ...extensionsHandlers(context),
    ...settingsHandlers(context),
    ...presenceHandlers(context),
    ...imHandlers(context),
    ...callHandlers(context),
  };
}
