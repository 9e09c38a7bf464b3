/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Severity of a log line, from most to least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Logging port. Hosts decide where lines go (stderr for the CLI, a file for the desktop).
 * @public
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines carry `component` so that a mixed log stays readable. */
  child(component: string): Logger;
}

/** A logger that drops everything; the default where a host gives none. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
