/**
 * The C3P envelope and the strict readers both ends of C3P share: the agent's requests and its
 * response parser (`c3p.ts`) and the lab focus's request parser and response builder
 * (`lab/conference/c3p-focus.ts`). One copy, so both ends refuse the same bodies with the same
 * words.
 * @packageDocumentation
 */
import type { XmlElement } from '../xml/safe-xml';
import { attr, children, parseXml } from '../xml/safe-xml';
import { xmlTrim } from '../xml/xml-text';
import type { XmlWriteNode } from '../xml/xml-writer';
import { NS_CCCP } from './namespaces';

const MAX_REQUEST_ID_DIGITS = 10;

/**
 * Thrown by the readers below and caught by the exported parsers only ({@link messageOf}).
 * @public
 */
export class InvalidC3P extends Error {}

/**
 * A request id as written: a non-negative safe integer ([MS-CONFPRO] 2.2.2: `requestId` is an
 * unsignedInt chosen by the client).
 * @throws RangeError otherwise
 * @public
 */
export function formatRequestId(requestId: number): string {
  if (!Number.isSafeInteger(requestId) || requestId < 0) {
    throw new RangeError(`requestId must be a non-negative integer, got ${requestId}`);
  }
  return String(requestId);
}

/**
 * The `ci:user` of an addUser request or response: one role, and the endpoint when given
 * ([MS-CONFBAS] 2.2.3.15 and 2.2.3.4).
 * @public
 */
export function userNode(entity: string, role: string, endpointEntity: string | undefined): XmlWriteNode {
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
 * The root of a C3P body: `request` or `response` in the cccp namespace ([MS-CONFPRO] 2.2.2, 2.2.3).
 * @throws InvalidC3P otherwise, or when the body is not safe, well-formed XML
 * @public
 */
export function readRoot(body: string, name: 'request' | 'response'): XmlElement {
  const xml = parseXml(body);
  if (!xml.ok) {
    throw new InvalidC3P(`unreadable C3P body (${xml.rule}): ${xml.message}`);
  }
  if (xml.root.name !== name || xml.root.ns !== NS_CCCP) {
    throw new InvalidC3P(`root must be ${name} in ${NS_CCCP}, got {${xml.root.ns}}${xml.root.name}`);
  }
  return xml.root;
}

/**
 * The envelope attributes every C3P request and response carries: an integer `requestId`,
 * `from` and `to` ([MS-CONFPRO] 2.2.2, 2.2.3).
 * @throws InvalidC3P when one is missing or the id is not an integer
 * @public
 */
export function readEnvelope(root: XmlElement): { requestId: number; from: string; to: string } {
  const rawId = requiredAttr(root, 'requestId');
  if (!/^[0-9]+$/.test(rawId) || rawId.length > MAX_REQUEST_ID_DIGITS) {
    throw new InvalidC3P(`requestId must be an integer, got '${rawId}'`);
  }
  return { requestId: Number(rawId), from: requiredAttr(root, 'from'), to: requiredAttr(root, 'to') };
}

/**
 * The one child of the root, naming the command, in the cccp namespace ([MS-CONFPRO] 2.2.2).
 * @throws InvalidC3P when there is none, more than one, or it is in another namespace
 * @public
 */
export function onlyCommand(root: XmlElement): XmlElement {
  const [command, ...others] = root.children;
  if (command === undefined || others.length > 0) {
    throw new InvalidC3P(`expected exactly one command element, found ${root.children.length}`);
  }
  if (command.ns !== NS_CCCP) {
    throw new InvalidC3P(`command ${command.name} is not in ${NS_CCCP}`);
  }
  return command;
}

/**
 * The single child `name` in `ns` of `parent`.
 * @throws InvalidC3P when there is none or more than one
 * @public
 */
export function exactlyOne(parent: XmlElement, name: string, ns: string): XmlElement {
  const found = children(parent, name, ns);
  const [only] = found;
  if (only === undefined || found.length > 1) {
    throw new InvalidC3P(`expected exactly one ${name} in ${parent.name}, found ${found.length}`);
  }
  return only;
}

/** An attribute, trimmed of XML white space, or `undefined`. @public */
export function optionalAttr(el: XmlElement, name: string): string | undefined {
  const value = attr(el, name);
  return value === undefined ? undefined : xmlTrim(value);
}

/**
 * An attribute, trimmed of XML white space.
 * @throws InvalidC3P when it is missing or blank
 * @public
 */
export function requiredAttr(el: XmlElement, name: string): string {
  const value = optionalAttr(el, name);
  if (value === undefined || value === '') {
    throw new InvalidC3P(`${el.name} needs a ${name} attribute`);
  }
  return value;
}

/**
 * The element's text, trimmed of XML white space.
 * @throws InvalidC3P when it is blank
 * @public
 */
export function requiredText(el: XmlElement, what: string): string {
  const value = xmlTrim(el.text);
  if (value === '') {
    throw new InvalidC3P(`empty ${what}`);
  }
  return value;
}

/**
 * The message of a refusal by the readers above; anything else is a bug and is thrown on.
 * @public
 */
export function messageOf(error: unknown): string {
  if (error instanceof InvalidC3P) {
    return error.message;
  }
  throw error;
}
