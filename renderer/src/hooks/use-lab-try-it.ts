import { useState } from 'react';
import type { LabAction } from '../../../common/bridge';
import { useDesktopStore } from '../store-context';

/** What the last try-it action said: the lab's message, or why it failed. */
export type TryItResult = { readonly ok: boolean; readonly text: string };

/**
 * The embedded lab's try-it actions (an invitation, a CRM channel…), so an agent without a
 * contact center can play one, and the answer of the last one run.
 */
export function useLabTryIt(): { result: TryItResult | undefined; run: (action: LabAction) => void } {
  const store = useDesktopStore();
  const [result, setResult] = useState<TryItResult | undefined>();
  const run = (action: LabAction): void => {
    setResult(undefined);
    store.call('lab.try', { action }).then(
      (r) => setResult({ ok: true, text: r.message }),
      (e: Error) => setResult({ ok: false, text: e.message }),
    );
  };
  return { result, run };
}
