import WebSocket from 'ws';

// Reads memory and live handles inside another Node process through its inspector
// (`node --inspect=127.0.0.1:0 ...`), over the Chrome DevTools Protocol. `--expose-gc` would only
// give the agent's own code a `gc()` that nothing in the agent calls; the inspector's
// HeapProfiler.collectGarbage runs the same full collection from outside.

/** What one probe read. */
export type ProcessProbe = {
  /** V8 heap in use after the forced full GC, bytes. */
  readonly heapUsed: number;
  /** Live libuv handles and requests that keep the loop alive (`process.getActiveResourcesInfo()`), by kind. */
  readonly resources: Readonly<Record<string, number>>;
};

/** The `ws://127.0.0.1:PORT/UUID` that `node --inspect` prints on stderr, if printed yet. */
export function inspectorUrl(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(stderr)?.[1];
}

/**
 * Forces a full GC in the process behind `url`, then reads its heap and live handles.
 * @throws Error when the inspector does not answer within `timeoutMs`.
 */
export async function probeProcess(url: string, timeoutMs = 10_000): Promise<ProcessProbe> {
  const socket = new WebSocket(url);
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  let nextId = 1;
  const timer = setTimeout(() => socket.terminate(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`inspector at ${url} closed the connection`)));
    });
    socket.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown> };
      if (message.id !== undefined) {
        pending.get(message.id)?.(message.result ?? {});
        pending.delete(message.id);
      }
    });
    const call = (method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, resolve);
        socket.once('close', () => reject(new Error(`inspector closed during ${method} (over ${timeoutMs} ms?)`)));
        socket.send(JSON.stringify({ id, method, params }));
      });
    await call('HeapProfiler.collectGarbage');
    const heap = await call('Runtime.getHeapUsage');
    const evaluated = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.getActiveResourcesInfo())', returnByValue: true });
    const value = (evaluated['result'] as { value?: unknown } | undefined)?.value;
    const resources: Record<string, number> = {};
    for (const kind of typeof value === 'string' ? (JSON.parse(value) as string[]) : []) {
      resources[kind] = (resources[kind] ?? 0) + 1;
    }
    return { heapUsed: Number(heap['usedSize']), resources };
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}
