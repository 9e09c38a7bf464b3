import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { BridgeResult, ExtensionInfo } from '../../../common/bridge';
import type { ExtensionRegistry, RegisteredExtension } from '../../../core/extensions/extension-registry';
import type { DesktopPlatform } from '../desktop-platform';
import { fail } from './failures';
import type { AreaHandlers } from './types';

/** What the extensions manager's handlers need of the session. */
export type ExtensionsAreaContext = {
  /**
   * The registry installs go to now: the agent's own, or the lab's while the embedded lab
   * runs (trying the lab never touches the real one).
   */
  readonly openRegistry: () => ExtensionRegistry;
  /** The folders of that registry: the per-user one it writes, the machine one it reads. */
  readonly registryDirs: () => { readonly userDir: string; readonly machineDir: string };
  /** The running agent's channel decisions and every window see an install or removal now. */
  readonly extensionsChanged: () => Promise<void>;
  readonly platform: Pick<DesktopPlatform, 'pickPackage'>;
};

/** The bridge methods of the extensions manager. */
export type ExtensionsMethod = 'extensions.list' | 'extensions.install' | 'extensions.upload' | 'extensions.remove' | 'extensions.pick';

type InstallResult = BridgeResult<'extensions.install'>;

/**
 * `extensions.*` of `common/bridge.ts`: the registry as the extensions manager shows it, and
 * installs (from a path on this machine, an uploaded archive, or the shell's picker) and
 * removals. Registry and store refusals keep their own errors; `DesktopSession.handle` maps
 * them to the contract's codes.
 */
export function extensionsHandlers(context: ExtensionsAreaContext): AreaHandlers<ExtensionsMethod> {
  const install = async (path: string): Promise<InstallResult> => {
    const result = await context.openRegistry().install(path);
    await context.extensionsChanged();
    return {
      id: result.manifest.id,
      name: result.manifest.name,
      version: result.manifest.version,
      ...(result.replacedVersion !== undefined && { replacedVersion: result.replacedVersion }),
    };
  };
  return {
    'extensions.list': () => listExtensions(context),
    'extensions.install': ({ path }) => install(path),
    'extensions.upload': ({ fileName, dataBase64 }) => installUpload(fileName, dataBase64, install),
    'extensions.remove': async ({ id }) => {
      const removed = await context.openRegistry().remove(id);
      await context.extensionsChanged();
      return { id: removed.id, machineCopyRemains: removed.machineCopyRemains };
    },
    'extensions.pick': async ({ folder }) => {
      const { platform } = context;
      if (!platform.pickPackage) {
        return fail('unsupported', 'this host has no file picker: type the path, or upload an archive');
      }
      const path = await platform.pickPackage(folder);
      return path === undefined ? {} : { path };
    },
  };
}

/** Installs an archive a window read from its file picker, from a temporary copy removed after. */
async function installUpload(fileName: string, dataBase64: string, install: (path: string) => Promise<InstallResult>): Promise<InstallResult> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-upload-'));
  try {
    const file = join(dir, basename(fileName));
    await writeFile(file, Buffer.from(dataBase64, 'base64'));
    return await install(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function listExtensions(context: ExtensionsAreaContext): Promise<BridgeResult<'extensions.list'>> {
  const { userDir, machineDir } = context.registryDirs();
  const listing = await context.openRegistry().list();
  return { extensions: listing.extensions.map(toExtensionInfo), problems: [...listing.problems], userInstallsAllowed: listing.userInstallsAllowed, userDir, machineDir };
}

/** An installed extension as the manager lists it; `paneUrl` is where the browser host serves a local entry. */
function toExtensionInfo(e: RegisteredExtension): ExtensionInfo {
  const remote = /^https:/i.test(e.manifest.entry);
  return {
    id: e.id,
    name: e.manifest.name,
    version: e.manifest.version,
    scope: e.scope,
    entry: e.manifest.entry,
    size: e.manifest.pane?.size ?? 'medium',
    permissions: [...(e.manifest.permissions ?? [])],
    effective: e.effective,
    shadowed: e.shadowed,
    forbidden: e.forbidden,
    ...(e.effective && { paneUrl: remote ? e.manifest.entry : `/pane/${e.id.slice(1, -1)}/${e.manifest.entry}` }),
  };
}
