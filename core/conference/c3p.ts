/**
 * C3P (`application/cccp+xml`): the requests we send to a conference focus, the responses we
 * read, and the server side our lab focus needs.
 * @packageDocumentation
 */
import type { XmlElement } from '../xml/safe-xml';
import { attr, child, children, parseXml, textOf } from '../xml/safe-xml';
import { xmlTrim } from '../xml/xml-text';
import type { XmlWriteNode } from '../xml/xml-writer';
import { writeXml } from '../xml/xml-writer';
import { NS_CCCP, NS_CONFERENCE_INFO, NS_MSCI, NS_MSCP } from './namespaces';

/** The `code` of a C3P response. @remarks [MS-CONFPRO] 2.2.3. @public */
export type C3PCode = 'success' | 'failure';

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

/** Input of {@link buildAddUserRequest}. @public */
export type AddUserRequestInput = {
  /** Integer chosen by the client, echoed by the response. */
  readonly requestId: number;
  /** Our own AOR. */
  readonly from: string;
  readonly focusUri: string;
  /** Requested role, e.g. `attendee` or `presenter`; the focus may grant another. */
  readonly role: string;
  /** Per-join endpoint id, a GUID in braces. */
  readonly endpointEntity: string;
};

/** Input of {@link buildModifyEndpointMediaRequest}. @public */
export type ModifyEndpointMediaInput = {
  readonly requestId: number;
  readonly from: string;
  readonly focusUri: string;
  /** The A/V MCU URI (from conf-uris, see `Roster.mcuUri`). */
  readonly mcuUri: string;
  /** Our user entity and A/V endpoint entity as the roster lists them. */
  readonly userEntity: string;
  readonly endpointEntity: string;
  /** Our audio `media/@id` from the roster. */
  readonly mediaId: string;
  readonly muted: boolean;
};

/**
 * A parsed C3P response. The addUser fields are set only for an addUser response that has them.
 * @remarks [MS-CONFPRO] 2.2.3 (envelope); [MS-CONFBAS] 2.2.3.4 (addUser). `reason` is the
 * response's `reason` attribute, which failure responses may carry.
 * @public
 */
export type C3PResponse = {
  readonly requestId: number;
  readonly from: string;
  readonly to: string;
  readonly code: C3PCode;
  readonly command: string;
  readonly reason?: string;
  readonly confEntity?: string;
  readonly userEntity?: string;
  readonly grantedRole?: string;
  readonly endpointEntity?: string;
};

/** Outcome of {@link parseC3PResponse}. @public */
export type C3PResponseResult = { readonly ok: true; readonly response: C3PResponse } | { readonly ok: false; readonly error: string };

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
 * The addUser part of a response: what the focus granted.
 * @remarks [MS-CONFBAS] 2.2.3.4: echoes `conferenceKeys`, one `user` with exactly one granted
 * role, and the `endpoint` only when the user is actually joining.
 * @public
 */
export type AddUserGrant = {
  readonly confEntity: string;
  readonly userEntity: string;
  readonly grantedRole: string;
  readonly endpointEntity?: string;
};

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
const MAX_REQUEST_ID_DIGITS = 10;

/** Thrown by the validation helpers below and caught by the exported parsers only. */
class Invalid extends Error {}

// ---------------------------------------------------------------------------------------------
// Client side: requests we send, responses we read
// ---------------------------------------------------------------------------------------------

/**
 * Builds the C3P `addUser` request that joins the focus, carried by the focus INVITE.
 * @remarks Shape of protocol notes 1.2: root `request` in the cccp namespace with
 * `C3PVersion="1"`, `requestId`, `from`, `to`; `addUser` holding `conferenceKeys/@confEntity`
 * (must equal the To URI, [MS-CONFBAS] 2.2.3.15) and one `ci:user` with a role and an endpoint.
 * @throws RangeError when `requestId` is not a non-negative integer
 * @public
 */
export function buildAddUserRequest(input: AddUserRequestInput): string {
  return writeRequest(input, { 'xmlns:ci': NS_CONFERENCE_INFO }, {
    name: 'addUser',
    children: [
      { name: 'conferenceKeys', attrs: { confEntity: input.focusUri } },
      userNode(input.from, input.role, input.endpointEntity),
    ],
  });
}

