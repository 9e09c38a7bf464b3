import { describe, expect, it } from 'vitest';
import { guardedTransition, IllegalTransitionError } from './state-machine';

type Light = 'off' | 'on' | 'broken';
const transition = guardedTransition<Light>('lamp', { off: ['on', 'broken'], on: ['off', 'broken'], broken: [] });

describe('guardedTransition', () => {
  it('returns the target of every move the table lists', () => {
    expect(transition('off', 'on')).toBe('on');
    expect(transition('on', 'broken')).toBe('broken');
  });

  it('refuses every other move, self-moves and moves out of a final state included, naming the instance', () => {
    expect(() => transition('off', 'off')).toThrow(IllegalTransitionError);
    const error = (() => {
      try {
        transition('broken', 'on', 'kitchen');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ name: 'IllegalTransitionError', machine: 'lamp kitchen', from: 'broken', to: 'on', message: 'lamp kitchen: broken -> on is not allowed' });
  });

  it('throws the error class a machine brings', () => {
    class LampError extends Error {}
    const strict = guardedTransition<Light>('lamp', { off: [], on: [], broken: [] }, (machine, from, to) => new LampError(`${machine} ${from}>${to}`));
    expect(() => strict('off', 'on')).toThrow(LampError);
  });
});
