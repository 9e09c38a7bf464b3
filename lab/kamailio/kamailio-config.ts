import { renderMediaRelayModules, renderMediaRelayRoutes, type MediaRelayTarget } from './media-relay-config';

/**
 * Where initial requests for conference URIs are sent.
 * @remarks `udp` targets are dialled directly. Kamailio 5.6's websocket module only accepts
 * connections and never opens one, so a `ws` target is reachable only while that peer holds a
 * WebSocket connection to Kamailio whose source address is exactly `host:port`.
 * @public
 */
export interface ConferenceServerTarget {
  /** IPv4 address (or host name) of the conference server. */
  host: string;
  /** Its SIP port. */
  port: number;
  /**
   * The user part of the server's own identity (the contact center's application, `conf` in the
   * lab): initial requests to `sip:<user>@<domain>` (IM, pager MESSAGE) go there too.
   */
  serviceUser?: string;
  /** Transport Kamailio uses to reach it. */
  transport: 'udp' | 'ws';
}

/** The presence modules, memory only (im-presence §3.3, [LAB]). */
function renderPresenceModules(dbDir: string, udpPort: number): string {
  const url = kamailioString(`text://${dbDir}`);
  return `loadmodule "textopsx.so"
loadmodule "db_text.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"
modparam("presence", "db_url", ${url})
modparam("presence", "subs_db_mode", 0)
modparam("presence", "publ_cache", 2)
modparam("presence", "server_address", "sip:${BIND_ADDRESS}:${udpPort}")
modparam("presence_xml", "db_url", ${url})
# No XCAP server holds authorization rules: every watcher is allowed.
modparam("presence_xml", "force_active", 1)
# A presentity with no publication left is notified with a dummy document, not nothing: offline
# after a sign-out, but open (Available) for one that never published, which the agent reads as
# unknown (core/presence/pidf.ts; open question 30).
modparam("presence_xml", "force_dummy_presence", 1)
`;
}

/**
 * For a presence SUBSCRIBE from a WebSocket client, the stored Contact must be the connection
 * itself: the presence module sends its NOTIFYs there, and tm resolves the target before any
 * route could follow a \`;alias\` (open question 33, tested: with the alias, the NOTIFY fails on
 * the client's \`.invalid\` host).
 */
const PRESENCE_CONTACT_FIX = `		} else if (is_method("SUBSCRIBE") && $hdr(Event) =~ "^presence" && uri == myself) {
			fix_nated_contact();
			msg_apply_changes();
`;

/** PUBLISH and presence SUBSCRIBE are answered here, the way Kamailio's sample config does. */
const PRESENCE_ROUTE = `route[PRESENCE] {
	if (!is_method("PUBLISH|SUBSCRIBE") || !($hdr(Event) =~ "^presence")) {
		return;
	}
	if (is_method("PUBLISH") && ($fU != $rU || $fd != $rd)) {
		# Only the presentity itself publishes its presence.
		sl_send_reply("403", "Publish Only Your Own Presence");
		exit;
	}
	if (!t_newtran()) {
		sl_reply_error();
		exit;
	}
	if (is_method("PUBLISH")) {
		handle_publish();
	} else {
		handle_subscribe();
	}
	t_release();
	exit;
}`;

/**
 * Options for {@link renderKamailioConfig}.
 * @public
 */
