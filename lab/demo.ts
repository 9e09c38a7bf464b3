import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startKamailio } from './kamailio';

/**
 * `npm run demo`: a lab Kamailio on free loopback ports and a headless agent registered with it,
 * its events on stdout, until Ctrl-C. The demo entry is the one place outside tests that uses
 * lab/ (README, "Architecture").
 */
const kamailio = await startKamailio({ domain: 'lab.local' });
process.stderr.write(`demo: Kamailio listening on ${kamailio.wsUrl} (WebSocket) and udp:127.0.0.1:${kamailio.udpPort}\n`);
process.stderr.write('demo: starting `switchboard agent` as sip:agent@lab.local; Ctrl-C stops both\n');
// Runs bundled from out/lab/demo.js, two levels below the package root.
const bin = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const agent = spawn(process.execPath, [bin, 'agent', '--server', kamailio.wsUrl, '--aor', 'sip:agent@lab.local', ...process.argv.slice(2)], {
  stdio: 'inherit',
  // Its own process group: a terminal's Ctrl-C reaches only the demo, which forwards one
  // SIGTERM, instead of two signals that would make the agent skip its un-REGISTER.
  detached: true,
});
let stopping = false;
const stop = (): void => {
  if (stopping) {
    return;
  }
  stopping = true;
  agent.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
agent.on('exit', (code) => {
  void kamailio.stop().then(() => process.exit(code ?? 1));
});
