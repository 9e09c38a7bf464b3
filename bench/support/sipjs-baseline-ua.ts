import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type * as SipJs from 'sip.js';
import { WebSocket } from 'ws';

// The baseline receiver of bench/channel-info.ts: a plain sip.js 0.21.2 UserAgent with its own
// WebSocket transport, in a process of its own, doing as little as a UA can to take context
// channel INFOs: INVITE answered 200 through the core layer (sip.js's Invitation would BYE a
// non-SDP dialog), every INFO answered 200, BYE answered 200. No parsing of bodies, no events
// per INFO: what is left is sip.js (parser, transaction and dialog layers) and the transport.
//
//   node --import tsx bench/support/sipjs-baseline-ua.ts <ws-url> <aor> [<sip.js package folder>]
//
// Without the folder it loads sip.js from node_modules, which scripts/patch-sipjs.mjs patched at
// install ("sip.js patched"); the bench passes a pristine copy for "plain sip.js"
// (support/pristine-sipjs.ts).
//
// stdout, one JSON object per line: {"type":"registered"} once, {"type":"ack"} per dialog
// confirmed, {"type":"bye"} per dialog ended, {"type":"stats",...} per `stats` line on stdin.
// stdin: `stats`, or `quit` (unregister, then exit 0). Exits 1 when registration fails.

const [server, aor, sipjsDir] = process.argv.slice(2);
if (server === undefined || aor === undefined) {
  process.stderr.write('usage: sipjs-baseline-ua <ws-url> <aor> [<sip.js package folder>]\n');
  process.exit(2);
}
const { Registerer, RegistererState, UserAgent } = (await import(
  sipjsDir === undefined ? 'sip.js' : pathToFileURL(join(sipjsDir, 'lib/index.js')).href
)) as typeof SipJs;
const uri = UserAgent.makeURI(aor);
if (uri === undefined) {
  process.stderr.write(`not a SIP URI: ${aor}\n`);
  process.exit(2);
}

// sip.js's transport opens `new WebSocket(server, 'sip')`: give it the same `ws` the agent uses.
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

const MIME_SESSION_INVITE = 'application/ms-session-invite+xml';
const counts = { invites: 0, acks: 0, infos: 0, byes: 0 };
const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

const ua = new UserAgent({
  uri,
  transportOptions: { server },
  logLevel: 'error',
  logBuiltinEnabled: false,
  // No session description handler is ever made: INVITEs are answered at the core layer.
  sessionDescriptionHandlerFactory: () => {
    throw new Error('no media in this UA');
  },
});

ua.userAgentCore.delegate.onInvite = (request) => {
  counts.invites += 1;
  const { session } = request.accept({
    statusCode: 200,
    body: { contentDisposition: 'render', contentType: MIME_SESSION_INVITE, content: '' },
  });
  session.delegate = {
    onAck: () => {
      counts.acks += 1;
      say({ type: 'ack' });
    },
    onInfo: (info) => {
      counts.infos += 1;
      info.accept();
    },
    onBye: (bye) => {
      counts.byes += 1;
      bye.accept();
      say({ type: 'bye' });
    },
  };
};

const registerer = new Registerer(ua);
let quitting = false;
registerer.stateChange.addListener((state) => {
  if (state === RegistererState.Registered) {
    say({ type: 'registered' });
  }
});

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'stats') {
    say({ type: 'stats', ...counts });
  } else if (command === 'quit' && !quitting) {
    quitting = true;
    // Unregister so that the next receiver is the only contact of the AoR; bounded.
    const exit = (): void => {
      process.stdout.write('', () => process.exit(0));
    };
    setTimeout(exit, 2000).unref();
    new Promise<void>((resolve, reject) => {
      registerer.unregister({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } }).catch(reject);
    })
      .then(() => ua.stop())
      .then(exit, exit);
  }
});
// The bench going away must not leave this process behind.
process.stdin.on('end', () => process.exit(0));

try {
  await ua.start();
  await registerer.register({
    requestDelegate: {
      onReject: (response) => {
        process.stderr.write(`REGISTER refused: ${response.message.statusCode ?? 0} ${response.message.reasonPhrase ?? ''}\n`);
        process.exit(1);
      },
    },
  });
} catch (error) {
  process.stderr.write(`cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
