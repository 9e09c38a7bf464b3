import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../common/agent-events';
import { AgentEngine } from '../../core/agent/agent-engine';
import { ConferenceManager } from '../../core/conference/conference-manager';
import { silentLogger } from '../../core/ports/logger';
import { Lab } from '../../lab/lab';
import { systemClock } from '../../main/adapters/node-clock';
import { nodeSocketFactory } from '../../main/adapters/node-socket';
import { createWeriftMediaEngine } from '../../main/adapters/werift-media';
import { waitFor } from '../support/wait-for';

// In-process agent (engine and conference feature, real sockets) against the standalone lab,
// with a session interval short enough to watch the RFC 4028 refresh happen.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

describe('focus session timer (RFC 4028)', () => {
  it('re-INVITEs the focus at half the interval the focus granted, and the dialog stays up', async () => {
    const lab = await Lab.start({ signaling: { mode: 'standalone' }, sessionExpiresSec: 2 });
    cleanups.push(() => lab.stop());
    const engine = new AgentEngine({ server: lab.wsUrl ?? '', aor: 'sip:agent@lab.local' }, { socketFactory: nodeSocketFactory, clock: systemClock, logger: silentLogger });
    const events: AgentEvent[] = [];
    engine.events.on('any', (e) => events.push(e));
    new ConferenceManager(engine, { clock: systemClock, logger: silentLogger, media: createWeriftMediaEngine(), newGuid: randomUUID }, { autoAccept: true, trustList: ['sip:conf@lab.local'], minSessionExpiresSec: 1 });
    cleanups.push(() => engine.stop());
    await engine.start();
    const { conference } = await lab.invite('sip:agent@lab.local', 'timer');
    await waitFor(() => events.some((e) => e.type === 'conference.joined'), 5000, 'joined');
    const reinvites = () =>
      lab.trace.entries().filter((e) => e.direction === 'in' && e.method === 'INVITE' && e.status === undefined && / INVITE$/.test(e.cseq) && !e.cseq.startsWith('1 '));
    await waitFor(() => reinvites().length >= 2, 4000, 'two session refreshes');
    const refresh = reinvites()[0];
    expect(refresh?.raw).toMatch(/Session-Expires: 2;refresher=uac/);
    expect(refresh?.startLine).toMatch(/^INVITE sip:conf@/);
    const answered = lab.trace.entries().filter((e) => e.direction === 'out' && e.status === 200 && e.callId === refresh?.callId && e.cseq === refresh?.cseq);
    expect(answered).toHaveLength(1);
    expect(lab.conferences.dialogsOf(conference.id, 'sip:agent@lab.local').focus).toBe(true);
    expect(events.some((e) => e.type === 'conference.left')).toBe(false);
  }, 20_000);
});
