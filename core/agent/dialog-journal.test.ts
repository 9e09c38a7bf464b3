import type { UserAgentCore } from 'sip.js/lib/core/index.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import { silentLogger } from '../ports/logger';
import { MemoryStore } from '../ports/storage';
import { DialogJournal, type JournaledDialog } from './dialog-journal';

type Sent = { method: string; target: string; options: { callId?: string; fromTag?: string; toTag?: string; cseq?: number; routeSet?: string[] }; extra: string[] };

/** Just enough of a sip.js core: an empty dialog table, and the requests it is asked to send. */
function fakeCore(): { core: UserAgentCore; sent: Sent[] } {
  const sent: Sent[] = [];
  const core = {
    dialogs: new Map(),
    configuration: { contact: { toString: () => '<sip:agent@127.0.0.1;transport=ws>' } },
    makeOutgoingRequestMessage: (method: string, target: { toString(): string }, _from: unknown, _to: unknown, options: Sent['options'], extra: string[] = []) => ({ method, target: target.toString(), options, extra }),
    request: (message: Sent) => sent.push(message),
  };
  return { core: core as unknown as UserAgentCore, sent };
}

const FOCUS: JournaledDialog = {
  kind: 'invite',
  callId: 'focus-1',
  localTag: 'l1',
  remoteTag: 'r1',
  localUri: 'sip:agent@lab.local',
  remoteUri: 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:AB',
  remoteTarget: 'sip:conf@127.0.0.1:5070',
  routeSet: ['<sip:127.0.0.1:5060;lr>'],
  cseq: 3,
};
const ROSTER: JournaledDialog = { ...FOCUS, kind: 'subscription', callId: 'roster-1', event: 'conference', cseq: 1 };

describe('DialogJournal', () => {
  it('ends what a previous run left open (BYE, un-SUBSCRIBE) with the next CSeq, skips garbage, and starts afresh', async () => {
    const store = new MemoryStore();
    await store.set('j', JSON.stringify([FOCUS, { kind: 'invite', callId: 7 }, 'nonsense', ROSTER]));
    const { core, sent } = fakeCore();
    const clock = new FakeClock();
    const journal = new DialogJournal(() => core, store, 'j', clock, silentLogger, { intervalMs: 1000 });
    expect(await journal.recoverAndStart()).toBe(2);
    expect(sent.map((s) => [s.method, s.target, s.options.callId, s.options.fromTag, s.options.toTag, s.options.cseq])).toEqual([
      ['BYE', FOCUS.remoteTarget, 'focus-1', 'l1', 'r1', 4],
      ['SUBSCRIBE', ROSTER.remoteTarget, 'roster-1', 'l1', 'r1', 2],
    ]);
    expect(sent[0]?.options.routeSet).toEqual(FOCUS.routeSet);
    expect(sent[1]?.extra).toContain('Expires: 0');
    expect(await store.get('j')).toBeUndefined();
    expect(clock.pending).toBe(1);
    await journal.stop();
    expect(clock.pending).toBe(0);
  });

  it('treats an unreadable journal as empty', async () => {
    const store = new MemoryStore();
    await store.set('j', '{not json');
    const { core, sent } = fakeCore();
    const journal = new DialogJournal(() => core, store, 'j', new FakeClock(), silentLogger);
    expect(await journal.recoverAndStart()).toBe(0);
    expect(sent).toEqual([]);
    await journal.stop();
  });
});
