import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

/**
 * Round trips of an out-of-dialog OPTIONS (RFC 3261 §11) from a UDP socket on 127.0.0.1 through
 * the proxy to `aor`'s registered contact and back: the bare SIP cost of reaching an agent, the
 * baseline the contact-center figures are read against. sip.js answers OPTIONS itself (200 with
 * Allow and Accept), so nothing of Switchboard's own logic is in it, only the proxy, the
 * WebSocket and the agent's SIP stack.
 * @returns each round trip in milliseconds; a request without a final answer in `timeoutMs` throws.
 */
export async function optionsRoundTrips(proxyPort: number, aor: string, count: number, timeoutMs = 2000): Promise<number[]> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const local = socket.address().port;
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      times.push(await oneOptions(socket, local, proxyPort, aor, timeoutMs));
    }
  } finally {
    socket.close();
  }
  return times;
}

function oneOptions(socket: ReturnType<typeof createSocket>, local: number, proxyPort: number, aor: string, timeoutMs: number): Promise<number> {
  const branch = `z9hG4bK-bench-${randomBytes(6).toString('hex')}`;
  const callId = `bench-${randomBytes(8).toString('hex')}@127.0.0.1`;
  const request = [
    `OPTIONS ${aor} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:bench@lab.local>;tag=${randomBytes(4).toString('hex')}`,
    `To: <${aor}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    `Contact: <sip:bench@127.0.0.1:${local}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`OPTIONS to ${aor}: no final answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: Buffer): void => {
      const text = data.toString('utf8');
      const status = /^SIP\/2\.0 (\d{3})/.exec(text)?.[1];
      if (!text.includes(callId) || status === undefined || status.startsWith('1')) {
        return;
      }
      clearTimeout(timer);
      socket.off('message', onMessage);
      if (status === '200') {
        resolve(performance.now() - started);
      } else {
        reject(new Error(`OPTIONS to ${aor}: ${text.split('\r\n')[0] ?? status}`));
      }
    };
    socket.on('message', onMessage);
    socket.send(request, proxyPort, '127.0.0.1');
  });
}
