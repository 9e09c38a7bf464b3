import { Button, Caption1, Card, CardHeader, Link, makeStyles, Subtitle2 } from '@fluentui/react-components';
import type { LabAction } from '../../../common/bridge';
import { useLabTryIt } from '../hooks/use-lab-try-it';

const useStyles = makeStyles({ actions: { display: 'flex', flexWrap: 'wrap', gap: '8px' } });

const ACTIONS: readonly { action: LabAction; label: string }[] = [
  { action: 'invitation', label: 'Invite me to a conference' },
  { action: 'channel-in-conference', label: 'Open a CRM channel in this conference' },
  { action: 'channel', label: 'Open a CRM channel on its own' },
  { action: 'unregistered-channel', label: 'Channel from an app that is not installed' },
  { action: 'customer', label: 'Start a customer chat' },
];

/**
 * The embedded lab's controls: what a contact center would do to this agent, on demand, and the
 * lab's customer page, where anyone can play the customer (issue 14).
 */
export function TryIt({ customerPage }: { readonly customerPage?: string }): React.JSX.Element {
  const styles = useStyles();
  const { result, run } = useLabTryIt();
  return (
    <Card aria-label="Try it">
      <CardHeader header={<Subtitle2>Try it</Subtitle2>} description={<Caption1>You are signed in to the embedded lab. Play the contact center:</Caption1>} />
      <div className={styles.actions}>
        {ACTIONS.map(({ action, label }) => (
          <Button key={action} size="small" onClick={() => run(action)}>
            {label}
          </Button>
        ))}
      </div>
      {customerPage !== undefined && (
        <Caption1>
          Or be the customer:{' '}
          <Link href={customerPage} target="_blank" rel="noopener noreferrer">
            Customer page
          </Link>{' '}
          (ask about an invoice and the chat comes to you while you are Available; customers know you
          as Alex).
        </Caption1>
      )}
      {result && (
        <Caption1 role={result.ok ? 'status' : 'alert'} aria-label="try-it result">
          {result.text}
        </Caption1>
      )}
    </Card>
  );
}
