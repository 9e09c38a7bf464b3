import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { AgentCommand } from '../../../common/agent-commands';
import { BRIDGE_METHODS, type BridgePush, type Settings } from '../../../common/bridge';
import type { Conversation, DesktopEvent } from '../../../common/desktop-state';
import type { TraceEntry, TraceFilter } from '../../../core/sip/sip-trace';
import { silentLogger } from '../../../core/ports/logger';
import type { CommandResult } from '../../agent/agent-host';
import { DesktopSession, sessionSecretStore, type DesktopPlatform } from '../desktop-session';
import { agentHandlers } from './agent';
import { appHandlers, type AppAreaContext } from './app';
import { BridgeFailure } from './failures';
import { createBridgeHandlers, type BridgeHandlerContext, type MethodsHandledTwice } from './index';
import { paneHandlers, type PaneAreaContext } from './panes';
import { traceHandlers } from './trace';

const APP = '{5E0C2B1A-7D3F-4C8E-9A6B-1F2E3D4C5B6A}';

/** Runs a handler and gives back its refusal, or fails the test when it did not refuse. */
async function refusal(run: () => unknown): Promise<BridgeFailure['error']> {
  try {
    await run();
  } catch (error) {
    if (error instanceof BridgeFailure) {
      return error.error;
    }
    throw error;
  }
  throw new Error('the handler did not refuse');
}

/** An agent that records the commands it is given and answers them with `answer`. */
function fakeAgent(answer: CommandResult = { ok: true }): { commands: AgentCommand[]; execute: (command: AgentCommand) => CommandResult } {
  const commands: AgentCommand[] = [];
  return { commands, execute: (command) => (commands.push(command), answer) };
}

/** Every part of the session a handler may reach, each one inert. */
function inertContext(): BridgeHandlerContext {
  const none = (): never => {
    throw new Error('not in this test');
  };
  return {
    version: '0.0.0-test',
    platform: { host: 'browser' },
    labAvailable: () => false,
    snapshot: none,
    embeddedLab: () => undefined,
    notice: () => undefined,
    runningAgent: () => undefined,
    media: { attach: () => () => undefined, reply: () => false, report: () => false },
    conversations: () => [],
    emit: () => undefined,
    log: silentLogger,
    trace: () => undefined,
    openRegistry: none,
    registryDirs: none,
    extensionsChanged: () => Promise.resolve(),
    settingsView: none,
    storePassword: () => Promise.resolve(),
    saveSettings: none,
    currentSettings: none,
    restartAgent: () => undefined,
    switchDevices: () => undefined,
  };
}

describe('the dispatch table', () => {
  it('has one handler for each method of common/bridge.ts, and no area claims a method of another', () => {
    expectTypeOf<MethodsHandledTwice>().toBeNever();
    const handlers = createBridgeHandlers(inertContext());
    expect(Object.keys(handlers).sort()).toEqual([...BRIDGE_METHODS].sort());
    expect(Object.values(handlers).every((handler) => typeof handler === 'function')).toBe(true);
  });
});

describe('agent and conference handlers', () => {
  it('send each method as its agent command, and answer not-found when it names nothing', async () => {
    const agent = fakeAgent();
    const handlers = agentHandlers({ runningAgent: () => agent });
    expect(handlers['agent.accept']({ id: 'inv-1' }, undefined)).toEqual({});
    handlers['agent.decline']({ id: 'inv-2' }, undefined);
    handlers['conference.leave']({ focusUri: 'sip:f@lab' }, undefined);
    handlers['conference.mute']({ focusUri: 'sip:f@lab', muted: true }, undefined);
    handlers['conference.reconnectAudio']({ focusUri: 'sip:f@lab' }, undefined);
    expect(agent.commands).toEqual([
      { cmd: 'accept', id: 'inv-1' },
      { cmd: 'decline', id: 'inv-2' },
      { cmd: 'leave', focusUri: 'sip:f@lab' },
      { cmd: 'mute', focusUri: 'sip:f@lab', muted: true },
      { cmd: 'reconnect-audio', focusUri: 'sip:f@lab' },
    ]);
    const unknown = agentHandlers({ runningAgent: () => fakeAgent({ ok: false, message: 'no invitation inv-9' }) });
    await expect(refusal(() => unknown['agent.accept']({ id: 'inv-9' }, undefined))).resolves.toEqual({ code: 'not-found', message: 'no invitation inv-9' });
    const stopped = agentHandlers({ runningAgent: () => undefined });
    await expect(refusal(() => stopped['conference.leave']({ focusUri: 'sip:f@lab' }, undefined))).resolves.toEqual({ code: 'unavailable', message: 'the agent is not running' });
  });
});

