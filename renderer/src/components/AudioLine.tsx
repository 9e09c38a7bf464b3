import { Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowClockwise16Regular, Call16Regular, Mic16Regular, Speaker216Regular, Warning16Regular } from '@fluentui/react-icons';
import type { Conversation } from '../../../common/desktop-state';
import { audioAction } from './audio-action';

const useStyles = makeStyles({
  line: { display: 'flex', alignItems: 'center', gap: '6px', flexWrap: 'wrap', color: tokens.colorNeutralForeground2 },
  device: { display: 'inline-flex', alignItems: 'center', gap: '4px', marginRight: '8px' },
  problem: { display: 'inline-flex', alignItems: 'center', gap: '4px', color: tokens.colorPaletteDarkOrangeForeground1 },
});

/**
 * Where the conference's audio runs and on which devices, what is wrong with them, and a way to
 * dial the audio: Join audio in a conference joined without it (the invitation offered none),
 * Reconnect audio once it failed or the MCU hung up. `onReconnect` dials the A/V MCU either way.
 */
export function AudioLine({ conversation, onReconnect }: { conversation: Conversation; onReconnect: () => void }): React.JSX.Element | null {
  const styles = useStyles();
  const { audio, media } = conversation;
  const live = conversation.state === 'active';
  const action = audioAction(conversation);
  const silent = live && media?.state === 'interrupted';
  if (!audio && action === undefined && !silent) {
    return null;
  }
  return (
    <div className={styles.line} aria-label="audio devices">
      {audio?.where === 'window' && (
        <>
          <span className={styles.device} data-device="microphone">
            <Mic16Regular aria-hidden />
            <Caption1>{audio.microphone ?? 'No microphone'}</Caption1>
          </span>
          {audio.speaker !== undefined && (
            <span className={styles.device} data-device="speaker">
              <Speaker216Regular aria-hidden />
              <Caption1>{audio.speaker}</Caption1>
            </span>
          )}
        </>
      )}
      {audio?.problem !== undefined && (
        <span className={styles.problem} role="status">
          <Warning16Regular aria-hidden />
          <Caption1>{audio.problem}</Caption1>
        </span>
      )}
      {silent && (
        <span className={styles.problem} role="status" data-media="interrupted">
          <Warning16Regular aria-hidden />
          <Caption1>No audio from the conference: nothing has arrived for 5 s. It comes back by itself when the conference sends again.</Caption1>
        </span>
      )}
      {action === 'join' && (
        <>
          <Caption1 data-media="none">Joined without audio: the invitation offered none.</Caption1>
          <Button size="small" icon={<Call16Regular />} onClick={onReconnect}>
            Join audio
          </Button>
        </>
      )}
      {action === 'reconnect' && (
        <Button size="small" icon={<ArrowClockwise16Regular />} onClick={onReconnect}>
          Reconnect audio
        </Button>
      )}
    </div>
  );
}
