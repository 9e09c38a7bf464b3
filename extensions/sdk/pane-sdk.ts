import type {
  PaneApi,
  PaneContextData,
  PaneConversation,
  PaneInitialContext,
  PaneSendOptions,
  PaneSendOutcome,
  PaneState,
  PaneStateChange,
  PaneUnsubscribe,
} from '../../common/pane-api';
import type { ExtensionPermission, PaneSize } from '../../common/extension-manifest';
import { hostToPaneSchema, PANE_PROTOCOL, type HostToPane, type PaneToHost } from '../../common/pane-protocol';

/** The window a pane runs in, as far as the SDK needs it (tests pass a fake). */
export type PaneWindow = {
  readonly parent: { postMessage(message: unknown, targetOrigin: string): void };
  addEventListener(type: 'message', listener: (event: { data: unknown; source: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown; source: unknown }) => void): void;
};

/** Options of {@link connectPane}. */
export type ConnectOptions = {
  readonly window?: PaneWindow;
  /** Give up when the host does not answer `hello` this fast. */
  readonly timeoutMs?: number;
  /** A send without an answer this long resolves `{ ok: false, reason: 'timeout' }`. */
  readonly sendTimeoutMs?: number;
};

const PANE_REASONS = ['rejected', 'timeout', 'closed', 'too-large', 'bad-content-type', 'offline', 'busy'] as const;
type FailureReason = (typeof PANE_REASONS)[number];

/**
 * Connects an extension pane to its Switchboard host and resolves with the pane API
 * (`common/pane-api.ts`): initial context, data received, send data, state changes,
 * conversation info and close.
 *
 * @remarks Speaks {@link PANE_PROTOCOL} over `postMessage` with the parent window only, and
 * accepts only messages whose source is that parent and whose shape the protocol schema
 * allows. Panes run sandboxed with an opaque origin, so the target origin is `*`; the host
 * checks the source frame on its side.
 * @public
 */
export function connectPane(options: ConnectOptions = {}): Promise<PaneApi> {
  const win = options.window ?? (globalThis as unknown as { window: PaneWindow }).window;
  const post = (message: PaneToHost): void => win.parent.postMessage(message, '*');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      win.removeEventListener('message', onMessage);
      reject(new Error('no answer from the Switchboard host; is this page running inside a pane?'));
    }, options.timeoutMs ?? 5000);
    let pane: Pane | undefined;
    const onMessage = (event: { data: unknown; source: unknown }): void => {
      if (event.source !== win.parent) {
        return;
      }
      const parsed = hostToPaneSchema.safeParse(event.data);
      if (!parsed.success) {
        return;
      }
      const message = parsed.data;
      if (!pane) {
        if (message.kind === 'standby') {
          // Loaded ahead of its channel: the init comes when one opens, so no timeout applies.
          clearTimeout(timer);
          post({ protocol: PANE_PROTOCOL, kind: 'standby' });
          return;
        }
        if (message.kind !== 'init') {
          return;
        }
        clearTimeout(timer);
        pane = new Pane(message, post, options.sendTimeoutMs ?? 30_000);
        resolve(pane);
        return;
      }
      pane.receive(message);
    };
    win.addEventListener('message', onMessage);
    post({ protocol: PANE_PROTOCOL, kind: 'hello' });
  });
}

class Pane implements PaneApi {
  readonly appId: string;
  readonly size: PaneSize;
  readonly permissions: readonly ExtensionPermission[];
  readonly initialContext: PaneInitialContext;
  private currentConversation: PaneConversation;
  private currentState: PaneState;
  private readonly dataListeners = new Set<(data: PaneContextData) => void>();
  private readonly stateListeners = new Set<(change: PaneStateChange) => void>();
  private readonly waiting = new Map<number, (outcome: PaneSendOutcome) => void>();
  private nextRequest = 1;

  constructor(
    init: Extract<HostToPane, { kind: 'init' }>,
    private readonly post: (message: PaneToHost) => void,
    private readonly sendTimeoutMs: number,
  ) {
    this.appId = init.appId;
    this.size = init.size;
    this.permissions = init.permissions;
    this.initialContext = { channelId: init.initialContext.channelId, data: init.initialContext.data, simpleLink: init.initialContext.simpleLink };
    this.currentConversation = toConversation(init.conversation);
    this.currentState = init.state;
  }

  get conversation(): PaneConversation {
    return this.currentConversation;
  }

  get state(): PaneState {
    return this.currentState;
  }

  onData(listener: (data: PaneContextData) => void): PaneUnsubscribe {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onStateChange(listener: (change: PaneStateChange) => void): PaneUnsubscribe {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  sendData(contentType: string, body: string, options: PaneSendOptions = {}): Promise<PaneSendOutcome> {
    if (this.currentState === 'closed') {
      return Promise.resolve({ ok: false, reason: 'closed', message: 'the pane is closed' });
    }
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve({ ok: false, reason: 'timeout', message: `no answer in ${this.sendTimeoutMs} ms` });
      }, this.sendTimeoutMs);
      this.waiting.set(requestId, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      this.post({
        protocol: PANE_PROTOCOL,
        kind: 'send',
        requestId,
        contentType,
        body,
        ...(options.channelId !== undefined && { channelId: options.channelId }),
      });
    });
  }

  close(): Promise<void> {
    this.post({ protocol: PANE_PROTOCOL, kind: 'close' });
    return Promise.resolve();
  }

  receive(message: HostToPane): void {
    switch (message.kind) {
      case 'init':
      case 'standby':
        return;
      case 'data': {
        const data = { channelId: message.channelId, contentType: message.contentType, body: message.body, receivedAt: Date.now() };
        this.dataListeners.forEach((l) => l(data));
        return;
      }
      case 'state':
        this.currentState = message.state;
        this.stateListeners.forEach((l) =>
          l(message.state === 'closed' ? { kind: 'state', state: 'closed', reason: closeReason(message.reason) } : { kind: 'state', state: message.state }),
        );
        return;
      case 'channels':
        this.stateListeners.forEach((l) => l({ kind: 'channels', channelIds: message.channelIds }));
        return;
      case 'conversation':
        this.currentConversation = toConversation(message.conversation);
        this.stateListeners.forEach((l) => l({ kind: 'conversation', conversation: this.currentConversation }));
        return;
      case 'sent': {
        const done = this.waiting.get(message.requestId);
        this.waiting.delete(message.requestId);
        done?.(
          message.ok
            ? { ok: true }
            : {
                ok: false,
                reason: failureReason(message.reason),
                message: message.message ?? 'not delivered',
                ...(message.status !== undefined && { status: message.status }),
              },
        );
        return;
      }
    }
  }
}

function toConversation(c: Extract<HostToPane, { kind: 'init' }>['conversation']): PaneConversation {
  return {
    id: c.id,
    subject: c.subject,
    participants: c.participants.map((p) => ({ uri: p.uri, displayName: p.displayName, self: p.self })),
  };
}

function failureReason(reason: string | undefined): FailureReason {
  return (PANE_REASONS as readonly string[]).includes(reason ?? '') ? (reason as FailureReason) : 'rejected';
}

function closeReason(reason: string | undefined): Extract<PaneStateChange, { state: 'closed' }>['reason'] {
  const known = ['bye', 'conversation-ended', 'closed-by-pane', 'closed-by-agent', 'failed'] as const;
  return (known as readonly string[]).includes(reason ?? '') ? (reason as (typeof known)[number]) : 'failed';
}
