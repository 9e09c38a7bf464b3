import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lab } from './lab';

/**
 * `npm run demo`: the standalone lab (npm packages only, nothing from apt) and a headless
 * agent registered with it. Once the agent is registered the lab invites it to a conference;
 * the agent accepts, joins the focus and the A/V MCU, and audio flows. Ctrl-C stops both.
 * The demo entry is one of the few places outside tests that uses lab/ (README, "Architecture").
 */
const lab = await Lab.start({ signaling: { mode: 'standalone' } });
const server = lab.wsUrl ?? '';
process.stderr.write(`demo: lab listening on ${server}; starting \`switchboard agent --auto-accept\` as sip:agent@lab.local\n`);
// Runs bundled from out/lab/demo.js, two levels below the package root.
const bin = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const agent = spawn(process.execPath, [bin, 'agent', '--server', server, '--aor', 'sip:agent@lab.local', '--auto-accept', '--trust', 'sip:conf@lab.local', ...process.argv.slice(2)], {
  stdio: 'inherit',
  // Its own process group: a terminal's Ctrl-C reaches only the demo, which forwards one
  // SIGTERM, instead of two signals that would make the agent skip its clean leave.
  detached: true,
});

const invited = setInterval(() => {
  if (lab.registrations().length > 0) {
    clearInterval(invited);
    void lab.invite('sip:agent@lab.local', 'Demo: escalated support call').then(async ({ conference, outcome }) => {
      const result = await outcome;
      process.stderr.write(`demo: lab invited the agent to ${conference.focusUri}: ${result.state}\n`);
    });
  }
}, 200);

let stopping = false;
const stop = (): void => {
  if (!stopping) {
    stopping = true;
    clearInterval(invited);
    agent.kill('SIGTERM');
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
agent.on('exit', (code) => {
  void lab.stop().then(() => process.exit(code ?? 1));
});
