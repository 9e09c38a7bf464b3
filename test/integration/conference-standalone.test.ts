import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

describe('conference join against the standalone lab (no Kamailio)', () => {
  it('invites, joins in three dialogs, shows audio in the roster and counts RTP both ways', async () => {
    const lab = await Lab.start({ signaling: { mode: 'standalone' } });
    cleanups.push(() => lab.stop());
    const agent = new AgentProcess(['--server', lab.wsUrl ?? '', '--aor', 'sip:agent@lab.local']);
    cleanups.push(() => agent.dispose());
    await agent.waitForType('registered', 10_000);

    const { conference, outcome } = await lab.invite('sip:agent@lab.local', 'Escalated support call');
    const invitation = await agent.waitForType('invitation', 5000);
    expect(invitation.event).toMatchObject({ focusUri: conference.focusUri, subject: 'Escalated support call', audio: true, im: true });
    agent.send({ cmd: 'accept', id: invitation.event.id });
    const acceptedAt = performance.now();
    expect((await outcome).state).toBe('Accepted');
    await agent.waitForType('invitation.accepted', 5000);
    await agent.waitForType('conference.joined', 5000);
    const withAudio = await agent.waitForType('roster', 10_000, 0, (e) => e.users.some((u) => u.self && u.modalities.audio === 'connected'));
    expect(withAudio.event.focusUri).toBe(conference.focusUri);
    const flowing = await agent.waitForType('media', 5000, 0, (e) => e.packetsReceived > 0 && e.packetsSent > 0);
    console.info(`[figures] accept -> RTP both ways seen ${(flowing.at - acceptedAt).toFixed(0)} ms`);
    expect(flowing.at - acceptedAt).toBeLessThan(2000 + 1000);
  }, 30_000);
});
