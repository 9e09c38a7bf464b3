/**
 * What to answer a context channel INVITE: a pure decision, no SIP objects.
 * @packageDocumentation
 */
import { MIME_CONF_INVITE } from '../conference/namespaces';
import { SDP_CONTENT_TYPE } from '../ports/media';
import { mediaTypeOf } from '../sip/invite-router';
import type { SessionInvite, SessionInviteRule } from './session-invite';
import { MIME_SESSION_INVITE, parseSessionInvite } from './session-invite';
import { isListedSipAor } from './sip-identity';
import { toWarningText } from './warning-text';

/**
 * What the agent knows about an installed application: at least its name.
 * @public
 */
export type ChannelRegistration = { readonly name: string };

/**
 * The facts {@link decideChannelInvite} needs.
 * @typeParam R - the caller's registration record, handed back on acceptance
 * @public
 */
export type ChannelInviteFacts<R extends ChannelRegistration = ChannelRegistration> = {
  /** The `Content-Type` header, parameters allowed. */
  readonly contentType: string | undefined;
  readonly body: string;
  /** The From URI (or name-addr) of the INVITE. */
  readonly fromUri: string;
  /** Whether the INVITE belongs to a conference rather than a two-party call. */
  readonly inConference: boolean;
  /** SIP URIs allowed to open channels inside a conference, e.g. the contact-center apps. */
  readonly trustList: readonly string[];
  /**
   * The local registration of a normalised application id, or `undefined`. A default pane
   * (protocol notes open question 18) is this function returning it for unknown ids.
   */
  readonly isRegistered: (appId: string) => R | undefined;
  /** Accept without asking the user (open question 2: an escalation the agent already has). */
  readonly autoAccept: boolean;
  /**
   * The address of record whose conference invitation or call the agent accepted in this
   * conversation, if any (open question 35): its pane opens without asking again.
   */
  readonly acceptedPeer?: string;
};

/** Install notice data for an application that is not installed. @public */
export type ChannelInstallNotice = { readonly name: string | undefined; readonly link: string | undefined };

/**
 * The answer to a channel INVITE.
 * @remarks Status codes per protocol notes open question 7 and RFC 3261 §21.4: 415 Unsupported
 * Media Type with `Accept` (§21.4.13), 403 Forbidden (§21.4.4), 400 Bad Request with a
 * `Warning` (§21.4.1, §20.43), 488 Not Acceptable Here with a `Warning` (§21.4.26). `warning`
 * and `reason` are safe inside a `quoted-string`. `ask` means alert the user (603 Decline if
 * they refuse, §21.6.2); `accept` means answer 200 now.
 * @public
 */
export type ChannelDecision<R extends ChannelRegistration = ChannelRegistration> =
  | { readonly kind: 'refuse'; readonly status: 415; readonly accept: readonly string[] }
  | { readonly kind: 'refuse'; readonly status: 403; readonly reason: string }
  | { readonly kind: 'refuse'; readonly status: 400; readonly rule: SessionInviteRule; readonly warning: string }
  | { readonly kind: 'refuse'; readonly status: 488; readonly appId: string; readonly warning: string; readonly install: ChannelInstallNotice }
  | { readonly kind: 'ask'; readonly invite: SessionInvite; readonly registration: R }
  | { readonly kind: 'accept'; readonly invite: SessionInvite; readonly registration: R };

/**
 * Media types the agent takes in an INVITE, for the `Accept` header of a 415.
 * @remarks Protocol notes open question 7.
 * @public
 */
export const INVITE_ACCEPT: readonly string[] = [SDP_CONTENT_TYPE, MIME_CONF_INVITE, MIME_SESSION_INVITE];

/**
 * Text of the 403 answer to an untrusted sender in a conference.
 * @remarks Fixed: it names no application and echoes nothing the sender wrote.
 * @public
 */
export const UNTRUSTED_SENDER_REASON = 'sender may not open context channels in this conference';

/**
 * Decides the answer to a context channel INVITE.
 * @remarks Order of the checks, first failure wins:
 * 1. **415** unless the media type is `application/ms-session-invite+xml` (parameters and case
 *    ignored, RFC 7231 §3.1.1.1). It needs nothing but a header, and says only what the
 *    `Accept` header of any 415 says anyway.
 * 2. **403** inside a conference unless the sender's address-of-record is on `trustList`
 *    (UCMA-CCC: only trusted UCMA applications may supply data to extensions in a conference;
 *    open question 15). Before parsing, so an untrusted participant's bytes are never read, and
 *    before the registration check, so it cannot learn which applications are installed from
 *    400 vs 488 vs an alert. Decision on open question 15: a server GRUU (`;gruu;opaque=srvr:`
 *    or `app:`) is *not* trusted by its shape, because proxies authenticate the AOR of From,
 *    not its parameters, and any participant could add them; list the application's AOR
 *    instead. Two-party calls skip this check: the caller is the only party, as in Lync.
 * 3. **400** when the body fails {@link parseSessionInvite}, with its warning.
 * 4. **488** when the application is not registered: the media type is fine, this endpoint
 *    cannot serve it, and another device of the user may (open question 7). The warning names
 *    the application with the sender's `name`, made header-safe, and the id; `install` carries
 *    the name and `installLink` for the "not installed" notice (protocol notes section 3).
 * 5. Otherwise **accept** when the sender is on `trustList` and either `autoAccept` is set or the
 *    sender is `acceptedPeer`, the application whose invitation or call the agent accepted in this
 *    very conversation (open question 35: the agent said yes to the conversation once; a second
 *    toast for its pane only costs a click). Else **ask**.
 *
 * In a two-party call a sender can still tell 488 from an alert and so probe for installed
 * applications: that is how Lync behaves, and UCMA needs the 488 to report "not installed".
 * @param facts - the request and the agent's configuration
 * @public
 */
export function decideChannelInvite<R extends ChannelRegistration>(facts: ChannelInviteFacts<R>): ChannelDecision<R> {
  if (mediaTypeOf(facts.contentType) !== MIME_SESSION_INVITE) {
    return { kind: 'refuse', status: 415, accept: INVITE_ACCEPT };
  }
  if (facts.inConference && !isListedSipAor(facts.fromUri, facts.trustList)) {
    return { kind: 'refuse', status: 403, reason: UNTRUSTED_SENDER_REASON };
  }
  const parsed = parseSessionInvite(facts.body);
  if (!parsed.ok) {
    return { kind: 'refuse', status: 400, rule: parsed.rule, warning: parsed.warning };
  }
  const { invite } = parsed;
  const registration = facts.isRegistered(invite.appId);
  if (registration === undefined) {
    return notInstalled(invite);
  }
  // Without asking only for senders the agent trusts: anyone else rings (a stranger never opens a pane unasked).
  const trusted = isListedSipAor(facts.fromUri, facts.trustList);
  const agreed = facts.autoAccept || (facts.acceptedPeer !== undefined && isListedSipAor(facts.fromUri, [facts.acceptedPeer]));
  return { kind: trusted && agreed ? 'accept' : 'ask', invite, registration };
}

function notInstalled(invite: SessionInvite): ChannelDecision<never> {
  const label = invite.name === undefined ? invite.appId : `${invite.name} (${invite.appId})`;
  return {
    kind: 'refuse',
    status: 488,
    appId: invite.appId,
    warning: toWarningText(`application ${label} is not installed`),
    install: { name: invite.name, link: invite.installLink },
  };
}
