import { useCallback, useEffect, useState } from 'react';
import type { AvailabilityName, PresenceView } from '../../../common/agent-events';
import { useDesktopStore, useDesktopView } from '../store-context';

/** The availability the agent chose, and its note. */
export type StatusChoice = { readonly availability: AvailabilityName; readonly note?: string };

/** The agent's own status: what they chose, what the server shows others, and the change. */
export type OwnStatus = {
  /** As chosen (kept in settings; Available when never chosen); undefined until read. */
  readonly choice: StatusChoice | undefined;
  /**
   * What the presence server accepted, which may differ from the choice (Busy in a conference,
   * Away while idle), with `error` when it refused the publication; undefined until it answered.
   */
  readonly published: PresenceView | undefined;
  /** Chooses a status (published at once and at every sign-in); rejects with the host's reason. */
  readonly choose: (choice: StatusChoice) => Promise<void>;
};

/** The status picker's data and action: the agent's choice, its published state, a new choice. */
export function useOwnStatus(): OwnStatus {
  const store = useDesktopStore();
  const published = useDesktopView().state?.presence.self;
  const [choice, setChoice] = useState<StatusChoice | undefined>();
  useEffect(() => {
    let live = true;
    store.call('settings.get', {}).then(
      ({ settings }) => live && setChoice(settings.presence ?? { availability: 'available' }),
      () => live && setChoice({ availability: 'available' }),
    );
    return () => {
      live = false;
    };
  }, [store]);
  const choose = useCallback(
    async (next: StatusChoice): Promise<void> => {
      await store.call('presence.set', { availability: next.availability, ...(next.note !== undefined && next.note !== '' && { note: next.note }) });
      setChoice(next);
    },
    [store],
  );
  return { choice, published, choose };
}

/** The watched contacts and the ways to add and remove one. */
export type Contacts = {
  /** In the order they were added, each `unknown` until its presence server says. */
  readonly contacts: readonly PresenceView[];
  /** Starts watching a SIP address (kept in settings); rejects with the host's reason. */
  readonly watch: (aor: string) => Promise<void>;
  readonly unwatch: (aor: string) => Promise<void>;
};

/** The contacts section's data and actions: whom the agent watches, and how they are. */
export function useContacts(): Contacts {
  const store = useDesktopStore();
  const contacts = useDesktopView().state?.presence.contacts ?? [];
  const watch = useCallback(async (aor: string): Promise<void> => void (await store.call('presence.watch', { aor })), [store]);
  const unwatch = useCallback(async (aor: string): Promise<void> => void (await store.call('presence.unwatch', { aor })), [store]);
  return { contacts, watch, unwatch };
}