describe('pane handlers', () => {
  const conversation: Conversation = {
    id: 'conv-1',
    kind: 'channel',
    subject: 'Context channel',
    from: 'sip:app@lab.local',
    state: 'active',
    startedAt: 0,
    roster: [],
    panes: [{ appId: APP, channels: [{ channelId: 'ch-1', state: 'Established' }], state: 'open', data: [], dataCount: 0 }],
    history: [],
  };
  const paneContext = (overrides: Partial<PaneAreaContext> = {}): PaneAreaContext => ({
    runningAgent: () => undefined,
    conversations: () => [conversation],
    emit: () => undefined,
    log: silentLogger,
    platform: {},
    ...overrides,
  });

  it('answer pane.send with the INFO outcome in the contract fields, or not-found without a channel', async () => {
    const sent: unknown[] = [];
    const agent = {
      ...fakeAgent(),
      sendFromPane: (request: unknown) => (sent.push(request), Promise.resolve({ ok: true, status: 200, reason: 'OK', seq: 3, channelId: 'ch-1' })),
    };
    const request = { appId: APP, conversationId: 'conv-1', contentType: 'text/plain', body: 'note' };
    await expect(paneHandlers(paneContext({ runningAgent: () => agent }))['pane.send'](request, undefined)).resolves.toEqual({ ok: true, status: 200, reason: 'OK', seq: 3 });
    expect(sent).toEqual([request]);
    const closed = { ...fakeAgent(), sendFromPane: () => undefined };
    await expect(refusal(() => paneHandlers(paneContext({ runningAgent: () => closed }))['pane.send'](request, undefined))).resolves.toEqual({
      code: 'not-found',
      message: `no open channel for ${APP} in this conversation`,
    });
  });

  it('close the channels of an ejected pane and tell every window; a pane nobody shows is not-found', async () => {
    const agent = { ...fakeAgent(), sendFromPane: () => undefined };
    const events: DesktopEvent[] = [];
    const handlers = paneHandlers(paneContext({ runningAgent: () => agent, emit: (event) => events.push(event) }));
    // Any GUID form names the pane.
    expect(handlers['pane.ejected']({ appId: APP.slice(1, -1).toLowerCase(), conversationId: 'conv-1' }, undefined)).toEqual({});
    expect(events).toEqual([{ type: 'host.pane.ejected', conversationId: 'conv-1', appId: APP }]);
    expect(agent.commands).toEqual([{ cmd: 'close', appId: APP, conversationId: 'conv-1' }]);
    await expect(refusal(() => handlers['pane.ejected']({ appId: APP, conversationId: 'conv-2' }, undefined))).resolves.toMatchObject({ code: 'not-found' });
  });

  it('place a pane through the shell with the caller window, and answer placed: false without one', () => {
    const placed: unknown[] = [];
    const platform: Pick<DesktopPlatform, 'placePane'> = { placePane: (request, native) => (placed.push([request, native]), true) };
    const request = { conversationId: 'conv-1', appId: APP, bounds: { x: 1, y: 2, width: 300, height: 200 } };
    const caller = { sendMedia: () => undefined, onGone: () => undefined, native: 'contents-7' };
    expect(paneHandlers(paneContext({ platform }))['pane.place'](request, caller)).toEqual({ placed: true });
    expect(placed).toEqual([[request, 'contents-7']]);
    expect(paneHandlers(paneContext())['pane.place'](request, caller)).toEqual({ placed: false });
  });
});

