import { describe, expect, it } from 'vitest';
import { CHANNEL_TRANSITIONS, ChannelState as S, IllegalChannelTransitionError, channelCarriesInfo, transitionChannel } from './channel-state';

const all = Object.values(S);
// Written out again, independently of CHANNEL_TRANSITIONS, so a change to either shows up.
const legal: Record<S, S[]> = {
  [S.Idle]: [S.Establishing],
  [S.Establishing]: [S.Established, S.Terminating, S.Terminated],
  [S.Established]: [S.Recovering, S.Terminating, S.Terminated],
  [S.Recovering]: [S.Established, S.Terminating, S.Terminated],
  [S.Terminating]: [S.Terminated],
  [S.Terminated]: [],
};

describe('context channel transitions', () => {
  it('has six states', () => {
    expect(all).toEqual(['Idle', 'Establishing', 'Established', 'Recovering', 'Terminating', 'Terminated']);
  });

  for (const from of all) {
    for (const to of all) {
      const ok = legal[from].includes(to);
      it(`${from} -> ${to} is ${ok ? 'allowed' : 'refused'}`, () => {
        if (ok) {
          expect(transitionChannel(from, to)).toBe(to);
        } else {
          expect(() => transitionChannel(from, to)).toThrow(IllegalChannelTransitionError);
        }
      });
    }
  }

  it('lists each legal move once, with its cause', () => {
    const moves = CHANNEL_TRANSITIONS.map(({ from, to }) => `${from}->${to}`);
    expect(new Set(moves).size).toBe(moves.length);
    expect(moves.sort()).toEqual(all.flatMap((from) => legal[from].map((to) => `${from}->${to}`)).sort());
    expect(CHANNEL_TRANSITIONS.every(({ on }) => on.length > 0)).toBe(true);
  });

  it('reports the refused move on the error', () => {
    try {
      transitionChannel(S.Terminated, S.Established);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IllegalChannelTransitionError);
      expect(error).toMatchObject({ name: 'IllegalChannelTransitionError', from: S.Terminated, to: S.Established, message: 'context channel: Terminated -> Established is not allowed' });
    }
  });

  it('reaches Terminated from every state but Idle, and nothing leaves it', () => {
    const reaches = (from: S, seen = new Set<S>()): boolean =>
      from === S.Terminated || legal[from].some((to) => !seen.has(to) && reaches(to, new Set([...seen, from])));
    expect(all.every((state) => reaches(state))).toBe(true);
    expect(legal[S.Terminated]).toEqual([]);
  });

  it('carries INFO only when established', () => {
    expect(all.filter((state) => channelCarriesInfo(state))).toEqual([S.Established]);
  });
});
