import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { CustomerRequest } from '../customer-context';
import type { ContactCenterEvent } from '../events';
import { startCustomerSite, type CustomerSite } from './customer-site';
import type { CustomerDesk } from './web-gateway';

/** A contact center that records what the gateway asks and lets the test speak for it. */
function fakeDesk() {
  const listeners = new Set<(event: ContactCenterEvent) => void>();
  const requests: CustomerRequest[] = [];
  const said: string[] = [];
  const left: string[] = [];
  const desk: CustomerDesk = {
    request: (customer) => {
      requests.push(customer);
      return { ok: true, requestId: `r-00000000000${requests.length}`, skill: 'billing', matched: ['invoice'], position: 2 };
    },
    customerSays: (_id, text) => {
      said.push(text);
      return true;
    },
    customerLeaves: (id) => {
      left.push(id);
      return true;
    },
    on: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (event: ContactCenterEvent): void => listeners.forEach((l) => l(event));
  return { desk, requests, said, left, emit };
}

let site: CustomerSite | undefined;
afterEach(async () => {
  await site?.stop();
  site = undefined;
});

/** A browser's cookie jar, one visitor. */
function visitor(base: string) {
  let cookie = '';
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(new URL(path, base), { ...init, headers: { ...(cookie && { cookie }), ...(init.headers as Record<string, string>) } });
    const set = response.headers.get('set-cookie');
    if (set) {
      cookie = set.split(';')[0] ?? '';
    }
    return response;
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', origin: base.replace(/\/$/, ''), ...headers } });
  return { call, post, cookie: () => cookie };
}

const FORM = { name: 'Ada Lovelace', email: 'ada@example.org', question: 'My invoice is wrong', call: true };

describe('the customer site', () => {
  it('tracks the pages a visitor looked at and sends them with the chat request', async () => {
    const { desk, requests } = fakeDesk();
    site = await startCustomerSite(desk);
    const ada = visitor(site.url);
    const home = await ada.call('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(ada.cookie()).toMatch(/^sb_visitor=[0-9a-f]{32}$/);
    const page = await home.text();
    for (const label of ['Chat with us', 'for="chat-name">Name', 'for="chat-email">Email', 'for="chat-question">Question', 'for="chat-message">Message', 'role="log"', 'End chat']) {
      expect(page).toContain(label);
    }
    await ada.call('/pricing');
    await ada.call('/help/invoices');
    expect((await ada.call('/assets/chat.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    const created = await ada.post('/api/chats', FORM);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ chatId: 'r-000000000001', position: 2 });
    expect(requests[0]).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.org', question: 'My invoice is wrong', call: true });
    expect(requests[0]?.pages.map((p) => [p.url, p.title])).toEqual([
      ['/', 'Lab Store: the Switchboard headset'],
      ['/pricing', 'Pricing'],
      ['/help/invoices', 'Invoices and refunds'],
    ]);
    // One open chat per visitor: asking again gives the same chat.
    expect(await (await ada.post('/api/chats', FORM)).json()).toMatchObject({ chatId: 'r-000000000001' });
  });

  it('validates every body, and takes JSON from this site only', async () => {
    const { desk, requests } = fakeDesk();
    site = await startCustomerSite(desk);
    const ada = visitor(site.url);
    await ada.call('/');
    expect(await (await ada.post('/api/chats', { ...FORM, email: 'not an address' })).json()).toEqual({ error: 'email: an email address like ada@example.org', field: 'email' });
    expect((await ada.post('/api/chats', { ...FORM, name: 'x\u0007' })).status).toBe(400);
    expect((await ada.post('/api/chats', { ...FORM, admin: true })).status).toBe(400);
    expect((await ada.post('/api/chats', { ...FORM, question: 'q'.repeat(2001) })).status).toBe(400);
    expect((await ada.post('/api/chats', FORM, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await ada.post('/api/chats', FORM, { 'content-type': 'text/plain' })).status).toBe(403);
    expect((await ada.post('/api/chats', { ...FORM, question: 'x'.repeat(9000) })).status).toBe(413);
    // fetch will not send a foreign Host, so a plain request does (DNS rebinding).
    const rebound = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port: site?.port, path: '/', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(rebound).toBe(421);
    expect(requests).toEqual([]);
  });

  it('streams the chat to its visitor only, and relays what the customer says and ends', async () => {
    const { desk, said, left, emit } = fakeDesk();
    site = await startCustomerSite(desk);
    const ada = visitor(site.url);
    const eve = visitor(site.url);
    await ada.call('/');
    await eve.call('/');
    const { chatId } = (await (await ada.post('/api/chats', FORM)).json()) as { chatId: string };
    expect((await eve.post(`/api/chats/${chatId}/messages`, { text: 'hijack' })).status).toBe(404);
    expect((await eve.call(`/api/chats/${chatId}/events`)).status).toBe(404);

    const stream = await ada.call(`/api/chats/${chatId}/events`);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = stream.body?.getReader();
    emit({ type: 'position', requestId: chatId, skill: 'billing', position: 1 });
    emit({ type: 'joined', requestId: chatId, agent: 'sip:cat@lab.local', name: 'Cat', role: 'agent' });
    emit({ type: 'message', requestId: chatId, from: 'sip:cat@lab.local', name: 'Cat', role: 'agent', text: '<b>Hello</b>', at: 5 });
    expect((await ada.post(`/api/chats/${chatId}/messages`, { text: 'Thanks' })).status).toBe(202);
    expect(said).toEqual(['Thanks']);
    expect((await ada.post(`/api/chats/${chatId}/end`, {})).status).toBe(200);
    expect(left).toEqual([chatId]);
    let text = '';
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) {
        break;
      }
      text += new TextDecoder().decode(chunk.value);
    }
    const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { type: string });
    expect(events).toEqual([
      { type: 'message', from: 'customer', name: 'Ada Lovelace', text: 'My invoice is wrong', at: expect.any(Number) },
      { type: 'waiting', position: 2 },
      { type: 'waiting', position: 1 },
      { type: 'connected', agent: 'Cat' },
      { type: 'message', from: 'agent', name: 'Cat', text: '<b>Hello</b>', at: 5 },
      { type: 'ended', reason: 'customer' },
    ]);
    expect((await ada.post(`/api/chats/${chatId}/messages`, { text: 'still there?' })).status).toBe(409);
    // A page that comes back later gets the same story from the start, or after Last-Event-ID.
    const replay = (await (await ada.call(`/api/chats/${chatId}`)).json()) as { events: { id: number }[] };
    expect(replay.events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const after = await (await ada.call(`/api/chats/${chatId}/events`, { headers: { 'last-event-id': '5' } })).text();
    expect(after.split('\n').filter((l) => l.startsWith('data: '))).toEqual(['data: {"type":"ended","reason":"customer"}']);
  });
});
