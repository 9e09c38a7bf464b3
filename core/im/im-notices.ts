/**
 * The small XML documents that travel beside instant messages: Lync's delivery reports and
 * typing notices (Lync's INFO and RFC 3994's MESSAGE).
 * @packageDocumentation
 */
import type { XmlElement } from '../xml/safe-xml';
import { attr, child, children, parseXml } from '../xml/safe-xml';
import { xmlTrim } from '../xml/xml-text';
import { writeXml } from '../xml/xml-writer';

/** [MS-CONFIM] IMDN namespace (im-presence §1.3). @public */
export const MS_IMDN_NS = 'http://schemas.microsoft.com/rtc/2005/08/imdn';
/** Content type of a Lync delivery report. @public */
export const MIME_MS_IMDN = 'application/ms-imdn+xml';
/** RFC 3994 §3 content type and namespace. @public */
export const MIME_IS_COMPOSING = 'application/im-iscomposing+xml';
const IS_COMPOSING_NS = 'urn:ietf:params:xml:ns:im-iscomposing';
/** Lync typing notices travel as INFO with this type (im-presence §2.4). @public */
export const MIME_KEYBOARD_ACTIVITY = 'application/xml';

/** Largest notice we read: these documents are a few hundred bytes. */
const MAX_NOTICE_BYTES = 16 * 1024;
/** Most recipients we read from one report. */
const MAX_RECIPIENTS = 256;

/** A recipient a conference message did not reach. @public */
export type UndeliveredRecipient = { readonly uri: string; readonly status: number; readonly diagnostics?: string };

/** A Lync delivery report: which recipients of message `messageId` failed. @public */
export type DeliveryReport = { readonly messageId: string; readonly failed: readonly UndeliveredRecipient[] };

/**
 * Reads an `application/ms-imdn+xml` delivery report.
 * @remarks im-presence §1.3 ([MS-CONFIM] IMDN): root `imdn`, `message-id` (the 202's
 * `Message-Id`), `recipient/@uri` with `status` and `entry` key/value pairs. With archiving on,
 * successful recipients are listed with 200, so only a missing status or one of 300 and above
 * counts as a failure. Not RFC 5438 IMDN.
 * @public
 */
export function parseDeliveryReport(body: string): { ok: true; report: DeliveryReport } | { ok: false; error: string } {
  const xml = parseXml(body, { maxBytes: MAX_NOTICE_BYTES });
  if (!xml.ok) {
    return { ok: false, error: `unreadable delivery report (${xml.rule}): ${xml.message}` };
  }
  if (xml.root.name !== 'imdn') {
    return { ok: false, error: `not a delivery report (root ${xml.root.name})` };
  }
  const messageId = xmlTrim(child(xml.root, 'message-id')?.text ?? '');
  if (messageId === '') {
    return { ok: false, error: 'delivery report without message-id' };
  }
  const failed = children(xml.root, 'recipient')
    .slice(0, MAX_RECIPIENTS)
    .map(recipientOf)
    .filter((r) => !(r.status >= 200 && r.status < 300));
  return { ok: true, report: { messageId, failed } };
}

function recipientOf(el: XmlElement): UndeliveredRecipient {
  const uri = (attr(el, 'uri') ?? '').replace(/^\s*<|>\s*$/g, '').trim();
  const statusText = xmlTrim(child(el, 'status')?.text ?? '');
  const status = /^[1-6][0-9]{2}$/.test(statusText) ? Number(statusText) : 0;
  const diagnostics = children(el, 'entry').find((e) => xmlTrim(child(e, 'key')?.text ?? '').toLowerCase() === 'ms-diagnostics');
  const value = diagnostics === undefined ? '' : xmlTrim(child(diagnostics, 'value')?.text ?? '');
  return { uri, status, ...(value !== '' && { diagnostics: value.slice(0, 256) }) };
}

/** Whether a typing notice says the peer is typing, is idle, or is not a typing notice. @public */
export type TypingNotice = 'typing' | 'idle' | undefined;

/**
 * Reads a typing notice: Lync's `KeyboardActivity` INFO (`status/@status` = `type` or `idle`,
 * im-presence §2.4) or an RFC 3994 `isComposing` MESSAGE (`state` = `active` or `idle`).
 * @public
 */
export function parseTypingNotice(body: string): TypingNotice {
  const xml = parseXml(body, { maxBytes: MAX_NOTICE_BYTES });
  if (!xml.ok) {
    return undefined;
  }
  const root = xml.root;
  if (root.name === 'KeyboardActivity') {
    const status = attr(child(root, 'status') ?? root, 'status');
    return status === 'type' ? 'typing' : status === 'idle' ? 'idle' : undefined;
  }
  if (root.name === 'isComposing' && root.ns === IS_COMPOSING_NS) {
    const state = xmlTrim(child(root, 'state', IS_COMPOSING_NS)?.text ?? '');
    return state === 'active' ? 'typing' : state === 'idle' ? 'idle' : undefined;
  }
  return undefined;
}

/**
 * A Lync typing notice for an INFO (im-presence §2.4: `Content-Type: application/xml`).
 * @public
 */
export function buildKeyboardActivity(typing: boolean): string {
  return writeXml({ name: 'KeyboardActivity', children: [{ name: 'status', attrs: { status: typing ? 'type' : 'idle' } }] });
}
