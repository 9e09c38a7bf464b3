/**
 * Application GUIDs: the identity of a context-channel application and of an extension package.
 * @packageDocumentation
 */
import { normalizeAppId } from '../../common/extension-manifest';

/**
 * Normalises an application id to the braced upper-case form, `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`.
 * @remarks One grammar for the whole agent: this delegates to `normalizeAppId` of the extension
 * manifest, so an id from a channel INVITE and the id of an installed package compare with
 * `===`. The form is Lync's registry subkey and `%AppId%` (38 characters, LYNC-REG; protocol
 * notes section 3). Accepted: hex digits in any case, with both braces or none, white space
 * around (UCMA-CCC's sample has trailing white space inside `application-id`, protocol notes
 * 1.4) and just inside the braces. Refused: one brace alone, the .NET "N" (32 bare digits),
 * "P" (parentheses) and "X" forms, and anything not hex.
 * @param raw - the id as written by the sender or a manifest
 * @returns the normalised id, or `undefined` when `raw` is not a GUID
 * @public
 */
export function normalizeGuid(raw: string): string | undefined {
  return normalizeAppId(raw);
}
