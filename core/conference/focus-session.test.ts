import { describe, expect, it } from 'vitest';
import { createNoMediaEngine } from '../../bench/support/no-media-engine';
import { AGENT_AOR, PeerDialog, startHarness, type Harness, type SipMessage } from '../../test/support/sip-harness';
import { silentLogger } from '../ports/logger';
import { buildC3PResponse } from '../../lab/conference/c3p-focus';
import { buildConfInvite } from '../../lab/conference/conf-invite-builder';
import { ConferenceManager } from './conference-manager';
import { MIME_CCCP, MIME_CONF_INVITE } from './namespaces';

const FOCUS = 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:SESS1';
const INVITER = 'sip:inviter@lab.local';

/** The agent's outstanding request matching `match`, once it was sent. */
async function next(h: Harness, match: (m: SipMessage) => boolean): Promise<SipMessage> {
  for (let i = 0; i < 50; i += 1) {
    const found = h.peer.outstanding.find(match);
    if (found) {
      return found;
    }
    await h.time.advance(100);
  }
  throw new Error('the agent sent no such request');
}

const focusInvite = (m: SipMessage): boolean => m.method === 'INVITE' && (m.headers.get('content-type')?.[0] ?? '').startsWith(MIME_CCCP);

describe('the focus session timer (RFC 4028)', () => {
  it('retries a refused refresh, and when none gets through before the session expires, BYEs and leaves with the reason', async () => {
    const h = await startHarness({
      setup: (engine, time) => {
        new ConferenceManager(engine, { clock: time, logger: silentLogger, media: createNoMediaEngine(), newGuid: () => '00000000-0000-4000-8000-000000000001' }, { autoAccept: true, trustList: [INVITER] });
      },
    });
    try {
      const invitation = new PeerDialog('inv-1', INVITER, 'i1', AGENT_AOR);
      h.peer.send(invitation.request('INVITE', { body: buildConfInvite({ focusUri: FOCUS, subject: 'Timer', audio: false, im: false }), contentType: MIME_CONF_INVITE }));
      const join = await next(h, (m) => focusInvite(m) && m.toTag === undefined);
      const requestId = Number(/requestId="(\d+)"/.exec(join.body)?.[1] ?? '0');
      const body = buildC3PResponse({ requestId, from: FOCUS, to: AGENT_AOR, code: 'success', command: 'addUser', body: { confEntity: FOCUS, userEntity: AGENT_AOR, grantedRole: 'attendee' } });
      h.peer.answer(join, 200, { toTag: 'f1', body, contentType: MIME_CCCP, headers: ['Contact: <sip:focus@peer.invalid;transport=ws>', 'Session-Expires: 90;refresher=uac'] });
      await h.time.settle();
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'conference.joined' }));

      // Half the interval: the first refresh; the focus answers 500 to it and to every retry.
      let refreshes = 0;
      for (let i = 0; i < 150 && !h.events.some((e) => e.type === 'conference.left'); i += 1) {
        // The refresh has an empty body (and so no Content-Type): found by its dialog's tag.
        const refresh = h.peer.outstanding.find((m) => m.method === 'INVITE' && m.toTag === 'f1');
        if (refresh) {
          refreshes += 1;
          h.peer.answer(refresh, 500);
        }
        await h.time.advance(1000);
      }
      const left = h.events.find((e) => e.type === 'conference.left');
      expect(left).toMatchObject({ reason: expect.stringMatching(/session ended: the session expired/) });
      // 45 s to the first refresh, then one every 5 s until 90 s: 10 tries, then BYE.
      expect(refreshes).toBeGreaterThanOrEqual(9);
      expect(h.peer.requests('BYE').some((m) => m.toTag === 'f1')).toBe(true);
      expect(h.engine.faults.faults).toBe(0);
    } finally {
      await h.dispose();
    }
  });
});
