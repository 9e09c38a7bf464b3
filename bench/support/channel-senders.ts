import { UserAgent } from 'sip.js';
import { LIMITS } from '../../core/agent/limits';
import { UdpTransport, type UdpTransportOptions } from '../../lab/sip/datagram-transport';
import { freeUdpPort } from '../../lab/support/free-port';
import { sleep } from './event-log';

// Several identities of the lab's contact-center application for the soak's context channels.
// The agent admits at most LIMITS.requestsPerSender new INVITEs per sender and rate window
// (10 per 10 s, else 503; README "Limits"), keyed by the From AoR: one sender could open one
// channel a second, and 10,000 channels would take three hours. So the soak spreads its channels
// over N senders `sip:app<k>@lab.local`, each a sip.js user agent on its own UDP port behind
// Kamailio as the lab's own is (lab/sip/lab-user-agent.ts, without the SIP trace), each trusted by
// the agent, and each kept under the agent's rate by a pacer.

/** One sender identity: its URI and its user agent. */
export type ChannelSender = { readonly uri: string; readonly ua: UserAgent };

/** Starts `count` sender user agents behind the proxy at 127.0.0.1:`proxyPort`. */
export async function startChannelSenders(count: number, proxyPort: number, domain = 'lab.local'): Promise<ChannelSender[]> {
  const senders: ChannelSender[] = [];
  try {
    for (let k = 1; k <= count; k += 1) {
      const user = `app${k}`;
      const localPort = await freeUdpPort();
      const transportOptions: UdpTransportOptions = { localPort, peerHost: '127.0.0.1', peerPort: proxyPort };
      const ua = new UserAgent({
        uri: UserAgent.makeURI(`sip:${user}@${domain}`),
        contactName: user,
        userAgentString: 'Switchboard bench sender',
        logBuiltinEnabled: false,
        transportConstructor: UdpTransport,
        transportOptions,
        viaHost: '127.0.0.1',
        // rport (RFC 3581), and the port in the Contact, as lab/sip/lab-user-agent.ts explains.
        forceRport: true,
        contactParams: { transport: 'udp' },
      });
      ua.contact.uri.port = localPort;
      await ua.start();
      senders.push({ uri: `sip:${user}@${domain}`, ua });
    }
  } catch (error) {
    await stopChannelSenders(senders);
    throw error;
  }
  return senders;
}

/** Stops every sender user agent (bounded by sip.js's own stop). */
export async function stopChannelSenders(senders: readonly ChannelSender[]): Promise<void> {
  await Promise.all(senders.map((s) => s.ua.stop().catch(() => undefined)));
}

/**
 * Hands out senders so that none sends more new INVITEs than the agent admits: at most
 * `perWindow` within `windowMs` each (a sliding window, as the agent keeps it), least recently
 * used first. The window carries a margin because the agent stamps a request when it arrives,
 * after Kamailio, so two of ours exactly one window apart may land closer together there.
 */
export class SenderPacer<T> {
  private readonly stamps: number[][];
  private next = 0;

  constructor(
    private readonly senders: readonly T[],
    private readonly perWindow = LIMITS.requestsPerSender,
    private readonly windowMs = LIMITS.rateWindowMs + 1000,
  ) {
    this.stamps = senders.map(() => []);
  }

  /** The highest rate this pacer allows, per second. */
  get maxPerSecond(): number {
    return (this.senders.length * this.perWindow * 1000) / this.windowMs;
  }

  /** The next sender with room, waiting (bounded by the window) until one has some. */
  async acquire(): Promise<T> {
    for (;;) {
      const now = performance.now();
      for (let tried = 0; tried < this.senders.length; tried += 1) {
        const k = (this.next + tried) % this.senders.length;
        const stamps = this.stamps[k] ?? [];
        while (stamps.length > 0 && (stamps[0] ?? 0) <= now - this.windowMs) {
          stamps.shift();
        }
        const sender = this.senders[k];
        if (stamps.length < this.perWindow && sender !== undefined) {
          stamps.push(now);
          this.next = (k + 1) % this.senders.length;
          return sender;
        }
      }
      const oldest = Math.min(...this.stamps.map((s) => s[0] ?? now));
      await sleep(Math.max(1, oldest + this.windowMs - now));
    }
  }
}
