import { Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect } from 'react';

const useStyles = makeStyles({
  root: { display: 'flex', gap: '16px', alignItems: 'flex-start', flexWrap: 'wrap' },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(3, 56px)', gap: '6px' },
  key: { display: 'flex', flexDirection: 'column', height: '48px', minWidth: '56px', padding: '2px', lineHeight: 1.1 },
  digit: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  letters: { fontSize: tokens.fontSizeBase100, color: tokens.colorNeutralForeground3, minHeight: '1em', letterSpacing: '0.08em' },
  digits: { display: 'flex', flexDirection: 'column', gap: '4px', fontFamily: tokens.fontFamilyMonospace, minWidth: '160px' },
});

/** The twelve keys of a telephone keypad, with the letters printed on them (ITU-T E.161). */
const KEYS: readonly (readonly [string, string])[] = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
];

/** Whether a key press belongs to a field the agent is typing in, not to the keypad. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT');
}

/**
 * The keypad of a call: 0-9, * and # as buttons (named by their digit), and the same digits
 * typed on the keyboard while it is open (outside text fields), each sent as DTMF at once, as an
 * IVR expects. Shows what the agent sent and what the other side sent.
 */
export function Keypad({ onDigit, sent, received }: { onDigit: (digit: string) => void; sent: string; received: string }): React.JSX.Element {
  const styles = useStyles();
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.repeat || isTyping(event.target) || !/^[0-9*#]$/.test(event.key)) {
        return;
      }
      event.preventDefault();
      onDigit(event.key);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onDigit]);
  return (
    <section className={styles.root} aria-label="keypad">
      <div className={styles.grid} role="group" aria-label="DTMF keys">
        {KEYS.map(([digit, letters]) => (
          <Button key={digit} className={styles.key} aria-label={digit} onClick={() => onDigit(digit)}>
            <span className={styles.digit}>{digit}</span>
            <span className={styles.letters} aria-hidden>
              {letters}
            </span>
          </Button>
        ))}
      </div>
      <div className={styles.digits}>
        <Caption1>Type digits on the keyboard too.</Caption1>
        <Caption1 aria-label="digits sent">Sent: {sent === '' ? '–' : sent}</Caption1>
        <Caption1 aria-label="digits received">Received: {received === '' ? '–' : received}</Caption1>
      </div>
    </section>
  );
}
