import { Button, Caption1, Input, makeStyles, tokens } from '@fluentui/react-components';
import { Call20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { usePlaceCall } from '../hooks/use-calls';
import { useDesktopView } from '../store-context';
import { callTargetFrom } from './names';

const useStyles = makeStyles({
  form: { display: 'flex', gap: '8px', alignItems: 'center', flexWrap: 'wrap' },
  input: { flex: '1 1 200px' },
  error: { color: tokens.colorPaletteRedForeground1, flexBasis: '100%' },
});

/**
 * The main window's Call box: a SIP address, or a number (or name) at the agent's own domain,
 * and Call (or Enter). The new call's conversation opens at once, ringing as "Connecting".
 */
export function CallBox({ onPlaced }: { onPlaced: (conversationId: string) => void }): React.JSX.Element {
  const styles = useStyles();
  const placeCall = usePlaceCall();
  const view = useDesktopView();
  const ownAor = view.state?.connection.aor;
  const signedIn = view.state?.connection.phase === 'registered';
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = (): void => {
    const target = callTargetFrom(to, ownAor);
    if (target === undefined) {
      setError('Type a number or a SIP address, e.g. 5551234 or sip:alice@example.com');
      return;
    }
    setBusy(true);
    setError(undefined);
    placeCall(target).then(
      ({ conversationId }) => {
        setBusy(false);
        setTo('');
        onPlaced(conversationId);
      },
      (e: Error) => {
        setBusy(false);
        setError(e.message);
      },
    );
  };
  return (
    <form className={styles.form} aria-label="place a call" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <Input className={styles.input} aria-label="Call" placeholder="Number or SIP address" value={to} onChange={(_, d) => setTo(d.value)} contentBefore={<Call20Regular aria-hidden />} />
      <Button type="submit" appearance="primary" disabled={busy || !signedIn || to.trim() === ''} title={signedIn ? undefined : 'Not signed in'}>
        Call
      </Button>
      {error && (
        <Caption1 role="alert" className={styles.error}>
          {error}
        </Caption1>
      )}
    </form>
  );
}
