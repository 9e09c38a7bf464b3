import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ExtensionRegistry, ExtensionRegistryError } from '../../core/extensions/extension-registry';
import type { ExtensionListing, RegisteredExtension } from '../../core/extensions/extension-registry';
import { MACHINE_POLICY_FILE } from '../../core/extensions/machine-policy';
import { ExtensionStoreError } from '../../core/ports/extension-store';
import {
  defaultMachineExtensionsDir,
  defaultUserExtensionsDir,
  ExtensionDirectoryStore,
  MACHINE_EXTENSIONS_ENV,
} from '../extensions/extension-directory-store';
import type { ExtensionDirectoryStoreOptions } from '../extensions/extension-directory-store';
import { CliError, ExitCode } from './exit-codes';

/** Where the `extensions` command writes. Structurally a subset of `AgentIo`. @public */
export type ExtensionsIo = {
  readonly stdout: Writable;
  readonly stderr: Writable;
};

/** Test hooks of {@link registerExtensionsCommand}: store options beyond the two directories. */
export type ExtensionsCommandOptions = Pick<ExtensionDirectoryStoreOptions, 'limits' | 'lock'>;

const EXTENSIONS_HELP = `
Packages: a folder, a .tar.gz/.tgz or a .zip holding extension.json (at the top, or in a single
top-level folder) and the pane's files. At most 20 MiB and 1000 files unpacked; symbolic links,
devices, absolute paths and .. are refused.

Registries:
  per user      --registry <dir>, default ~/.config/switchboard/extensions ($XDG_CONFIG_HOME)
  machine-wide  $${MACHINE_EXTENSIONS_ENV}, default /etc/switchboard/extensions; read-only here.
                A machine-wide package wins over a per-user one with the same id. Its
                ${MACHINE_POLICY_FILE} {"allowUserInstalls": false} turns per-user packages off.

Exit codes:
  0  done
  1  internal error (e.g. the registry cannot be written)
  2  bad flag or value (e.g. an id that is not a GUID)
  6  package refused: manifest, missing entry, unsafe or oversized archive
  7  no such package file or folder, or no such extension installed
  8  refused by the administrator: machine policy, or a machine-wide package
  9  the registry is locked by another process; try again`;

/** Turns registry and store refusals into one-line CLI errors with their exit codes. */
function asCliError(error: unknown): unknown {
  if (error instanceof ExtensionRegistryError) {
    const code = {
      'bad-id': ExitCode.usage,
      'not-installed': ExitCode.extensionNotFound,
      'machine-provisioned': ExitCode.extensionRefused,
      'user-installs-forbidden': ExitCode.extensionRefused,
      'shadowed-by-machine': ExitCode.extensionRefused,
    }[error.code];
    return new CliError(error.message, code);
  }
  if (error instanceof ExtensionStoreError) {
    const code = {
      'invalid-package': ExitCode.extensionInvalid,
      'source-not-found': ExitCode.extensionNotFound,
      busy: ExitCode.registryBusy,
    }[error.code];
    return new CliError(error.message, code);
  }
  return error;
}

function notesOf(extension: RegisteredExtension): string {
  const notes: string[] = [];
  if (extension.shadowed) {
    notes.push('shadowed by the machine-wide package');
  }
  if (extension.forbidden) {
    notes.push('forbidden by the machine policy');
  }
  return notes.join('; ');
}

