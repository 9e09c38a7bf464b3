import { Button, Caption1, makeStyles, Textarea, tokens } from '@fluentui/react-components';
import { Send20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { ChatActions } from '../../hooks/use-chat';

const useStyles = makeStyles({
  composer: { display: 'flex', gap: '8px', alignItems: 'flex-end' },
  box: { flexGrow: 1 },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/**
 * The message box: Enter sends, Shift+Enter starts a new line, and the Send button does the
 * same. The text leaves the box at once; if the host refuses it, it comes back with the reason.
 * @param disabledReason - why the chat cannot take a message now (undefined when it can)
 */
export function MessageComposer({ chat, disabledReason }: { chat: ChatActions; disabledReason: string | undefined }): React.JSX.Element {
  const styles = useStyles();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const change = (value: string): void => {
    setText(value);
    chat.edited(value);
  };
  const send = (): void => {
    const message = text.trim();
    if (message === '' || disabledReason !== undefined) {
      return;
    }
    setText('');
    setError(undefined);
    chat.send(message).catch((e: Error) => {
      setText((current) => (current === '' ? message : current));
      setError(e.message);
    });
  };
  const onKeyDown = (event: React.KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };
  return (
    <>
      {error && (
        <Caption1 role="alert" className={styles.error}>
          Not sent: {error}
        </Caption1>
      )}
      {disabledReason && <Caption1>{disabledReason}</Caption1>}
      <form className={styles.composer} onSubmit={(e) => { e.preventDefault(); send(); }}>
        <Textarea
          className={styles.box}
          aria-label="Message"
          placeholder="Type a message (Enter sends, Shift+Enter for a new line)"
          resize="vertical"
          rows={2}
          maxLength={16_384}
          value={text}
          disabled={disabledReason !== undefined}
          onChange={(_, d) => change(d.value)}
          onKeyDown={onKeyDown}
        />
        <Button type="submit" appearance="primary" icon={<Send20Regular />} disabled={disabledReason !== undefined || text.trim() === ''}>
          Send
        </Button>
      </form>
    </>
  );
}
