import { runCli } from './program';

/**
 * Process entry of the `switchboard` command (bundled to out/cli/switchboard.js).
 * @remarks Signals are handled here, not by npm: npm does not forward SIGTERM to the program
 * it starts (lab-notes.md), so services and tests run `bin/switchboard.js` directly.
 */
// The engine's timers are unref'd so that they never keep a finished process alive; this one
// holds the event loop until the command has finished, so shutdown always completes.
const holdOpen = setInterval(() => undefined, 1 << 30);
const code = await runCli(
  process.argv,
  {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    onSignal: (handler) => {
      const listener = (signal: NodeJS.Signals): void => handler(signal);
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
    process,
  },
  process.env,
);
clearInterval(holdOpen);
process.stdin.destroy();
process.exitCode = code;
// Flush stdout before leaving: a pipe consumer must see the final events.
process.stdout.write('', () => process.exit(code));
