import { z } from 'zod';

/**
 * File name of the manifest at the root of every extension package.
 * @public
 */
export const EXTENSION_MANIFEST_FILE = 'extension.json';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Normalises an application GUID to the canonical braced upper-case form
 * `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, or returns `undefined` when `raw` is not a GUID.
 * @remarks Lync names each package's registry key by its GUID in braces, and passes it as
 * `%AppId%`, 38 characters (protocol-notes §3, [MSDOC LYNC-REG]). Microsoft's own channel
 * sample carries whitespace around the value, and senders differ in case and braces
 * (protocol-notes §1.4), so any case, braces or none, and surrounding whitespace are accepted.
 * Braces must come in pairs: `{GUID` is a typo, not a GUID.
 * @public
 */
export function normalizeAppId(raw: string): string | undefined {
  if (typeof raw !== 'string') {
    return undefined;
  }
  let value = raw.trim();
  if (value.startsWith('{') && value.endsWith('}')) {
    value = value.slice(1, -1).trim();
  }
  return GUID.test(value) ? `{${value.toUpperCase()}}` : undefined;
}

/**
 * Pane sizes a manifest can ask for, in CSS pixels: the minimum size of the pane.
 * @remarks Lync's `ExtensibilityWindowSize` 0, 1 and 2 (protocol-notes §3 and §4,
 * [MSDOC LYNC-REG]).
 * @public
 */
export const PANE_SIZES = {
  small: { width: 300, height: 200 },
  medium: { width: 400, height: 600 },
  large: { width: 800, height: 600 },
} as const;
/** @public */
export type PaneSize = keyof typeof PANE_SIZES;

/**
 * What a pane may ask its host for beyond receiving and sending context, each granted only
 * when listed in the manifest.
 * @remarks Receiving context, sending context back (`sendData`) and reading the conversation
 * are what every registered pane does (protocol-notes §3, "How the extension gets data"), so
 * they need no permission. Panes are sandboxed web content; these are the few host services
 * that reach outside the pane:
 * - `clipboard-write`: write text to the system clipboard (copy a ticket number). Reading the
 *   clipboard is deliberately not offered: it would leak whatever the agent copied last.
 * - `notifications`: show a desktop notification through the host, e.g. when new context
 *   arrives while the conversation window is in the background.
 * - `open-external`: ask the host to open an `https:` link in the system browser. Without it,
 *   links the pane opens stay inside the sandbox (Lync warns about untrusted links, §3
 *   "Security rules").
 * @public
 */
export const EXTENSION_PERMISSIONS = ['clipboard-write', 'notifications', 'open-external'] as const;
/** @public */
export type ExtensionPermission = (typeof EXTENSION_PERMISSIONS)[number];

/** Limits of the manifest's fields, exported so that tests and tools check the same numbers. */
export const MANIFEST_LIMITS = {
  /** Lync's `Name` / `%AppName%` / ApplicationName limit (protocol-notes §4). */
  nameChars: 50,
  descriptionChars: 500,
  versionChars: 64,
  urlChars: 2048,
  entryChars: 1024,
} as const;

const required = (expected: string) =>
  ({ error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${expected}`) }) as const;

// Code points, not UTF-16 units: an emoji in a name is one character to the person typing it.
const charCount = (value: string): number => Array.from(value).length;

// Names and descriptions are shown in the UI and in error texts: control characters there
// would let a manifest forge lines of a message.
const CONTROL = /[\u0000-\u001f\u007f]/;

const name = z
  .string(required('a string'))
  .trim()
  .min(1, 'must not be empty')
  .refine((v) => charCount(v) <= MANIFEST_LIMITS.nameChars, `at most ${MANIFEST_LIMITS.nameChars} characters`)
  .refine((v) => !CONTROL.test(v), 'must not contain control characters');

const description = z
  .string(required('a string'))
  .trim()
  .refine((v) => charCount(v) <= MANIFEST_LIMITS.descriptionChars, `at most ${MANIFEST_LIMITS.descriptionChars} characters`);

