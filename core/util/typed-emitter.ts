/** Maps each event name to its payload type. */
export type EventMap = Record<string, unknown>;

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/**
 * A minimal typed event emitter with no platform dependency (core may not use `node:events`).
 * @remarks A listener that throws is isolated: the error goes to `onListenerError` and the
 * remaining listeners still run, so one faulty host callback cannot stall the engine.
 * @public
 */
export class TypedEmitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  once<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): Unsubscribe {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
