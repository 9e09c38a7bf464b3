import { afterAll, describe, expect, it } from 'vitest';
import { JanusError } from '../../lab/janus/janus-client';
import { startJanus, type JanusHandle } from '../../lab/janus/janus-launcher';

// Issue 16's first slice: the lab starts Debian's Janus on loopback with the AudioBridge only,
// and drives it through a small typed client of its HTTP API.

const started: JanusHandle[] = [];

afterAll(async () => {
  for (const janus of started) {
    await janus.stop();
  }
});

describe('Janus for the lab (AudioBridge on 127.0.0.1)', () => {
  it('starts with the AudioBridge and HTTP only; rooms need the admin key to create and their secret to destroy', async () => {
    const janus = await startJanus();
    started.push(janus);
    expect(janus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/janus$/);
    const info = await janus.client.info();
    expect(Object.keys(info['plugins'] as object)).toEqual(['janus.plugin.audiobridge']);
    expect(Object.keys(info['transports'] as object)).toEqual(['janus.transport.http']);
    const session = await janus.client.createSession();
    const handle = await janus.client.attach(session, 'janus.plugin.audiobridge');
    // Only the lab, holding the admin key, creates rooms; only the room's secret destroys one.
    await expect(janus.client.message(session, handle, { request: 'create', room: 7000 })).rejects.toBeInstanceOf(JanusError);
    await janus.client.message(session, handle, { request: 'create', room: 7001, admin_key: janus.adminKey, secret: 's3', sampling_rate: 48000 });
    const list = await janus.client.message(session, handle, { request: 'list' });
    expect(list.plugindata?.data['list']).toEqual([expect.objectContaining({ room: 7001, num_participants: 0 })]);
    await expect(janus.client.message(session, handle, { request: 'destroy', room: 7001, secret: 'wrong' })).rejects.toBeInstanceOf(JanusError);
    await janus.client.message(session, handle, { request: 'destroy', room: 7001, secret: 's3' });
    expect((await janus.client.message(session, handle, { request: 'list' })).plugindata?.data['list']).toEqual([]);
    await janus.client.destroy(session);
  });

  it('a killed Janus fails the next request with a clear error', async () => {
    const janus = await startJanus();
    started.push(janus);
    janus.kill();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(janus.client.createSession()).rejects.toThrow(/did not answer/);
  });
});