// Semver-ish: one to four numeric parts (1, 1.2, 1.2.3, Windows-style 1.2.3.4), then an
// optional semver pre-release and build. Anything else is most likely a typo.
const VERSION = /^(0|[1-9]\d{0,8})(\.(0|[1-9]\d{0,8})){0,3}(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const version = z
  .string(required('a string'))
  .trim()
  .max(MANIFEST_LIMITS.versionChars, `at most ${MANIFEST_LIMITS.versionChars} characters`)
  .regex(VERSION, 'must be a version like 1.2.0 (numbers, dots, optional -pre-release and +build)');

/** Why `value` is not an acceptable https URL, or undefined when it is. */
function httpsUrlProblem(value: string): string | undefined {
  if (value.length > MANIFEST_LIMITS.urlChars) {
    return `at most ${MANIFEST_LIMITS.urlChars} characters`;
  }
  if (!/^https:\/\//i.test(value)) {
    return 'must be an https: URL';
  }
  if (/\s/.test(value) || !z.url({ protocol: /^https$/ }).safeParse(value).success) {
    return 'must be a valid https: URL';
  }
  // A user name or password in a link shown to agents is a phishing pattern
  // (https://crm.example.org@evil.example/), never something a manifest needs.
  const authority = value.slice('https://'.length).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@')) {
    return 'must not contain a user name or password';
  }
  return undefined;
}

const httpsUrl = z.string(required('a string')).superRefine((value, ctx) => {
  const problem = httpsUrlProblem(value);
  if (problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});

/**
 * Validates a package-relative entry path and returns it without `.` segments, or the reason
 * it is refused.
 */
function checkEntryPath(value: string): { path: string } | { problem: string } {
  if (value.includes('\\')) {
    return { problem: 'must use / as the path separator' };
  }
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value)) {
    return { problem: 'must be a path relative to the package, not an absolute path' };
  }
  if (CONTROL.test(value)) {
    return { problem: 'must not contain control characters' };
  }
  const segments = value.split('/').filter((segment) => segment !== '.');
  if (segments.includes('..')) {
    return { problem: 'must stay inside the package (no .. segments)' };
  }
  if (segments.length === 0 || segments.includes('')) {
    return { problem: 'must be a file path like pane/index.html (no empty segments)' };
  }
  const path = segments.join('/');
  if (!/\.html?$/i.test(path)) {
    return { problem: 'must name an .html file or be an https: URL' };
  }
  return { path };
}

const entry = z
  .string(required('a string'))
  .trim()
  .min(1, 'must not be empty')
  .max(MANIFEST_LIMITS.entryChars, `at most ${MANIFEST_LIMITS.entryChars} characters`)
  .transform((value, ctx) => {
    // Anything with a scheme is a URL; a single letter before the colon is a Windows drive.
    if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(value)) {
      const problem = httpsUrlProblem(value);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem === 'must be an https: URL' ? 'a URL entry must be an https: URL' : problem });
        return z.NEVER;
      }
      return value;
    }
    const checked = checkEntryPath(value);
    if ('problem' in checked) {
      ctx.addIssue({ code: 'custom', message: checked.problem });
      return z.NEVER;
    }
    return checked.path;
  });

const appId = z
  .string(required('a string'))
  .transform((value, ctx) => {
    const normalized = normalizeAppId(value);
    if (normalized === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be an application GUID like {8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}' });
      return z.NEVER;
    }
    return normalized;
  });

const paneSize = z.enum(Object.keys(PANE_SIZES) as [PaneSize, ...PaneSize[]], {
  error: () => `must be one of ${Object.keys(PANE_SIZES).join(', ')}`,
});

