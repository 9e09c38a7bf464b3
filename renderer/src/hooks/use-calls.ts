import { useCallback, useEffect, useRef, useState } from 'react';
import { useDesktopStore } from '../store-context';

/** What the agent can do in a call, and why the last attempt failed. */
export type CallActions = {
  /** The last action's failure in the host's words; cleared when the next one starts. */
  readonly error: string | undefined;
  readonly hangUp: (id: string) => void;
  readonly hold: (id: string, held: boolean) => void;
  readonly mute: (id: string, muted: boolean) => void;
  /** Sends one or more DTMF digits; digits pressed while earlier ones are on their way follow them in order. */
  readonly dtmf: (id: string, digits: string) => void;
  /** Transfers to a SIP URI or to another call (its id); resolves once the REFER went, rejects with the host's reason. */
  readonly transfer: (id: string, to: string) => Promise<void>;
};

/**
 * The call controls' actions (`call.*` of the bridge). Like the conference buttons they only
 * start the action: what it did comes back as state (`call.state`, `call.transfer`), so the
 * window keeps only the failure to show.
 */
export function useCallActions(): CallActions {
  const store = useDesktopStore();
  const [error, setError] = useState<string | undefined>();
  const run = useCallback((work: Promise<unknown>): void => {
    setError(undefined);
    work.catch((e: Error) => setError(e.message));
  }, []);
  const dtmf = useDtmfQueue((id, digits) => store.call('call.dtmf', { id, digits }), setError);
  return {
    error,
    hangUp: (id) => run(store.call('call.hangup', { id })),
    hold: (id, held) => run(store.call('call.hold', { id, held })),
    mute: (id, muted) => run(store.call('call.mute', { id, muted })),
    dtmf,
    transfer: async (id, to) => {
      setError(undefined);
      await store.call('call.transfer', { id, to });
    },
  };
}

/**
 * Keypad presses, one bridge request at a time per call: digits pressed while one is on its way
 * wait and go together after it, so a fast typist's digits keep their order end to end (each
 * request is one `dtmf` command, and SIP INFO digits of two commands could cross).
 */
function useDtmfQueue(send: (id: string, digits: string) => Promise<unknown>, onError: (message: string) => void): (id: string, digits: string) => void {
  const queues = useRef(new Map<string, { waiting: string; busy: boolean }>());
  const sendRef = useRef(send);
  useEffect(() => {
    sendRef.current = send;
  }, [send]);
  const flush = useCallback(
    (id: string): void => {
      const queue = queues.current.get(id);
      if (!queue || queue.busy || queue.waiting === '') {
        return;
      }
      const digits = queue.waiting.slice(0, 32);
      queue.waiting = queue.waiting.slice(digits.length);
      queue.busy = true;
      sendRef.current(id, digits)
        .catch((e: Error) => onError(e.message))
        .finally(() => {
          queue.busy = false;
          flush(id);
        });
    },
    [onError],
  );
  return useCallback(
    (id: string, digits: string): void => {
      const queue = queues.current.get(id) ?? { waiting: '', busy: false };
      queue.waiting += digits;
      queues.current.set(id, queue);
      flush(id);
    },
    [flush],
  );
}

/**
 * Places a call from the main window's Call box: resolves with the call's id and the
 * conversation it opened (shown at once), rejects with the host's reason.
 */
export function usePlaceCall(): (to: string) => Promise<{ id: string; conversationId: string }> {
  const store = useDesktopStore();
  return useCallback((to: string) => store.call('call.place', { to }), [store]);
}
