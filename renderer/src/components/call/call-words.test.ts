import { describe, expect, it } from 'vitest';
import type { CallView } from '../../../../common/desktop-calls';
import type { Conversation } from '../../../../common/desktop-state';
import { callBucket, callStateText, consultCandidates, shownCalls, transferText } from './call-words';

const call = (id: string, state: CallView['state'], more: Partial<CallView> = {}): CallView => ({ id, peer: 'sip:conf@lab.local', outgoing: false, state, startedAt: 0, muted: false, digitsReceived: '', ...more });
const conversation = (calls: CallView[]): Conversation => ({ id: 'c', kind: 'call', subject: 's', from: 'f', state: 'active', startedAt: 0, roster: [], panes: [], history: [], calls });

describe('call words', () => {
  it('name every state, with the reason of an end', () => {
    expect(['dialing', 'ringing', 'connected', 'held', 'remote-held'].map((s) => callStateText({ state: s as CallView['state'], outgoing: true }))).toEqual([
      'Connecting',
      'Ringing',
      'Connected',
      'On hold',
      'Held by the other side',
    ]);
    expect(callStateText({ state: 'ended', outgoing: false, reason: 'transferred' })).toBe('Ended: transferred');
  });

  it('show the live calls, else the last one; offer the other live calls for a consultative transfer', () => {
    expect(shownCalls(conversation([call('a', 'ended'), call('b', 'held'), call('c', 'connected')])).map((c) => c.id)).toEqual(['b', 'c']);
    expect(shownCalls(conversation([call('a', 'ended'), call('b', 'ended')])).map((c) => c.id)).toEqual(['b']);
    const all = [conversation([call('a', 'held')]), conversation([call('b', 'connected'), call('d', 'dialing')])];
    expect(consultCandidates(all, 'a').map((c) => c.id)).toEqual(['b']);
  });

  it('meter a call only while it is up and its level known', () => {
    const media = { state: 'connected' as const, packetsSent: 1, packetsReceived: 1, level: 0.03 };
    expect(callBucket(call('a', 'connected', { media }))).toBe(2);
    expect(callBucket(call('a', 'ended', { media }))).toBeUndefined();
    expect(callBucket(call('a', 'connected', { media: { ...media, level: undefined } as unknown as typeof media }))).toBeUndefined();
  });

  it('word a transfer, a failure with its reason', () => {
    expect(transferText({ to: 'sip:b@lab.local', state: 'requested' })).toEqual({ text: 'Transferring to b@lab.local…', failed: false });
    expect(transferText({ to: 'sip:b@lab.local', state: 'failed', status: 486 })).toEqual({ text: 'Transfer to b@lab.local failed: 486', failed: true });
  });
});
