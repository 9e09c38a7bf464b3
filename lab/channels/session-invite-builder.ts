/**
 * `application/ms-session-invite+xml` as the lab's server application writes it; the agent reads
 * it with `parseSessionInvite` (core/channels/session-invite.ts), whose rules it shares.
 * @packageDocumentation
 */
import { normalizeAppId } from '../../common/extension-manifest';
import { encodeBase64 } from '../../core/codecs/base64';
import {
  SESSION_INVITE_ROOT,
  checkSessionInviteEntries,
  isSessionInviteEntry,
  parseSessionInvite,
  sessionInviteMessage,
  type SessionInviteEntry,
  type SessionInviteRule,
} from '../../core/channels/session-invite';
import { encodeUtf8 } from '../../core/codecs/utf8';
import { replaceNonXmlChars, xmlTrim } from '../../core/xml/xml-text';
import type { XmlWriteNode } from '../../core/xml/xml-writer';
import { writeXml } from '../../core/xml/xml-writer';

/**
 * What the lab's server-side API (modelled on UCMA's ConversationContextChannelEstablishOptions)
 * asks to send. A string `data` is sent as its UTF-8 bytes.
 * @public
 */
export type SessionInviteInput = {
  readonly appId: string;
  readonly data?: Uint8Array | string;
  readonly name?: string;
  readonly customToast?: string;
  readonly simpleLink?: string;
  readonly installLink?: string;
  readonly other?: Readonly<Record<string, string>>;
};

/** Outcome of {@link buildSessionInvite}. @public */
export type BuildSessionInviteResult =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly rule: SessionInviteRule; readonly message: string };

/**
 * Builds a context channel INVITE body for the lab's server-side API, refusing what the agent
 * would refuse.
 * @remarks The same limits as `parseSessionInvite`, checked field by field for a precise
 * `rule`, and then the finished body is parsed back, so the lab can never send an invitation
 * the agent answers with 400 (the body-size limit, which depends on everything together, is
 * caught that way). Values are trimmed and characters XML cannot carry become U+FFFD, exactly as
 * they will read on the other side; blank optional values and empty `data` are left out. The
 * shape is that of protocol notes 1.4: `session` in no namespace, the braced upper-case
 * `application-id`, then `additional-properties` with `data`, `name`, `customToast`,
 * `simpleLink`, `installLink` and the `other` entries, in that order.
 * @param input - what to send
 * @public
 */
export function buildSessionInvite(input: SessionInviteInput): BuildSessionInviteResult {
  const appId = normalizeAppId(input.appId);
  if (appId === undefined) {
    return notBuilt(xmlTrim(input.appId) === '' ? 'no-application-id' : 'bad-application-id');
  }
  const entries = buildEntries(input);
  if (typeof entries === 'string') {
    return notBuilt(entries);
  }
  const body = writeXml(sessionNode(appId, entries));
  const check = parseSessionInvite(body);
  return check.ok ? { ok: true, body } : notBuilt(check.rule);
}

function sessionNode(appId: string, entries: readonly [string, string][]): XmlWriteNode {
  const entryNodes = entries.map(([name, value]) => ({
    name: 'entry',
    children: [
      { name: 'name', text: name },
      { name: 'value', text: value },
    ],
  }));
  const props = entryNodes.length === 0 ? [] : [{ name: 'additional-properties', children: entryNodes }];
  return { name: SESSION_INVITE_ROOT, children: [{ name: 'application-id', text: appId }, ...props] };
}

function notBuilt(rule: SessionInviteRule): BuildSessionInviteResult {
  return { ok: false, rule, message: `${rule}: ${sessionInviteMessage(rule)}` };
}

/** The entries to write, in order, or the first rule they break. */
function buildEntries(input: SessionInviteInput): [string, string][] | SessionInviteRule {
  const data = input.data === undefined ? '' : encodeBase64(typeof input.data === 'string' ? encodeUtf8(input.data) : input.data);
  const known: [SessionInviteEntry, string][] = [
    ['data', data],
    ['name', clean(input.name)],
    ['customToast', clean(input.customToast)],
    ['simpleLink', clean(input.simpleLink)],
    ['installLink', clean(input.installLink)],
  ];
  const broken = checkSessionInviteEntries(new Map(known));
  if (broken !== undefined) {
    return broken;
  }
  const other = buildOther(input.other ?? {});
  return typeof other === 'string' ? other : [...known.filter(([, value]) => value !== ''), ...other];
}

/** The value as the agent will read it: trimmed, with non-XML characters replaced. */
function clean(value: string | undefined): string {
  return replaceNonXmlChars(xmlTrim(value ?? ''));
}

function buildOther(other: Readonly<Record<string, string>>): [string, string][] | SessionInviteRule {
  const seen = new Set<string>();
  const entries: [string, string][] = [];
  for (const [rawName, rawValue] of Object.entries(other)) {
    const name = clean(rawName);
    if (name === '' || isSessionInviteEntry(name)) {
      return 'bad-entry-name';
    }
    if (seen.has(name)) {
      return 'duplicate';
    }
    seen.add(name);
    entries.push([name, clean(rawValue)]);
  }
  return entries;
}
