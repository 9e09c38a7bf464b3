import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';
import { IllegalTransitionError, SupervisorState as S, publicConnectionState, transitionSupervisor } from './connection-machine';

const all = Object.values(S);
const legal: Record<S, S[]> = {
  [S.Idle]: [S.Connecting, S.Stopping],
  [S.Connecting]: [S.Connected, S.Failed, S.Stopping],
  [S.Connected]: [S.Reconnecting, S.Stopping],
  [S.Reconnecting]: [S.Connected, S.Reconnecting, S.Stopping],
  [S.Failed]: [S.Stopping],
  [S.Stopping]: [S.Stopped],
  [S.Stopped]: [],
};

describe('connection supervisor transitions', () => {
  for (const from of all) {
    for (const to of all) {
      const ok = legal[from].includes(to);
      it(`${from} -> ${to} is ${ok ? 'allowed' : 'refused'}`, () => {
        if (ok) {
          expect(transitionSupervisor(from, to)).toBe(to);
        } else {
          expect(() => transitionSupervisor(from, to)).toThrow(IllegalTransitionError);
        }
      });
    }
  }

  it('maps internal states to the public connection states', () => {
    expect(all.map((s) => publicConnectionState(s))).toEqual([
      'connecting', 'connecting', 'connected', 'reconnecting', 'disconnected', 'disconnected', 'disconnected',
    ]);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially from 250-500 ms and never exceeds 10 s', () => {
    expect(backoffDelay(1, 0)).toBe(250);
    expect(backoffDelay(1, 0.999)).toBeLessThanOrEqual(500);
    expect(backoffDelay(2, 0)).toBe(500);
    expect(backoffDelay(3, 0)).toBe(1000);
    for (let attempt = 1; attempt <= 60; attempt += 1) {
      expect(backoffDelay(attempt, 0.999)).toBeLessThanOrEqual(10_000);
      expect(backoffDelay(attempt, 0)).toBeGreaterThanOrEqual(250);
    }
    expect(backoffDelay(60, 0)).toBe(5000);
  });
});
