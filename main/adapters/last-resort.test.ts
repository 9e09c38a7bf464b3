import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/ports/logger';
import { installLastResort, type ProcessEvents } from './last-resort';

describe('installLastResort', () => {
  it('reports an uncaught exception and a rejection, keeps going, and uninstalls', () => {
    const proc = new EventEmitter();
    const reports: string[] = [];
    const uninstall = installLastResort(silentLogger, (m) => reports.push(m), proc as unknown as ProcessEvents);
    proc.emit('uncaughtException', new Error('boom'));
    proc.emit('unhandledRejection', 'nope');
    expect(reports).toEqual(['uncaught exception: boom', 'unhandled rejection: nope']);
    uninstall();
    expect(proc.listenerCount('uncaughtException')).toBe(0);
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
  });

  it('survives a report that throws', () => {
    const proc = new EventEmitter();
    installLastResort(silentLogger, () => {
      throw new Error('report broken');
    }, proc as unknown as ProcessEvents);
    expect(() => proc.emit('uncaughtException', new Error('boom'))).not.toThrow();
  });
});
