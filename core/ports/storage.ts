/**
 * Small persistent key-value store for settings and identities.
 * @remarks Implementations must make `set` atomic (write then rename) so that a crash never
 * leaves a half-written value behind.
 * @public
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** An in-memory {@link KeyValueStore}, used by tests and as a default for throwaway agents. */
export class MemoryStore implements KeyValueStore {
  private readonly values = new Map<string, string>();

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }

  set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }
}