const permissions = z
  .array(
    z.enum(EXTENSION_PERMISSIONS, { error: () => `must be one of ${EXTENSION_PERMISSIONS.join(', ')}` }),
    required('an array of permission names'),
  )
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((permission, index) => {
      if (seen.has(permission)) {
        ctx.addIssue({ code: 'custom', path: [index], message: `"${permission}" is listed twice` });
      }
      seen.add(permission);
    });
  });

/**
 * Schema of `extension.json`, the manifest of an extension package.
 * @remarks The fields map onto a Lync pane package's registry values (protocol-notes §3,
 * [MSDOC LYNC-REG]): `id` is the subkey GUID, `name` the `Name` value (≤ 50 characters, §4),
 * `entry` the `InternalURL` (a file inside the package, or an https URL), `pane.size` the
 * `ExtensibilityWindowSize`, `installLink` the `InstallLink`. Unknown keys are refused so that a
 * misspelt field fails at install instead of being silently ignored.
 * @public
 */
export const extensionManifestSchema = z.strictObject(
  {
    /** The application GUID; normalised to `{XXXXXXXX-...}` upper case. */
    id: appId,
    /** Display name, 1 to 50 characters after trimming. */
    name,
    /** Package version, semver-ish (`1.2.0`, `2.0.0-beta.1`, `1.0.0.7`). */
    version,
    /** The pane's page: a package-relative `.html` path, or an `https:` URL. */
    entry,
    /** Minimum pane size; `small` (300×200) unless given. */
    pane: z
      .strictObject({ size: paneSize.default('small') }, required('an object like {"size":"medium"}'))
      .default({ size: 'small' }),
    /** Where agents without the package can get it, shown as a link (Lync `InstallLink`). */
    installLink: httpsUrl.optional(),
    /** Host services the pane may use; none unless listed. */
    permissions: permissions.default([]),
    /** One or two sentences for the extensions list. */
    description: description.optional(),
  },
  required('a JSON object'),
);
/** A validated manifest, defaults applied. @public */
export type ExtensionManifest = z.output<typeof extensionManifestSchema>;
/** A manifest as authors write it. @public */
export type ExtensionManifestInput = z.input<typeof extensionManifestSchema>;

/** Result of {@link parseExtensionManifest}: the manifest, or one message per problem. @public */
export type ManifestParseResult =
  | { readonly ok: true; readonly manifest: ExtensionManifest }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Turns zod issues into one `field: message` line each (`name: at most 50 characters`,
 * `permissions[1]: must be one of ...`, `colour: unknown field`).
 * @public
 */
export function formatManifestIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const fieldOf = (path: readonly PropertyKey[]): string =>
    path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${fieldOf([...issue.path, key])}: unknown field`);
    }
    const field = fieldOf(issue.path);
    return [`${field === '' ? EXTENSION_MANIFEST_FILE : field}: ${issue.message}`];
  });
}

/**
 * Validates a manifest, given as parsed JSON or as the text of `extension.json`.
 * @remarks A leading byte-order mark is dropped: Windows editors write one and JSON.parse
 * refuses it. Checking that a file `entry` exists needs the package and is the installer's job.
 * @public
 */
export function parseExtensionManifest(input: unknown): ManifestParseResult {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input.replace(/^\uFEFF/, '')) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, errors: [`${EXTENSION_MANIFEST_FILE}: not valid JSON (${reason})`] };
    }
  }
  const result = extensionManifestSchema.safeParse(value);
  return result.success ? { ok: true, manifest: result.data } : { ok: false, errors: formatManifestIssues(result.error.issues) };
}

/** Where a manifest's `entry` points. @public */
export type ExtensionEntry = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'url'; readonly url: string };

/**
 * Classifies a validated manifest's `entry` as a package file or a remote page.
 * @public
 */
export function classifyEntry(manifest: Pick<ExtensionManifest, 'entry'>): ExtensionEntry {
  return /^https:\/\//i.test(manifest.entry) ? { kind: 'url', url: manifest.entry } : { kind: 'file', path: manifest.entry };
}
