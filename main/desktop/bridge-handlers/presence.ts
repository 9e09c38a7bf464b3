import type { Settings } from '../../../common/bridge';
import type { HostEvent } from '../../../common/desktop-state';
import type { AgentHost } from '../../agent/agent-host';
import { doneOrNotFound } from './failures';
import type { AreaHandlers } from './types';

/** What the presence handlers need of the session. */
export type PresenceAreaContext = {
  readonly runningAgent: () => Pick<AgentHost, 'execute' | 'presence'> | undefined;
  readonly currentSettings: () => Settings;
  /** Writes `settings.json` and makes `settings` current; resolves with the settings they replace. */
  readonly saveSettings: (settings: Settings) => Promise<Settings>;
  readonly emit: (event: HostEvent) => void;
};

/** The bridge methods of the status picker and the contacts list. */
export type PresenceMethod = 'presence.set' | 'presence.watch' | 'presence.unwatch' | 'presence.idle';

/**
 * `presence.*` of `common/bridge.ts`. The choice and the watch list are settings, so they hold
 * at the next sign-in too; with the agent running they apply at once (the `presence`, `watch`
 * and `unwatch` commands a `switchboard agent` reads on stdin). Idle is not a setting: the
 * window reports it while it lasts (open question 29).
 */
export function presenceHandlers(context: PresenceAreaContext): AreaHandlers<PresenceMethod> {
  const watchList = (): string[] => [...(context.currentSettings().watch ?? [])];
  const saveWatchList = (watch: string[]): Promise<Settings> => context.saveSettings({ ...context.currentSettings(), watch });
  return {
    'presence.set': async ({ availability, note }) => {
      const choice = { availability, ...(note !== undefined && note !== '' && { note }) };
      await context.saveSettings({ ...context.currentSettings(), presence: choice });
      context.runningAgent()?.execute({ cmd: 'presence', ...choice });
      return {};
    },
    'presence.watch': async ({ aor }) => {
      // The contact is listed before the SUBSCRIBE goes: its first NOTIFY may beat the settings write.
      context.emit({ type: 'host.watch', aor, watching: true });
      const agent = context.runningAgent();
      if (agent) {
        const watched = agent.execute({ cmd: 'watch', aor });
        if (!watched.ok) {
          context.emit({ type: 'host.watch', aor, watching: false });
        }
        doneOrNotFound(watched);
      }
      if (!watchList().some((a) => a.toLowerCase() === aor.toLowerCase())) {
        await saveWatchList([...watchList(), aor]);
      }
      return {};
    },
    'presence.unwatch': async ({ aor }) => {
      context.runningAgent()?.execute({ cmd: 'unwatch', aor });
      await saveWatchList(watchList().filter((a) => a.toLowerCase() !== aor.toLowerCase()));
      context.emit({ type: 'host.watch', aor, watching: false });
      return {};
    },
    'presence.idle': ({ idle }) => {
      context.runningAgent()?.presence.setActivity({ idle });
      return {};
    },
  };
}
