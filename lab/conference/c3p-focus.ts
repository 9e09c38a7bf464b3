/**
 * C3P as the lab focus speaks it: requests read and validated as a focus does, responses
 * written. The agent's side (requests written, responses read) is `core/conference/c3p.ts`; the
 * envelope and the strict readers are shared (`core/conference/c3p-xml.ts`).
 * @packageDocumentation
 */
import type { AddUserGrant, C3PResponse } from '../../core/conference/c3p';
import { InvalidC3P, exactlyOne, formatRequestId, messageOf, onlyCommand, optionalAttr, readEnvelope, readRoot, requiredAttr, requiredText, userNode } from '../../core/conference/c3p-xml';
import { NS_CCCP, NS_CONFERENCE_INFO, NS_MSCI } from '../../core/conference/namespaces';
import type { XmlElement } from '../../core/xml/safe-xml';
import { attr, child, children, textOf } from '../../core/xml/safe-xml';
import { xmlTrim } from '../../core/xml/xml-text';
import type { XmlWriteNode } from '../../core/xml/xml-writer';
import { writeXml } from '../../core/xml/xml-writer';

/**
 * Commands a focus recognises; anything else is refused with 400.
 * @remarks [MS-CONFPRO] 2.2.2 and 3.2.5.1; [MS-CONFBAS] 2.2.3; [MS-CONFAV] 3.2.5.4.
 * @public
 */
export const C3P_COMMANDS = [
  'addConference',
  'addUser',
  'deleteConference',
  'deleteUser',
  'getAvailableMcuTypes',
  'getConference',
  'getConferencingCapabilities',
  'getEncryptionKey',
  'modifyConference',
  'modifyConferenceLock',
  'modifyEndpointMedia',
  'modifyUserRoles',
  'setLobbyAccess',
] as const;

/** A command name from {@link C3P_COMMANDS}. @public */
export type C3PCommand = (typeof C3P_COMMANDS)[number];

/** The `addUser` command of a request, as the focus sees it. @public */
export type AddUserCommand = {
  readonly confEntity: string;
  readonly userEntity: string;
  readonly role: string;
  readonly endpointEntity: string;
};

/** The `modifyEndpointMedia` command of a request, as the focus sees it. @public */
export type ModifyEndpointMediaCommand = {
  readonly mcuUri: string;
  readonly confEntity: string;
  readonly userEntity: string;
  readonly endpointEntity: string;
  readonly mediaId: string;
  readonly muted: boolean;
};

/**
 * A validated C3P request. The member named after `command` is set for the commands we act on.
 * @remarks [MS-CONFPRO] 2.2.2.
 * @public
 */
export type C3PRequest = {
  readonly requestId: number;
  readonly from: string;
  readonly to: string;
  readonly command: C3PCommand;
  readonly addUser?: AddUserCommand;
  readonly modifyEndpointMedia?: ModifyEndpointMediaCommand;
};

/**
 * Outcome of {@link parseC3PRequest}. On failure the focus answers `400` with no body.
 * @remarks [MS-CONFPRO] 3.2.5.1.
 * @public
 */
export type C3PRequestResult =
  | { readonly ok: true; readonly request: C3PRequest }
  | { readonly ok: false; readonly status: 400; readonly reason: string };

/**
 * Input of {@link buildC3PResponse}. `from`/`to` are the *response's*: the request's `to` and
 * `from`, swapped. `body` is only meaningful for `addUser`.
 * @public
 */
export type C3PResponseInput = Pick<C3PResponse, 'requestId' | 'from' | 'to' | 'code' | 'command' | 'reason'> & {
  readonly body?: AddUserGrant;
};

/** Default role when an addUser request names none: least privilege; the focus decides anyway. */
const DEFAULT_ROLE = 'attendee';
/**
 * Parses and validates a C3P request, as a focus does before acting on it.
 * @remarks [MS-CONFPRO] 2.2.2 and 3.2.5.1: the body must be well-formed with root `request` in
 * the cccp namespace, `C3PVersion="1"`, an integer `requestId`, `from` and `to`, and exactly one
 * child naming a known command; otherwise 400. For `addUser` ([MS-CONFBAS] 2.2.3.15):
 * exactly one `conferenceKeys` whose `confEntity` equals `to`, exactly one `ci:user` with an
 * entity, at most one role (none means `attendee`), and exactly one `ci:endpoint` with an
 * entity (a GUID SHOULD be used, so other forms are accepted). Whether the user may be someone
 * other than `from` (dial-out) is policy, left to the caller. For `modifyEndpointMedia`
 * ([MS-CONFAV] 3.2.5.4): `mcuUri`, one `mediaKeys` with all four keys and `confEntity` equal to
 * `to`, one audio `ci:media` whose status is `sendrecv` or `recvonly` and whose ingress filter,
 * when present, agrees with it.
 * @public
 */
export function parseC3PRequest(body: string): C3PRequestResult {
  try {
    const root = readRoot(body, 'request');
    if (attr(root, 'C3PVersion') !== '1') {
      throw new InvalidC3P('C3PVersion must be 1');
    }
    const envelope = readEnvelope(root);
    const commandEl = onlyCommand(root);
    const command = C3P_COMMANDS.find((name) => name === commandEl.name);
    if (command === undefined) {
      throw new InvalidC3P(`unknown command ${commandEl.name}`);
    }
    return { ok: true, request: { ...envelope, command, ...readCommand(command, commandEl, envelope.to) } };
  } catch (error) {
    return { ok: false, status: 400, reason: messageOf(error) };
  }
}

