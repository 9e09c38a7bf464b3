/**
 * The Janus configuration the lab writes for each start: the HTTP API and media on 127.0.0.1
 * only, the AudioBridge plugin and nothing else, no rooms (issue 16: "no demo plugins or
 * rooms, no other transports").
 * @packageDocumentation
 */

/** Options of {@link renderJanusConfig}. */
export type JanusConfigOptions = {
  /** The folder holding these files (Janus's `configs_folder`). */
  readonly configDir: string;
  /** Where Debian puts Janus's plugins, transports, event handlers and loggers. */
  readonly libDir: string;
  /** TCP port of the HTTP API on 127.0.0.1. */
  readonly httpPort: number;
  /** UDP ports for RTP, e.g. `[40000, 40199]`. */
  readonly rtpPorts: readonly [number, number];
  /** Secret the AudioBridge wants for creating and destroying rooms. */
  readonly adminKey: string;
};

/** Plugins Debian ships that the lab never loads. */
const OTHER_PLUGINS = ['duktape', 'echotest', 'lua', 'nosip', 'recordplay', 'sip', 'streaming', 'textroom', 'videocall', 'videoroom', 'voicemail'];
/** Transports other than HTTP. */
const OTHER_TRANSPORTS = ['mqtt', 'nanomsg', 'pfunix', 'rabbitmq', 'websockets'];
const EVENT_HANDLERS = ['gelfevh', 'mqttevh', 'nanomsgevh', 'rabbitmqevh', 'sampleevh', 'wsevh'];

const quote = (value: string): string => {
  if (/["\\\r\n]/.test(value)) {
    throw new RangeError(`not a safe Janus config string: ${JSON.stringify(value)}`);
  }
  return `"${value}"`;
};

/** The files to write into `configDir`, by name. */
export function renderJanusConfig(options: JanusConfigOptions): Record<string, string> {
  const { configDir, libDir, httpPort, rtpPorts, adminKey } = options;
  if (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65535 || rtpPorts[0] < 1024 || rtpPorts[1] < rtpPorts[0] || rtpPorts[1] > 65535) {
    throw new RangeError(`bad Janus ports: http ${httpPort}, rtp ${rtpPorts.join('-')}`);
  }
  const janus = `general: {
  configs_folder = ${quote(configDir)}
  plugins_folder = ${quote(`${libDir}/plugins`)}
  transports_folder = ${quote(`${libDir}/transports`)}
  events_folder = ${quote(`${libDir}/events`)}
  loggers_folder = ${quote(`${libDir}/loggers`)}
  debug_level = 3
  server_name = "Switchboard lab"
  session_timeout = 60
  admin_secret = ${quote(adminKey)}
}
media: {
  rtp_port_range = "${rtpPorts[0]}-${rtpPorts[1]}"
}
nat: {
  # Loopback only: candidates on 127.0.0.1, nothing gathered elsewhere.
  ice_enforce_list = "lo"
  nice_debug = false
}
plugins: {
  disable = ${quote(OTHER_PLUGINS.map((p) => `libjanus_${p}.so`).join(','))}
}
transports: {
  disable = ${quote(OTHER_TRANSPORTS.map((t) => `libjanus_${t}.so`).join(','))}
}
events: {
  broadcast = false
  disable = ${quote(EVENT_HANDLERS.map((e) => `libjanus_${e}.so`).join(','))}
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
`;
  const http = `general: {
  json = "compact"
  base_path = "/janus"
  http = true
  port = ${httpPort}
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
cors: {
  allow_origin = "http://127.0.0.1"
}
`;
  const audiobridge = `general: {
  admin_key = ${quote(adminKey)}
  events = false
  # Plain RTP participants (the lab's MCU legs) on loopback only, in the lab's port range.
  local_ip = "127.0.0.1"
  rtp_port_range = "${rtpPorts[0]}-${rtpPorts[1]}"
}
`;
  return { 'janus.jcfg': janus, 'janus.transport.http.jcfg': http, 'janus.plugin.audiobridge.jcfg': audiobridge };
}
