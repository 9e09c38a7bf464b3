import type { AgentErrorCode } from '../../common/agent-events';

/**
 * Exit codes of the `switchboard` command, documented in `--help` and the README.
 * @remarks 2 for usage errors follows the shell convention (bash builtins, getopt users).
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  unreachable: 3,
  authFailed: 4,
  registrationFailed: 5,
  /** `extensions install`: the package is refused (manifest, missing entry, unsafe or oversized archive). */
  extensionInvalid: 6,
  /** `extensions install|remove`: no such source file or folder, or no such extension installed. */
  extensionNotFound: 7,
  /** `extensions`: refused by the administrator (machine policy, or a machine-wide package). */
  extensionRefused: 8,
  /** `extensions`: another process held the registry lock for too long. */
  registryBusy: 9,
} as const;

/** The exit code for an agent error code. */
export function exitCodeFor(code: AgentErrorCode): number {
  switch (code) {
    case 'unreachable':
      return ExitCode.unreachable;
    case 'auth-failed':
      return ExitCode.authFailed;
    case 'registration-failed':
      return ExitCode.registrationFailed;
    case 'bad-command':
    case 'unknown-id':
      return ExitCode.usage;
    case 'conference-failed':
      return ExitCode.internal;
    case 'internal':
      return ExitCode.internal;
  }
}

/** An error the command reports as one line before exiting with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
