import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { agentCommandSchema, type AgentCommand } from '../../common/agent-commands';
import type { AgentEvent } from '../../common/agent-events';

/** Longest command line accepted on stdin; longer lines are refused, not buffered. */
const MAX_LINE = 256 * 1024;

/** How long a burst of events may wait in the cork before it leaves in one write. */
export const FLUSH_DELAY_MS = 1;

/** Bytes held in the cork past which the burst leaves at once, whatever the delay. */
export const MAX_CORKED_BYTES = 64 * 1024;

/** Streams corked by {@link writeEvent}, with the timer that uncorks each. */
const corked = new Map<Writable, ReturnType<typeof setTimeout>>();

function uncork(out: Writable): void {
  const timer = corked.get(out);
  if (timer !== undefined) {
    clearTimeout(timer);
    corked.delete(out);
    out.uncork();
  }
}

/**
 * Writes one event per line (JSON Lines), the `--json` output contract.
 * @remarks Events come in bursts (a busy channel is thousands of `channel.data` a second),
 * and stdout on a pipe is a synchronous write(2) per write: at 3,000 INFO/s the channel-info
 * bench put ~10% of the agent's CPU in those calls, and each one wakes the reader. So the
 * stream is corked and the events of the next {@link FLUSH_DELAY_MS} leave in one writev(2)
 * (at most {@link MAX_CORKED_BYTES} wait: past that they leave at once). Order is kept (every
 * write, ours or not, queues behind the cork), and a `write(..., callback)` such as the exit's
 * flush fires only after it; the timer is not unref'd, so the process cannot exit with lines
 * still corked.
 */
export function writeEvent(out: Writable, event: AgentEvent): void {
  if (!corked.has(out)) {
    out.cork();
    corked.set(
      out,
      setTimeout(() => uncork(out), FLUSH_DELAY_MS),
    );
  }
  out.write(`${JSON.stringify(event)}\n`);
  if (out.writableLength >= MAX_CORKED_BYTES) {
    uncork(out);
  }
}

/** Result of parsing one stdin line: a command, or why it was refused. */
export type ParsedCommand = { ok: true; command: AgentCommand } | { ok: false; error: string };

/** Parses and validates one line of the stdin command stream. */
export function parseCommandLine(line: string): ParsedCommand {
  if (line.length > MAX_LINE) {
    return { ok: false, error: `command line longer than ${MAX_LINE} characters` };
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, error: `not JSON: ${line.slice(0, 80)}` };
  }
  const result = agentCommandSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: `bad command: ${where}${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, command: result.data };
}

/**
 * Reads JSON commands from `input`, one per line, calling `onCommand` for each valid one and
 * `onBadLine` for the rest. End of input is not a quit: a service manager may start the
 * agent with stdin closed.
 */
export function readCommands(
  input: Readable,
  onCommand: (command: AgentCommand) => void,
  onBadLine: (error: string) => void,
): () => void {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => {
    const trimmed = line.trim();
    if (trimmed === '') {
      return;
    }
    const parsed = parseCommandLine(trimmed);
    if (parsed.ok) {
      onCommand(parsed.command);
    } else {
      onBadLine(parsed.error);
    }
  });
  return () => lines.close();
}
