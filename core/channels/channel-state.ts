import { guardedTransition, IllegalTransitionError } from '../util/state-machine';
/**
 * The life cycle of one conversation context channel (one INVITE dialog, we are its UAS).
 * @packageDocumentation
 */

/**
 * States of a context channel.
 *
 * ```
 *  Idle --INVITE--> Establishing --ACK of our 2xx--> Established --transport lost--> Recovering
 *                     |                                |     ^                         |   |
 *                     |                                |     +---transport back and ---+   |
 *                     |                                |         remote target refreshed   |
 *                     +--------------------------------+-----------------------------------+
 *                     |  we send BYE: our 2xx never ACKed, pane closed, conversation ended,
 *                     v  fatal error
 *                   Terminating
 *                     |  BYE answered, timed out, or crossed by the peer's BYE
 *                     v
 *                   Terminated (final)
 *                     ^
 *                     +-- straight from Establishing (refused, CANCEL, transport lost), from
 *                         Established (BYE received, 481/408) and from Recovering (gave up,
 *                         BYE received)
 * ```
 *
 * Meaning and events (the full list is {@link CHANNEL_TRANSITIONS}):
 * - `Establishing` spans the INVITE server transaction and the wait for the ACK of our 2xx.
 *   The channel counts as established on the ACK, not when the 200 is sent: until then the
 *   UAS may not send BYE (RFC 3261 §15), and only the ACK proves the sender has our 200, so
 *   the pane is launched and INFO sent only from `Established`. If the 2xx is never
 *   acknowledged (64·T1), RFC 3261 §13.3.1.4 says to send BYE: `Establishing -> Terminating`.
 * - `Recovering` is the agent's transport dropping under an established channel. The channel is
 *   kept (UCMA-CCC: it lives as long as the conversation) until the connection supervisor is
 *   back and the remote target is refreshed (a re-INVITE/UPDATE with our new Contact), or until
 *   it gives up, which ends the channel without a BYE since none can be sent.
 * - `Terminating` is our BYE in flight; a BYE that crosses it, its answer, or its timeout
 *   (Timer F) all lead to `Terminated`.
 * - `Terminated` is final: the dialog is gone, later INFO gets 481 (protocol notes open
 *   question 10).
 *
 * Self-moves are illegal: a second transport loss while `Recovering` changes nothing.
 * @public
 */
export enum ChannelState {
  Idle = 'Idle',
  Establishing = 'Establishing',
  Established = 'Established',
  Recovering = 'Recovering',
  Terminating = 'Terminating',
  Terminated = 'Terminated',
}

/** One legal move and the events that cause it. @public */
export type ChannelTransition = { readonly from: ChannelState; readonly to: ChannelState; readonly on: string };

const S = ChannelState;

/**
 * Every legal move of a context channel, with its cause.
 * @remarks UCMA-CCC for when a channel ends (either side's BYE, the conversation ending, a
 * fatal failure); RFC 3261 §12.2.1.2 (a 481 or 408 to an in-dialog request ends the dialog),
 * §13.3.1.4 (an unacknowledged 2xx), §15 (BYE), and protocol notes section 1.4.
 * @public
 */
export const CHANNEL_TRANSITIONS: readonly ChannelTransition[] = [
  { from: S.Idle, to: S.Establishing, on: 'channel INVITE received' },
  { from: S.Establishing, to: S.Established, on: 'ACK received for our 2xx' },
  { from: S.Establishing, to: S.Terminating, on: 'our 2xx was never acknowledged: we send BYE (RFC 3261 §13.3.1.4)' },
  { from: S.Establishing, to: S.Terminated, on: 'refused (400/403/415/488/603), CANCEL received (487), or transport lost before the ACK' },
  { from: S.Established, to: S.Recovering, on: 'transport lost' },
  { from: S.Established, to: S.Terminating, on: 'we send BYE: pane closed, conversation ended, or a fatal error' },
  { from: S.Established, to: S.Terminated, on: 'BYE received, or 481/408 to one of our in-dialog requests' },
  { from: S.Recovering, to: S.Established, on: 'transport back and remote target refreshed' },
  { from: S.Recovering, to: S.Terminating, on: 'pane closed or conversation ended while recovering: BYE sent on the new connection' },
  { from: S.Recovering, to: S.Terminated, on: 'gave up recovering (no BYE can be sent), or BYE received' },
  { from: S.Terminating, to: S.Terminated, on: 'BYE answered, BYE timed out, or the peer BYE crossed ours' },
];

const LEGAL = Object.fromEntries(
  Object.values(ChannelState).map((from) => [from, CHANNEL_TRANSITIONS.filter((t) => t.from === from).map((t) => t.to)]),
) as Record<ChannelState, ChannelState[]>;

/**
 * Thrown by {@link transitionChannel} on a move {@link CHANNEL_TRANSITIONS} does not list.
 * @remarks A programming error, never a protocol one: callers check the state before acting on
 * a request, and answer a request for a dead channel with 481 themselves.
 * @public
 */
export class IllegalChannelTransitionError extends IllegalTransitionError<ChannelState> {
  override readonly name = 'IllegalChannelTransitionError';

  constructor(from: ChannelState, to: ChannelState) {
    super('context channel', from, to);
  }
}

/**
 * The one guarded transition of a context channel: returns `to`, or throws.
 * @throws {@link IllegalChannelTransitionError} when the move is not legal
 * @public
 */
export const transitionChannel: (from: ChannelState, to: ChannelState) => ChannelState = guardedTransition('context channel', LEGAL, (_machine, from, to) => new IllegalChannelTransitionError(from, to));

/**
 * Whether INFO may flow on a channel in this state.
 * @remarks Only `Established`: before the ACK the pane does not exist yet, and after a BYE
 * the dialog is ending (RFC 6086 §1: INFO belongs to an invite dialog usage; UCMA-CCC sends
 * context data only on an established channel).
 * Callers answer INFO received in any other state per protocol notes open question 10.
 * @public
 */
export function channelCarriesInfo(state: ChannelState): boolean {
  return state === ChannelState.Established;
}
