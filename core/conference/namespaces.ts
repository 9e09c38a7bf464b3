/**
 * Namespace URIs and MIME types of the Lync conferencing protocols.
 * @packageDocumentation
 */

/**
 * Centralized Conference Control Protocol (C3P) namespace.
 * @remarks [MS-CONFPRO] 2.2.2 and 2.2.3: the root and its children belong to it.
 * @public
 */
export const NS_CCCP = 'urn:ietf:params:xml:ns:cccp';

/**
 * Conference event package namespace.
 * @remarks RFC 4575 §5; reused inside C3P for `user`, `roles`, `endpoint` and `media`.
 * @public
 */
export const NS_CONFERENCE_INFO = 'urn:ietf:params:xml:ns:conference-info';

/**
 * Microsoft C3P extensions (`mscp`), e.g. the `mcuUri` attribute.
 * @remarks [MS-CONFPRO] 2.2.3 lists it among the allowed extension namespaces.
 * @public
 */
export const NS_MSCP = 'http://schemas.microsoft.com/rtc/2005/08/cccpextensions';

/**
 * Microsoft conference-info extensions (`msci`), e.g. `session-type`, `media-ingress-filter`.
 * @remarks [MS-CONFBAS] 2.2.2.2 and 6.3.1; [MS-CONFAV] 2.2.2.1.2.1.
 * @public
 */
export const NS_MSCI = 'http://schemas.microsoft.com/rtc/2005/08/confinfoextensions';

/**
 * Switchboard's conference-info extension (`sbci`): `speaking` inside an endpoint's `media`,
 * true while the MCU hears that participant talk.
 * @remarks RFC 4575 §5 lets other namespaces extend `media`; receivers that do not know this
 * one ignore it. Neither RFC 4575 nor the MS-CONF* documents carry a talking state in the
 * roster (Lync signals the active speaker in RTCP), so the lab's MCU and Switchboard agree on
 * this element: docs/protocol/2-roster.md, "Who is talking", and open question 34.
 * @public
 */
export const NS_SBCI = 'urn:x-switchboard:conference-info';

/**
 * Content type of a conference invitation ("app-INVITE").
 * @remarks [MS-SIPRE] 3.9.5.1; protocol notes section 1.1.
 * @public
 */
export const MIME_CONF_INVITE = 'application/ms-conf-invite+xml';

/**
 * Content type of C3P requests and responses.
 * @remarks [MS-CONFPRO] 2.2.1.
 * @public
 */
export const MIME_CCCP = 'application/cccp+xml';

/**
 * Content type of conference state notifications.
 * @remarks RFC 4575 §3.
 * @public
 */
export const MIME_CONFERENCE_INFO = 'application/conference-info+xml';
