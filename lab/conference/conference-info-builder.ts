/**
 * Conference-info documents (RFC 4575) as the lab's roster notifier writes them; the agent
 * reads them with `parseConferenceInfo` (core/conference/conference-info.ts).
 * @packageDocumentation
 */
import { MAX_CONFERENCE_INFO_VERSION, type ConfEndpoint, type ConfMedia, type ConfUser, type ConferenceInfo } from '../../core/conference/conference-info';
import { NS_CONFERENCE_INFO, NS_MSCI, NS_SBCI } from '../../core/conference/namespaces';
import type { XmlWriteNode } from '../../core/xml/xml-writer';
import { writeXml } from '../../core/xml/xml-writer';

/**
 * Builds a conference-info document, for the lab's focus; `parseConferenceInfo`
 * (core/conference/conference-info.ts) reads it back to an equal value.
 * @remarks RFC 4575 §5 element order (conference-description before users; display-text,
 * roles, endpoint inside user; status before media inside endpoint; type, label, status inside
 * media). `session-type` is written as `msci:session-type` and the ingress filter as
 * `msci:media-ingress-filter` ([MS-CONFBAS] 2.2.2.2, [MS-CONFAV] 2.2.2.1.2.1), who speaks as
 * `sbci:speaking` (core/conference/namespaces.ts `NS_SBCI`). Empty
 * description and user lists are left out, which a partial document reads as "unchanged".
 * @throws RangeError when `version` is not an unsigned 32-bit integer
 * @public
 */
export function buildConferenceInfo(doc: ConferenceInfo): string {
  if (!Number.isInteger(doc.version) || doc.version < 0 || doc.version > MAX_CONFERENCE_INFO_VERSION) {
    throw new RangeError(`version must be an unsigned 32-bit integer, got ${doc.version}`);
  }
  const description = descriptionNode(doc);
  return writeXml({
    name: 'conference-info',
    attrs: { xmlns: NS_CONFERENCE_INFO, 'xmlns:msci': NS_MSCI, ...(speaks(doc) ? { 'xmlns:sbci': NS_SBCI } : {}), entity: doc.entity, state: doc.state, version: String(doc.version) },
    children: [
      ...(description === undefined ? [] : [description]),
      ...(doc.users.length === 0 ? [] : [{ name: 'users', children: doc.users.map(userNode) }]),
    ],
  });
}

function textNode(name: string, text: string | undefined): XmlWriteNode[] {
  return text === undefined ? [] : [{ name, text }];
}

function descriptionNode(doc: ConferenceInfo): XmlWriteNode | undefined {
  if (doc.subject === undefined && doc.confUris.length === 0) {
    return undefined;
  }
  const entries = doc.confUris.map((entry) => ({
    name: 'entry',
    children: [...textNode('uri', entry.uri), ...textNode('display-text', entry.displayText), ...textNode('purpose', entry.purpose)],
  }));
  return {
    name: 'conference-description',
    children: [...textNode('subject', doc.subject), ...(entries.length === 0 ? [] : [{ name: 'conf-uris', children: entries }])],
  };
}

function userNode(user: ConfUser): XmlWriteNode {
  return {
    name: 'user',
    attrs: { entity: user.entity, state: user.state },
    children: [
      ...textNode('display-text', user.displayText),
      ...(user.roles.length === 0 ? [] : [{ name: 'roles', children: user.roles.map((role) => ({ name: 'entry', text: role })) }]),
      ...user.endpoints.map(endpointNode),
    ],
  };
}

function endpointNode(endpoint: ConfEndpoint): XmlWriteNode {
  return {
    name: 'endpoint',
    attrs: { entity: endpoint.entity, state: endpoint.state, 'msci:session-type': endpoint.sessionType },
    children: [...textNode('status', endpoint.status), ...endpoint.media.map(mediaNode)],
  };
}

function mediaNode(media: ConfMedia): XmlWriteNode {
  return {
    name: 'media',
    attrs: { id: media.id },
    children: [
      ...textNode('type', media.type),
      ...textNode('label', media.label),
      ...textNode('status', media.status),
      ...textNode('msci:media-ingress-filter', media.ingressFilter),
      ...textNode('sbci:speaking', media.speaking === undefined ? undefined : String(media.speaking)),
    ],
  };
}

/** Whether any media says who is speaking: only then is the `sbci` namespace declared. */
function speaks(doc: ConferenceInfo): boolean {
  return doc.users.some((u) => u.endpoints.some((e) => e.media.some((m) => m.speaking !== undefined)));
}
