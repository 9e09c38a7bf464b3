import { Avatar, Button, Caption1, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { Chat20Regular, Delete20Regular, PersonAdd20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { PresenceView } from '../../../../common/agent-events';
import { useContacts } from '../../hooks/use-presence';
import { addressText, sipAddressFrom } from '../names';
import { BADGE_STATUS, presenceText } from './availability';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '10px' },
  add: { display: 'flex', gap: '8px', alignItems: 'flex-end' },
  grow: { flexGrow: 1 },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '4px' },
  row: { display: 'flex', alignItems: 'center', gap: '10px', padding: '6px 4px', borderBottom: `1px solid ${tokens.colorNeutralStroke3}` },
  who: { flexGrow: 1, display: 'flex', flexDirection: 'column', minWidth: 0 },
  name: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/** One watched contact: who, how they are, and Chat and Remove. */
function ContactRow({ contact, onChat, onRemove }: { contact: PresenceView; onChat: (aor: string) => void; onRemove: (aor: string) => void }): React.JSX.Element {
  const styles = useStyles();
  const name = addressText(contact.aor);
  return (
    <li className={styles.row} data-contact={contact.aor} data-availability={contact.availability}>
      <Avatar name={name} size={32} badge={{ status: BADGE_STATUS[contact.availability] }} />
      <span className={styles.who}>
        <span className={styles.name} title={contact.aor}>
          {name}
        </span>
        <Caption1 aria-label="presence">{presenceText(contact)}</Caption1>
      </span>
      <Button appearance="subtle" icon={<Chat20Regular />} aria-label={`Chat with ${name}`} title="Chat" onClick={() => onChat(contact.aor)} />
      <Button appearance="subtle" icon={<Delete20Regular />} aria-label={`Remove ${name}`} title="Remove" onClick={() => onRemove(contact.aor)} />
    </li>
  );
}

/**
 * The contacts the agent watches (team, supervisor), each with its availability, activity and
 * note ("Unknown" until its presence server says), and a way to add one by SIP address.
 * @param onChat - starts a chat with a contact
 */
export function ContactList({ onChat }: { onChat: (aor: string) => void }): React.JSX.Element {
  const styles = useStyles();
  const { contacts, watch, unwatch } = useContacts();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>();
  const add = (): void => {
    const aor = sipAddressFrom(typed);
    if (aor === undefined) {
      setError('Type a SIP address with a user, e.g. sip:alice@example.com');
      return;
    }
    setError(undefined);
    watch(aor).then(() => setTyped(''), (e: Error) => setError(e.message));
  };
  const remove = (aor: string): void => void unwatch(aor).catch((e: Error) => setError(e.message));
  return (
    <section className={styles.section} aria-label="Contacts">
      <form className={styles.add} onSubmit={(e) => { e.preventDefault(); add(); }}>
        <Field label="Contact's SIP address" className={styles.grow}>
          <Input value={typed} placeholder="sip:alice@example.com" onChange={(_, d) => setTyped(d.value)} />
        </Field>
        <Button type="submit" icon={<PersonAdd20Regular />}>
          Add
        </Button>
      </form>
      {error && (
        <Caption1 role="alert" className={styles.error}>
          {error}
        </Caption1>
      )}
      {contacts.length === 0 ? (
        <Caption1>Nobody yet. Add your team and supervisor to see when they are available.</Caption1>
      ) : (
        <ul className={styles.list} aria-label="contacts">
          {contacts.map((c) => (
            <ContactRow key={c.aor} contact={c} onChat={onChat} onRemove={remove} />
          ))}
        </ul>
      )}
    </section>
  );
}
