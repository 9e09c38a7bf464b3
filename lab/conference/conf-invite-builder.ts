/**
 * `application/ms-conf-invite+xml` as the lab's inviter writes it; the agent reads it with
 * `parseConfInvite` (core/conference/conf-invite.ts).
 * @packageDocumentation
 */
import { CONF_INVITE_ROOT, type ConfInvite } from '../../core/conference/conf-invite';
import { writeXml } from '../../core/xml/xml-writer';

/**
 * Builds an app-INVITE body, for the lab's inviter.
 * @remarks Shape of protocol notes 1.1 (`Conferencing version="2.0"` in no namespace, then
 * `focus-uri`, `subject`, `audio`, `im`, with `available` always explicit: `audio: false` says
 * audio is not available, and the agent joins without the A/V MCU, open question 35). The focus
 * URI is written as given, not validated, so the lab can also send invitations we must refuse.
 * @public
 */
export function buildConfInvite(invite: ConfInvite): string {
  return writeXml({
    name: CONF_INVITE_ROOT,
    attrs: { version: '2.0' },
    children: [
      { name: 'focus-uri', text: invite.focusUri },
      { name: 'subject', text: invite.subject },
      { name: 'audio', attrs: { available: String(invite.audio) } },
      { name: 'im', attrs: { available: String(invite.im) } },
    ],
  });
}
