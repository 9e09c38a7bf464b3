import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { Speaker216Regular } from '@fluentui/react-icons';
import { memo } from 'react';
import { LEVEL_BUCKETS, levelWords } from './audio-level';

const useStyles = makeStyles({
  meter: { display: 'inline-flex', alignItems: 'center', gap: '2px', color: tokens.colorNeutralForeground3 },
  bars: { display: 'inline-flex', alignItems: 'flex-end', gap: '2px', height: '14px' },
  bar: { width: '3px', borderRadius: '1px', backgroundColor: tokens.colorNeutralStroke1 },
  lit: { backgroundColor: tokens.colorPaletteGreenForeground1 },
});

const HEIGHTS = ['25%', '50%', '75%', '100%'] as const;

/**
 * A small "hearing audio" meter: a speaker and {@link LEVEL_BUCKETS} bars (the speaker so it does
 * not read as signal strength) for how loud the conference arrives, updated with the media
 * reports (once a second), never per audio frame. Memoised on the bucket, so the once-a-second
 * state pushes re-render it only when the bucket changes.
 */
export const IncomingAudioLevel = memo(function IncomingAudioLevel({ bucket }: { bucket: number }): React.JSX.Element {
  const styles = useStyles();
  const words = levelWords(bucket);
  return (
    <span
      className={styles.meter}
      role="meter"
      aria-label="Incoming audio level"
      aria-valuemin={0}
      aria-valuemax={LEVEL_BUCKETS}
      aria-valuenow={bucket}
      aria-valuetext={words}
      title={`Incoming audio: ${words}`}
      data-bucket={bucket}
    >
      <Speaker216Regular aria-hidden />
      <span className={styles.bars} aria-hidden>
        {HEIGHTS.map((height, i) => (
          <span key={height} className={mergeClasses(styles.bar, i < bucket && styles.lit)} style={{ height }} />
        ))}
      </span>
    </span>
  );
});