export interface KamailioConfigOptions {
  /** UDP SIP port, bound on 127.0.0.1 only. */
  udpPort: number;
  /** TCP port for WebSocket SIP and HTTP JSON-RPC (`/RPC`), bound on 127.0.0.1 only. */
  wsPort: number;
  /** SIP domain served by the registrar; defaults to `lab.local`. */
  domain?: string;
  /**
   * Digest credentials, user name to plain-text password. When given, every REGISTER needs
   * digest authentication and (unless {@link KamailioConfigOptions.proxyAuth} is false) initial
   * requests arriving over WebSocket need proxy authentication.
   */
  users?: Record<string, string>;
  /**
   * Whether initial non-REGISTER requests from WebSocket clients are challenged with 407 when
   * `users` is given. Defaults to true; set false for clients that cannot answer a 407.
   */
  proxyAuth?: boolean;
  /** Where initial requests whose Request-URI contains `opaque=app:conf:` are sent. */
  conferenceServer?: ConferenceServerTarget;
  /** Upper bound the registrar applies to a binding's expiry, in seconds. */
  maxExpires?: number;
  /**
   * Idle time in seconds after which Kamailio pings a WebSocket connection; Kamailio's default
   * is 180. Lower it to exercise a client's ping handling.
   */
  wsKeepaliveSeconds?: number;
  /**
   * Whether `lookup("location")` skips contacts whose REGISTER `Allow` header lacks the
   * request's method, answering 405 itself; defaults to true. Tests that must put a method the
   * agent does not advertise (an out-of-dialog BENOTIFY) in front of the agent turn it off.
   */
  methodFiltering?: boolean;
  /**
   * Makes Kamailio the presence server (RFC 3903 PUBLISH, RFC 3856 SUBSCRIBE/NOTIFY) with the
   * `presence` and `presence_xml` modules, all state in memory; this folder is only the
   * `db_url` the modules insist on (db_text, left empty: im-presence §3.3).
   */
  presenceDbDir?: string;
  /**
   * rtpengine's ng control socket: when given, Kamailio loads the `rtpengine` module and relays
   * the media of calls between a UDP peer with plain RTP (a softphone, sipp) and a WebSocket
   * client (an agent), converting each SDP for its side (see {@link renderMediaRelayRoutes}).
   * Without it such an offer reaches the agent as plain RTP/AVP and is refused with 488.
   */
  mediaRelay?: MediaRelayTarget;
}

const DEFAULT_DOMAIN = 'lab.local';

/** Loopback only: the lab must never be reachable from another host. */
const BIND_ADDRESS = '127.0.0.1';

function assertPort(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new RangeError(`${name} must be an integer port in 1..65535, got ${value}`);
  }
}

function assertPositiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Host names and IPv4 literals only: the value is pasted into URIs, realms and regular
 * expressions, where `$` would start a pseudo-variable and quotes would end the string.
 */
function assertHost(name: string, value: string): void {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(value)) {
    throw new RangeError(`${name} must be a host name or IPv4 address, got ${JSON.stringify(value)}`);
  }
}

/**
 * Quotes a value as a Kamailio config string literal.
 * @remarks Kamailio's config lexer understands `\\` and `\"` inside double quotes and does not
 * expand pseudo-variables in a literal assigned to a variable, so escaping those two is enough
 * once control characters (which the lexer would pass through raw or treat as escapes) are refused.
 */