/** A plain-text table, columns padded to their widest cell. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

function printListing(io: ExtensionsIo, listing: ExtensionListing, locations: { user: string; machine: string }, json: boolean): void {
  if (json) {
    const extensions = listing.extensions.map(({ manifest, scope, location, shadowed, forbidden, effective }) => ({
      ...manifest,
      scope,
      location,
      shadowed,
      forbidden,
      effective,
    }));
    const document = {
      userRegistry: locations.user,
      machineDirectory: locations.machine,
      userInstallsAllowed: listing.userInstallsAllowed,
      extensions,
      problems: listing.problems,
    };
    io.stdout.write(`${JSON.stringify(document)}\n`);
    return;
  }
  for (const problem of listing.problems) {
    io.stderr.write(`switchboard: warning: ${problem.location}: ${problem.message}\n`);
  }
  if (listing.extensions.length === 0) {
    io.stdout.write(`No extensions installed (per user: ${locations.user}; machine-wide: ${locations.machine}).\n`);
  } else {
    const rows = listing.extensions.map((e) => [e.id, e.manifest.name, e.manifest.version, e.scope, notesOf(e)]);
    io.stdout.write(`${table([['ID', 'NAME', 'VERSION', 'SCOPE', 'NOTES'], ...rows])}\n`);
  }
  if (!listing.userInstallsAllowed) {
    io.stdout.write(`Per-user extensions are disabled by the administrator (${MACHINE_POLICY_FILE} in ${locations.machine}).\n`);
  }
}

/**
 * Registers `switchboard extensions install|list|remove` on `program`.
 * @remarks The per-user registry and the machine-wide directory stand for Lync's HKCU add-in
 * keys and their administrator-deployed counterpart (protocol-notes §3 and §5.13). Failures
 * are thrown as one-line {@link CliError}s whose exit codes the help lists (6 to 9 are this
 * command's own).
 * @param env - The environment: `SWITCHBOARD_MACHINE_EXTENSIONS`, `XDG_CONFIG_HOME`, `HOME`.
 * @returns The `extensions` command.
 * @public
 */
export function registerExtensionsCommand(program: Command, io: ExtensionsIo, env: NodeJS.ProcessEnv, options: ExtensionsCommandOptions = {}): Command {
  const registryFor = (raw: { registry?: string }): { registry: ExtensionRegistry; store: ExtensionDirectoryStore } => {
    const store = new ExtensionDirectoryStore({
      userDir: raw.registry ?? defaultUserExtensionsDir(env),
      machineDir: defaultMachineExtensionsDir(env),
      ...options,
    });
    return { registry: new ExtensionRegistry(store), store };
  };
  const run = async (action: () => Promise<void>): Promise<void> => {
    try {
      await action();
    } catch (error) {
      throw asCliError(error);
    }
  };

  const extensions = program
    .command('extensions')
    .description('Install, list and remove extension packages (conversation panes).')
    .addHelpText('after', EXTENSIONS_HELP);

  extensions
    .command('install')
    .description('Install a package (folder, .tar.gz/.tgz or .zip) in the per-user registry, replacing an older copy.')
    .argument('<dir|archive>', 'the package')
    .option('--registry <dir>', 'per-user registry directory (default ~/.config/switchboard/extensions)')
    .action((source: string, raw: { registry?: string }) =>
      run(async () => {
        const result = await registryFor(raw).registry.install(source);
        const { id, name, version } = result.manifest;
        const replaced = result.replacedVersion === undefined ? '' : ` (replaced ${result.replacedVersion})`;
        io.stdout.write(`installed ${id} ${name} ${version}${replaced} in ${result.location}\n`);
      }),
    );

  extensions
    .command('list')
    .description('List the per-user and machine-wide packages, marking shadowed and forbidden ones.')
    .option('--registry <dir>', 'per-user registry directory (default ~/.config/switchboard/extensions)')
    .option('--json', 'one JSON document on stdout instead of a table', false)
    .action((raw: { registry?: string; json: boolean }) =>
      run(async () => {
        const { registry, store } = registryFor(raw);
        printListing(io, await registry.list(), store.locations(), raw.json);
      }),
    );

  extensions
    .command('remove')
    .description('Remove a per-user package; the id may be in any GUID form (braces, case).')
    .argument('<id>', 'the application GUID')
    .option('--registry <dir>', 'per-user registry directory (default ~/.config/switchboard/extensions)')
    .action((appId: string, raw: { registry?: string }) =>
      run(async () => {
        const { registry, store } = registryFor(raw);
        const result = await registry.remove(appId);
        const what = result.manifest === undefined ? result.id : `${result.id} ${result.manifest.name} ${result.manifest.version}`;
        const stays = result.machineCopyRemains ? '; the machine-wide package of the same id stays in use' : '';
        io.stdout.write(`removed ${what} from ${store.locations().user}${stays}\n`);
      }),
    );

  return extensions;
}
