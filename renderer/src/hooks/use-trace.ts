import { useEffect, useMemo, useState } from 'react';
import type { TraceEntryView } from '../../../common/bridge';
import type { ConversationDialog } from '../../../common/desktop-state';
import { useDesktopStore, useDesktopView } from '../store-context';

/** A conversation's SIP messages, why they could not be fetched or saved, and a way to save them. */
export type ConversationTrace = {
  readonly entries: readonly TraceEntryView[];
  readonly error: string | undefined;
  /** Saves every message of these dialogs as a text file the agent can attach to a ticket. */
  readonly exportTrace: () => void;
};

/** Hands `text` to the browser as a download named `fileName`. */
function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * The SIP trace of exactly this conversation's dialogs (by Call-ID), fetched again whenever
 * the host says new messages were traced, so the trace tab follows a live call.
 */
export function useTrace(conversationId: string, dialogs: readonly ConversationDialog[]): ConversationTrace {
  const store = useDesktopStore();
  const { traceVersion } = useDesktopView();
  const [entries, setEntries] = useState<TraceEntryView[]>([]);
  const [error, setError] = useState<string | undefined>();
  const callIds = useMemo(() => dialogs.map((d) => d.callId), [dialogs]);

  useEffect(() => {
    if (callIds.length === 0) {
      setEntries([]);
      return;
    }
    let live = true;
    store.call('trace.list', { callIds }).then(
      (result) => live && setEntries(result.entries),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [store, callIds, traceVersion]);

  const exportTrace = (): void => {
    store
      .call('trace.export', { callIds })
      .then(({ text }) => download(`switchboard-trace-${conversationId.replace(/[^\w.-]+/g, '_').slice(0, 40)}.txt`, text))
      .catch((e: Error) => setError(e.message));
  };
  return { entries, error, exportTrace };
}