/**
 * Builds the C3P `modifyEndpointMedia` request that announces our mute state, sent in an INFO
 * on the focus dialog.
 * @remarks [MS-CONFAV] 3.2.5.4 (as pidgin-sipe uses it; protocol notes 1.3): `mscp:mcuUri` on
 * the command, `mediaKeys`, and a `ci:media` of type audio whose status is `recvonly` (muted)
 * or `sendrecv`, with the msci `media-ingress-filter` `block` or `unblock` to match.
 * @throws RangeError when `requestId` is not a non-negative integer
 * @public
 */
export function buildModifyEndpointMediaRequest(input: ModifyEndpointMediaInput): string {
  const extensions = { 'xmlns:ci': NS_CONFERENCE_INFO, 'xmlns:mscp': NS_MSCP, 'xmlns:msci': NS_MSCI };
  return writeRequest(input, extensions, {
    name: 'modifyEndpointMedia',
    attrs: { 'mscp:mcuUri': input.mcuUri },
    children: [
      {
        name: 'mediaKeys',
        attrs: {
          confEntity: input.focusUri,
          userEntity: input.userEntity,
          endpointEntity: input.endpointEntity,
          mediaId: input.mediaId,
        },
      },
      {
        name: 'ci:media',
        attrs: { id: input.mediaId },
        children: [
          { name: 'ci:type', text: 'audio' },
          { name: 'ci:status', text: input.muted ? 'recvonly' : 'sendrecv' },
          { name: 'msci:media-ingress-filter', text: input.muted ? 'block' : 'unblock' },
        ],
      },
    ],
  });
}

type Envelope = { readonly requestId: number; readonly from: string; readonly focusUri: string };

function writeRequest(env: Envelope, namespaces: Record<string, string>, command: XmlWriteNode): string {
  return writeXml({
    name: 'request',
    attrs: { xmlns: NS_CCCP, ...namespaces, C3PVersion: '1', requestId: formatRequestId(env.requestId), from: env.from, to: env.focusUri },
    children: [command],
  });
}

function formatRequestId(requestId: number): string {
  if (!Number.isSafeInteger(requestId) || requestId < 0) {
    throw new RangeError(`requestId must be a non-negative integer, got ${requestId}`);
  }
  return String(requestId);
}

function userNode(entity: string, role: string, endpointEntity: string | undefined): XmlWriteNode {
  return {
    name: 'ci:user',
    attrs: { entity },
    children: [
      { name: 'ci:roles', children: [{ name: 'ci:entry', text: role }] },
      ...(endpointEntity === undefined ? [] : [{ name: 'ci:endpoint', attrs: { entity: endpointEntity } }]),
    ],
  };
}

/**
 * Parses a C3P response from the focus.
 * @remarks [MS-CONFPRO] 2.2.3: root `response` in the cccp namespace with `requestId`, `from`,
 * `to` and `code` (`success`|`failure`), and exactly one child naming the command. For a
 * successful addUser, [MS-CONFBAS] 2.2.3.4 requires exactly one `user` with exactly one granted
 * role; its absence is an error. Matching `requestId` and the swapped from/to against the
 * request is the caller's job.
 * @public
 */