describe('trace handlers', () => {
  it('list the entries of the asked dialogs with the contract fields only', async () => {
    const summary = { callId: 'call-1', cseq: '1 INVITE', fromTag: 'a', toTag: undefined, contentType: undefined };
    const entries: TraceEntry[] = [
      { ...summary, seq: 1, at: 10, direction: 'out', dialog: 'call-1', startLine: 'INVITE sip:f@lab SIP/2.0', method: 'INVITE', status: undefined, raw: 'INVITE …' },
      { ...summary, seq: 2, at: 11, direction: 'in', dialog: 'call-2', startLine: 'SIP/2.0 200 OK', method: 'INVITE', status: 200, raw: 'SIP/2.0 200 OK …' },
    ];
    const filters: unknown[] = [];
    const trace = {
      entries: (filter?: TraceFilter) => (filters.push(filter), entries.filter((e) => filter?.dialogs?.has(e.dialog) ?? true)),
      exportText: () => 'text',
    };
    const handlers = traceHandlers({ trace: () => trace });
    const request = { seq: 1, at: 10, direction: 'out', dialog: 'call-1', startLine: 'INVITE sip:f@lab SIP/2.0', method: 'INVITE', raw: 'INVITE …' };
    const response = { seq: 2, at: 11, direction: 'in', dialog: 'call-2', startLine: 'SIP/2.0 200 OK', method: 'INVITE', status: 200, raw: 'SIP/2.0 200 OK …' };
    expect(await handlers['trace.list']({ callIds: ['call-2'] }, undefined)).toStrictEqual({ entries: [response] });
    expect(await handlers['trace.list']({ callIds: [] }, undefined)).toStrictEqual({ entries: [request, response] });
    expect(filters).toEqual([{ dialogs: new Set(['call-2']) }, {}]);
    expect(await handlers['trace.export']({ callIds: [] }, undefined)).toEqual({ text: 'text' });
  });
});

describe('app handlers', () => {
  it('run a try-it action of the embedded lab and show its line, or refuse with its reason', async () => {
    const notices: string[] = [];
    const context = (tryIt: AppContextLab['tryIt']): AppAreaContext => ({ ...inertContext(), embeddedLab: () => ({ tryIt }), notice: (level, text) => notices.push(`${level}: ${text}`) });
    await expect(appHandlers(context(() => Promise.resolve('Invited you')))['lab.try']({ action: 'invitation' }, undefined)).resolves.toEqual({ message: 'Invited you' });
    expect(notices).toEqual(['info: Invited you']);
    await expect(refusal(() => appHandlers(context(() => Promise.reject(new Error('busy now'))))['lab.try']({ action: 'channel' }, undefined))).resolves.toEqual({ code: 'refused', message: 'busy now' });
  });
});

type AppContextLab = NonNullable<ReturnType<AppAreaContext['embeddedLab']>>;