function kamailioString(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new RangeError(`control characters are not allowed in Kamailio config strings: ${JSON.stringify(value)}`);
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function renderCredentialsRoute(users: Record<string, string>): string {
  const lines = Object.entries(users).map(([user, password]) => {
    if (user.length === 0) {
      throw new RangeError('user names must not be empty');
    }
    return `\tif ($au == ${kamailioString(user)}) { $var(pw) = ${kamailioString(password)}; $var(known) = 1; }`;
  });
  return [
    '# Sets $var(known) and $var(pw) from the user name in the credentials ($au).',
    'route[CREDENTIALS] {',
    // $var() values survive from one message to the next in a worker, so reset them first.
    '\t$var(known) = 0;',
    '\t$var(pw) = "";',
    ...lines,
    '}',
  ].join('\n');
}

function renderAuthRoute(realm: string, proxyAuth: boolean): string {
  const proxy = proxyAuth
    ? `
	# Initial requests from WebSocket clients (the agents under test) must authenticate too;
	# UDP peers (sipp) are trusted so scenarios need no credentials.
	if (nat_uac_test(64) && !is_method("ACK|CANCEL")) {
		route(CREDENTIALS);
		if ($var(known) != 1 || !pv_proxy_authenticate("${realm}", "$var(pw)", "0")) {
			proxy_challenge("${realm}", "1");
			exit;
		}
		if ($au != $fU) {
			sl_send_reply("403", "Forbidden auth ID");
			exit;
		}
		consume_credentials();
	}`
    : '';
  return `# Digest authentication (RFC 3261 section 22, RFC 2617) against the inline user list.
route[AUTH] {
	if (is_method("REGISTER")) {
		route(CREDENTIALS);
		if ($var(known) != 1 || !pv_www_authenticate("${realm}", "$var(pw)", "0")) {
			www_challenge("${realm}", "1");
			exit;
		}
		# A user may only register its own address of record.
		if ($au != $tU) {
			sl_send_reply("403", "Forbidden auth ID");
			exit;
		}
		consume_credentials();
		return;
	}${proxy}
}`;
}

function renderConferenceRoute(target: ConferenceServerTarget): string {
  assertHost('conferenceServer.host', target.host);
  assertPort('conferenceServer.port', target.port);
  const user = target.serviceUser;
  if (user !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(user)) {
    throw new RangeError(`conferenceServer.serviceUser must be a plain user name, got ${JSON.stringify(user)}`);
  }
  const service = user === undefined ? '' : ` || ($rU == "${user}" && uri == myself)`;
  return `# Conference URIs (Lync/Skype for Business focus, opaque=app:conf:...) go to the conference server${user === undefined ? '' : ', and so do requests to its own identity'}.
route[CONFERENCE] {
	if ($ru =~ "opaque=app:conf:"${service}) {
		$du = "sip:${target.host}:${target.port};transport=${target.transport}";
		route(RELAY);
	}
}`;
}

/**
 * Renders the text of a kamailio.cfg for a loopback-only registrar and proxy bridging
 * WebSocket clients and UDP peers.
 * @remarks Follows Kamailio's WebSocket example (`fix_nated_register()` for WebSocket REGISTERs,
 * `add_contact_alias()` / `handle_ruri_alias()` for other traffic, double Record-Route when the
 * transport changes) as described in the lab notes, with SIP over WebSocket per RFC 7118,
 * loose routing per RFC 3261 section 16.12, and GRUU (RFC 5627) turned off because nothing here
 * resolves GRUUs. JSON-RPC (`jsonrpcs` over `xhttp`) answers on `http://127.0.0.1:wsPort/RPC`.
 * @public
 */
export function renderKamailioConfig(options: KamailioConfigOptions): string {
  const { udpPort, wsPort } = options;
  const domain = options.domain ?? DEFAULT_DOMAIN;
  assertPort('udpPort', udpPort);
  assertPort('wsPort', wsPort);
  assertHost('domain', domain);
  assertPositiveInteger('maxExpires', options.maxExpires);
  assertPositiveInteger('wsKeepaliveSeconds', options.wsKeepaliveSeconds);
  const users = options.users;
  const withAuth = users !== undefined && Object.keys(users).length > 0;
  const proxyAuth = withAuth && options.proxyAuth !== false;
  const conference = options.conferenceServer;
  const presence = options.presenceDbDir;
  if (presence !== undefined && !presence.startsWith('/')) {
    throw new RangeError(`presenceDbDir must be an absolute path, got ${JSON.stringify(presence)}`);
  }
  const relay = options.mediaRelay;
  if (relay !== undefined) {
    assertHost('mediaRelay.ngHost', relay.ngHost);
    assertPort('mediaRelay.ngPort', relay.ngPort);
  }

  return `#!KAMAILIO
# Generated by lab/kamailio/kamailio-config.ts: a throwaway registrar/proxy for tests.

####### Global parameters #########
debug=2
log_stderror=yes
memdbg=5
memlog=5
fork=yes
children=2
tcp_children=2
# No DNS: everything is on loopback, and lookups would only add latency and flakiness.
dns=no
rev_dns=no
use_dns_cache=no
auto_aliases=no
alias=${kamailioString(domain)}
listen=udp:${BIND_ADDRESS}:${udpPort}
listen=tcp:${BIND_ADDRESS}:${wsPort}
# WebSocket handshakes and JSON-RPC calls are HTTP requests without Content-Length.
tcp_accept_no_cl=yes
# Longer than the WebSocket keep-alive interval, or Kamailio drops idle agents.
tcp_connection_lifetime=3605
tcp_rd_buf_size=16384
server_header="Server: kamailio-lab"
user_agent_header="User-Agent: kamailio-lab"
sip_warning=0

####### Modules #########
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
loadmodule "jsonrpcs.so"
${withAuth ? 'loadmodule "auth.so"\n' : ''}${presence !== undefined ? renderPresenceModules(presence, udpPort) : ''}${relay !== undefined ? renderMediaRelayModules(relay) : ''}
modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", 30000)
modparam("rr", "enable_double_rr", 1)
modparam("rr", "append_fromtag", 0)
# Memory only: every start is a clean location table.
modparam("usrloc", "db_mode", 0)
modparam("registrar", "gruu_enabled", 0)
modparam("registrar", "method_filtering", ${options.methodFiltering === false ? 0 : 1})
${options.maxExpires !== undefined ? `modparam("registrar", "max_expires", ${options.maxExpires})\n` : ''}modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")
${options.wsKeepaliveSeconds !== undefined ? `modparam("websocket", "keepalive_timeout", ${options.wsKeepaliveSeconds})\n` : ''}# HTTP only: the FIFO and datagram transports would create files outside the run directory.
modparam("jsonrpcs", "transport", 1)
modparam("jsonrpcs", "pretty_format", 0)
${withAuth ? 'modparam("auth", "nonce_expire", 300)\n' : ''}
####### Routing logic #########
request_route {
	route(REQINIT);

	if (nat_uac_test(64)) {
		# WebSocket clients advertise unroutable .invalid hosts: remember the connection instead.
		force_rport();
		if (is_method("REGISTER")) {
			fix_nated_register();
${presence !== undefined ? PRESENCE_CONTACT_FIX : ''}		} else if (is_present_hf("Contact")) {
			if (!add_contact_alias()) {
				xlog("L_ERR", "cannot alias contact <$ct>\\n");
				sl_send_reply("400", "Bad Request");
				exit;
			}
		}
	}

	route(WITHINDLG);

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}

	if (!is_method("ACK")) {
		if (t_precheck_trans()) {
			t_check_trans();
			exit;
		}
		t_check_trans();
	}
${withAuth ? '\n\troute(AUTH);\n' : ''}
	remove_hf("Route");
${presence !== undefined ? '\troute(PRESENCE);\n' : ''}	if (is_method("INVITE|SUBSCRIBE|REFER")) {
		# Two Record-Route entries are added when the request changes transport (WS <-> UDP).
		record_route();
	}

	route(REGISTRAR);
${conference ? '\troute(CONFERENCE);\n' : ''}
	if (uri != myself) {
		# Loopback lab: relay to literal IPv4 targets, never to names that would need DNS.
		if ($rd =~ "^[0-9.]+$") {
			route(RELAY);
		}
		sl_send_reply("403", "Relaying Forbidden");
		exit;
	}

	if ($rU == $null) {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}

	route(LOCATION);
${relay !== undefined ? '\troute(MEDIA_RELAY);\n' : ''}	route(RELAY);
}

route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

route[REQINIT] {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("1511", "7")) {
		xlog("L_WARN", "malformed SIP message from $si:$sp\\n");
		exit;
	}
	# Keep-alive OPTIONS addressed to the proxy itself.
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "Keepalive");
		exit;
	}
}

route[WITHINDLG] {
	if (!has_totag()) {
		return;
	}
	if (loose_route()) {
		if ($du == "") {
			# Toward a WebSocket client the target is the ;alias added to its Contact.
			handle_ruri_alias();
			if ($rc == -1) {
				xlog("L_ERR", "bad alias in R-URI <$ru>\\n");
				sl_send_reply("400", "Bad Request");
				exit;
			}
		}
${relay !== undefined ? '\t\troute(MEDIA_IN_DIALOG);\n' : ''}		route(RELAY);
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
${presence !== undefined ? '\tif (is_method("SUBSCRIBE") && uri == myself) {\n\t\t# A refresh of a presence subscription: Kamailio is the notifier.\n\t\troute(PRESENCE);\n\t}\n' : ''}	sl_send_reply("404", "Not Here");
	exit;
}

route[REGISTRAR] {
	if (!is_method("REGISTER")) {
		return;
	}
	if (!save("location")) {
		sl_reply_error();
	}
	exit;
}

route[LOCATION] {
	if (!lookup("location")) {
		$var(rc) = $rc;
		if (is_method("ACK")) {
			exit;
		}
		t_newtran();
		if ($var(rc) == -2) {
			send_reply("405", "Method Not Allowed");
		} else {
			send_reply("404", "Not Found");
		}
		exit;
	}
}
${presence !== undefined ? `\n${PRESENCE_ROUTE}\n` : ''}${withAuth && users ? `\n${renderCredentialsRoute(users)}\n\n${renderAuthRoute(domain, proxyAuth)}\n` : ''}${conference ? `\n${renderConferenceRoute(conference)}\n` : ''}${relay !== undefined ? `\n${renderMediaRelayRoutes()}\n` : ''}
reply_route {
	if (nat_uac_test(64)) {
		# Replies from WebSocket clients carry .invalid Contacts too.
		add_contact_alias();
	}
}

event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($hu =~ "^/RPC") {
		jsonrpc_dispatch();
		exit;
	}
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}
`;
}
