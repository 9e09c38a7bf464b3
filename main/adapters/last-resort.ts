import type { Logger } from '../../core/ports/logger';

/** The part of `process` the last-resort handlers need (injected so tests need no real crash). */
export type ProcessEvents = {
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
};

/**
 * Installs the process-wide last line of defence of a host (CLI agent, browser host, Electron
 * main): an exception or rejection that escaped everything else is logged and reported, and the
 * process keeps serving its other calls and panes.
 *
 * @remarks
 * Dialog handlers already run inside the engine's `FaultBoundary`, which ends only the dialog
 * at fault; this catches what runs outside any dialog (a library's own timer, a promise nobody
 * awaited). Node's default, exiting, would drop every call and pane of the agent because of one
 * remote message, which is never acceptable here. Programming errors still reach the log with
 * their stack, and the `error` event (`internal`) tells the person or supervisor.
 * @param report - tells the host's user (an `error` event, a notice in the window)
 * @returns the uninstall
 * @public
 */
export function installLastResort(logger: Logger, report: (message: string) => void, proc: ProcessEvents = process): () => void {
  const log = logger.child('last-resort');
  const handle = (kind: string, error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack?.split('\n').slice(1, 6).join(' | ') : undefined;
    log.error(`${kind} outside any dialog; kept running`, { error: message, stack });
    try {
      report(`${kind}: ${message}`);
    } catch (reportError) {
      log.error('reporting the error failed', { error: String(reportError) });
    }
  };
  const onException = (error: Error): void => handle('uncaught exception', error);
  const onRejection = (reason: unknown): void => handle('unhandled rejection', reason);
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}
