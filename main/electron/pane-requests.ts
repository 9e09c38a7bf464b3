/**
 * What one extension pane's session may load in Electron (`webRequest.onBeforeRequest` on its
 * partition). Free of Electron so that it can be tested without the binary.
 */

/** The extension whose pane asks, as its session knows it. */
export type PaneRequestScope = {
  /** The pane scheme without the colon (`switchboard-pane`). */
  readonly scheme: string;
  /** The extension's host under that scheme: its GUID, lower case, no braces. */
  readonly host: string;
  /** The manifest's `entry`: a path in the package, or an `https:` URL. */
  readonly entry: string;
};

/** The decision on one request, with the reason a refusal is logged with. */
export type PaneRequestVerdict = { readonly allow: true } | { readonly allow: false; readonly reason: string };

/**
 * Schemes that never reach the network: `data:` (the CSP's `img-src data:`), `blob:` (objects
 * the page made itself, e.g. `URL.createObjectURL` for an image), and `devtools:` (the DevTools
 * front end, when a developer inspects the pane; Chromium serves it from the binary).
 */
const LOCAL_SCHEMES: ReadonlySet<string> = new Set(['data:', 'blob:', 'devtools:']);

/**
 * Whether a pane may load `url`: its own package's files, the local schemes above, and, for an
 * extension whose entry is an `https:` page, that page's exact origin (its code lives there;
 * any other host is refused like everything else). Anything else (`http:`, other `https:`
 * hosts, `ws:`/`wss:`, `file:`, another extension's files) is cancelled.
 * @remarks The pane's CSP (`main/extensions/pane-content.ts`) already forbids the network to a
 * packaged page; this is the same rule enforced below the page, where a CSP bug, a remote
 * entry (whose server sets its own CSP, or none) or a navigation cannot get around it.
 */
export function paneRequestVerdict(url: string, scope: PaneRequestScope): PaneRequestVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allow: false, reason: 'not a URL' };
  }
  const protocol = parsed.protocol.toLowerCase();
  if (protocol === `${scope.scheme.toLowerCase()}:`) {
    return parsed.hostname.toLowerCase() === scope.host.toLowerCase() ? { allow: true } : { allow: false, reason: 'files of another extension' };
  }
  if (LOCAL_SCHEMES.has(protocol)) {
    return { allow: true };
  }
  const entryOrigin = httpsOrigin(scope.entry);
  if (protocol === 'https:' && entryOrigin !== undefined && parsed.origin === entryOrigin) {
    return { allow: true };
  }
  return { allow: false, reason: `network (${protocol}) outside the extension` };
}

/** The origin of an `https:` entry; undefined for a packaged entry or a malformed URL. */
function httpsOrigin(entry: string): string | undefined {
  if (!/^https:\/\//i.test(entry)) {
    return undefined;
  }
  try {
    return new URL(entry).origin;
  } catch {
    return undefined;
  }
}
