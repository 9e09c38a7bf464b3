import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabAction } from '../../common/bridge';
import type { Logger } from '../../core/ports/logger';

/**
 * The embedded lab as the desktop host sees it: a standalone registrar, conference server and
 * contact-center application on loopback, so that a newcomer with no account gets a working
 * agent desktop. Production code never imports lab/ (architecture boundary); the host loads
 * the separately bundled `out/lab/embedded.js` at run time, and only when no account is set.
 * @public
 */
export type EmbeddedLab = {
  /** Where the agent registers (`ws://127.0.0.1:PORT`). */
  readonly wsUrl: string;
  /** The address of record the agent uses with the lab. */
  readonly agentAor: string;
  /** The lab application's identity, trusted to open channels inside its conferences. */
  readonly applicationUri: string;
  /** Sample extension packages to register for the lab's channels. */
  readonly samplePackages: readonly string[];
  /**
   * Where conference audio is mixed: `janus` (AudioBridge: participants hear each other) or
   * `echo` (Janus is not installed: each participant hears its own audio back).
   */
  readonly mixer: 'janus' | 'echo';
  /** The lab's customer page (its contact center's "Chat with us"), for the main window's link. */
  readonly customerPageUrl?: string;
  /** A line for the agent about the lab itself (why audio is only echoed), shown once. */
  readonly notice?: string;
  /** Runs one try-it action; resolves with a line for the agent, rejects with a reason. */
  tryIt(action: LabAction): Promise<string>;
  stop(): Promise<void>;
};

/** The module `out/lab/embedded.js` exports. */
export type EmbeddedLabModule = {
  startEmbeddedLab(options: { readonly logger: Logger; readonly appRoot: string }): Promise<EmbeddedLab>;
};

/** Path of the embedded lab's bundle below the package root. */
export function embeddedLabBundle(appRoot: string): string {
  return join(appRoot, 'out', 'lab', 'embedded.js');
}

/** Whether the lab bundle is present (a packaged desktop app ships without it). */
export function isEmbeddedLabAvailable(appRoot: string): boolean {
  return existsSync(embeddedLabBundle(appRoot));
}

/** Loads and starts the embedded lab from its bundle. */
export async function startEmbeddedLab(appRoot: string, logger: Logger): Promise<EmbeddedLab> {
  const module = (await import(pathToFileURL(embeddedLabBundle(appRoot)).href)) as EmbeddedLabModule;
  return module.startEmbeddedLab({ logger, appRoot });
}
