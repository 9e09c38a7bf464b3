import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/ports/logger';
import type { MediaCommand } from '../../common/media-link';
import { DesktopSession, sessionSecretStore, type BridgeCaller } from './desktop-session';

/** A window as a host sees it: collects media commands, and can go away. */
function fakeCaller(): BridgeCaller & { commands: MediaCommand[]; leave: () => void } {
  const commands: MediaCommand[] = [];
  const gone: Array<() => void> = [];
  return { commands, sendMedia: (c) => commands.push(c), onGone: (l) => gone.push(l), leave: () => gone.splice(0).forEach((l) => l()) };
}

const sessions: DesktopSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function open(settings?: string): Promise<DesktopSession> {
  const configDir = mkdtempSync(join(tmpdir(), 'sb-session-'));
  if (settings !== undefined) {
    writeFileSync(join(configDir, 'settings.json'), settings);
  }
  const session = await DesktopSession.open({
    configDir,
    appRoot: configDir,
    version: '0.0.0-test',
    env: { HOME: configDir, SWITCHBOARD_MACHINE_EXTENSIONS: join(configDir, 'machine') },
    logger: silentLogger,
    secrets: sessionSecretStore(),
    platform: { host: 'browser' },
    embeddedLab: false,
  });
  sessions.push(session);
  await session.whenSettled();
  return session;
}

describe('DesktopSession', () => {
  it('tries a failed first sign-in again with the reconnect backoff until the proxy answers', async () => {
    // Port 1 on loopback refuses at once: the proxy is down at 8:59.
    const session = await open(JSON.stringify({ server: 'ws://127.0.0.1:1', aor: 'sip:agent@lab.local', autoAccept: false, trust: [] }));
    const states: string[] = [];
    const off = session.onPush((push) => {
      if (push.event.type === 'host.agent') {
        states.push(`${push.event.state}${push.event.message?.includes('Trying again') ? '+retry' : ''}`);
      }
    });
    expect(session.snapshot().state.connection.reason).toMatch(/Trying again in \d+ s/);
    for (let i = 0; i < 60 && states.filter((s) => s === 'failed+retry').length < 2; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    off();
    // After the first failure (before subscribing): starting, (the failed agent stopped,) failed with a retry, starting again.
    expect(states.filter((s) => s !== 'stopped').slice(0, 3)).toEqual(['starting', 'failed+retry', 'starting']);
    expect(states.filter((s) => s === 'failed+retry').length).toBeGreaterThanOrEqual(2);
  });

  it('reports not-configured when there is no account and no lab', async () => {
    const session = await open();
    expect(session.snapshot().state.connection.phase).toBe('not-configured');
    await expect(session.handle('app.info', {})).resolves.toEqual({ ok: true, result: { name: 'Switchboard', version: '0.0.0-test', host: 'browser', labAvailable: false } });
  });

  it('answers every malformed request with the error envelope, naming the method and the field', async () => {
    const session = await open();
    await expect(session.handle('agent.hack', {})).resolves.toMatchObject({ ok: false, error: { code: 'bad-request', message: 'unknown method "agent.hack"' } });
    await expect(session.handle('agent.accept', {})).resolves.toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('agent.accept: id') } });
    await expect(session.handle('agent.accept', { id: 'x', extra: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await expect(session.handle('shell.openExternal', { url: 'http://example.org/' })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await expect(session.handle('settings.set', { settings: { server: 'http://x', aor: 'sip:a@b', autoAccept: false, trust: [] } })).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringContaining('settings.server') },
    });
    await expect(session.handle('settings.set', { settings: { server: 'ws://127.0.0.1:1', aor: '', autoAccept: false, trust: [] } })).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringContaining('both') },
    });
    await expect(session.handle('extensions.upload', { fileName: 'x.exe', dataBase64: '' })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('refuses what needs a running agent or lab, and unsupported host features, with a reason', async () => {
    const session = await open();
    await expect(session.handle('agent.accept', { id: 'inv-1' })).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await expect(session.handle('lab.try', { action: 'invitation' })).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await expect(session.handle('extensions.pick', { folder: true })).resolves.toMatchObject({ ok: false, error: { code: 'unsupported' } });
    await expect(session.handle('shell.openExternal', { url: 'https://example.org/' })).resolves.toEqual({ ok: true, result: { opened: false } });
    await expect(session.handle('pane.place', { conversationId: 'c', appId: 'a', bounds: null })).resolves.toEqual({ ok: true, result: { placed: false } });
    await expect(session.handle('trace.list', { callIds: [] })).resolves.toEqual({ ok: true, result: { entries: [] } });
  });

  it('lists an empty registry and maps registry refusals to codes', async () => {
    const session = await open();
    await expect(session.handle('extensions.list', {})).resolves.toMatchObject({ ok: true, result: { extensions: [], userInstallsAllowed: true } });
    await expect(session.handle('extensions.install', { path: '/nonexistent/package' })).resolves.toMatchObject({ ok: false, error: { code: 'not-found' } });
    await expect(session.handle('extensions.remove', { id: 'not-a-guid' })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('starts from defaults with a notice when the settings file is broken', async () => {
    const session = await open('{"server": 42');
    const { state } = session.snapshot();
    expect(state.connection.phase).toBe('not-configured');
    expect(state.notices[0]?.text).toMatch(/settings\.json is not JSON/);
    const result = await session.handle('settings.get', {});
    expect(result).toMatchObject({ ok: true, result: { settings: { server: '', aor: '' }, passwordStored: false, passwordStorage: 'this-session' } });
  });

  it('takes media replies and reports only from a window that attached, and only for its sessions', async () => {
    const session = await open();
    const window = fakeCaller();
    const report = { mediaId: 'm1', state: 'connected', stats: { packetsSent: 1, packetsReceived: 1, bytesSent: 160, bytesReceived: 160 } };
    await expect(session.handle('media.report', report, window)).resolves.toMatchObject({ ok: false, error: { code: 'not-found' } });
    await expect(session.handle('media.attach', {})).resolves.toMatchObject({ ok: false, error: { code: 'unsupported' } });
    await expect(session.handle('media.attach', {}, window)).resolves.toEqual({ ok: true, result: { attached: true } });
    await expect(session.handle('media.report', report, window)).resolves.toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringContaining('m1') } });
    await expect(session.handle('media.reply', { mediaId: 'x1', op: 'offer' }, window)).resolves.toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('mediaId') } });
    window.leave();
    await expect(session.handle('media.reply', { mediaId: 'm1', op: 'offer' }, window)).resolves.toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('keeps the agent when only the devices change, and restarts it when the account does', async () => {
    const session = await open();
    const phases: string[] = [];
    session.onPush((push) => push.event.type === 'host.agent' && phases.push(push.event.state));
    const settings = { server: '', aor: '', autoAccept: false, trust: [] };
    await expect(session.handle('settings.set', { settings: { ...settings, audioInput: { id: 'mic-2', label: 'Headset' } } })).resolves.toMatchObject({ ok: true, result: { restarted: false } });
    await session.whenSettled();
    expect(phases).toEqual([]);
    await expect(session.handle('settings.set', { settings: { ...settings, autoAccept: true } })).resolves.toMatchObject({ ok: true, result: { restarted: true } });
    await session.whenSettled();
    expect(phases).toEqual(['not-configured']);
  });

  it('serves no pane file outside an effective extension', async () => {
    const session = await open();
    expect(session.paneFile('8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01', '../../settings.json')).toBeUndefined();
  });
});
