import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { agentCommandSchema, type AgentCommand } from '../../common/agent-commands';
import type { AgentEvent } from '../../common/agent-events';

/** Longest command line accepted on stdin; longer lines are refused, not buffered. */
const MAX_LINE = 256 * 1024;

/** Streams corked by {@link writeEvent} until the next tick. */
const corked = new WeakSet<Writable>();

/**
 * Writes one event per line (JSON Lines), the `--json` output contract.
 * @remarks Events come in bursts (one WebSocket read can carry many INFOs, each a
 * `channel.data`), and stdout on a pipe is a synchronous write(2) per line: profiles of the
 * channel-info bench put ~9% of the agent's CPU in those calls. So the stream is corked until
 * the end of the current tick and the burst leaves in one writev(2) (Node's documented
 * `cork` / `nextTick(uncork)` idiom). Order is kept (every write, ours or not, queues behind
 * the cork), and a `write(..., callback)` such as the exit's flush fires only after it.
 */
export function writeEvent(out: Writable, event: AgentEvent): void {
  if (!corked.has(out)) {
    corked.add(out);
    out.cork();
    process.nextTick(() => {
      corked.delete(out);
      out.uncork();
    });
  }
  out.write(`${JSON.stringify(event)}\n`);
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
