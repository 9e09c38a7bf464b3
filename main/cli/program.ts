import { Command, CommanderError, Option } from 'commander';
import { runAgent, type AgentIo } from './agent-command';
import { parseAgentOptions } from './agent-options';
import { CliError, ExitCode } from './exit-codes';
import { registerExtensionsCommand } from './extensions-command';
import { registerWebCommand } from './web-command';

const EXIT_CODES_HELP = `
Exit codes:
  0  stopped cleanly (SIGINT, SIGTERM or {"cmd":"quit"}), after unregistering
  1  internal error
  2  bad flag or value
  3  server unreachable (connection refused, no WebSocket handshake)
  4  registration refused: authentication failed (401/403/407)
  5  registration refused for another reason`;

const JSON_HELP = `
With --json, stdout carries one JSON object per line, each with a "type":
  {"type":"connection","state":"connecting|connected|lost|reconnecting|disconnected","server":...}
  {"type":"registered","aor":...,"expires":600}   {"type":"unregistered","aor":...,"reason":...}
  {"type":"error","code":...,"message":...}        {"type":"message","from":...,"contentType":...,"body":...}
  {"type":"invitation","id":...,"from":...,"focusUri":...,"subject":...,"audio":true,"im":true}
  {"type":"invitation.accepted|invitation.declined|invitation.cancelled","id":...,"focusUri":...}
  {"type":"conference.joined","focusUri":...}   {"type":"roster","focusUri":...,"users":[...]}
  {"type":"media","focusUri":...,"state":...,"muted":false,"packetsSent":...,"packetsReceived":...}
  {"type":"conference.left","focusUri":...,"reason":...}
and stdin takes one JSON command per line:
  {"cmd":"quit"}   {"cmd":"message","to":"sip:x@y","body":"hi"}   {"cmd":"trace"}
  {"cmd":"accept","id":...}   {"cmd":"decline","id":...}   {"cmd":"leave","focusUri":...}
  {"cmd":"mute","focusUri":...,"muted":true}
  {"cmd":"send","appId":...,"contentType":...,"body":...[,"channelId":...]}   {"cmd":"close","appId":...}
Context channels: {"type":"channel.request|channel.state|channel.context|channel.data|channel.sent|channel.refused|channel.install",...}
Calls: {"type":"call","id":...,"from":...,"conversationId":...}   {"type":"call.state","id":...,"state":"dialing|ringing|connected|held|remote-held|ended",...}
  {"type":"call.media","id":...,"state":...}   {"type":"call.dtmf","id":...,"digit":"5","via":"info|rtp"}
  {"cmd":"answer","id":...}   {"cmd":"decline","id":...}   {"cmd":"hangup","id":...}   {"cmd":"hold","id":...,"held":true}
  {"cmd":"mute","id":...,"muted":true}   {"cmd":"call","to":"sip:x@y"}
Logs always go to stderr.`;

/** Builds the `switchboard` command line; `io` is where the agent command runs. */
export function buildProgram(io: AgentIo, env: NodeJS.ProcessEnv, setExitCode: (code: number) => void): Command {
  const program = new Command('switchboard')
    .description('Switchboard: agent desktop for SIP contact centers (Lync / Skype for Business style endpoint).')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText('after', '\nAlso: switchboard lab [options]   run the reference lab (conference server and inviter); see switchboard lab --help')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`switchboard: ${text.replace(/^error: /, '')}`),
    });

  program
    .command('agent')
    .description('Run the headless agent: register over WebSocket and stay registered until stopped.')
    .requiredOption('--server <ws-url>', 'SIP proxy WebSocket URL (ws:// or wss://)')
    .requiredOption('--aor <sip-uri>', "the agent's address of record, e.g. sip:agent@lab.local")
    .option('--password <pw>', 'digest password (or set SWITCHBOARD_PASSWORD, which keeps it out of ps)')
    .option('--auth-user <name>', "digest user name (default: the AOR's user part)")
    .option('--json', 'JSON Lines events on stdout and JSON commands on stdin', false)
    .option('--expires <seconds>', 'requested registration lifetime (the registrar may shorten it)')
    .addOption(new Option('--keepalive <ms>', 'ping the proxy after this much silence').default('10000'))
    .addOption(
      new Option('--keepalive-timeout <ms>', 'declare the link dead when a ping gets no answer this fast').default('5000'),
    )
    .option('--auto-accept', 'accept valid conference invitations, context channels and calls from --trust senders without asking (others ring)', false)
    .option('--registry <dir>', 'per-user extension registry (default: ~/.config/switchboard/extensions)')
    .option('--trust <sip-uri...>', 'trusted senders: may open context channels inside a conference, and are auto-accepted with --auto-accept (repeatable)')
    .addOption(new Option('--answer-timeout <ms>', 'answer 480 to invitations and calls nobody accepts or declines this fast').default('30000'))
    .addOption(
      new Option('--availability <state>', 'presence published at sign-in').choices(['available', 'busy', 'dnd', 'brb', 'away', 'offline']).default('available'),
    )
    .option('--watch <sip-uri...>', "contacts whose presence to watch from the start (repeatable; see `presence` events)")
    .option('--presence-expires <seconds>', 'requested lifetime of the presence publication, refreshed at 90 % (default 600)')
    .option('-v, --verbose', 'debug logs, including sip.js internals, on stderr', false)
    .addHelpText('after', `${JSON_HELP}\n${EXIT_CODES_HELP}`)
    .action(async (raw: Record<string, unknown>) => {
      const options = parseAgentOptions(raw, env);
      setExitCode(await runAgent(options, io, env));
    });

  registerExtensionsCommand(program, io, env);
  registerWebCommand(program, io, env, setExitCode);
  return program;
}

/**
 * Entry point: runs `argv` and resolves with the exit code.
 * @remarks Every failure becomes one line on stderr and a non-zero code; a stack trace is
 * printed only with `--verbose`, where a developer asked for it.
 */
export async function runCli(argv: readonly string[], io: AgentIo, env: NodeJS.ProcessEnv): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, env, (code) => {
    exitCode = code;
  });
  if (argv.length <= 2) {
    program.outputHelp();
    return ExitCode.usage;
  }
  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const isHelp = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
      return isHelp ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`switchboard: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard: internal error: ${message}\n`);
    if (argv.includes('--verbose') || argv.includes('-v')) {
      io.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    }
    return ExitCode.internal;
  }
}
