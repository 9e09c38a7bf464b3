import { Badge, Button, Caption1, Input, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownload20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { ConversationDialog } from '../../../common/desktop-state';
import { useTrace } from '../hooks/use-trace';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '8px', minHeight: 0 },
  bar: { display: 'flex', gap: '8px', alignItems: 'center' },
  dialogs: { display: 'flex', flexWrap: 'wrap', gap: '6px' },
  list: { listStyle: 'none', margin: 0, padding: 0, fontFamily: tokens.fontFamilyMonospace, fontSize: '12px', overflowY: 'auto', maxHeight: '60vh' },
  row: { borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, padding: '2px 0' },
  summary: { cursor: 'pointer', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' },
  raw: { whiteSpace: 'pre-wrap', margin: '4px 0 4px 16px', color: tokens.colorNeutralForeground2 },
});

const ROLE_LABELS: Record<ConversationDialog['role'], string> = {
  invitation: 'Invitation',
  focus: 'Focus (C3P)',
  roster: 'Roster (conference events)',
  mcu: 'Audio/video MCU',
  channel: 'Context channel',
  im: 'Instant messages',
  call: 'Call',
};

/** The conversation's SIP dialogs and every message in them, filterable and exportable. */
export function TraceView({ conversationId, dialogs }: { conversationId: string; dialogs: readonly ConversationDialog[] }): React.JSX.Element {
  const styles = useStyles();
  const { entries, error, exportTrace } = useTrace(conversationId, dialogs);
  const [filter, setFilter] = useState('');

  const roleOf = new Map(dialogs.map((d) => [d.callId, d.role]));
  const needle = filter.trim().toLowerCase();
  const shown = needle === '' ? entries : entries.filter((e) => e.raw.toLowerCase().includes(needle) || ROLE_LABELS[roleOf.get(e.dialog) ?? 'channel'].toLowerCase().includes(needle));

  return (
    <section className={styles.root} aria-label="SIP trace">
      <div className={styles.dialogs} aria-label="dialogs">
        {dialogs.map((d) => (
          <Badge key={d.callId} appearance="tint" data-role={d.role} title={`Call-ID ${d.callId} with ${d.peer}`}>
            {ROLE_LABELS[d.role]} · {entries.filter((e) => e.dialog === d.callId).length}
          </Badge>
        ))}
        {dialogs.length === 0 && <Caption1>No SIP dialogs yet.</Caption1>}
      </div>
      <div className={styles.bar}>
        <Input aria-label="Filter messages" placeholder="Filter: method, header, text…" value={filter} onChange={(_, d) => setFilter(d.value)} style={{ flexGrow: 1 }} />
        <Button icon={<ArrowDownload20Regular />} onClick={exportTrace} disabled={dialogs.length === 0}>
          Export
        </Button>
      </div>
      {error && <Caption1 role="alert">{error}</Caption1>}
      <Caption1>
        {shown.length} of {entries.length} messages
      </Caption1>
      <ul className={styles.list} aria-label="messages">
        {shown.map((e) => (
          <li key={e.seq} className={styles.row} data-role={roleOf.get(e.dialog)} data-method={e.method}>
            <details>
              <summary className={styles.summary}>
                {new Date(e.at).toLocaleTimeString()} {e.direction === 'in' ? '←' : '→'} [{ROLE_LABELS[roleOf.get(e.dialog) ?? 'channel']}] {e.startLine}
              </summary>
              <pre className={styles.raw}>{e.raw}</pre>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
