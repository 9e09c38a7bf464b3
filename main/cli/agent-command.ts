import type { Readable, Writable } from 'node:stream';
import type { AgentCommand } from '../../common/agent-commands';
import type { AgentEvent } from '../../common/agent-events';
import { AgentStartError } from '../../core/agent/agent-engine';
import { AgentHost } from '../agent/agent-host';
import type { Logger } from '../../core/ports/logger';
import { installLastResort, type ProcessEvents } from '../adapters/last-resort';
import { createStreamLogger } from '../adapters/stderr-logger';
import type { AgentOptions } from './agent-options';
import { ExitCode, exitCodeFor } from './exit-codes';
import { readCommands, writeEvent } from './json-lines';

/** Streams and process hooks `switchboard agent` uses; injected so tests can drive it. */
export type AgentIo = {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Registers `handler` for SIGINT and SIGTERM; returns the unregister. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
  /** The process, for the last-resort handlers (omitted in tests that drive the command). */
  readonly process?: ProcessEvents;
};

/** One readable line per event, for people running the agent without `--json`. */
function describe(event: AgentEvent): string {
  switch (event.type) {
    case 'connection':
      return `connection ${event.state} ${event.server}${event.reason ? ` (${event.reason})` : ''}${
        event.retryInMs === undefined ? '' : ` retry #${event.attempt} in ${event.retryInMs} ms`
      }`;
    case 'registered':
      return `registered ${event.aor} for ${event.expires} s`;
    case 'unregistered':
      return `unregistered ${event.aor}${event.reason ? ` (${event.reason})` : ''}`;
    case 'error':
      return `error ${event.code}: ${event.message}`;
    case 'message':
      return `message from ${event.from} [${event.contentType}]: ${event.body}`;
    case 'message.sent':
      return `message to ${event.to}: ${event.status} ${event.reason}`;
    case 'trace':
      return event.text;
    case 'invitation':
      return `invitation ${event.id} from ${event.from}: "${event.subject}" (${event.focusUri})${event.audio ? ' audio' : ''}${event.im ? ' im' : ''}`;
    case 'invitation.accepted':
    case 'invitation.declined':
      return `${event.type} ${event.id}`;
    case 'invitation.cancelled':
      return `invitation ${event.id} ${event.reason === 'timeout' ? 'not answered in time' : 'withdrawn'}`;
    case 'conference.joined':
      return `joined ${event.focusUri}${event.role ? ` as ${event.role}` : ''}`;
    case 'roster':
      return `roster ${event.focusUri}: ${event.users.map((u) => `${u.displayText ?? u.entity}${u.self ? ' (me)' : ''} audio=${u.modalities.audio}${u.modalities.mutedByFocus ? ' (by the conference)' : ''}${u.modalities.speaking ? ' speaking' : ''}`).join(', ')}`;
    case 'media':
      if (event.state === 'none') {
        return `media none in ${event.focusUri}: joined without audio (reconnect-audio adds it)`;
      }
      return `media ${event.state}${event.muted ? ' muted' : ''} sent=${event.packetsSent} received=${event.packetsReceived}`;
    case 'conference.left':
      return `left ${event.focusUri} (${event.reason})`;
    case 'conference.state':
      return `conference ${event.focusUri} ${event.state}${event.reason ? ` (${event.reason})` : ''}`;
    case 'channel.request':
      return `channel request ${event.id}: ${event.name} from ${event.from}${event.toast ? ` "${event.toast}"` : ''}`;
    case 'channel.state':
      return `channel ${event.channelId} (${event.appId}) ${event.state}`;
    case 'channel.context':
      return `pane ${event.appId} opened in ${event.conversationId}${event.data === undefined ? '' : ` with context ${event.data}`}`;
    case 'channel.data':
      return `pane ${event.appId} got [${event.contentType}] ${event.body}`;
    case 'channel.sent':
      return `pane ${event.appId} sent #${event.seq}: ${event.ok ? 'delivered' : `failed ${event.status} ${event.reason}`}`;
    case 'channel.refused':
      return `channel refused ${event.status}${event.appId ? ` for ${event.appId}` : ''}: ${event.reason}`;
    case 'channel.install':
      return `install ${event.name ?? event.appId} to open its pane${event.link ? `: ${event.link}` : ''}`;
    case 'dialog':
      return `dialog ${event.role} ${event.callId} with ${event.peer} in ${event.conversationId}`;
    case 'im':
      return `im ${event.outgoing ? 'to' : 'from'} ${event.outgoing ? (event.focusUri ?? event.conversationId) : event.from}${event.pager ? ' (pager)' : ''}: ${event.text}`;
    case 'im.state':
      return `im ${event.state} ${event.focusUri ?? event.peer ?? event.conversationId}${event.reason ? ` (${event.reason})` : ''}`;
    case 'im.delivery':
      return `im ${event.messageId} ${event.state}${event.reason ? ` (${event.reason})` : ''}${event.failed ? ` not to ${event.failed.map((f) => `${f.uri} ${f.status}`).join(', ')}` : ''}`;
    case 'im.typing':
      return `${event.from} ${event.typing ? 'is typing' : 'stopped typing'} in ${event.conversationId}`;
    case 'presence':
      return `presence ${event.aor} ${event.availability}${event.activity ? ` (${event.activity})` : ''}${event.note ? ` "${event.note}"` : ''}${event.error ? ` error: ${event.error}` : ''}`;
    case 'call':
    case 'call.state':
    case 'call.media':
    case 'call.dtmf':
    case 'call.transfer':
      return describeCall(event);
  }
}

