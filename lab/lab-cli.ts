import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { z } from 'zod';
import type { Logger } from '../core/ports/logger';
import { createStreamLogger } from '../main/adapters/stderr-logger';
import { startKamailio, type KamailioHandle } from './kamailio';
import { Lab } from './lab';

/**
 * `switchboard lab`: the reference lab as a program. Bundled on its own (out/lab/lab-cli.js)
 * and loaded by the `switchboard` command only when asked for, so no production source
 * imports lab/.
 */

const labCommandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('invite'), to: z.string().regex(/^sips?:\S+@\S+$/), subject: z.string().max(256).default('Lab conference'), audio: z.boolean().default(true) }).strict(),
  z.object({ cmd: z.literal('eject'), conference: z.string(), user: z.string() }).strict(),
  z.object({ cmd: z.literal('end'), conference: z.string() }).strict(),
  z.object({ cmd: z.literal('quit') }).strict(),
]);

type LabCommand = z.infer<typeof labCommandSchema>;

type LabCliOptions = { port: string; kamailio: boolean; domain: string; invite: string[]; verbose: boolean };

const print = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

type Invite = (to: string, subject: string, audio: boolean) => Promise<void>;

async function run(options: LabCliOptions): Promise<number> {
  const logger = createStreamLogger({ level: options.verbose ? 'debug' : 'info' });
  const { lab, kamailio } = await startLab(options, logger);
  const wsUrl = kamailio?.wsUrl ?? lab.wsUrl ?? '';
  print({ type: 'lab.ready', wsUrl, domain: options.domain, behindKamailio: kamailio !== undefined });
  process.stderr.write(`lab: agents register at ${wsUrl} as sip:<name>@${options.domain}; JSON commands on stdin, e.g. {"cmd":"invite","to":"sip:agent@${options.domain}"}\n`);

  const invite: Invite = async (to, subject, audio) => {
    const { conference, outcome } = await lab.invite(to, subject, { audio });
    print({ type: 'conference.created', conference: conference.id, focusUri: conference.focusUri, invited: to });
    const result = await outcome;
    print({ type: 'invitation.outcome', conference: conference.id, to, state: result.state, status: result.status, reason: result.reason });
  };
  const poll = inviteOnceRegistered(lab, kamailio, options.invite, invite);

  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const stop = (): void => {
    clearInterval(poll);
    void lab
      .stop()
      .then(() => kamailio?.stop())
      .then(() => finish(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = parseCommand(line);
    if (command !== undefined) {
      runCommand(lab, command, invite, stop);
    }
  });
  return done;
}

/** The lab on its own WebSocket edge, or over UDP behind a Kamailio started for it. */
async function startLab(options: LabCliOptions, logger: Logger): Promise<{ lab: Lab; kamailio: KamailioHandle | undefined }> {
  if (!options.kamailio) {
    return { lab: await Lab.start({ domain: options.domain, logger, signaling: { mode: 'standalone', port: Number(options.port) } }), kamailio: undefined };
  }
  const { freeUdpPort } = await import('./support/free-port');
  const labPort = await freeUdpPort();
  const kamailio = await startKamailio({ domain: options.domain, conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
  const lab = await Lab.start({ domain: options.domain, logger, signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  return { lab, kamailio };
}

/** --invite: invites each named agent once, as soon as it has registered with the lab. */
function inviteOnceRegistered(lab: Lab, kamailio: KamailioHandle | undefined, aors: readonly string[], invite: Invite): ReturnType<typeof setInterval> {
  const pendingInvites = new Set(aors);
  const poll = setInterval(() => {
    for (const aor of pendingInvites) {
      if (lab.registrations().some((r) => r.aor.toLowerCase() === aor.toLowerCase()) || kamailio) {
        pendingInvites.delete(aor);
        setTimeout(() => void invite(aor, 'Lab conference', true), kamailio ? 1500 : 300).unref();
      }
    }
    if (pendingInvites.size === 0) {
      clearInterval(poll);
    }
  }, 200);
  return poll;
}

/** One stdin line as a command, or `undefined` (blank, or refused with an `error` event). */
function parseCommand(line: string): LabCommand | undefined {
  if (line.trim() === '') {
    return undefined;
  }
  let parsed: z.ZodSafeParseResult<LabCommand>;
  try {
    parsed = labCommandSchema.safeParse(JSON.parse(line));
  } catch {
    print({ type: 'error', message: `not JSON: ${line.slice(0, 80)}` });
    return undefined;
  }
  if (!parsed.success) {
    print({ type: 'error', message: `bad command: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
    return undefined;
  }
  return parsed.data;
}

function runCommand(lab: Lab, command: LabCommand, invite: Invite, stop: () => void): void {
  switch (command.cmd) {
    case 'invite':
      void invite(command.to, command.subject, command.audio);
      return;
    case 'eject':
      print({ type: 'ejected', ok: lab.conferences.eject(command.conference, command.user) });
      return;
    case 'end':
      lab.conferences.end(command.conference);
      print({ type: 'ended', conference: command.conference });
      return;
    case 'quit':
      stop();
      return;
  }
}

const program = new Command('switchboard lab')
  .description('Run the reference lab: a conference server (focus, A/V MCU) and an inviter, with its own WebSocket SIP endpoint.')
  .addOption(new Option('--port <n>', 'WebSocket port on 127.0.0.1 for agents (0: any free port)').default('5080'))
  .option('--kamailio', 'start a Kamailio too and put the lab behind it (needs the Debian packages)', false)
  .option('--domain <domain>', 'SIP domain', 'lab.local')
  .option('--invite <aor...>', 'invite these agents to a conference once they have registered', [])
  .option('-v, --verbose', 'debug logs on stderr', false)
  .addHelpText('after', '\nstdin takes JSON commands: {"cmd":"invite","to":"sip:agent@lab.local","subject":"..."}, {"cmd":"eject","conference":ID,"user":AOR}, {"cmd":"end","conference":ID}, {"cmd":"quit"}')
  .exitOverride();

try {
  program.parse(process.argv.slice(1));
  const code = await run(program.opts<LabCliOptions>());
  process.exit(code);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (!/outputHelp|helpDisplayed|\(outputHelp\)/.test(message) && (error as { code?: string }).code !== 'commander.helpDisplayed') {
    process.stderr.write(`switchboard lab: ${message.replace(/^error: /, '')}\n`);
    process.exit(2);
  }
  process.exit(0);
}
