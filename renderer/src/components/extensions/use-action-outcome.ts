import { useState } from 'react';

/** What the last action said: its result, or why it failed. */
export type Outcome = { readonly ok: boolean; readonly text: string };

/** Starts an action whose promise words its result; the outcome shows once it settles. */
export type RunAction = (work: () => Promise<string>) => void;

/**
 * One extension action at a time: the buttons are disabled while it runs (`busy`), and the
 * one message bar says what it did, or what failed (`fail`, also for a listing that failed).
 */
export function useActionOutcome(): { busy: boolean; message: Outcome | undefined; act: RunAction; fail: (text: string) => void } {
  const [message, setMessage] = useState<Outcome | undefined>();
  const [busy, setBusy] = useState(false);
  const act: RunAction = (work) => {
    setBusy(true);
    setMessage(undefined);
    work().then(
      (text) => setMessage({ ok: true, text }),
      (e: Error) => setMessage({ ok: false, text: e.message }),
    ).finally(() => setBusy(false));
  };
  return { busy, message, act, fail: (text) => setMessage({ ok: false, text }) };
}
