/**
 * C3P (`application/cccp+xml`): the requests we send to a conference focus and the responses we
 * read. The lab focus's side (requests read, responses written) is `lab/conference/c3p-focus.ts`.
 * @packageDocumentation
 */
import type { XmlElement } from '../xml/safe-xml';
import { attr, child } from '../xml/safe-xml';
import type { XmlWriteNode } from '../xml/xml-writer';
import { writeXml } from '../xml/xml-writer';
import { InvalidC3P, exactlyOne, formatRequestId, messageOf, onlyCommand, optionalAttr, readEnvelope, readRoot, requiredAttr, requiredText, userNode } from './c3p-xml';
import { NS_CCCP, NS_CONFERENCE_INFO, NS_MSCI, NS_MSCP } from './namespaces';

/** The `code` of a C3P response. @remarks [MS-CONFPRO] 2.2.3. @public */
export type C3PCode = 'success' | 'failure';

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
      throw new InvalidC3P(`code must be success or failure, got ${code === undefined ? 'none' : `'${code}'`}`);
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
