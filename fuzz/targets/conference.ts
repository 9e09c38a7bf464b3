/**
 * Conference bodies: invitation, C3P both ways, conference-info and the roster fed with it.
 * @packageDocumentation
 */
import { parseC3PResponse } from '../../core/conference/c3p';
import { C3P_COMMANDS, parseC3PRequest } from '../../lab/conference/c3p-focus';
import { parseConfInvite } from '../../core/conference/conf-invite';
import type { ConferenceInfo } from '../../core/conference/conference-info';
import { parseConferenceInfo } from '../../core/conference/conference-info';
import { Roster } from '../../core/conference/roster';
import { expectHeaderSafe, expectOneOf, expectRosterUpdate, expectRosterUsers, expectString, expectTrimmedNonEmpty } from '../contracts';
import { expectThat, shrinkString, type FuzzTarget } from '../engine';
import { mutateText, textCorpus } from '../mutate-text';
import { textTarget } from './text-target';

const CONF_INVITE_CONTRACT = `parseConfInvite(body) never throws; {ok:true} has focusUri = 'sip:' + printable ASCII without
% < > " \\ ? or space, a trimmed subject string, boolean audio and im; {ok:false} has status 400 and a
warning safe in a Warning header (no " \\ C0 DEL or lone surrogate, <= 120 characters).`;

