import { useSyncExternalStore } from 'react';
import { bridgePushSchema, bridgeMethods, type AppInfo, type BridgeMethod, type BridgeParams, type BridgePush, type BridgeResult } from '../../../common/bridge';
import { desktopStateSchema, reduceDesktop, type DesktopState } from '../../../common/desktop-state';
import type { HostLink } from './connect';
import type { LinkStatus } from './socket-bridge';

/** What views read: the desktop state plus counters that say when to fetch lists again. */
export type StoreView = {
  readonly state: DesktopState | undefined;
  readonly link: LinkStatus;
  readonly info: AppInfo | undefined;
  /** Bumped on each `host.trace` push: the SIP trace has new messages. */
  readonly traceVersion: number;
  /** Bumped on each `host.extensions` push. */
  readonly extensionsVersion: number;
};

/** A failed bridge call, with the host's error envelope. */
export class BridgeCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One window's copy of the desktop state: a snapshot from the host, then every push applied
 * with the same reducer the host uses. Pushes are numbered; a gap (a dropped link) makes the
 * window take a new snapshot instead of guessing.
 */
export class DesktopStore {
  private view: StoreView;
  private readonly listeners = new Set<() => void>();
  private seq = -1;
  private syncing = false;
  private buffered: BridgePush[] = [];
  private wasOpen = false;

  constructor(private readonly host: HostLink) {
    this.view = { state: undefined, link: host.status(), info: undefined, traceVersion: 0, extensionsVersion: 0 };
    this.wasOpen = this.view.link === 'open';
    host.bridge.onPush((push) => this.onPush(push));
    host.onStatus((status) => {
      // Back after a lost link: the host may have restarted with other extensions, so lists are read again.
      const reopened = status === 'open' && this.wasOpen && this.view.link !== 'open';
      this.set({ link: status, ...(reopened && { extensionsVersion: this.view.extensionsVersion + 1 }) });
      if (status === 'open') {
        this.wasOpen = true;
        void this.sync();
      }
    });
    void this.sync();
    void this.call('app.info', {}).then((info) => this.set({ info }), () => undefined);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getView = (): StoreView => this.view;

  /** Calls a bridge method; rejects with {@link BridgeCallError} carrying the host's message. */
  async call<M extends BridgeMethod>(method: M, params: BridgeParams<M>): Promise<BridgeResult<M>> {
    const response = await this.host.bridge.invoke(method, params);
    if (!response.ok) {
      throw new BridgeCallError(response.error.code, response.error.message);
    }
    const checked = bridgeMethods[method].result.safeParse(response.result);
    if (!checked.success) {
      throw new BridgeCallError('internal', `${method}: the host answered with an unexpected shape`);
    }
    return checked.data as BridgeResult<M>;
  }

  private set(patch: Partial<StoreView>): void {
    this.view = { ...this.view, ...patch };
    this.listeners.forEach((listener) => listener());
  }

  private async sync(): Promise<void> {
    if (this.syncing) {
      return;
    }
    this.syncing = true;
    this.buffered = [];
    try {
      const response = await this.host.bridge.invoke('state.snapshot', {});
      if (!response.ok) {
        return;
      }
      const parsed = desktopStateSchema.safeParse((response.result as { state: unknown }).state);
      if (!parsed.success) {
        console.warn('switchboard: invalid snapshot from the host', parsed.error.issues[0]);
        return;
      }
      this.seq = response.result.seq;
      let state = parsed.data;
      for (const push of this.buffered) {
        if (push.seq === this.seq + 1) {
          state = reduceDesktop(state, push.event, push.at);
          this.seq = push.seq;
        }
      }
      this.set({ state });
    } finally {
      this.buffered = [];
      this.syncing = false;
    }
  }

  private onPush(raw: BridgePush): void {
    const parsed = bridgePushSchema.safeParse(raw);
    if (!parsed.success) {
      console.warn('switchboard: dropped an invalid push', parsed.error.issues[0]);
      return;
    }
    const push = parsed.data as BridgePush;
    if (this.syncing) {
      this.buffered.push(push);
      return;
    }
    const { state } = this.view;
    if (!state || push.seq <= this.seq) {
      return;
    }
    if (push.seq !== this.seq + 1) {
      void this.sync();
      return;
    }
    this.seq = push.seq;
    const event = push.event;
    this.set({
      state: reduceDesktop(state, event, push.at),
      ...(event.type === 'host.trace' && { traceVersion: this.view.traceVersion + 1 }),
      ...(event.type === 'host.extensions' && { extensionsVersion: this.view.extensionsVersion + 1 }),
    });
  }
}

/** The store's view, re-rendering on change. */
export function useStore(store: DesktopStore): StoreView {
  return useSyncExternalStore(store.subscribe, store.getView);
}
