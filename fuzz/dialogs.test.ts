import { describe, expect, it } from 'vitest';
import { callModel, runCallSequence } from './dialogs/call-model';
import { channelModel, runChannelSequence } from './dialogs/channel-model';
import { conferenceModel, runConferenceSequence } from './dialogs/conference-model';
import { infoSenderModel } from './dialogs/info-sender-model';
import { invitationModel, runInvitationSequence } from './dialogs/invitation-model';
import { fuzzDialog, type DialogModel } from './dialogs/sequence';

// The short, seeded version of the dialog targets of `npm run fuzz` (10,000 sequences each there).
const SEED = 20_261_206;
const RUNS = 150;

describe('dialog sequences (short seeded run)', () => {
  const models: [string, DialogModel<never>][] = [
    [channelModel.name, channelModel as DialogModel<never>],
    [invitationModel.name, invitationModel as DialogModel<never>],
    [conferenceModel.name, conferenceModel as DialogModel<never>],
    [infoSenderModel.name, infoSenderModel as DialogModel<never>],
    [callModel.name, callModel as DialogModel<never>],
  ];
  it.each(models)('%s keeps its invariants', async (_name, model) => {
    const report = await fuzzDialog(model, { runs: RUNS, seed: SEED });
    const failure = report.failure === undefined ? undefined : `${report.failure.error}\nminimal sequence:\n${report.failure.minimal}`;
    expect(failure).toBeUndefined();
    expect(report.runs).toBe(RUNS);
  }, 60_000);
});

