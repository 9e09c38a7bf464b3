import { Parser, type IncomingRequestMessage, type Logger } from 'sip.js/lib/core/index.js';
import { describe, expect, it } from 'vitest';
import { LabPresence } from './lab-presence';

const quiet = { error: () => undefined, warn: () => undefined, log: () => undefined, debug: () => undefined } as unknown as Logger;
let n = 0;
function request(method: string, from: string, to: string, extra: string[], body = '', callId = `c${++n}`, toTag?: string): IncomingRequestMessage {
  const raw = [`${method} ${to} SIP/2.0`, `Via: SIP/2.0/WS x.invalid;branch=z9hG4bK${++n}`, `From: <${from}>;tag=f${n}`, `To: <${to}>${toTag ? `;tag=${toTag}` : ''}`, `Call-ID: ${callId}`, `CSeq: 1 ${method}`, `Contact: <sip:${from.slice(4, from.indexOf('@'))}@x.invalid;transport=ws>`, ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
  return Parser.parseMessage(raw, quiet) as IncomingRequestMessage;
}
const pidf = (id: string, n: number): string => `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@lab.local"><tuple id="${id}"><status><basic>open</basic></status></tuple><n>${n}</n></presence>`;

function rig() {
  const replies: { status: string; extra: readonly string[]; toTag?: string }[] = [];
  const notifies: string[] = [];
  const server = new LabPresence({ reply: (_r, status, extra, toTag) => replies.push({ status, extra, ...(toTag !== undefined && { toTag }) }), sendTo: (_u, raw) => notifies.push(raw) }, 'lab.local');
  return { server, replies, notifies };
}

describe('LabPresence (RFC 3903, RFC 3856)', () => {
  it('publishes, notifies a watcher, modifies with If-Match, merges devices, removes', () => {
    const { server, replies, notifies } = rig();
    server.handle(request('PUBLISH', 'sip:a@lab.local', 'sip:a@lab.local', ['Event: presence', 'Expires: 600', 'Content-Type: application/pidf+xml'], pidf('t1', 1)));
    const etag = replies[0]?.extra.find((h) => h.startsWith('SIP-ETag: '))?.slice(10) ?? '';
    expect(replies[0]?.status).toBe('200 OK');
    server.handle(request('SUBSCRIBE', 'sip:b@lab.local', 'sip:a@lab.local', ['Event: presence', 'Expires: 600'], '', 'sub1'));
    expect(replies[1]?.status).toBe('200 OK');
    expect(notifies[0]).toMatch(/^NOTIFY sip:b@x\.invalid;transport=ws SIP\/2\.0/);
    expect(notifies[0]).toContain('Subscription-State: active;expires=600');
    expect(notifies[0]).toContain('<n>1</n>');
    server.handle(request('PUBLISH', 'sip:a@lab.local', 'sip:a@lab.local', ['Event: presence', `SIP-If-Match: ${etag}`, 'Content-Type: application/pidf+xml'], pidf('t1', 2)));
    expect(notifies[1]).toContain('<n>2</n>');
    server.handle(request('PUBLISH', 'sip:a@lab.local', 'sip:a@lab.local', ['Event: presence', 'Content-Type: application/pidf+xml'], pidf('t2', 3)));
    expect(notifies[2]).toMatch(/<tuple id="t1">[\s\S]*<tuple id="t2">/);
    server.handle(request('PUBLISH', 'sip:a@lab.local', 'sip:a@lab.local', ['Event: presence', `SIP-If-Match: ${etag}`, 'Expires: 0']));
    expect(replies.at(-1)?.status).toBe('412 Conditional Request Failed');
  });

  it('refuses other events, someone else\'s presence, and unknown subscriptions', () => {
    const { server, replies } = rig();
    server.handle(request('PUBLISH', 'sip:a@lab.local', 'sip:a@lab.local', ['Event: dialog'], 'x'));
    server.handle(request('PUBLISH', 'sip:mallory@lab.local', 'sip:a@lab.local', ['Event: presence'], pidf('t', 1)));
    server.handle(request('SUBSCRIBE', 'sip:b@lab.local', 'sip:a@lab.local', ['Event: presence'], '', 'nope', 'bogus'));
    expect(replies.map((r) => r.status)).toEqual(['489 Bad Event', '403 Publish Only Your Own Presence', '481 Subscription Does Not Exist']);
  });

  it('ends a subscription with Expires 0 and a final NOTIFY terminated', () => {
    const { server, replies, notifies } = rig();
    server.handle(request('SUBSCRIBE', 'sip:b@lab.local', 'sip:a@lab.local', ['Event: presence'], '', 's'));
    const tag = replies[0]?.toTag;
    server.handle(request('SUBSCRIBE', 'sip:b@lab.local', 'sip:a@lab.local', ['Event: presence', 'Expires: 0'], '', 's', tag));
    expect(notifies.at(-1)).toContain('Subscription-State: terminated');
  });
});
