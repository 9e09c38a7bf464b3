import { UserAgent } from 'sip.js';
import type { Logger } from '../../core/ports/logger';
import { SipTrace } from '../../core/sip/sip-trace';
import { UdpTransport, type UdpTransportOptions } from './datagram-transport';
import { EdgeTransport, LabEdge, type EdgeTransportOptions } from './lab-edge';

/** How the lab reaches agents: its own WebSocket edge, or through a proxy over UDP. */
export type LabSignaling =
  | { readonly mode: 'standalone'; readonly port?: number }
  | { readonly mode: 'proxied'; readonly proxyHost: string; readonly proxyPort: number; readonly localPort: number };

/** The lab's signaling: its user agent, its trace, and the edge in standalone mode. */
export type LabUserAgent = {
  readonly ua: UserAgent;
  readonly trace: SipTrace;
  readonly edge: LabEdge | undefined;
  /** The lab's own SIP URI user: every focus and MCU URI is `sip:conf@domain;gruu;opaque=…`. */
  readonly serviceUser: string;
  stop(): Promise<void>;
};

const SERVICE_USER = 'conf';

/**
 * Starts the lab's single sip.js user agent.
 * @remarks sip.js's core accepts only requests whose Request-URI user is its own (RFC 3261
 * §8.2.2.1), so every lab service shares one identity, `conf`, and tells requests apart by
 * the `opaque` URI parameter, as a Lync conferencing server does with conference GRUUs
 * ([MS-SIPRE] 2.2.3). The inviter and context-channel applications use the same agent.
 */
export async function startLabUserAgent(signaling: LabSignaling, domain: string, logger: Logger): Promise<LabUserAgent> {
  const trace = new SipTrace(() => Date.now(), { maxEntries: 5000 });
  const onWire = (direction: 'in' | 'out', raw: string): void => void trace.record(direction, raw);
  const sipLog = logger.child('lab.sip.js');
  const common = {
    uri: UserAgent.makeURI(`sip:${SERVICE_USER}@${domain}`),
    contactName: SERVICE_USER,
    userAgentString: 'Switchboard lab',
    logBuiltinEnabled: false,
    logConnector: (level: string, category: string, _label: string | undefined, content: string) => {
      if (level === 'error' || level === 'warn') {
        sipLog.warn(content, { category });
      }
    },
  };
  let edge: LabEdge | undefined;
  let ua: UserAgent;
  if (signaling.mode === 'standalone') {
    edge = new LabEdge({ port: signaling.port ?? 0, domain, onWire });
    await edge.listen();
    const transportOptions: EdgeTransportOptions = { edge };
    ua = new UserAgent({ ...common, transportConstructor: EdgeTransport, transportOptions, viaHost: 'lab.invalid', contactParams: { transport: 'ws' } });
  } else {
    const transportOptions: UdpTransportOptions = {
      localPort: signaling.localPort,
      peerHost: signaling.proxyHost,
      peerPort: signaling.proxyPort,
      onWire,
    };
    // rport (RFC 3581): the proxy answers our source port, since sip.js drops responses whose
    // Via names a port; the Contact carries the port so in-dialog requests find us.
    ua = new UserAgent({ ...common, transportConstructor: UdpTransport, transportOptions, viaHost: '127.0.0.1', forceRport: true, contactParams: { transport: 'udp' } });
    ua.contact.uri.port = signaling.localPort;
  }
  await ua.start();
  return {
    ua,
    trace,
    edge,
    serviceUser: SERVICE_USER,
    stop: async () => {
      await ua.stop().catch(() => undefined);
      await edge?.close();
    },
  };
}
