import { afterEach, describe, expect, it } from 'vitest';
import { startKamailio } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';

// The lab invites the headless agent; the agent joins on its own in two more dialogs. Run
// through Kamailio (the lab behind it on UDP) and against the standalone lab.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

const AGENT = 'sip:agent@lab.local';

async function setup(mode: 'kamailio' | 'standalone'): Promise<{ lab: Lab; server: string }> {
  if (mode === 'standalone') {
    const lab = await Lab.start({ signaling: { mode: 'standalone' } });
    cleanups.push(() => lab.stop());
    return { lab, server: lab.wsUrl ?? '' };
  }
  const labPort = await freeUdpPort();
  const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
  cleanups.push(() => kamailio.stop());
  const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  cleanups.push(() => lab.stop());
  return { lab, server: kamailio.wsUrl };
}

function startAgent(server: string, extra: string[] = []): AgentProcess {
  const agent = new AgentProcess(['--server', server, '--aor', AGENT, ...extra]);
  cleanups.push(() => agent.dispose());
  return agent;
}

for (const mode of ['kamailio', 'standalone'] as const) {
  describe(`conference join (${mode})`, () => {
    it('accepts, joins focus then MCU, shows audio in the roster, counts RTP both ways, mutes and leaves cleanly', async () => {
      const { lab, server } = await setup(mode);
      const agent = startAgent(server);
      await agent.waitForType('registered', 10_000);

      const { conference, outcome } = await lab.invite(AGENT, 'Escalated support call');
      const invitation = await agent.waitForType('invitation', 5000);
      expect(invitation.event).toMatchObject({ from: 'sip:conf@lab.local', focusUri: conference.focusUri, audio: true, im: true });
      agent.send({ cmd: 'accept', id: invitation.event.id });
      const acceptedAt = performance.now();
      expect(await outcome).toMatchObject({ state: 'Accepted', status: 200 });
      const joined = await agent.waitForType('conference.joined', 5000);
      expect(joined.event).toMatchObject({ focusUri: conference.focusUri, role: 'attendee' });

      const audio = await agent.waitForType('roster', 10_000, 0, (e) => e.users.some((u) => u.self && u.modalities.audio === 'connected'));
      expect(audio.event.subject).toBe('Escalated support call');
      const flowing = await agent.waitForType('media', 5000, 0, (e) => e.state === 'connected' && e.packetsReceived > 0 && e.packetsSent > 0);
      console.info(`[figures] ${mode}: accept -> media event with RTP both ways ${(flowing.at - acceptedAt).toFixed(0)} ms`);
      expect(flowing.at - acceptedAt).toBeLessThan(2000);
      const labSide = lab.conferences.mediaStatsOf(conference.id, AGENT);
      expect(labSide?.packetsReceived).toBeGreaterThan(0);
      expect(labSide?.packetsSent).toBeGreaterThan(0);

      // The SIP trace shows the dialogs in order: invitation, focus, then the MCUs (A/V and, since
      // the invitation offers IM, the IM MCU), plus the roster subscription.
      agent.send({ cmd: 'trace' });
      const trace = await agent.waitForType('trace', 3000);
      const inviteDialogs = trace.event.dialogs.filter((d) => d.methods.includes('INVITE'));
      expect(inviteDialogs).toHaveLength(4);
      const firstInvite = (dialog: string) => trace.event.text.indexOf(`dialog=${dialog}`);
      const [invitationDialog, focusDialog, ...mcuDialogs] = inviteDialogs.map((d) => d.dialog);
      expect(firstInvite(invitationDialog ?? '')).toBeLessThan(firstInvite(focusDialog ?? ''));
      for (const mcuDialog of mcuDialogs) {
        expect(firstInvite(focusDialog ?? '')).toBeLessThan(firstInvite(mcuDialog ?? ''));
      }
      expect(trace.event.text).toMatch(/m=message 5060 sip null/);
      expect(trace.event.text).toMatch(/Content-Type: application\/ms-conf-invite\+xml/);
      expect(trace.event.text).toMatch(/Content-Type: application\/cccp\+xml/);
      expect(trace.event.text).toMatch(/Supported: timer/);
      expect(trace.event.dialogs.some((d) => d.methods.includes('SUBSCRIBE'))).toBe(true);

      // Mute: local and announced; the roster shows it.
      const mark = agent.events.length;
      agent.send({ cmd: 'mute', focusUri: conference.focusUri, muted: true });
      await agent.waitForType('roster', 5000, mark, (e) => e.users.some((u) => u.self && u.modalities.audio === 'muted'));
      const sentWhenMuted = (await agent.waitForType('media', 3000, mark, (e) => e.muted)).event.packetsSent;
      await new Promise((r) => setTimeout(r, 1200));
      const later = agent.events.filter((e) => e.event.type === 'media').at(-1)?.event;
      expect(later?.type === 'media' && later.packetsSent - sentWhenMuted).toBeLessThan(5);
      agent.send({ cmd: 'mute', focusUri: conference.focusUri, muted: false });
      await agent.waitForType('roster', 5000, mark, (e) => e.users.some((u) => u.self && u.modalities.audio === 'connected'));

      // The MCU hangs up our media alone (a failover): we stay in the conference with audio
      // closed, a reconnect with nothing to reconnect is refused, and reconnect-audio dials again.
      const dropped = agent.events.length;
      agent.send({ cmd: 'reconnect-audio', focusUri: conference.focusUri });
      await agent.waitForType('error', 3000, dropped, (e) => /no ended audio/.test(e.message));
      expect(lab.conferences.hangUpMedia(conference.id, AGENT)).toBe(true);
      await agent.waitForType('media', 5000, dropped, (e) => e.state === 'closed');
      expect(lab.conferences.dialogsOf(conference.id, AGENT)).toEqual({ focus: true, mcu: false });
      agent.send({ cmd: 'reconnect-audio', focusUri: conference.focusUri });
      await agent.waitForType('media', 10_000, dropped, (e) => e.state === 'connected' && e.packetsReceived > 0);
      expect(lab.conferences.dialogsOf(conference.id, AGENT)).toEqual({ focus: true, mcu: true });
      await waitForLabPackets(() => lab.conferences.mediaStatsOf(conference.id, AGENT)?.packetsReceived ?? 0);

      // Leave: unsubscribe, BYE focus, BYE MCU; nothing left on either side.
      agent.send({ cmd: 'leave', focusUri: conference.focusUri });
      await agent.waitForType('conference.left', 5000);
      // The focus, roster, MCU and chat dialogs end in parallel: wait (bounded) for all of them.
      for (let i = 0; i < 40 && (lab.conferences.dialogsOf(conference.id, AGENT).focus || lab.conferences.dialogsOf(conference.id, AGENT).mcu || lab.conferences.notifier.count(conference.id) > 0); i += 1) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(lab.conferences.dialogsOf(conference.id, AGENT)).toEqual({ focus: false, mcu: false });
      expect(lab.conferences.notifier.count(conference.id)).toBe(0);
      expect(conference.userEntities()).toEqual([]);
      agent.send({ cmd: 'trace' });
      const after = await agent.waitForType('trace', 3000, mark);
      const byes = after.event.text.match(/^BYE sip:/gm) ?? [];
      expect(byes.length).toBeGreaterThanOrEqual(2);
      agent.signal('SIGTERM');
      expect(await agent.exited).toBe(0);
    }, 40_000);

    it('declines with 603, and the lab learns it', async () => {
      const { lab, server } = await setup(mode);
      const agent = startAgent(server);
      await agent.waitForType('registered', 10_000);
      const { outcome } = await lab.invite(AGENT, 'Not now');
      const invitation = await agent.waitForType('invitation', 5000);
      agent.send({ cmd: 'decline', id: invitation.event.id });
      await agent.waitForType('invitation.declined', 5000);
      expect(await outcome).toMatchObject({ state: 'Declined', status: 603 });
    }, 30_000);

    it('surfaces the focus refusal with its ms-diagnostics reason when the conference is gone', async () => {
      const { lab, server } = await setup(mode);
      const agent = startAgent(server);
      await agent.waitForType('registered', 10_000);
      const { conference } = await lab.invite(AGENT, 'Gone before you join');
      const invitation = await agent.waitForType('invitation', 5000);
      lab.conferences.end(conference.id);
      agent.send({ cmd: 'accept', id: invitation.event.id });
      const error = await agent.waitForType('error', 5000, 0, (e) => e.code === 'conference-failed');
      expect(error.event.message).toMatch(/404 Not Found: Invalid conference entity \(ms-diagnostics 3004\)/);
      const left = await agent.waitForType('conference.left', 3000);
      expect(left.event.focusUri).toBe(conference.focusUri);
    }, 30_000);

    it('reports the conference left when the lab ejects the agent', async () => {
      const { lab, server } = await setup(mode);
      const agent = startAgent(server, ['--auto-accept', '--trust', 'sip:conf@lab.local']);
      await agent.waitForType('registered', 10_000);
      const { conference } = await lab.invite(AGENT, 'Ejection');
      await agent.waitForType('roster', 10_000, 0, (e) => e.users.some((u) => u.self && u.modalities.audio === 'connected'));
      expect(lab.conferences.eject(conference.id, AGENT)).toBe(true);
      const left = await agent.waitForType('conference.left', 5000);
      expect(left.event.reason).toMatch(/removed by the focus/);
      await agent.waitForType('media', 3000, 0, (e) => e.state === 'closed');
    }, 30_000);
  });
}