// Each of these failed before its fix; the model run checks faults, answers, registrations and timers.
describe('sequences the dialog fuzzing found', () => {
  it('two calls ringing at once keep apart (CallManager ids)', async () => {
    await expect(runCallSequence([{ k: 'invite', slot: 0, body: 'offer', replaces: false }, { k: 'invite', slot: 1, body: 'offer', replaces: false }])).resolves.toBeUndefined();
  });

  it('a caller holding from its first offer is connected, then remote-held (Call.established)', async () => {
    await expect(runCallSequence([{ k: 'invite', slot: 1, body: 'hold', replaces: false }, { k: 'answer', slot: 1 }])).resolves.toBeUndefined();
  });

  it('a re-INVITE before the ACK of our 2xx gets 491 and leaves no sip.js timer behind (Call)', async () => {
    await expect(runCallSequence([{ k: 'invite', slot: 1, body: 'offer', replaces: false }, { k: 'answer', slot: 1 }, { k: 'reinvite', slot: 1, body: 'none', replaces: false }])).resolves.toBeUndefined();
  });

  it('a call whose connection dropped ends without leaving its sip.js dialog behind (Call.end)', async () => {
    await expect(
      runCallSequence([
        { k: 'invite', slot: 1, body: 'offer', replaces: false },
        { k: 'answer', slot: 1 },
        { k: 'ack', slot: 1 },
        { k: 'drop' },
        { k: 'advance', ms: 30_000 },
        { k: 'advance', ms: 30_000 },
      ]),
    ).resolves.toBeUndefined();
  });

  it('an ACK before our 2xx does not stop its retransmissions: a 200 lost on a dropped link still arrives (sip.js patch)', async () => {
    await expect(
      runChannelSequence(
        [
          { k: 'invite', slot: 0, body: 'ok', conversation: false },
          { k: 'ack', slot: 0 },
          { k: 'drop' },
          // The INVITE again (sent message 1: the registrar's 200 is 0) while the link is down, then
          // the agent accepts: its 200 is lost too.
          { k: 'retransmit', pick: 1, status: 0 },
          { k: 'accept', slot: 0 },
          { k: 'advance', ms: 5000 },
          // Once reconnected the INVITE comes again: only the 200's retransmissions answer it.
          { k: 'retransmit', pick: 1, status: 0 },
        ],
        { autoAccept: false },
      ),
    ).resolves.toBeUndefined();
  });

  it('a focus refusing the join leaves no fault-boundary registration behind (Conference.join)', async () => {
    await expect(runConferenceSequence([{ k: 'invite' }, { k: 'answer', pick: 0, status: 481 }])).resolves.toBeUndefined();
  });

  it('leaving while the focus INVITE is pending BYEs the dialog its late 2xx makes (FocusDialog.join)', async () => {
    await expect(runConferenceSequence([{ k: 'invite' }, { k: 'leave' }, { k: 'focus', outcome: 'success' }])).resolves.toBeUndefined();
  });

  it('leaving while the MCU INVITE is pending BYEs the MCU dialog its late 2xx makes (McuCall.connect)', async () => {
    await expect(
      runConferenceSequence([
        { k: 'invite' },
        { k: 'focus', outcome: 'success' },
        { k: 'leave' },
        { k: 'mcu', status: 200 },
      ]),
    ).resolves.toBeUndefined();
  });

  it('a session refresh answered after leaving arms no refresh timer (FocusDialog)', async () => {
    await expect(
      runConferenceSequence([
        { k: 'invite' },
        { k: 'focus', outcome: 'success' },
        { k: 'advance', ms: 900_000 },
        { k: 'subscribe', status: 200 },
        { k: 'mcu', status: 200 },
        { k: 'leave' },
        { k: 'answer', pick: 4, status: 200 },
      ]),
    ).resolves.toBeUndefined();
  });

  it('an un-SUBSCRIBE the focus never answers leaves no subscription refresh behind (RosterSubscription)', async () => {
    await expect(
      runConferenceSequence([
        { k: 'invite' },
        { k: 'focus', outcome: 'success' },
        { k: 'subscribe', status: 200 },
        { k: 'notify', state: 'full', version: 1, terminated: false },
      ]),
    ).resolves.toBeUndefined();
  });

  it('a channel closed before the ACK of its 200 sends its BYE once the ACK comes (ContextChannel)', async () => {
    await expect(runChannelSequence([{ k: 'invite', slot: 0, body: 'ok', conversation: false }, { k: 'accept', slot: 0 }, { k: 'closePane' }, { k: 'ack', slot: 0 }], { autoAccept: false })).resolves.toBeUndefined();
    await expect(runChannelSequence([{ k: 'invite', slot: 0, body: 'ok', conversation: false }, { k: 'accept', slot: 0 }], { autoAccept: false })).resolves.toBeUndefined();
  });

  it('a channel ended by a 481 to its INFO leaves no sip.js dialog behind (ContextChannel)', async () => {
    await expect(
      runChannelSequence(
        [
          { k: 'invite', slot: 2, body: 'ok', conversation: false },
          { k: 'accept', slot: 2 },
          { k: 'send', slot: 0, named: true },
          { k: 'answer', pick: 3, status: 481 },
        ],
        { autoAccept: false },
      ),
    ).resolves.toBeUndefined();
  });

  it('an invitation whose BYE grace ends before the inviter ACKs still BYEs after the ACK (ConferenceInvitations)', async () => {
    await expect(
      runInvitationSequence([
        { k: 'invite', slot: 0, valid: true },
        { k: 'accept', slot: 0 },
        { k: 'advance', ms: 5000 },
        { k: 'ack', slot: 0 },
      ]),
    ).resolves.toBeUndefined();
  });

  it('a channel accepted, acknowledged, lost and refreshed through 491 ends cleanly', async () => {
    await expect(
      runChannelSequence(
        [
          { k: 'invite', slot: 0, body: 'ok', conversation: false },
          { k: 'accept', slot: 0 },
          { k: 'ack', slot: 0 },
          { k: 'send', slot: 0, named: true },
          { k: 'drop' },
          { k: 'advance', ms: 1000 },
          { k: 'answer', pick: 0, status: 491 },
          { k: 'advance', ms: 5000 },
          { k: 'answer', pick: 0, status: 200 },
        ],
        { autoAccept: false },
      ),
    ).resolves.toBeUndefined();
  });

  it('an invitation accepted and CANCELled in a race is answered once', async () => {
    await expect(
      runInvitationSequence([
        { k: 'invite', slot: 0, valid: true },
        { k: 'accept', slot: 0 },
        { k: 'cancel', slot: 0 },
        { k: 'retransmit', pick: 0, status: 0 },
        { k: 'advance', ms: 5000 },
      ]),
    ).resolves.toBeUndefined();
  });
});