export function parseC3PResponse(body: string): C3PResponseResult {
  try {
    const root = readRoot(body, 'response');
    const code = attr(root, 'code');
    if (code !== 'success' && code !== 'failure') {
      throw new Invalid(`code must be success or failure, got ${code === undefined ? 'none' : `'${code}'`}`);
    }
    const commandEl = onlyCommand(root);
    const reason = optionalAttr(root, 'reason');
    const grant = commandEl.name === 'addUser' && code === 'success' ? readGrant(commandEl) : {};
    return {
      ok: true,
      response: { ...readEnvelope(root), code, command: commandEl.name, ...(reason === undefined ? {} : { reason }), ...grant },
    };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}

function readGrant(addUser: XmlElement): Partial<AddUserGrant> {
  const user = exactlyOne(addUser, 'user', NS_CONFERENCE_INFO);
  const roles = exactlyOne(user, 'roles', NS_CONFERENCE_INFO);
  const entry = exactlyOne(roles, 'entry', NS_CONFERENCE_INFO);
  const keys = child(addUser, 'conferenceKeys', NS_CCCP);
  const confEntity = keys === undefined ? undefined : optionalAttr(keys, 'confEntity');
  const endpoint = child(user, 'endpoint', NS_CONFERENCE_INFO);
  const endpointEntity = endpoint === undefined ? undefined : optionalAttr(endpoint, 'entity');
  return {
    userEntity: requiredAttr(user, 'entity'),
    grantedRole: requiredText(entry, 'granted role'),
    ...(confEntity === undefined ? {} : { confEntity }),
    ...(endpointEntity === undefined ? {} : { endpointEntity }),
  };
}

// ---------------------------------------------------------------------------------------------
// Server side, for the lab focus
// ---------------------------------------------------------------------------------------------

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
      throw new Invalid('C3PVersion must be 1');
    }
    const envelope = readEnvelope(root);
    const commandEl = onlyCommand(root);
    const command = C3P_COMMANDS.find((name) => name === commandEl.name);
    if (command === undefined) {
      throw new Invalid(`unknown command ${commandEl.name}`);
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
    throw new Invalid('more than one roles element');
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
    throw new Invalid(`only audio media can be modified, got '${type}'`);
  }
  const status = xmlTrim(textOf(media, 'status', NS_CONFERENCE_INFO) ?? '');
  if (status !== 'sendrecv' && status !== 'recvonly') {
    throw new Invalid(`media status must be sendrecv or recvonly, got '${status}'`);
  }
  const muted = status === 'recvonly';
  const filterEl = child(media, 'media-ingress-filter', NS_MSCI);
  if (filterEl !== undefined && xmlTrim(filterEl.text) !== (muted ? 'block' : 'unblock')) {
    throw new Invalid(`media-ingress-filter '${xmlTrim(filterEl.text)}' contradicts status ${status}`);
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

// ---------------------------------------------------------------------------------------------
// Shared validation helpers
// ---------------------------------------------------------------------------------------------

function readRoot(body: string, name: 'request' | 'response'): XmlElement {
  const xml = parseXml(body);
  if (!xml.ok) {
    throw new Invalid(`unreadable C3P body (${xml.rule}): ${xml.message}`);
  }
  if (xml.root.name !== name || xml.root.ns !== NS_CCCP) {
    throw new Invalid(`root must be ${name} in ${NS_CCCP}, got {${xml.root.ns}}${xml.root.name}`);
  }
  return xml.root;
}

function readEnvelope(root: XmlElement): { requestId: number; from: string; to: string } {
  const rawId = requiredAttr(root, 'requestId');
  if (!/^[0-9]+$/.test(rawId) || rawId.length > MAX_REQUEST_ID_DIGITS) {
    throw new Invalid(`requestId must be an integer, got '${rawId}'`);
  }
  return { requestId: Number(rawId), from: requiredAttr(root, 'from'), to: requiredAttr(root, 'to') };
}

function onlyCommand(root: XmlElement): XmlElement {
  const [command, ...others] = root.children;
  if (command === undefined || others.length > 0) {
    throw new Invalid(`expected exactly one command element, found ${root.children.length}`);
  }
  if (command.ns !== NS_CCCP) {
    throw new Invalid(`command ${command.name} is not in ${NS_CCCP}`);
  }
  return command;
}

function exactlyOne(parent: XmlElement, name: string, ns: string): XmlElement {
  const found = children(parent, name, ns);
  const [only] = found;
  if (only === undefined || found.length > 1) {
    throw new Invalid(`expected exactly one ${name} in ${parent.name}, found ${found.length}`);
  }
  return only;
}

function optionalAttr(el: XmlElement, name: string): string | undefined {
  const value = attr(el, name);
  return value === undefined ? undefined : xmlTrim(value);
}

function requiredAttr(el: XmlElement, name: string): string {
  const value = optionalAttr(el, name);
  if (value === undefined || value === '') {
    throw new Invalid(`${el.name} needs a ${name} attribute`);
  }
  return value;
}

function requiredText(el: XmlElement, what: string): string {
  const value = xmlTrim(el.text);
  if (value === '') {
    throw new Invalid(`empty ${what}`);
  }
  return value;
}

function requireSame(actual: string, expected: string, message: string): void {
  // [MS-CONFBAS] 2.2.3.15 says "equal": an exact comparison, no URI normalisation.
  if (actual !== expected) {
    throw new Invalid(message);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Invalid) {
    return error.message;
  }
  throw error;
}