describe('a chat-only invitation (kamailio)', () => {
  it('joins focus, roster and chat without dialling the A/V MCU, stays Available, and adds audio on reconnect-audio', async () => {
    const { lab, server } = await setup('kamailio');
    const agent = startAgent(server);
    await agent.waitForType('registered', 10_000);
    await agent.waitForType('presence', 5000, 0, (e) => e.aor === AGENT && e.availability === 'available');

    // What the contact center sends when the customer did not tick "Call me".
    const { conference, outcome } = await lab.invite(AGENT, 'Chat with a customer', { audio: false, im: true });
    const invitation = await agent.waitForType('invitation', 5000);
    expect(invitation.event).toMatchObject({ audio: false, im: true });
    const mark = agent.events.length;
    agent.send({ cmd: 'accept', id: invitation.event.id });
    const acceptedAt = performance.now();
    expect(await outcome).toMatchObject({ state: 'Accepted', status: 200 });
    const joined = await agent.waitForType('conference.joined', 5000, mark);
    const chat = await agent.waitForType('im.state', 10_000, mark, (e) => e.focusUri === conference.focusUri && e.state === 'connected');
    // The join is complete once focus, chat and audio are where they will stay: audio `none` now
    // (before this change the agent dialled the MCU anyway, and audio settled at `connected`).
    const settled = await agent.waitForType('media', 10_000, mark, (e) => e.state === 'none' || e.state === 'connected');
    const since = (at: number): string => (at - acceptedAt).toFixed(0);
    console.info(
      `[figures] chat-only invitation: accept -> conference.joined ${since(joined.at)} ms, -> chat connected ${since(chat.at)} ms, -> audio ${settled.event.state} ${since(settled.at)} ms; first join complete in ${since(Math.max(joined.at, chat.at, settled.at))} ms`,
    );
    expect(settled.event).toMatchObject({ focusUri: conference.focusUri, state: 'none', packetsSent: 0, packetsReceived: 0 });

    // No MCU dialog on either side, no media but `none`, and the roster shows no audio of ours.
    const self = await agent.waitForType('roster', 5000, mark, (e) => e.users.some((u) => u.self));
    expect(self.event.users.find((u) => u.self)?.modalities.audio).toBe('none');
    await new Promise((r) => setTimeout(r, 500));
    const joinEvents = agent.events.slice(mark).map((e) => e.event);
    expect(joinEvents.filter((e) => e.type === 'dialog').map((e) => e.type === 'dialog' && e.role)).not.toContain('mcu');
    expect(joinEvents.filter((e) => e.type === 'media').map((e) => e.type === 'media' && e.state)).toEqual(['none']);
    expect(lab.conferences.dialogsOf(conference.id, AGENT)).toEqual({ focus: true, mcu: false });
    // A chat is not "In a conference": the agent stays Available.
    expect(joinEvents.some((e) => e.type === 'presence' && e.aor === AGENT && e.availability !== 'available')).toBe(false);

    // Adding audio: the MCU is dialled, media connects both ways, and the agent goes Busy.
    const adding = agent.events.length;
    agent.send({ cmd: 'reconnect-audio', focusUri: conference.focusUri });
    const addedAt = performance.now();
    await agent.waitForType('media', 5000, adding, (e) => e.state === 'connecting');
    const flowing = await agent.waitForType('media', 10_000, adding, (e) => e.state === 'connected' && e.packetsReceived > 0);
    console.info(`[figures] chat-only conference: reconnect-audio -> media connected with RTP ${(flowing.at - addedAt).toFixed(0)} ms`);
    expect(lab.conferences.dialogsOf(conference.id, AGENT)).toEqual({ focus: true, mcu: true });
    await waitForLabPackets(() => lab.conferences.mediaStatsOf(conference.id, AGENT)?.packetsReceived ?? 0);
    await agent.waitForType('roster', 10_000, adding, (e) => e.users.some((u) => u.self && u.modalities.audio === 'connected'));
    await agent.waitForType('presence', 10_000, adding, (e) => e.aor === AGENT && e.availability === 'busy' && e.activity === 'in-a-conference');
    // Audio is up now: nothing to add or reconnect.
    const again = agent.events.length;
    agent.send({ cmd: 'reconnect-audio', focusUri: conference.focusUri });
    await agent.waitForType('error', 3000, again, (e) => e.code === 'unknown-id' && /audio is up or connecting/.test(e.message));

    agent.send({ cmd: 'leave', focusUri: conference.focusUri });
    await agent.waitForType('conference.left', 5000, adding);
    await agent.waitForType('presence', 10_000, adding, (e) => e.aor === AGENT && e.availability === 'available');
    agent.signal('SIGTERM');
    expect(await agent.exited).toBe(0);
  }, 40_000);
});

