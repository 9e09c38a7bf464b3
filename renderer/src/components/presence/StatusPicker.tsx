import { Caption1, Input, makeStyles, PresenceBadge, Select, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { AvailabilityName } from '../../../../common/agent-events';
import { useOwnStatus, type StatusChoice } from '../../hooks/use-presence';
import { BADGE_STATUS, presenceText, STATUS_CHOICES } from './availability';

const useStyles = makeStyles({
  picker: { display: 'flex', flexDirection: 'column', gap: '2px', marginLeft: 'auto', minWidth: 0 },
  controls: { display: 'flex', gap: '8px', alignItems: 'center', flexWrap: 'wrap' },
  select: { width: '170px' },
  note: { width: '220px' },
  published: { color: tokens.colorNeutralForeground3 },
  problem: { color: tokens.colorPaletteDarkOrangeForeground1 },
});

/** The note as typed, committed with Enter or when the field loses focus. */
function NoteField({ choice, onCommit }: { choice: StatusChoice; onCommit: (note: string) => void }): React.JSX.Element {
  const styles = useStyles();
  const [note, setNote] = useState(choice.note ?? '');
  useEffect(() => setNote(choice.note ?? ''), [choice.note]);
  const commit = (): void => {
    if (note.trim() !== (choice.note ?? '')) {
      onCommit(note.trim());
    }
  };
  return (
    <Input
      className={styles.note}
      aria-label="Status note"
      placeholder="Add a note (optional)"
      maxLength={256}
      value={note}
      onChange={(_, d) => setNote(d.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  );
}

/**
 * The agent's status: Available, Busy, Do not disturb, Be right back, Away or Appear offline,
 * with an optional note, as others see it (which can differ: Busy in a conference, Away while
 * idle), and a warning when the presence server refused it.
 */
export function StatusPicker(): React.JSX.Element {
  const styles = useStyles();
  const { choice, published, choose } = useOwnStatus();
  const [problem, setProblem] = useState<string | undefined>();
  const change = (next: StatusChoice): void => {
    setProblem(undefined);
    choose(next).catch((e: Error) => setProblem(e.message));
  };
  const shown = published?.availability ?? choice?.availability ?? 'unknown';
  return (
    <div className={styles.picker} role="group" aria-label="Your status" data-availability={published?.availability}>
      <div className={styles.controls}>
        <PresenceBadge status={BADGE_STATUS[shown]} size="medium" aria-label={`Others see you as ${presenceText({ aor: '', availability: shown })}`} />
        <Select
          className={styles.select}
          aria-label="Status"
          value={choice?.availability ?? ''}
          disabled={choice === undefined}
          onChange={(_, d) => choice && change({ ...choice, availability: d.value as AvailabilityName })}
        >
          {choice === undefined && <option value="">Loading…</option>}
          {STATUS_CHOICES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </Select>
        {choice && <NoteField choice={choice} onCommit={(note) => change({ ...choice, ...(note === '' ? { note: undefined } : { note }) })} />}
      </div>
      {published && (
        <Caption1 className={styles.published} aria-label="published status">
          Others see: {presenceText(published)}
        </Caption1>
      )}
      {(published?.error ?? problem) !== undefined && (
        <Caption1 role="alert" className={styles.problem}>
          Your status was not published: {published?.error ?? problem}
        </Caption1>
      )}
    </div>
  );
}