function readCommand(command: C3PCommand, el: XmlElement, to: string): Partial<C3PRequest> {
  switch (command) {
    case 'addUser':
      return { addUser: readAddUser(el, to) };
    case 'modifyEndpointMedia':
      return { modifyEndpointMedia: readModifyEndpointMedia(el, to) };
    default:
      return {};
  }
}

function readAddUser(el: XmlElement, to: string): AddUserCommand {
  const confEntity = requiredAttr(exactlyOne(el, 'conferenceKeys', NS_CCCP), 'confEntity');
  requireSame(confEntity, to, "confEntity must equal the request's to URI");
  const user = exactlyOne(el, 'user', NS_CONFERENCE_INFO);
  const endpoint = exactlyOne(user, 'endpoint', NS_CONFERENCE_INFO);
  return {
    confEntity,
    userEntity: requiredAttr(user, 'entity'),
    role: readRequestedRole(user),
    endpointEntity: requiredAttr(endpoint, 'entity'),
  };
}

function readRequestedRole(user: XmlElement): string {
  const roles = children(user, 'roles', NS_CONFERENCE_INFO);
  if (roles.length > 1) {
    throw new InvalidC3P('more than one roles element');
  }
  const [only] = roles;
  return only === undefined ? DEFAULT_ROLE : requiredText(exactlyOne(only, 'entry', NS_CONFERENCE_INFO), 'role');
}

function readModifyEndpointMedia(el: XmlElement, to: string): ModifyEndpointMediaCommand {
  const keys = exactlyOne(el, 'mediaKeys', NS_CCCP);
  const confEntity = requiredAttr(keys, 'confEntity');
  requireSame(confEntity, to, "confEntity must equal the request's to URI");
  const mediaId = requiredAttr(keys, 'mediaId');
  const media = exactlyOne(el, 'media', NS_CONFERENCE_INFO);
  const mediaIdAttr = optionalAttr(media, 'id');
  if (mediaIdAttr !== undefined) {
    requireSame(mediaIdAttr, mediaId, 'media id must equal mediaKeys mediaId');
  }
  return {
    mcuUri: requiredAttr(el, 'mcuUri'),
    confEntity,
    userEntity: requiredAttr(keys, 'userEntity'),
    endpointEntity: requiredAttr(keys, 'endpointEntity'),
    mediaId,
    muted: readAudioMuted(media),
  };
}

function readAudioMuted(media: XmlElement): boolean {
  const type = xmlTrim(textOf(media, 'type', NS_CONFERENCE_INFO) ?? '');
  if (type !== 'audio') {
    throw new InvalidC3P(`only audio media can be modified, got '${type}'`);
  }
  const status = xmlTrim(textOf(media, 'status', NS_CONFERENCE_INFO) ?? '');
  if (status !== 'sendrecv' && status !== 'recvonly') {
    throw new InvalidC3P(`media status must be sendrecv or recvonly, got '${status}'`);
  }
  const muted = status === 'recvonly';
  const filterEl = child(media, 'media-ingress-filter', NS_MSCI);
  if (filterEl !== undefined && xmlTrim(filterEl.text) !== (muted ? 'block' : 'unblock')) {
    throw new InvalidC3P(`media-ingress-filter '${xmlTrim(filterEl.text)}' contradicts status ${status}`);
  }
  return muted;
}

/**
 * Builds a C3P response, for the lab focus.
 * @remarks [MS-CONFPRO] 2.2.3 (envelope with `C3PVersion="1"`) and, for addUser with a `body`,
 * [MS-CONFBAS] 2.2.3.4: `conferenceKeys` echoed, one `ci:user` with exactly one granted role,
 * and the endpoint only when given.
 * @throws RangeError when `requestId` is not a non-negative integer
 * @throws TypeError when `body` is given for a command other than addUser
 * @public
 */
export function buildC3PResponse(input: C3PResponseInput): string {
  if (input.body !== undefined && input.command !== 'addUser') {
    throw new TypeError(`a grant body only belongs to addUser, not ${input.command}`);
  }
  const grant = input.body;
  const command: XmlWriteNode = {
    name: input.command,
    children:
      grant === undefined
        ? []
        : [{ name: 'conferenceKeys', attrs: { confEntity: grant.confEntity } }, userNode(grant.userEntity, grant.grantedRole, grant.endpointEntity)],
  };
  return writeXml({
    name: 'response',
    attrs: {
      xmlns: NS_CCCP,
      'xmlns:ci': NS_CONFERENCE_INFO,
      C3PVersion: '1',
      requestId: formatRequestId(input.requestId),
      from: input.from,
      to: input.to,
      code: input.code,
      reason: input.reason,
    },
    children: [command],
  });
}

function requireSame(actual: string, expected: string, message: string): void {
  // [MS-CONFBAS] 2.2.3.15 says "equal": an exact comparison, no URI normalisation.
  if (actual !== expected) {
    throw new InvalidC3P(message);
  }
}
