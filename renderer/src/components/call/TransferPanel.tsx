import { Button, Caption1, Field, Input, makeStyles, Select, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { callName, type CallView } from '../../../../common/desktop-calls';
import { callTargetFrom } from '../names';
import { callStateText } from './call-words';

const useStyles = makeStyles({
  form: { display: 'flex', gap: '8px', alignItems: 'flex-end', flexWrap: 'wrap' },
  field: { flex: '1 1 220px' },
  error: { color: tokens.colorPaletteRedForeground1, flexBasis: '100%' },
});

/**
 * Where to transfer a call: a SIP address or number typed in (blind, RFC 3515), or another of
 * the agent's calls (consultative: that call's other side takes this one's place, RFC 5589).
 * Progress and the outcome show on the call itself (`call.transfer`), not here.
 */
export function TransferPanel({
  candidates,
  ownAor,
  busy,
  onTransfer,
}: {
  candidates: readonly CallView[];
  ownAor: string | undefined;
  /** A transfer is under way: one at a time. */
  busy: boolean;
  onTransfer: (to: string) => Promise<void>;
}): React.JSX.Element {
  const styles = useStyles();
  const [to, setTo] = useState('');
  const [consult, setConsult] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = (): void => {
    const target = consult !== '' ? consult : callTargetFrom(to, ownAor);
    if (target === undefined) {
      setError('Type a SIP address or a number, or pick another call.');
      return;
    }
    setError(undefined);
    setSending(true);
    onTransfer(target).then(
      () => setSending(false),
      (e: Error) => {
        setSending(false);
        setError(e.message);
      },
    );
  };
  return (
    <form className={styles.form} aria-label="transfer" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <Field label="Transfer to" className={styles.field}>
        <Input value={to} placeholder="sip:colleague@example.com or a number" disabled={consult !== ''} onChange={(_, d) => setTo(d.value)} autoFocus />
      </Field>
      {candidates.length > 0 && (
        <Field label="Or to another of your calls (consultative)" className={styles.field}>
          <Select value={consult} onChange={(_, d) => setConsult(d.value)}>
            <option value="">None: use the address</option>
            {candidates.map((c) => (
              <option key={c.id} value={c.id}>
                {callName(c)} · {callStateText(c)}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <Button type="submit" appearance="primary" disabled={busy || sending}>
        Complete transfer
      </Button>
      {error && (
        <Caption1 role="alert" className={styles.error}>
          {error}
        </Caption1>
      )}
    </form>
  );
}
