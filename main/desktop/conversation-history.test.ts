import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../common/desktop-state';
import { silentLogger } from '../../core/ports/logger';
import { ConversationHistory } from './conversation-history';

const conversation = (id: string, at: number): Conversation => ({
  id,
  kind: 'im',
  subject: 'sip:bob@lab.local',
  from: 'sip:bob@lab.local',
  state: 'active',
  startedAt: at,
  roster: [],
  panes: [],
  history: [{ at, text: 'Chat with sip:bob@lab.local' }],
  chat: { messages: [{ id: 'm1', from: 'sip:bob@lab.local', text: 'hello', at }], session: 'connected', typing: ['sip:bob@lab.local'], unread: 1 },
});

describe('ConversationHistory', () => {
  it('writes changed conversations and reads them back ended, read, newest first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-history-'));
    const history = new ConversationHistory(dir, () => 30, silentLogger);
    const a = conversation('conv/../a', 1000);
    history.observe([a, conversation('b', 2000)]);
    history.observe([a]);
    await history.flush();
    expect(readdirSync(dir).every((n) => /^[0-9a-f]{32}\.json$/.test(n))).toBe(true);
    const restored = await new ConversationHistory(dir, () => 30, silentLogger).load();
    expect(restored.map((c) => c.id)).toEqual(['b', 'conv/../a']);
    expect(restored[0]).toMatchObject({ state: 'ended', chat: { session: 'ended', typing: [], unread: 0, messages: [{ text: 'hello' }] } });
  });

  it('drops files past the retention and skips damaged ones; keeps nothing at 0 days', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-history-'));
    const history = new ConversationHistory(dir, () => 1, silentLogger);
    history.observe([conversation('old', 1)]);
    await history.flush();
    const [file] = readdirSync(dir);
    const past = Date.now() / 1000 - 3 * 86_400;
    utimesSync(join(dir, file ?? ''), past, past);
    writeFileSync(join(dir, 'bad.json'), '{"id": 5}');
    expect(await history.load()).toEqual([]);
    expect(readdirSync(dir)).toEqual(['bad.json']);
    const off = new ConversationHistory(mkdtempSync(join(tmpdir(), 'sb-history-')), () => 0, silentLogger);
    off.observe([conversation('x', 1)]);
    await off.flush();
  });
});