describe('handlers through DesktopSession.handle', () => {
  const sessions: DesktopSession[] = [];
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
  });

  async function open(platform: DesktopPlatform = { host: 'browser' }): Promise<{ session: DesktopSession; root: string }> {
    const root = mkdtempSync(join(tmpdir(), 'sb-handlers-'));
    const session = await DesktopSession.open({
      configDir: join(root, 'config'),
      appRoot: root,
      version: '0.0.0-test',
      env: { HOME: root, SWITCHBOARD_MACHINE_EXTENSIONS: join(root, 'machine') },
      logger: silentLogger,
      secrets: sessionSecretStore(),
      platform,
      embeddedLab: false,
    });
    sessions.push(session);
    await session.whenSettled();
    return { session, root };
  }

  /** A package folder with a valid manifest. */
  function packageDir(root: string): string {
    const dir = join(root, 'package');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'extension.json'), JSON.stringify({ id: APP, name: 'Ticket Pane', version: '1.0.0', entry: 'index.html' }));
    writeFileSync(join(dir, 'index.html'), '<p>pane</p>');
    return dir;
  }

  it('install, list, upload over and remove an extension, telling windows each time', async () => {
    const { session, root } = await open();
    const pushes: BridgePush[] = [];
    session.onPush((push) => pushes.push(push));
    const dir = packageDir(root);
    await expect(session.handle('extensions.install', { path: dir })).resolves.toEqual({ ok: true, result: { id: APP, name: 'Ticket Pane', version: '1.0.0' } });
    await expect(session.handle('extensions.list', {})).resolves.toMatchObject({
      ok: true,
      result: { extensions: [{ id: APP, scope: 'user', effective: true, paneUrl: `/pane/${APP.slice(1, -1)}/index.html` }], userDir: join(root, 'config', 'extensions') },
    });
    const archive = join(root, 'ticket.tgz');
    await createTar({ gzip: true, file: archive, cwd: dir }, ['extension.json', 'index.html']);
    const dataBase64 = readFileSync(archive).toString('base64');
    await expect(session.handle('extensions.upload', { fileName: 'ticket.tgz', dataBase64 })).resolves.toEqual({ ok: true, result: { id: APP, name: 'Ticket Pane', version: '1.0.0', replacedVersion: '1.0.0' } });
    await expect(session.handle('extensions.remove', { id: APP })).resolves.toEqual({ ok: true, result: { id: APP, machineCopyRemains: false } });
    await expect(session.handle('extensions.list', {})).resolves.toMatchObject({ ok: true, result: { extensions: [] } });
    expect(pushes.filter((p) => p.event.type === 'host.extensions')).toHaveLength(3);
  });

  it('keep a password and forget it again, each a restart', async () => {
    const { session } = await open();
    const settings = { server: '', aor: '', autoAccept: false, trust: [] };
    await expect(session.handle('settings.set', { settings, password: 'secret' })).resolves.toMatchObject({ ok: true, result: { passwordStored: true, restarted: true } });
    await expect(session.handle('settings.set', { settings, clearPassword: true })).resolves.toMatchObject({ ok: true, result: { passwordStored: false, restarted: true } });
    await expect(session.handle('settings.set', { settings, password: '' })).resolves.toMatchObject({ ok: true, result: { passwordStored: false, restarted: false } });
  });

  it("use the shell's own features where it has them", async () => {
    const opened: string[] = [];
    const { session } = await open({
      host: 'electron',
      openExternal: (url) => (opened.push(url), Promise.resolve()),
      openConversation: (conversationId) => conversationId === 'conv-1',
      pickPackage: (folder) => Promise.resolve(folder ? '/picked/folder' : undefined),
    });
    await expect(session.handle('shell.openExternal', { url: 'https://example.org/help' })).resolves.toEqual({ ok: true, result: { opened: true } });
    expect(opened).toEqual(['https://example.org/help']);
    await expect(session.handle('window.openConversation', { conversationId: 'conv-1' })).resolves.toEqual({ ok: true, result: { opened: true } });
    await expect(session.handle('extensions.pick', { folder: true })).resolves.toEqual({ ok: true, result: { path: '/picked/folder' } });
    await expect(session.handle('extensions.pick', { folder: false })).resolves.toEqual({ ok: true, result: {} });
    await expect(session.handle('app.info', {})).resolves.toMatchObject({ ok: true, result: { host: 'electron' } });
    await expect(session.handle('state.snapshot', {})).resolves.toEqual({ ok: true, result: session.snapshot() });
    await expect(session.handle('trace.export', { callIds: [] })).resolves.toEqual({ ok: true, result: { text: '' } });
  });

  it('answers a handler that fails unexpectedly as internal, naming the method', async () => {
    const { session } = await open({ host: 'electron', openExternal: () => Promise.reject(new Error('no browser')) });
    await expect(session.handle('shell.openExternal', { url: 'https://example.org/' })).resolves.toEqual({ ok: false, error: { code: 'internal', message: 'shell.openExternal failed: no browser' } });
  });
});

describe('presence handlers', () => {
  it('keep the choice and the watch list in settings and tell the running agent', async () => {
    let settings: Settings = { server: '', aor: '', autoAccept: false, trust: [] };
    const events: unknown[] = [];
    const agent = fakeAgent();
    const handlers = createBridgeHandlers({
      ...inertContext(),
      runningAgent: () => ({ ...agent, presence: { setActivity: () => undefined } }) as never,
      currentSettings: () => settings,
      saveSettings: (next) => {
        const previous = settings;
        settings = next;
        return Promise.resolve(previous);
      },
      emit: (event) => events.push(event),
    });
    await handlers['presence.set']({ availability: 'dnd', note: 'Training' }, undefined);
    await handlers['presence.watch']({ aor: 'sip:sup@lab.local' }, undefined);
    await handlers['presence.watch']({ aor: 'sip:SUP@lab.local' }, undefined);
    await handlers['presence.unwatch']({ aor: 'sip:sup@lab.local' }, undefined);
    expect(settings.presence).toEqual({ availability: 'dnd', note: 'Training' });
    expect(settings.watch).toEqual([]);
    expect(agent.commands).toEqual([
      { cmd: 'presence', availability: 'dnd', note: 'Training' },
      { cmd: 'watch', aor: 'sip:sup@lab.local' },
      { cmd: 'watch', aor: 'sip:SUP@lab.local' },
      { cmd: 'unwatch', aor: 'sip:sup@lab.local' },
    ]);
    expect(events).toContainEqual({ type: 'host.watch', aor: 'sip:sup@lab.local', watching: false });
  });
});
