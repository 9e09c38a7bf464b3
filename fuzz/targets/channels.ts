/**
 * Context channel bodies: the session invite and the decision built on it.
 * @packageDocumentation
 */
import type { ChannelInviteFacts, ChannelRegistration } from '../../core/channels/channel-decision';
import { INVITE_ACCEPT, decideChannelInvite } from '../../core/channels/channel-decision';
import { MIME_SESSION_INVITE, SESSION_INVITE_LIMITS, parseSessionInvite } from '../../core/channels/session-invite';
import { utf8ByteLength } from '../../core/xml/xml-text';
import { expectHeaderSafe, expectOneOf, expectString } from '../contracts';
import { expectThat, shrinkString, type FuzzTarget } from '../engine';
import { mutateText, textCorpus, textInputs } from '../mutate-text';
import type { Rng } from '../rng';
import { textTarget } from './text-target';

const RULES = [
  'too-large', 'empty', 'doctype', 'entity', 'malformed', 'wrong-root', 'no-application-id', 'bad-application-id', 'duplicate',
  'data-too-long', 'data-not-base64', 'name-too-long', 'toast-too-long', 'bad-link', 'bad-entry-name',
] as const;
const GUID = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/;

const SESSION_INVITE_CONTRACT = `parseSessionInvite(body) never throws; {ok:true} comes from a body under 4096 UTF-8 bytes and
has a braced upper-case GUID appId, data absent or at most 4096 base64 characters whose decoded bytes have
the matching length (text only when present), name <= 50 and customToast <= 80 code points, links that
start with https: (any case), and 'other' a frozen null-prototype record of strings; {ok:false} has
status 400, a rule from SessionInviteRule and a warning safe in a Warning header (no " \\ C0 C1 DEL or
lone surrogate, <= 120 characters).`;

function checkSessionInvite(body: string): void {
  const result = parseSessionInvite(body);
  if (!result.ok) {
    expectThat(result.status === 400, `status ${String(result.status)}`);
    expectOneOf(result.rule, RULES, 'rule');
    expectHeaderSafe(result.warning, 120, 'warning', true);
    return;
  }
  const invite = result.invite;
  expectThat(utf8ByteLength(body) < SESSION_INVITE_LIMITS.bodyBytes, 'accepted a body of 4096 bytes or more');
  expectThat(GUID.test(invite.appId), `appId ${JSON.stringify(invite.appId)}`);
  if (invite.data !== undefined) {
    const { bytesBase64, decoded } = invite.data;
    expectThat(bytesBase64.length <= SESSION_INVITE_LIMITS.dataChars && bytesBase64.length % 4 === 0, 'bad base64 length');
    const padding = bytesBase64.endsWith('==') ? 2 : bytesBase64.endsWith('=') ? 1 : 0;
    expectThat(decoded.length === (bytesBase64.length / 4) * 3 - padding, 'decoded length does not match the base64');
  }
  expectThat(invite.name === undefined || Array.from(invite.name).length <= SESSION_INVITE_LIMITS.nameChars, 'name too long');
  expectThat(invite.customToast === undefined || Array.from(invite.customToast).length <= SESSION_INVITE_LIMITS.toastChars, 'toast too long');
  for (const link of [invite.simpleLink, invite.installLink]) {
    expectThat(link === undefined || /^https:/i.test(link), `link ${JSON.stringify(link)}`);
  }
  expectThat(Object.getPrototypeOf(invite.other) === null && Object.isFrozen(invite.other), 'other is not a frozen null-prototype record');
  expectThat(Object.values(invite.other).every((v) => typeof v === 'string'), 'other holds a non-string');
}

/** One generated call of decideChannelInvite: the facts, with the registry as a list of ids. */
export type DecisionInput = {
  readonly contentType: string | undefined;
  readonly body: string;
  readonly fromUri: string;
  readonly inConference: boolean;
  readonly trustList: readonly string[];
  readonly registered: readonly string[];
  readonly autoAccept: boolean;
};

const CONTENT_TYPES = [MIME_SESSION_INVITE, 'Application/MS-Session-Invite+XML; charset=utf-8', ' application/ms-session-invite+xml ;x', 'application/sdp', '', undefined, ';', 'application/ms-session-invite+xml\u0000'];
const SENDERS = ['sip:app@example.org', '"App" <sip:App@Example.org;transport=ws>;tag=1', 'sip:mallory@example.org', '<sip:app@example.org', 'tel:+1', ''];
const TRUST = [[], ['sip:app@example.org'], ['sip:APP@example.org', 'not a uri', ''], ['<sip:app@example.org>']];

function decisionInputs(seeds: readonly string[]): (rng: Rng, index: number) => DecisionInput {
  const corpus = textCorpus(seeds);
  const bodies = textInputs(corpus);
  const mutate = (text: string, rng: Rng): string => (rng.chance(0.7) ? text : mutateText(text, rng, corpus));
  return (rng, index) => ({
    contentType: rng.chance(0.9) ? rng.pick(CONTENT_TYPES) : mutate(MIME_SESSION_INVITE, rng),
    body: bodies(rng, index),
    fromUri: mutate(rng.pick(SENDERS), rng),
    inConference: rng.chance(0.5),
    trustList: rng.pick(TRUST),
    registered: rng.pick([[], ['{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}'], ['{00000000-0000-0000-0000-000000000000}']]),
    autoAccept: rng.chance(0.5),
  });
}

const DECISION_CONTRACT = `decideChannelInvite(facts) never throws, whatever the content type, sender, trust list and body;
415 carries INVITE_ACCEPT; 403 only inside a conference; 400 exactly when parseSessionInvite refuses the
body, with its rule and warning; 488 only for an id the registry does not know, with a header-safe warning;
ask/accept only for a registered id, handing back that registration, accept only with autoAccept.`;

function checkDecision(input: DecisionInput): void {
  const registrations = new Map(input.registered.map((id) => [id, { name: `app ${id}` }]));
  const facts: ChannelInviteFacts<ChannelRegistration> = { ...input, isRegistered: (id) => registrations.get(id) };
  const decision = decideChannelInvite(facts);
  if (decision.kind !== 'refuse') {
    expectThat(decision.registration === registrations.get(decision.invite.appId), 'registration not the registry entry');
    expectThat(decision.kind === 'ask' || input.autoAccept, 'accepted without autoAccept');
    return;
  }
  switch (decision.status) {
    case 415:
      expectThat(decision.accept === INVITE_ACCEPT, '415 without the Accept list');
      return;
    case 403:
      expectThat(input.inConference, '403 outside a conference');
      expectString(decision.reason, 'reason');
      return;
    case 400: {
      const parsed = parseSessionInvite(input.body);
      expectThat(!parsed.ok && parsed.rule === decision.rule && parsed.warning === decision.warning, '400 disagrees with parseSessionInvite');
      return;
    }
    case 488:
      expectThat(!registrations.has(decision.appId), '488 for a registered application');
      expectHeaderSafe(decision.warning, 120, 'warning', true);
      return;
  }
}

/** Targets of the channel parsers. */
export function channelTargets(seeds: readonly string[]): [FuzzTarget<string>, FuzzTarget<DecisionInput>] {
  return [
    textTarget('session-invite', SESSION_INVITE_CONTRACT, seeds, checkSessionInvite),
    {
      name: 'channel-decision',
      contract: DECISION_CONTRACT,
      generate: decisionInputs(seeds),
      check: checkDecision,
      shrink: function* (input) {
        for (const body of shrinkString(input.body)) {
          yield { ...input, body };
        }
      },
      show: (input) => JSON.stringify(input, null, 1),
    },
  ];
}
