import type { BridgeMethod, BridgeParsedParams, BridgeResult } from '../../../common/bridge';
import type { BridgeCaller } from '../desktop-platform';

/**
 * The handler of one bridge method `M`: it receives the params as `bridgeMethods[M].params`
 * of `common/bridge.ts` parsed them, and the window that asked (undefined when its host cannot
 * name it), and answers with what `bridgeMethods[M].result` describes. To refuse, it throws a
 * `BridgeFailure` (see `failures.ts`), which `DesktopSession.handle` turns into the error
 * envelope; nothing else about the transport reaches it.
 */
export type BridgeHandler<M extends BridgeMethod> = (params: BridgeParsedParams<M>, caller: BridgeCaller | undefined) => Promise<BridgeResult<M>> | BridgeResult<M>;

/**
 * The dispatch table: one handler per method of the contract, each typed by that method's own
 * params and result, so the compiler refuses a table that misses a method or mistypes one.
 */
export type BridgeHandlers = { [M in BridgeMethod]: BridgeHandler<M> };

/** The handlers of one area: the slice of {@link BridgeHandlers} it fills. */
export type AreaHandlers<M extends BridgeMethod> = Pick<BridgeHandlers, M>;
