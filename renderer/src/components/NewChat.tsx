import { Button, Caption1, Card, Field, Input, makeStyles, Textarea, tokens } from '@fluentui/react-components';
import { ChatAdd20Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { useStartChat } from '../hooks/use-chat';
import { sipAddressFrom } from './names';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: '8px' },
  actions: { display: 'flex', gap: '8px', justifyContent: 'flex-end' },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/** A request to start a chat with someone (a contact's Chat button); `n` tells two requests for the same address apart. */
export type ChatRequest = { readonly to: string; readonly n: number };

/** The form: to whom, the first message, Send (or Enter) and Cancel. */
function NewChatForm({ initialTo, onStarted, onCancel }: { initialTo: string; onStarted: (conversationId: string) => void; onCancel: () => void }): React.JSX.Element {
  const styles = useStyles();
  const startChat = useStartChat();
  const [to, setTo] = useState(initialTo);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const send = (): void => {
    const address = sipAddressFrom(to);
    if (address === undefined || text.trim() === '') {
      setError(address === undefined ? 'Type a SIP address with a user, e.g. sip:alice@example.com' : 'Write the first message.');
      return;
    }
    setBusy(true);
    setError(undefined);
    startChat(address, text.trim()).then(onStarted, (e: Error) => {
      setBusy(false);
      setError(e.message);
    });
  };
  return (
    <Card aria-label="New chat">
      <form className={styles.form} onSubmit={(e) => { e.preventDefault(); send(); }}>
        <Field label="Chat with (SIP address)">
          <Input value={to} placeholder="sip:alice@example.com" autoFocus={initialTo === ''} onChange={(_, d) => setTo(d.value)} />
        </Field>
        <Field label="First message">
          <Textarea
            value={text}
            rows={2}
            maxLength={16_384}
            autoFocus={initialTo !== ''}
            onChange={(_, d) => setText(d.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                send();
              }
            }}
          />
        </Field>
        {error && (
          <Caption1 role="alert" className={styles.error}>
            {error}
          </Caption1>
        )}
        <div className={styles.actions}>
          <Button type="button" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" appearance="primary" disabled={busy}>
            Send
          </Button>
        </div>
      </form>
    </Card>
  );
}

/**
 * New chat: type a SIP address and the first message, send, and the conversation opens.
 * @param request - a chat asked for elsewhere (a contact's Chat button): the form opens with its address
 */
export function NewChat({ request, onStarted }: { request: ChatRequest | undefined; onStarted: (conversationId: string) => void }): React.JSX.Element {
  // The form shown, and for whom: a request from elsewhere fills in the address.
  const [form, setForm] = useState<ChatRequest | undefined>(request);
  useEffect(() => setForm(request), [request]);
  if (!form) {
    return (
      <Button icon={<ChatAdd20Regular />} onClick={() => setForm({ to: '', n: -1 })} style={{ alignSelf: 'flex-start' }}>
        New chat
      </Button>
    );
  }
  return (
    <NewChatForm
      key={form.n}
      initialTo={form.to}
      onCancel={() => setForm(undefined)}
      onStarted={(id) => {
        setForm(undefined);
        onStarted(id);
      }}
    />
  );
}
