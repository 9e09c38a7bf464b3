/**
 * Thrown when a state machine is asked for a move its diagram does not have: a programming
 * error, never a protocol one (callers check the state before acting on a request and answer a
 * request for a dead dialog themselves, e.g. 481 per RFC 3261 §12.2.2).
 * @public
 */
export class IllegalTransitionError<S extends string = string> extends Error {
  override readonly name: string = 'IllegalTransitionError';

  constructor(
    readonly machine: string,
    readonly from: S,
    readonly to: S,
  ) {
    super(`${machine}: ${from} -> ${to} is not allowed`);
  }
}

/** The legal moves of a state machine: each state with the states it may move to. @public */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * The one guarded transition function of a state machine, made from its table of legal moves,
 * so that every machine in the engine refuses a move the same way (the SIP.js session pattern).
 * @param machine - Names the machine in the error, e.g. `"context channel"`.
 * @param makeError - For machines that expose their own error class.
 * @returns `(from, to, instance?)` that returns `to` when the table allows the move, and throws
 * otherwise; `instance` (an id, a URI) is added to the machine's name in the message.
 * @public
 */
export function guardedTransition<S extends string>(
  machine: string,
  legal: TransitionTable<S>,
  makeError: (machine: string, from: S, to: S) => Error = (name, from, to) => new IllegalTransitionError(name, from, to),
): (from: S, to: S, instance?: string) => S {
  const allowed = new Map<S, ReadonlySet<S>>(Object.entries(legal).map(([from, to]) => [from as S, new Set(to as readonly S[])]));
  return (from, to, instance) => {
    if (allowed.get(from)?.has(to) !== true) {
      throw makeError(instance === undefined ? machine : `${machine} ${instance}`, from, to);
    }
    return to;
  };
}