function checkConfInvite(body: string): void {
  const result = parseConfInvite(body);
  if (result.ok) {
    const { focusUri, subject, audio, im } = result.invite;
    expectThat(/^sip:[\x21-\x7e]+$/.test(focusUri) && !/[%<>"\\?]/.test(focusUri), `bad focusUri ${JSON.stringify(focusUri)}`);
    expectString(subject, 'subject');
    expectThat(!/^[ \t\r\n]|[ \t\r\n]$/.test(subject), 'subject not trimmed');
    expectThat(typeof audio === 'boolean' && typeof im === 'boolean', 'audio/im not boolean');
    return;
  }
  expectThat(result.status === 400, `status ${String(result.status)}`);
  expectHeaderSafe(result.warning, 120, 'warning');
}

const C3P_RESPONSE_CONTRACT = `parseC3PResponse(body) never throws (its internal Invalid errors are caught); {ok:true} has
requestId a safe integer of at most 10 digits, trimmed non-empty from and to, code success|failure, a
non-empty command, and for a successful addUser a trimmed non-empty userEntity and grantedRole;
{ok:false} has an error string.`;

function checkC3PResponse(body: string): void {
  const result = parseC3PResponse(body);
  if (!result.ok) {
    expectString(result.error, 'error');
    return;
  }
  const r = result.response;
  expectThat(Number.isSafeInteger(r.requestId) && r.requestId >= 0 && r.requestId <= 9_999_999_999, `requestId ${r.requestId}`);
  expectTrimmedNonEmpty(r.from, 'from');
  expectTrimmedNonEmpty(r.to, 'to');
  expectOneOf(r.code, ['success', 'failure'] as const, 'code');
  expectThat(typeof r.command === 'string' && r.command !== '', 'empty command');
  if (r.command === 'addUser' && r.code === 'success') {
    expectTrimmedNonEmpty(r.userEntity, 'userEntity');
    expectTrimmedNonEmpty(r.grantedRole, 'grantedRole');
  }
}

const C3P_REQUEST_CONTRACT = `parseC3PRequest(body) never throws; {ok:true} has a command from C3P_COMMANDS, the same
envelope checks as responses, an addUser member exactly for addUser (confEntity equal to 'to', role and
entities non-empty) and a modifyEndpointMedia member exactly for that command; {ok:false} has status 400
and a reason string.`;

function checkC3PRequest(body: string): void {
  const result = parseC3PRequest(body);
  if (!result.ok) {
    expectThat(result.status === 400, `status ${String(result.status)}`);
    expectString(result.reason, 'reason');
    return;
  }
  const r = result.request;
  expectOneOf(r.command, C3P_COMMANDS, 'command');
  expectThat(Number.isSafeInteger(r.requestId) && r.requestId >= 0, `requestId ${r.requestId}`);
  expectTrimmedNonEmpty(r.from, 'from');
  expectTrimmedNonEmpty(r.to, 'to');
  expectThat((r.addUser !== undefined) === (r.command === 'addUser'), 'addUser member does not match the command');
  expectThat((r.modifyEndpointMedia !== undefined) === (r.command === 'modifyEndpointMedia'), 'modifyEndpointMedia member mismatch');
  if (r.addUser !== undefined) {
    expectThat(r.addUser.confEntity === r.to, 'confEntity differs from to');
    expectTrimmedNonEmpty(r.addUser.role, 'role');
    expectTrimmedNonEmpty(r.addUser.userEntity, 'userEntity');
    expectTrimmedNonEmpty(r.addUser.endpointEntity, 'endpointEntity');
  }
  if (r.modifyEndpointMedia !== undefined) {
    expectThat(r.modifyEndpointMedia.confEntity === r.to, 'confEntity differs from to');
    expectThat(typeof r.modifyEndpointMedia.muted === 'boolean', 'muted not boolean');
  }
}

const STATES = ['full', 'partial', 'deleted'] as const;

/** The parsed document's shape as RFC 4575 and the parser's TSDoc promise it. */
function expectInfo(info: ConferenceInfo): void {
  expectTrimmedNonEmpty(info.entity, 'entity');
  expectOneOf(info.state, STATES, 'state');
  expectThat(Number.isInteger(info.version) && info.version >= 0 && info.version <= 0xffffffff, `version ${info.version}`);
  expectThat(info.confUris.every((u) => typeof u.uri === 'string' && u.uri !== '' && typeof u.purpose === 'string'), 'bad conf-uris entry');
  for (const user of info.users) {
    expectTrimmedNonEmpty(user.entity, 'user entity');
    expectThat(user.state === undefined || STATES.includes(user.state), 'bad user state');
    expectThat(user.roles.every((r) => r !== ''), 'empty role kept');
    expectThat(user.endpoints.every((e) => e.entity !== '' && (e.state === undefined || STATES.includes(e.state))), 'bad endpoint');
  }
}

/** Applies a document to a roster and checks the outcome and the state after it. */
function applyChecked(roster: Roster, info: ConferenceInfo): void {
  const before = roster.version;
  const usersBefore = JSON.stringify(roster.users());
  const update = roster.apply(info);
  expectRosterUpdate(update, before, roster.version, info);
  const users = roster.users();
  expectRosterUsers(users);
  expectThat(update.kind === 'applied' || JSON.stringify(users) === usersBefore, `${update.kind} changed the roster`);
  expectThat(update.kind !== 'applied' || info.state !== 'deleted' || (roster.ended && users.length === 0), 'deleted document left a roster');
  const mcu = roster.mcuUri();
  expectThat(mcu === undefined || typeof mcu === 'string', 'mcuUri not a string');
}

const CONFERENCE_INFO_CONTRACT = `parseConferenceInfo(body) never throws; {ok:true} has a trimmed non-empty entity, state
full|partial|deleted, an unsigned 32-bit integer version, users and endpoints with non-empty entities and
known states, no empty roles; {ok:false} has an error string. An accepted document is then applied with
Roster.apply to a fresh roster and to one holding a full version-1 roster: apply never throws; applied
means the roster is at the document's version (and empty and ended for a deleted one), stale and resync
leave version and users unchanged; users() lists unique non-empty entities with known modalities.`;

function checkConferenceInfo(base: ConferenceInfo): (body: string) => void {
  return (body) => {
    const result = parseConferenceInfo(body);
    if (!result.ok) {
      expectString(result.error, 'error');
      return;
    }
    expectInfo(result.info);
    applyChecked(new Roster(), result.info);
    const roster = new Roster(base.entity);
    roster.apply(base);
    applyChecked(roster, result.info);
  };
}

/** Targets of the conference parsers. */
export function conferenceTargets(seeds: {
  confInvite: readonly string[];
  c3p: readonly string[];
  conferenceInfo: readonly string[];
  rosterBase: ConferenceInfo;
}): FuzzTarget<string>[] {
  return [
    textTarget('conf-invite', CONF_INVITE_CONTRACT, seeds.confInvite, checkConfInvite),
    textTarget('c3p-response', C3P_RESPONSE_CONTRACT, seeds.c3p, checkC3PResponse),
    textTarget('c3p-request', C3P_REQUEST_CONTRACT, seeds.c3p, checkC3PRequest),
    textTarget('conference-info', CONFERENCE_INFO_CONTRACT, seeds.conferenceInfo, checkConferenceInfo(seeds.rosterBase)),
  ];
}

const ROSTER_CONTRACT = `A sequence of 2-6 mutated conference-info bodies (versions and states mutated most) is parsed,
and the accepted documents are applied in order to one Roster: the same per-apply contract as the
conference-info target, across documents (version gaps, partial before full, stale, deleted).`;

/**
 * State across documents: one roster fed a whole sequence, built from the lab focus's documents
 * in order (so partial updates meet the roster they were made for), each kept, mutated, skipped
 * or replaced by another seed.
 */
export function rosterTarget(sequence: readonly string[], seeds: readonly string[]): FuzzTarget<string[]> {
  const corpus = textCorpus(seeds);
  return {
    name: 'roster',
    contract: ROSTER_CONTRACT,
    generate: (rng) => {
      let at = rng.int(sequence.length);
      return Array.from({ length: rng.range(2, 6) }, () => {
        at = (at + (rng.chance(0.1) ? 2 : 1)) % sequence.length;
        const doc = rng.chance(0.1) ? rng.pick(seeds) : (sequence[at] ?? '');
        return rng.chance(0.4) ? doc : mutateText(doc, rng, corpus);
      });
    },
    check: (bodies) => {
      const roster = new Roster();
      for (const body of bodies) {
        const result = parseConferenceInfo(body);
        if (result.ok) {
          applyChecked(roster, result.info);
        }
      }
    },
    shrink: function* (bodies) {
      for (let i = 0; i < bodies.length; i += 1) {
        yield [...bodies.slice(0, i), ...bodies.slice(i + 1)];
      }
      for (let i = 0; i < bodies.length; i += 1) {
        for (const smaller of shrinkString(bodies[i] ?? '')) {
          yield [...bodies.slice(0, i), smaller, ...bodies.slice(i + 1)];
        }
      }
    },
    show: (bodies) => bodies.join('\n\n===== next document =====\n\n'),
  };
}
