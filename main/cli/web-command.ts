import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import { defaultConfigDir } from '../adapters/config-dir';
import { installLastResort } from '../adapters/last-resort';
import { createStreamLogger } from '../adapters/stderr-logger';
import type { AgentIo } from './agent-command';
import { optionError } from './agent-options';
import { CliError, ExitCode } from './exit-codes';

/** Bundled into out/cli/ or out/chunks/: both are two levels below the package root. */
const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const webOptionsSchema = z.object({
  port: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0).max(65_535).default(0),
  configDir: z.string().min(1).optional(),
  lab: z.boolean().default(true),
  verbose: z.boolean().default(false),
});

/** Adds `switchboard web`: the desktop UI and its bridge, served on 127.0.0.1. */
export function registerWebCommand(program: Command, io: AgentIo, env: NodeJS.ProcessEnv, setExitCode: (code: number) => void): void {
  program
    .command('web')
    .description('Serve the agent desktop on 127.0.0.1 for a browser; with no account configured, run it against the embedded lab.')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)')
    .option('--config-dir <dir>', 'settings and extension registries (default: ~/.config/switchboard)')
    .option('--no-lab', 'never start the embedded lab, even with no account configured')
    .option('-v, --verbose', 'debug logs on stderr', false)
    .addHelpText(
      'after',
      `
Prints the URL to open, with its session token; only a page holding that token can reach the
bridge. The password is kept for this run only (the browser host has no keychain): set
SWITCHBOARD_PASSWORD, or type it in Settings after each start.`,
    )
    .action(async (raw: Record<string, unknown>) => {
      const parsed = webOptionsSchema.safeParse(raw);
      if (!parsed.success) {
        throw optionError(parsed.error);
      }
      const options = parsed.data;
      const logger = createStreamLogger({ level: options.verbose ? 'debug' : 'info', write: (line) => io.stderr.write(`${line}\n`) });
      // Loaded here, not at the top: a static `import ... from 'node:http'` in an ES module
      // makes Node 24 load its whole fetch/WebSocket implementation (undici, about 4 MiB
      // resident) to fill the namespace, and `switchboard agent`, which runs no web server,
      // would pay it too (bench/memory.ts).
      const [{ DesktopSession, sessionSecretStore }, { startWebHost }] = await Promise.all([import('../desktop/desktop-session'), import('../web/web-host')]);
      const session = await DesktopSession.open({
        configDir: options.configDir ?? defaultConfigDir(env),
        appRoot: APP_ROOT,
        version: '0.1.0',
        env,
        logger,
        secrets: sessionSecretStore(),
        platform: { host: 'browser' },
        ...(options.lab ? {} : { embeddedLab: false }),
      });
      let host;
      try {
        host = await startWebHost({ session, rendererDir: join(APP_ROOT, 'out', 'renderer'), port: options.port, logger });
      } catch (error) {
        await session.close();
        throw new CliError(`cannot listen on 127.0.0.1:${options.port}: ${error instanceof Error ? error.message : String(error)}`, ExitCode.usage);
      }
      const offLastResort = io.process ? installLastResort(logger, (message) => session.reportInternalError(message), io.process) : () => undefined;
      io.stdout.write(`Switchboard is running. Open ${host.url}\n`);
      await new Promise<void>((resolve) => {
        const off = io.onSignal((signal) => {
          off();
          logger.info('stopping', { why: signal });
          resolve();
        });
      });
      // Clean quit: leave conferences, end channels, unregister, stop the lab; then the server.
      await session.close();
      await host.close();
      offLastResort();
      setExitCode(ExitCode.ok);
    });
}
