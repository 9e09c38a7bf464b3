import { z } from 'zod';
import { callStateSchema, mediaStateSchema, type AgentEvent } from './agent-events';

/**
 * The two-party calls of one conversation as the desktop shows them (issue 17): who, which way,
 * the state with its reason, mute, hold, the audio and how loud it arrives, a transfer under way,
 * the digits the other side sent.
 */

/** Where a call's audio runs and on which devices (as `host.audio` says for a conference). */
const callAudioSchema = z.strictObject({
  where: z.enum(['window', 'host']),
  microphone: z.string().optional(),
  speaker: z.string().optional(),
  problem: z.string().optional(),
});

/**
 * The host's event for a call's audio placement: a window's WebRTC stack with the agent's
 * devices, or the host's own engine, and why.
 */
export const callAudioEventSchema = z.strictObject({ type: z.literal('host.call.audio'), callId: z.string(), ...callAudioSchema.shape });
/** @public */
export type CallAudioEvent = z.infer<typeof callAudioEventSchema>;

export const callViewSchema = z.strictObject({
  /** The call's id in `call` events and commands. */
  id: z.string(),
  /** The other side's URI. */
  peer: z.string(),
  /** The name the caller gave (`From` display name). */
  displayName: z.string().optional(),
  /** The agent placed the call. */
  outgoing: z.boolean(),
  /** `held`: the agent holds it; `remote-held`: the other side does (RFC 3264 §8.4). */
  state: callStateSchema,
  /** Why it ended (`transferred`, `the other side hung up`…). */
  reason: z.string().optional(),
  startedAt: z.number(),
  connectedAt: z.number().optional(),
  endedAt: z.number().optional(),
  muted: z.boolean(),
  /** The latest `call.media`: state, RTP counters and how loud the other side arrives (0 to 1). */
  media: z
    .strictObject({ state: mediaStateSchema, packetsSent: z.number().int(), packetsReceived: z.number().int(), level: z.number().optional() })
    .optional(),
  audio: callAudioSchema.optional(),
  /** The agent's transfer (REFER, RFC 3515): where to and how far it got. */
  transfer: z
    .strictObject({
      to: z.string(),
      state: z.enum(['requested', 'accepted', 'succeeded', 'failed']),
      status: z.number().int().optional(),
      reason: z.string().optional(),
    })
    .optional(),
  /** Digits the other side sent (SIP INFO, or RFC 4733 events where the engine hears them), the latest {@link CALL_DIGITS_KEPT}. */
  digitsReceived: z.string(),
});
/** One call as the desktop shows it. @public */
export type CallView = z.infer<typeof callViewSchema>;

/** Received digits kept per call (enough for a PIN or an account number). */
export const CALL_DIGITS_KEPT = 32;
/** Calls kept per conversation (a conversation may hold a replaced call and its successor). */
export const CALLS_KEPT = 8;

/** The events of the call area. */
export type CallEvent = Extract<AgentEvent, { type: 'call.state' | 'call.media' | 'call.dtmf' | 'call.transfer' }> | CallAudioEvent;

/** Whether an event changes a call that is already in a conversation. */
export function isCallEvent(event: { type: string }): event is CallEvent {
  return event.type === 'call.state' || event.type === 'call.media' || event.type === 'call.dtmf' || event.type === 'call.transfer' || event.type === 'host.call.audio';
}

/** The call an event is about. */
export const callIdOf = (event: CallEvent): string => (event.type === 'host.call.audio' ? event.callId : event.id);

/** A new call's view from its first `call.state` in a conversation (`displayName` from its toast). */
export function newCallView(event: Extract<AgentEvent, { type: 'call.state' }>, at: number, displayName?: string): CallView {
  return {
    id: event.id,
    peer: event.peer,
    ...(displayName !== undefined && { displayName }),
    outgoing: event.outgoing,
    state: event.state,
    ...(event.reason !== undefined && { reason: event.reason }),
    startedAt: at,
    ...(event.state === 'connected' && { connectedAt: at }),
    ...(event.state === 'ended' && { endedAt: at }),
    muted: false,
    digitsReceived: '',
  };
}

/** How a call is named in lines: its display name, else its address without the scheme. */
export const callName = (call: Pick<CallView, 'peer' | 'displayName'>): string => call.displayName ?? call.peer.replace(/^sips?:/i, '');

/**
 * Applies one event to a call (pure) and says what the conversation's history should note, if
 * anything: connected, hold either way, resume, the end and its reason, a transfer's steps.
 * @param at - when the host saw the event
 */
export function reduceCall(call: CallView, event: CallEvent, at: number): { call: CallView; line?: string } {
  switch (event.type) {
    case 'call.state':
      return callState(call, event, at);
    case 'call.media': {
      const { state, packetsSent, packetsReceived, level } = event;
      return { call: { ...call, muted: event.muted, media: { state, packetsSent, packetsReceived, ...(level !== undefined && { level }) } } };
    }
    case 'call.dtmf':
      return { call: { ...call, digitsReceived: `${call.digitsReceived}${event.digit}`.slice(-CALL_DIGITS_KEPT) } };
    case 'call.transfer': {
      const { to, state, status, reason } = event;
      const transfer = { to, state, ...(status !== undefined && { status }), ...(reason !== undefined && { reason }) };
      return { call: { ...call, transfer }, ...(transferLine(event) !== undefined && { line: transferLine(event) }) };
    }
    case 'host.call.audio': {
      const { where, microphone, speaker, problem } = event;
      return { call: { ...call, audio: { where, ...(microphone !== undefined && { microphone }), ...(speaker !== undefined && { speaker }), ...(problem !== undefined && { problem }) } } };
    }
  }
}

function callState(call: CallView, event: Extract<AgentEvent, { type: 'call.state' }>, at: number): { call: CallView; line?: string } {
  if (event.state === call.state || call.state === 'ended') {
    return { call };
  }
  const next: CallView = {
    ...call,
    state: event.state,
    ...(event.reason !== undefined && { reason: event.reason }),
    ...(event.state === 'connected' && call.connectedAt === undefined && { connectedAt: at }),
    ...(event.state === 'ended' && { endedAt: at }),
  };
  const line = stateLine(call, event);
  return { call: next, ...(line !== undefined && { line }) };
}

/** The history line of a state change, from the state it leaves. */
function stateLine(call: CallView, event: Extract<AgentEvent, { type: 'call.state' }>): string | undefined {
  const name = callName(call);
  switch (event.state) {
    case 'ringing':
      return `${name} is ringing`;
    case 'connected':
      if (call.state === 'held') {
        return 'Resumed the call';
      }
      return call.state === 'remote-held' ? `${name} resumed the call` : `Connected with ${name}`;
    case 'held':
      return 'Put the call on hold';
    case 'remote-held':
      return `${name} put the call on hold`;
    case 'ended':
      return `Call ended${event.reason !== undefined ? `: ${event.reason}` : ''}`;
    case 'dialing':
      return undefined;
  }
}

function transferLine(event: Extract<AgentEvent, { type: 'call.transfer' }>): string | undefined {
  const to = event.to.replace(/^sips?:/i, '');
  switch (event.state) {
    case 'requested':
      return `Transferring the call to ${to}`;
    case 'succeeded':
      return `Transferred the call to ${to}`;
    case 'failed':
      return `Transfer to ${to} failed${event.reason !== undefined ? `: ${event.reason}` : event.status !== undefined ? `: ${event.status}` : ''}`;
    case 'accepted':
      return undefined;
  }
}
