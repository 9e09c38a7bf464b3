import { describe, expect, it } from 'vitest';
import { ChannelManager } from '../channels/channel-manager';
import { MIME_SESSION_INVITE } from '../channels/session-invite';
import { buildSessionInvite } from '../../lab/channels/session-invite-builder';
import { silentLogger } from '../ports/logger';
import { AGENT_AOR, PeerDialog, startHarness } from '../../test/support/sip-harness';
import { FaultBoundary, rawCallId, type DialogFault } from './fault-boundary';

const APP = '{6C6E2A0F-1A9B-4D3C-8E2F-0A1B2C3D4E5F}';

describe('FaultBoundary', () => {
  it('contains a throw, reports it with the Call-ID, and tears down that dialog only', () => {
    const faults: DialogFault[] = [];
    const boundary = new FaultBoundary(silentLogger, (f) => faults.push(f));
    const ended: string[] = [];
    boundary.own('a', (reason) => ended.push(`a: ${reason}`));
    const releaseB = boundary.own('b', () => ended.push('b'));
    expect(boundary.run('a', 'INFO', () => {
      throw new Error('boom');
    })).toBeUndefined();
    expect(faults).toEqual([{ callId: 'a', where: 'INFO', message: 'boom' }]);
    expect(ended).toEqual(['a: internal error in INFO: boom']);
    expect(boundary.tracked).toBe(1);
    releaseB();
    expect(boundary.tracked).toBe(0);
    // A second fault of the same dialog finds no teardown left: reported, nothing else.
    boundary.fault('a', 'again', new Error('x'));
    expect(ended).toHaveLength(1);
    expect(boundary.faults).toBe(2);
  });

  it('wraps every method of a delegate, and survives a teardown or report that throws', () => {
    const boundary = new FaultBoundary(silentLogger, () => {
      throw new Error('report broken');
    });
    boundary.own('c', () => {
      throw new Error('teardown broken');
    });
    const delegate = boundary.guard('c', 'channel', {
      onInfo: (): void => {
        throw new Error('bad INFO');
      },
      label: 'kept',
    });
    expect(() => delegate.onInfo()).not.toThrow();
    expect(delegate.label).toBe('kept');
    expect(boundary.faults).toBe(1);
  });

  it('reads the Call-ID of a raw message in long and compact form', () => {
    expect(rawCallId('INFO sip:a SIP/2.0\r\nCall-ID: abc@h\r\n\r\nCall-ID: body')).toBe('abc@h');
    expect(rawCallId('SIP/2.0 200 OK\r\ni:  x1\r\n\r\n')).toBe('x1');
    expect(rawCallId('garbage')).toBeUndefined();
  });
});

describe('a throw from inside sip.js on remote input', () => {
  it('is contained: that channel is torn down with BYE, the error names its Call-ID, the agent goes on', async () => {
    let manager: ChannelManager | undefined;
    const h = await startHarness({
      setup: (engine, time) => {
        manager = new ChannelManager(
          engine,
          { clock: time, logger: silentLogger, lookup: (appId) => (appId.toUpperCase() === APP ? { name: 'CRM' } : undefined), isConferenceConversation: () => false, newId: () => 'n1' },
          { autoAccept: true, trustList: ['sip:app@lab.local'] },
        );
      },
    });
    try {
      const built = buildSessionInvite({ appId: APP, data: 'ticket 42', name: 'CRM' });
      if (!built.ok) {
        throw new Error('no body');
      }
      const call = new PeerDialog('chan-1', 'sip:app@lab.local', 'p1', AGENT_AOR);
      h.peer.send(call.request('INVITE', { body: built.body, contentType: MIME_SESSION_INVITE }));
      await h.time.settle();
      call.learn(h.peer.fromAgent.find((m) => m.callId === 'chan-1' && m.status === 200) ?? h.peer.fromAgent[0]!);
      h.peer.send(call.request('ACK'));
      await h.time.settle();
      expect(manager?.active().map((c) => c.state)).toEqual(['Established']);

      // sip.js throws from inside its dialog on an input it did not expect (a re-INVITE whose
      // Contact it cannot read, a second final response...): simulated on the channel's dialog.
      const dialog = [...h.engine.userAgent.userAgentCore.dialogs.values()].find((d) => d.callId === 'chan-1');
      if (!dialog) {
        throw new Error('no sip.js dialog for the channel');
      }
      const original = dialog.receiveRequest.bind(dialog);
      dialog.receiveRequest = (message) => {
        if (message.method === 'INFO') {
          throw new Error('Contact undefined.');
        }
        original(message);
      };
      h.peer.send(call.request('INFO', { body: 'hello', contentType: 'text/plain' }));
      await h.time.settle();
      expect(h.engine.faults.faults).toBe(1);
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'error', code: 'internal', callId: 'chan-1' }));
      expect(h.peer.requests('BYE').map((m) => m.callId)).toEqual(['chan-1']);
      expect(manager?.active()).toEqual([]);

      // The agent still answers everyone else.
      const options = new PeerDialog('opt-1', 'sip:monitor@lab.local', 'o1', AGENT_AOR);
      h.peer.send(options.request('OPTIONS'));
      await h.time.settle();
      expect(h.peer.fromAgent.find((m) => m.callId === 'opt-1')?.status).toBe(200);
      expect(h.escaped).toEqual([]);
    } finally {
      await h.dispose();
    }
  });
});
