import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';

/** A running {@link startTlsRelay}. */
export type TlsRelay = { readonly url: string; readonly caFile: string; close(): Promise<void> };

/**
 * A `wss://` endpoint on 127.0.0.1 that relays every connection to a `ws://` target: TLS
 * termination in front of Kamailio, whose Debian build here has no TLS module loaded. The
 * certificate is self-signed for IP 127.0.0.1 and made fresh with openssl; clients trust it
 * through `NODE_EXTRA_CA_CERTS=caFile`, never by turning verification off.
 */
export async function startTlsRelay(target: string): Promise<TlsRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) });
  const wss = new WebSocketServer({ server, handleProtocols: (p) => (p.has('sip') ? 'sip' : false) });
  wss.on('connection', (client) => {
    const upstream = new WebSocket(target, 'sip');
    const pending: string[] = [];
    upstream.on('open', () => pending.splice(0).forEach((m) => upstream.send(m)));
    client.on('message', (data: Buffer) => (upstream.readyState === WebSocket.OPEN ? upstream.send(data.toString()) : pending.push(data.toString())));
    upstream.on('message', (data: Buffer) => client.readyState === WebSocket.OPEN && client.send(data.toString()));
    client.on('close', () => upstream.close());
    upstream.on('close', () => client.close());
    client.on('error', () => upstream.terminate());
    upstream.on('error', () => client.terminate());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `wss://127.0.0.1:${port}`,
    caFile: cert,
    close: () =>
      new Promise((resolve) => {
        wss.clients.forEach((c) => c.terminate());
        wss.close();
        server.close(() => resolve());
      }),
  };
}
