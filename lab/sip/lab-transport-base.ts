import { EmitterImpl, TransportState, type Emitter, type Transport } from 'sip.js';

/**
 * What the lab's transports share of sip.js's `Transport` contract: state, its emitter and the
 * callbacks sip.js sets. The lab's links do not drop on their own (an in-process edge, a UDP
 * socket), so subclasses only say how to open, send and close.
 */
export abstract class LabTransportBase implements Transport {
  abstract readonly protocol: string;
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  private _state = TransportState.Disconnected;
  private readonly _stateChange = new EmitterImpl<TransportState>();

  get state(): TransportState {
    return this._state;
  }

  get stateChange(): Emitter<TransportState> {
    return this._stateChange;
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  abstract connect(): Promise<void>;
  abstract send(message: string): Promise<void>;
  abstract disconnect(): Promise<void>;

  dispose(): Promise<void> {
    return this.disconnect();
  }

  protected setState(state: TransportState): void {
    this._state = state;
    this._stateChange.emit(state);
  }
}