/** The readable line of a call event. */
function describeCall(event: Extract<AgentEvent, { type: 'call' | 'call.state' | 'call.media' | 'call.dtmf' | 'call.transfer' }>): string {
  switch (event.type) {
    case 'call':
      return `call ${event.id}${event.replaces ? ` replacing ${event.replaces}` : ''} from ${event.displayName ? `${event.displayName} <${event.from}>` : event.from}${event.quiet ? ' (quiet)' : ''}`;
    case 'call.state':
      return `call ${event.id} ${event.outgoing ? 'to' : 'from'} ${event.peer} ${event.state}${event.reason ? ` (${event.reason})` : ''}`;
    case 'call.media':
      return `call ${event.id} media ${event.state}${event.muted ? ' muted' : ''} sent=${event.packetsSent} received=${event.packetsReceived}`;
    case 'call.dtmf':
      return `call ${event.id} DTMF ${event.digit} (${event.via})`;
    case 'call.transfer':
      return `call ${event.id} transfer to ${event.to} ${event.state}${event.status === undefined ? '' : ` ${event.status}`}${event.reason ? ` (${event.reason})` : ''}`;
  }
}

/** Stops the agent once on the first request, and exits without waiting on a second. */
function makeShutdown(agent: AgentHost, logger: Logger): { shutdown: (why: string) => void; finished: Promise<number>; isStopping: () => boolean } {
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let stopping = false;
  const shutdown = (why: string): void => {
    if (stopping) {
      logger.warn('second stop request, exiting without waiting', { why });
      finish(ExitCode.internal);
      return;
    }
    stopping = true;
    logger.info('stopping', { why });
    agent.stop().then(
      () => finish(ExitCode.ok),
      (error: unknown) => {
        logger.error('stop failed', { error: String(error) });
        finish(ExitCode.internal);
      },
    );
  };
  return { shutdown, finished, isStopping: () => stopping };
}

/** Runs one stdin command: `quit` and `trace` here, the rest through the agent. */
function makeCommandHandler(agent: AgentHost, emit: (event: AgentEvent) => void, shutdown: (why: string) => void): (command: AgentCommand) => void {
  return (command) => {
    switch (command.cmd) {
      case 'quit':
        shutdown('quit command');
        return;
      case 'trace':
        emit({
          type: 'trace',
          text: agent.trace.exportText(command.dialog === undefined ? undefined : { dialog: command.dialog }),
          dialogs: agent.trace.dialogs(),
        });
        return;
      default: {
        const result = agent.execute(command);
        if (!result.ok) {
          emit({ type: 'error', code: 'unknown-id', message: result.message });
        }
      }
    }
  };
}

/**
 * Runs the headless agent until SIGINT, SIGTERM or a `quit` command, then unregisters.
 * @returns the process exit code (see {@link ExitCode}).
 */
export async function runAgent(options: AgentOptions, io: AgentIo, env: NodeJS.ProcessEnv = {}): Promise<number> {
  const logger: Logger = createStreamLogger({
    level: options.verbose ? 'debug' : 'info',
    write: (line) => io.stderr.write(`${line}\n`),
  });
  const emit = (event: AgentEvent): void => {
    if (options.json) {
      writeEvent(io.stdout, event);
    } else {
      io.stdout.write(`${describe(event)}\n`);
    }
  };
  const agent = await AgentHost.create({ ...options, presence: { availability: options.availability } }, logger, env);
  agent.onEvent(emit);
  const { shutdown, finished, isStopping } = makeShutdown(agent, logger);
  const offSignal = io.onSignal((signal) => shutdown(signal));
  // Never exit on remote input: what escapes every dialog's own boundary is reported here.
  const offLastResort = io.process ? installLastResort(logger, (message) => emit({ type: 'error', code: 'internal', message }), io.process) : () => undefined;
  const stopReading = options.json
    ? readCommands(io.stdin, makeCommandHandler(agent, emit, shutdown), (error) => emit({ type: 'error', code: 'bad-command', message: error }))
    : () => undefined;
  const release = (): void => {
    stopReading();
    offSignal();
    offLastResort();
  };
  try {
    await agent.start();
  } catch (error) {
    if (isStopping()) {
      const code = await finished;
      release();
      return code;
    }
    release();
    await agent.stop().catch(() => undefined);
    if (error instanceof AgentStartError) {
      io.stderr.write(`switchboard: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
    throw error;
  }
  const code = await finished;
  release();
  return code;
}
