import type { LogFields, LogLevel, Logger } from '../../core/ports/logger';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of {@link createStreamLogger}. */
export type StreamLoggerOptions = {
  readonly level: LogLevel;
  /** One JSON object per line instead of readable text. */
  readonly json?: boolean;
  readonly write?: (line: string) => void;
};

function renderFields(fields: LogFields | undefined): string {
  if (!fields) {
    return '';
  }
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
    .join('');
}

/**
 * A {@link Logger} writing one line per entry, to stderr by default.
 * @remarks stdout is reserved for the `--json` event stream, so logs never go there.
 */
export function createStreamLogger(options: StreamLoggerOptions, component = 'switchboard'): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[level] < RANK[options.level]) {
      return;
    }
    const time = new Date().toISOString();
    write(
      options.json
        ? JSON.stringify({ time, level, component, message, ...fields })
        : `${time} ${level.toUpperCase().padEnd(5)} [${component}] ${message}${renderFields(fields)}`,
    );
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (name) => createStreamLogger(options, `${component}.${name}`),
  };
}
