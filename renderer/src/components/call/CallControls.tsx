import { Badge, Body1Strong, Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import {
  ArrowForward20Regular,
  Call20Regular,
  CallEnd20Regular,
  Dialpad20Regular,
  Mic16Regular,
  Mic20Regular,
  MicOff20Regular,
  Pause20Regular,
  Play20Regular,
  Speaker216Regular,
  Warning16Regular,
} from '@fluentui/react-icons';
import { useCallback, useState } from 'react';
import { callName, type CallView } from '../../../../common/desktop-calls';
import type { Conversation } from '../../../../common/desktop-state';
import type { CallActions } from '../../hooks/use-calls';
import { Duration } from '../Duration';
import { IncomingAudioLevel } from '../IncomingAudioLevel';
import { addressText } from '../names';
import { callBucket, callStateColor, callStateText, consultCandidates, isUp, transferText } from './call-words';
import { Keypad } from './Keypad';
import { TransferPanel } from './TransferPanel';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: '8px',
    padding: '10px 12px',
    borderRadius: tokens.borderRadiusMedium,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  row: { display: 'flex', alignItems: 'center', gap: '8px', flexWrap: 'wrap' },
  who: { display: 'flex', alignItems: 'baseline', gap: '8px', flexGrow: 1, minWidth: 0, flexWrap: 'wrap' },
  address: { color: tokens.colorNeutralForeground3 },
  buttons: { display: 'flex', alignItems: 'center', gap: '8px', flexWrap: 'wrap' },
  hangUp: { marginLeft: 'auto' },
  line: { display: 'inline-flex', alignItems: 'center', gap: '4px', color: tokens.colorNeutralForeground2, marginRight: '8px' },
  problem: { display: 'inline-flex', alignItems: 'center', gap: '4px', color: tokens.colorPaletteDarkOrangeForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
});

type Panel = 'keypad' | 'transfer' | undefined;

/**
 * Who the call is with (unless the conversation's title already says it), which way, its state
 * (with how long it has been up) and how loud the other side arrives.
 */
function CallSummary({ call, named }: { call: CallView; named: boolean }): React.JSX.Element {
  const styles = useStyles();
  const bucket = callBucket(call);
  const way = call.outgoing ? 'Outgoing call' : 'Incoming call';
  return (
    <div className={styles.row}>
      <Call20Regular aria-hidden />
      <span className={styles.who}>
        {named ? <Body1Strong>{callName(call)}</Body1Strong> : <Body1Strong>{way}</Body1Strong>}
        {named && call.displayName !== undefined && <Caption1 className={styles.address}>{addressText(call.peer)}</Caption1>}
        {named && <Caption1 className={styles.address}>{way.toLowerCase()}</Caption1>}
      </span>
      <Badge appearance="filled" color={callStateColor(call)} aria-label="call state">
        {/* A badge is a flex box: a plain space at the edge of its text would be dropped. */}
        {callStateText(call)}
        {isUp(call) && call.connectedAt !== undefined && (
          <>
            {'\u00a0·\u00a0'}
            <Duration since={call.connectedAt} />
          </>
        )}
      </Badge>
      {bucket !== undefined && <IncomingAudioLevel bucket={bucket} />}
    </div>
  );
}

/** Mute, Hold or Resume, Keypad, Transfer and Hang up: what fits the call's state. */
function CallButtons({ call, actions, panel, onPanel }: { call: CallView; actions: CallActions; panel: Panel; onPanel: (panel: Panel) => void }): React.JSX.Element {
  const styles = useStyles();
  const up = isUp(call);
  const toggle = (which: Exclude<Panel, undefined>): void => onPanel(panel === which ? undefined : which);
  return (
    <div className={styles.buttons}>
      <Button icon={call.muted ? <MicOff20Regular /> : <Mic20Regular />} onClick={() => actions.mute(call.id, !call.muted)}>
        {call.muted ? 'Unmute' : 'Mute'}
      </Button>
      {up && (
        <Button icon={call.state === 'held' ? <Play20Regular /> : <Pause20Regular />} onClick={() => actions.hold(call.id, call.state !== 'held')}>
          {call.state === 'held' ? 'Resume' : 'Hold'}
        </Button>
      )}
      {up && (
        <Button icon={<Dialpad20Regular />} aria-expanded={panel === 'keypad'} appearance={panel === 'keypad' ? 'primary' : 'secondary'} onClick={() => toggle('keypad')}>
          Keypad
        </Button>
      )}
      {up && (
        <Button icon={<ArrowForward20Regular />} aria-expanded={panel === 'transfer'} appearance={panel === 'transfer' ? 'primary' : 'secondary'} onClick={() => toggle('transfer')}>
          Transfer
        </Button>
      )}
      <Button
        className={styles.hangUp}
        icon={<CallEnd20Regular />}
        appearance="primary"
        style={{ backgroundColor: tokens.colorPaletteRedBackground3 }}
        onClick={() => actions.hangUp(call.id)}
      >
        Hang up
      </Button>
    </div>
  );
}

