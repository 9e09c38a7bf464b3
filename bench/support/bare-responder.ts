import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

// The rig's own ceiling for bench/channel-info.ts: a receiver that does as little as a SIP
// endpoint can and still completes every dialog, so that sipp + Kamailio + this process show
// what the machine carries before any SIP stack is involved. No parser: the INVITE gets a 200
// (To tag, Contact, the Record-Route set copied, RFC 3261 §12.1.1), every INFO and BYE a 200
// built from the request's Via, From, To, Call-ID and CSeq lines copied verbatim (§8.2.6.2),
// ACKs are counted. It speaks the same stdout/stdin lines as sipjs-baseline-ua.ts:
//
//   node --import tsx bench/support/bare-responder.ts <ws-url> <aor>
//
// stdout: {"type":"registered"}, {"type":"ack"} per ACK, {"type":"bye"} per BYE,
// {"type":"stats","infos":N} per `stats` line on stdin; `quit` unregisters and exits 0.
// Never fed by anything but the bench's own sipp through a local Kamailio: not hardened.

const [server, aor] = process.argv.slice(2);
const host = /^sip:[^@]+@([^;>]+)$/.exec(aor ?? '')?.[1];
if (server === undefined || aor === undefined || host === undefined) {
  process.stderr.write('usage: bare-responder <ws-url> <sip:user@host>\n');
  process.exit(2);
}

const token = (): string => randomBytes(6).toString('hex');
const contact = `<sip:${token()}@${token()}.invalid;transport=ws>`;
const localTag = token();
const registerCallId = token();
const fromTag = token();
let registerCseq = 0;
const counts = { infos: 0, acks: 0, byes: 0 };
const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

const socket = new WebSocket(server, 'sip', { perMessageDeflate: false });

function register(expires: number): void {
  registerCseq += 1;
  socket.send(
    [
      `REGISTER sip:${host} SIP/2.0`,
      `Via: SIP/2.0/WS ${token()}.invalid;branch=z9hG4bK${token()}`,
      'Max-Forwards: 70',
      `To: <${aor}>`,
      `From: <${aor}>;tag=${fromTag}`,
      `Call-ID: ${registerCallId}`,
      `CSeq: ${registerCseq} REGISTER`,
      `Contact: ${expires === 0 ? '*' : contact}`,
      `Expires: ${expires}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

/** The lines of a header block whose name (long or compact form) is in `names`, lower case. */
function headerLines(lines: readonly string[], names: ReadonlySet<string>): string[] {
  return lines.filter((line) => names.has(line.slice(0, line.indexOf(':')).trim().toLowerCase()));
}

const COPIED = new Set(['via', 'v', 'from', 'f', 'call-id', 'i', 'cseq']);
const TO = new Set(['to', 't']);
const RECORD_ROUTE = new Set(['record-route']);

function answer(lines: readonly string[], invite: boolean): void {
  const to = headerLines(lines, TO)[0] ?? '';
  const head = ['SIP/2.0 200 OK', ...headerLines(lines, COPIED), invite && !/;\s*tag=/i.test(to) ? `${to};tag=${localTag}` : to];
  if (invite) {
    head.push(...headerLines(lines, RECORD_ROUTE), `Contact: ${contact}`, 'Content-Type: application/ms-session-invite+xml');
  }
  socket.send(`${[...head, 'Content-Length: 0', '', ''].join('\r\n')}`);
}

socket.on('message', (data: Buffer) => {
  const text = data.toString('utf8');
  const lines = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
  const first = lines[0] ?? '';
  if (first.startsWith('SIP/2.0 ')) {
    if (first.startsWith('SIP/2.0 200') && registerCseq === 1 && /REGISTER/.test(headerLines(lines, new Set(['cseq']))[0] ?? '')) {
      say({ type: 'registered' });
    }
    return;
  }
  const method = first.slice(0, first.indexOf(' '));
  if (method === 'INFO') {
    counts.infos += 1;
    answer(lines, false);
  } else if (method === 'INVITE') {
    answer(lines, true);
  } else if (method === 'ACK') {
    counts.acks += 1;
    say({ type: 'ack' });
  } else if (method === 'BYE') {
    counts.byes += 1;
    answer(lines, false);
    say({ type: 'bye' });
  }
});
socket.on('open', () => register(600));
socket.on('error', (error) => {
  process.stderr.write(`socket: ${error.message}\n`);
  process.exit(1);
});

let quitting = false;
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'stats') {
    say({ type: 'stats', ...counts });
  } else if (command === 'quit' && !quitting) {
    quitting = true;
    register(0);
    // Bounded: the un-REGISTER's answer is not waited for beyond half a second.
    setTimeout(() => {
      socket.close();
      process.stdout.write('', () => process.exit(0));
    }, 500).unref();
  }
});
process.stdin.on('end', () => process.exit(0));
