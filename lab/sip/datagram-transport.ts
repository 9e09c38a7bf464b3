import { createSocket, type Socket } from 'node:dgram';
import { TransportState } from 'sip.js';
import { LabTransportBase } from './lab-transport-base';

/** Options of {@link UdpTransport}, passed through sip.js's `transportOptions`. */
export type UdpTransportOptions = {
  /** Local port to bind on 127.0.0.1 (0 picks one). */
  readonly localPort: number;
  /** The one peer every request goes to: the proxy (Kamailio) in front of the lab. */
  readonly peerHost: string;
  readonly peerPort: number;
  readonly onWire?: (direction: 'in' | 'out', raw: string) => void;
  /** Called with the bound port once listening. */
  readonly onListening?: (port: number) => void;
};

/**
 * SIP over UDP (RFC 3261 §18) toward a single proxy, for the lab behind Kamailio.
 * @remarks The lab sends everything to the proxy, which routes by Request-URI and Route; so
 * one socket and one peer suffice. Responses come back to our source port because the lab's
 * Via carries `rport` (RFC 3581): sip.js drops responses whose Via has a port.
 */
export class UdpTransport extends LabTransportBase {
  readonly protocol = 'UDP';
  private socket: Socket | undefined;

  constructor(
    _logger: unknown,
    private readonly options: UdpTransportOptions,
  ) {
    super();
  }

  connect(): Promise<void> {
    if (this.isConnected()) {
      return Promise.resolve();
    }
    this.setState(TransportState.Connecting);
    return new Promise<void>((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', (error) => {
        this.setState(TransportState.Disconnected);
        reject(error);
      });
      socket.on('message', (data) => {
        const raw = data.toString('utf8');
        if (raw.trim() === '') {
          return;
        }
        this.options.onWire?.('in', raw);
        this.onMessage?.(raw);
      });
      socket.bind(this.options.localPort, '127.0.0.1', () => {
        this.socket = socket;
        this.options.onListening?.(socket.address().port);
        this.setState(TransportState.Connected);
        this.onConnect?.();
        resolve();
      });
    });
  }

  send(message: string): Promise<void> {
    const socket = this.socket;
    if (!socket) {
      return Promise.reject(new Error('UDP transport is not bound'));
    }
    this.options.onWire?.('out', message);
    return new Promise((resolve, reject) => {
      socket.send(message, this.options.peerPort, this.options.peerHost, (error) => (error ? reject(error) : resolve()));
    });
  }

  disconnect(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) {
      return Promise.resolve();
    }
    this.setState(TransportState.Disconnecting);
    return new Promise((resolve) =>
      socket.close(() => {
        this.setState(TransportState.Disconnected);
        this.onDisconnect?.();
        resolve();
      }),
    );
  }

}