describe('media tells the truth (kamailio)', () => {
  it('says interrupted within 6 s of the MCU going silent, and connected again when it sends', async () => {
    const { lab, server } = await setup('kamailio');
    const agent = startAgent(server, ['--auto-accept', '--trust', 'sip:conf@lab.local']);
    await agent.waitForType('registered', 10_000);
    const { conference } = await lab.invite(AGENT, 'Silence');
    await agent.waitForType('media', 10_000, 0, (e) => e.state === 'connected' && e.packetsReceived > 0);
    const mark = agent.events.length;
    const silentAt = performance.now();
    expect(lab.conferences.silenceMedia(conference.id, AGENT, true)).toBe(true);
    const interrupted = await agent.waitForType('media', 8000, mark, (e) => e.state === 'interrupted');
    const detectedMs = interrupted.at - silentAt;
    console.info(`[figures] MCU silent -> media interrupted in ${detectedMs.toFixed(0)} ms`);
    expect(detectedMs).toBeLessThan(6000);
    expect(detectedMs).toBeGreaterThan(4500);
    // The dialogs stay: only the audio stopped.
    expect(lab.conferences.dialogsOf(conference.id, AGENT)).toEqual({ focus: true, mcu: true });
    const back = agent.events.length;
    const resumedAt = performance.now();
    lab.conferences.silenceMedia(conference.id, AGENT, false);
    const connected = await agent.waitForType('media', 3000, back, (e) => e.state === 'connected');
    console.info(`[figures] MCU sending again -> media connected in ${(connected.at - resumedAt).toFixed(0)} ms`);
    expect(connected.event.packetsReceived).toBeGreaterThan(interrupted.event.packetsReceived);
  }, 30_000);
});

/** Waits (at most 5 s) until the lab's MCU has counted RTP from us on the current leg. */
async function waitForLabPackets(read: () => number): Promise<void> {
  for (let i = 0; i < 100 && read() === 0; i += 1) {
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(read()).toBeGreaterThan(0);
}
