/**
 * The kamailio.cfg pieces that put rtpengine between plain-RTP SIP peers and the agents.
 * @packageDocumentation
 */

/**
 * Where Kamailio's `rtpengine` module reaches rtpengine's ng control socket.
 * @public
 */
export interface MediaRelayTarget {
  /** IPv4 address of the ng socket (the lab's is 127.0.0.1). */
  ngHost: string;
  /** Its UDP port. */
  ngPort: number;
}

/**
 * rtpengine flags for SDP on its way to an agent (a WebSocket client): a WebRTC description its
 * werift or Chromium engine accepts (RFC 8829 §5.2 asks for all of it).
 * - `UDP/TLS/RTP/SAVPF`: DTLS-SRTP (RFC 5764, RFC 8842 §5). Measured with rtpengine 10.5: the
 *   bare `RTP/SAVPF` flag writes `RTP/SAVPF` into the m= line even with DTLS on, which
 *   core/calls/call-offer.ts (and Chromium) refuse.
 * - `ICE=force`: rtpengine's own ICE credentials and host candidates (on its 127.0.0.1
 *   interface), replacing whatever the peer had (RFC 8839).
 * - `DTLS=passive`: rtpengine is the DTLS server wherever it may choose (an answer to the
 *   agent's `actpass` offer: RFC 5763 §5, RFC 8842 §5.3); its offers stay `actpass` as RFC
 *   5763 requires (measured).
 * - `rtcp-mux-require`: RTP and RTCP on one port, offered as mandatory with no separate RTCP
 *   candidate (RFC 5761, RFC 8858), as WebRTC insists.
 * - `SDES-off`: no `a=crypto` beside the fingerprint (RFC 8827 forbids SDES in WebRTC).
 * - `generate-mid`: an `a=mid` (RFC 8843), which the agents' engines key their transceiver on.
 * - `no-rtcp-attribute`: no `a=rtcp:PORT`. RFC 3605 allows the port alone, but werift 0.25's
 *   parser throws ("exception") on an `a=rtcp` without an address (measured), and with RTCP
 *   muxed the line says nothing the agent needs.
 */
export const TOWARD_AGENT_FLAGS =
  'ICE=force DTLS=passive UDP/TLS/RTP/SAVPF rtcp-mux-require SDES-off generate-mid no-rtcp-attribute replace-origin replace-session-connection';

/**
 * rtpengine flags for SDP on its way to a plain SIP peer (sipp, a softphone): RTP/AVP (RFC 3551)
 * without ICE or DTLS, RTCP on its own port again.
 */
export const TOWARD_PEER_FLAGS = 'RTP/AVP ICE=remove DTLS=off rtcp-mux-demux SDES-off replace-origin replace-session-connection';

/** The record-route parameter marking a dialog whose media goes through rtpengine. */
const DIALOG_MARK = 'mr=rtpengine';

/** `loadmodule` and `modparam` lines of the rtpengine module (Kamailio rtpengine module docs). */
export function renderMediaRelayModules(target: MediaRelayTarget): string {
  return `loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", "udp:${target.ngHost}:${target.ngPort}")
# One try per second, three times: rtpengine is on loopback, and an INVITE must not hang for long.
modparam("rtpengine", "rtpengine_tout_ms", 1000)
modparam("rtpengine", "rtpengine_retr", 2)
`;
}

/**
 * The routes that decide which offers go through rtpengine and convert them.
 * @remarks Only a call between a WebSocket client (an agent) and a UDP peer is relayed, and
 * from a UDP peer only when its offer is not already DTLS-SRTP: the lab's phone and conference
 * server sit on UDP but speak WebRTC themselves (werift), and agent-to-agent calls are
 * WebSocket on both sides, so both pass untouched as before. The dialog keeps the decision in
 * its Record-Route (`;${DIALOG_MARK}`), so re-INVITEs (hold), the ACK and the BYE of a relayed
 * call are handled the same way without any state in Kamailio. Which flags apply follows where
 * the rewritten SDP goes: a message that arrived over WebSocket goes to the UDP peer, any
 * other to the agent. RFC 3264's offer/answer maps onto rtpengine's `offer` (requests) and
 * `answer` (replies, an ACK's late answer); `delete` on BYE, on a failed or cancelled
 * initial INVITE, and on a re-offer answered 481 or 408 (one that crossed the BYE would otherwise
 * leave a call behind: measured) (rtpengine docs, "The NG Control Protocol").
 */
export function renderMediaRelayRoutes(): string {
  return `# Media relay (rtpengine) for an initial INVITE, once its target is known.
route[MEDIA_RELAY] {
	if (!is_method("INVITE") || !has_body("application/sdp")) {
		return;
	}
	$var(to_ws) = 0;
	if ($du =~ ";transport=ws" || ($du == $null && $ru =~ ";transport=ws")) {
		$var(to_ws) = 1;
	}
	if ($proto == "udp" && $var(to_ws) == 1) {
		# A UDP peer that speaks DTLS-SRTP itself (the lab phone) needs no relay.
		if (search_body("m=audio [0-9]+ UDP/TLS/RTP/SAVPF?")) {
			return;
		}
	} else if (!($proto == "ws" && $var(to_ws) == 0)) {
		return;
	}
	add_rr_param(";${DIALOG_MARK}");
	route(MEDIA_OFFER);
	t_on_failure("MEDIA_FAILED");
}

# In-dialog requests of a relayed call: offers (hold, resume), a late answer in ACK, the end.
route[MEDIA_IN_DIALOG] {
	if (!check_route_param("${DIALOG_MARK}")) {
		return;
	}
	if (is_method("BYE")) {
		rtpengine_delete();
	} else if (is_method("INVITE|UPDATE") && has_body("application/sdp")) {
		route(MEDIA_OFFER);
		t_on_failure("MEDIA_REOFFER_FAILED");
	} else if (is_method("ACK") && has_body("application/sdp")) {
		if ($proto == "ws") {
			rtpengine_answer("${TOWARD_PEER_FLAGS}");
		} else {
			rtpengine_answer("${TOWARD_AGENT_FLAGS}");
		}
	}
}

route[MEDIA_OFFER] {
	if ($proto == "ws") {
		if (!rtpengine_offer("${TOWARD_PEER_FLAGS}")) {
			route(MEDIA_DOWN);
		}
	} else if (!rtpengine_offer("${TOWARD_AGENT_FLAGS}")) {
		route(MEDIA_DOWN);
	}
	t_on_reply("MEDIA_REPLY");
}

# rtpengine did not answer or refused the offer: the call could not carry audio.
route[MEDIA_DOWN] {
	xlog("L_ERR", "rtpengine refused or missed the offer of $ci from $si:$sp\\n");
	send_reply("503", "Media Relay Unavailable");
	exit;
}

onreply_route[MEDIA_REPLY] {
	if (!has_body("application/sdp")) {
		return;
	}
	if ($proto == "ws") {
		rtpengine_answer("${TOWARD_PEER_FLAGS}");
	} else {
		rtpengine_answer("${TOWARD_AGENT_FLAGS}");
	}
}

# A refused, cancelled or unanswered initial INVITE frees its ports at once.
failure_route[MEDIA_FAILED] {
	rtpengine_delete();
}

# A re-offer the other side no longer has a dialog for (481, or 408: it crossed the BYE) would
# leave the offer's new call in rtpengine; any other refusal (491 glare, 488) keeps the call.
failure_route[MEDIA_REOFFER_FAILED] {
	if (t_check_status("481|408")) {
		rtpengine_delete();
	}
}`;
}