/** Where the call's audio runs, on which devices, and what is wrong with them. */
function CallAudio({ call }: { call: CallView }): React.JSX.Element | null {
  const styles = useStyles();
  const { audio } = call;
  if (audio === undefined || call.state === 'ended') {
    return null;
  }
  return (
    <div className={styles.row} aria-label="audio devices">
      {audio.where === 'window' && (
        <>
          <span className={styles.line} data-device="microphone">
            <Mic16Regular aria-hidden />
            <Caption1>{audio.microphone ?? 'No microphone'}</Caption1>
          </span>
          {audio.speaker !== undefined && (
            <span className={styles.line} data-device="speaker">
              <Speaker216Regular aria-hidden />
              <Caption1>{audio.speaker}</Caption1>
            </span>
          )}
        </>
      )}
      {audio.problem !== undefined && (
        <span className={styles.problem} role="status">
          <Warning16Regular aria-hidden />
          <Caption1>{audio.problem}</Caption1>
        </span>
      )}
    </div>
  );
}

/** A transfer under way or just over: its step, or why it failed. */
function TransferStatus({ transfer }: { transfer: NonNullable<CallView['transfer']> }): React.JSX.Element {
  const styles = useStyles();
  const { text, failed } = transferText(transfer);
  return (
    <Caption1 role={failed ? 'alert' : 'status'} aria-label="transfer progress" data-transfer={transfer.state} className={failed ? styles.failed : undefined}>
      {text}
    </Caption1>
  );
}

/**
 * One call in its conversation window: who, state and duration, the incoming audio meter, and
 * Mute, Hold/Resume, Keypad (DTMF), Transfer (blind or consultative, with its progress) and
 * Hang up; an ended call keeps its reason.
 * @param conversations - every conversation (the other calls a transfer may go to)
 * @param named - say who the call is with (the conversation's title does not, or it has several calls)
 */
export function CallControls({
  call,
  conversations,
  ownAor,
  actions,
  named,
}: {
  call: CallView;
  conversations: readonly Conversation[];
  ownAor: string | undefined;
  actions: CallActions;
  named: boolean;
}): React.JSX.Element {
  const styles = useStyles();
  const [panel, setPanel] = useState<Panel>(undefined);
  const [sent, setSent] = useState('');
  const { dtmf } = actions;
  const press = useCallback(
    (digit: string): void => {
      setSent((before) => `${before}${digit}`.slice(-32));
      dtmf(call.id, digit);
    },
    [dtmf, call.id],
  );
  const up = isUp(call);
  const transferring = call.transfer?.state === 'requested' || call.transfer?.state === 'accepted';
  return (
    <section className={styles.root} aria-label={`call with ${callName(call)}`} data-call={call.id} data-call-state={call.state}>
      <CallSummary call={call} named={named} />
      {call.state !== 'ended' && <CallButtons call={call} actions={actions} panel={panel} onPanel={setPanel} />}
      {up && panel === 'keypad' && <Keypad onDigit={press} sent={sent} received={call.digitsReceived} />}
      {up && panel === 'transfer' && (
        <TransferPanel candidates={consultCandidates(conversations, call.id)} ownAor={ownAor} busy={transferring} onTransfer={(to) => actions.transfer(call.id, to)} />
      )}
      {call.transfer !== undefined && <TransferStatus transfer={call.transfer} />}
      <CallAudio call={call} />
    </section>
  );
}
