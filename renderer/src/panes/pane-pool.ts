import type { ExtensionInfo } from '../../../common/bridge';
import { PANE_PROTOCOL, paneToHostSchema } from '../../../common/pane-protocol';

/** At most this many extensions have a page loaded ahead (one each): each costs a document's memory. */
export const MAX_SPARE_EXTENSIONS = 4;
/** A spare that got `standby` and did not answer in this time has an SDK that waits for no one: dropped. */
export const STANDBY_ANSWER_MS = 1500;
/** After a spare is taken, the next one loads this much later, not in the same frames as the taken pane renders. */
export const REFILL_DELAY_MS = 250;

/** A pane page loaded ahead, handed to the first pane of its extension that opens. */
export type ClaimedPane = {
  readonly iframe: HTMLIFrameElement;
  /** `load` events so far (1 once its page loaded): a later one means the page left. */
  readonly loads: number;
  /** It already said `hello` (to the pool): it waits for its `init` now. */
  readonly helloSeen: boolean;
};

type Spare = {
  readonly key: string;
  readonly iframe: HTMLIFrameElement;
  loads: number;
  helloSeen: boolean;
  standbyTimer: ReturnType<typeof setTimeout> | undefined;
  readonly onLoad: () => void;
};

/** What the pool needs of the page: a document to make frames in and a window's message events. */
export type PanePoolHost = {
  readonly document: Document;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
};

/** The attributes every pane frame of the browser host has: scripts only, an opaque origin, no referrer, no features. */
export function createPaneIframe(document: Document, extension: ExtensionInfo): HTMLIFrameElement {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.setAttribute('referrerpolicy', 'no-referrer');
  iframe.setAttribute('allow', '');
  iframe.src = extension.paneUrl ?? 'about:blank';
  return iframe;
}

/** Which page a spare is: a new version (another entry) or another URL is another page. */
const keyOf = (e: ExtensionInfo): string => `${e.id}\n${e.version}\n${e.entry}\n${e.paneUrl ?? ''}`;

/** A packaged pane the host serves itself (remote https panes are another site, never loaded ahead). */
export const isLocalPane = (e: ExtensionInfo): boolean => e.paneUrl?.startsWith('/') === true;

/**
 * Browser host, screen pop: keeps one page of each installed local pane loaded ahead in a
 * hidden holder, so that when a channel opens its pane the window moves that frame into the
 * conversation (`Element.moveBefore`, which keeps an iframe's document: no reload) and sends
 * the `init` at once, instead of creating a frame and waiting for its page to load, run and
 * say hello.
 *
 * @remarks A spare is a pane frame like any other (`sandbox="allow-scripts"`, opaque origin)
 * that has no conversation and no channel: it is told `standby` in answer to its `hello` and
 * gets nothing else until it is taken; a taken frame belongs to that pane only and never comes
 * back. A spare whose SDK does not answer `standby` (an older SDK, whose hello would time out)
 * or whose page leaves (a second `load`) is dropped, and its extension is loaded on open only,
 * as before. Where `moveBefore` is missing (browsers before Chromium 133) there are no spares.
 */
export class PanePool {
  private readonly spares = new Map<string, Spare>();
  /** Extensions whose pages cannot wait as spares (old SDK, page leaving): by key. */
  private readonly unsuitable = new Set<string>();
  private readonly holder: HTMLDivElement;
  private wanted: readonly ExtensionInfo[] = [];
  private refillTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly onMessage = (event: MessageEvent): void => this.receive(event);

  constructor(private readonly host: PanePoolHost) {
    this.holder = host.document.createElement('div');
    this.holder.setAttribute('aria-hidden', 'true');
    this.holder.dataset.paneSpares = '';
    // Laid out (so the page renders at a pane's size) but off-screen, unseen and unclickable.
    this.holder.style.cssText = 'position:fixed;left:-10000px;top:0;width:640px;height:720px;visibility:hidden;pointer-events:none;';
    host.document.body.appendChild(this.holder);
    host.addEventListener('message', this.onMessage);
  }

  /** Whether this browser can move a frame without reloading it. */
  static supported(document: Document): boolean {
    return typeof (document.body as Partial<{ moveBefore: unknown }>).moveBefore === 'function';
  }

  /** The installed extensions changed: spares for the first {@link MAX_SPARE_EXTENSIONS} local panes, none for the rest. */
  sync(extensions: readonly ExtensionInfo[]): void {
    this.wanted = extensions.filter((e) => e.effective && isLocalPane(e)).slice(0, MAX_SPARE_EXTENSIONS);
    const keys = new Set(this.wanted.map(keyOf));
    for (const [key] of this.spares) {
      if (!keys.has(key)) {
        this.drop(key);
      }
    }
    this.fill();
  }

  /** Takes the spare of `extension`, if one is loaded for exactly its current page. */
  claim(extension: ExtensionInfo): ClaimedPane | undefined {
    const key = keyOf(extension);
    const spare = this.spares.get(key);
    if (!spare || this.disposed) {
      return undefined;
    }
    this.release(spare);
    this.spares.delete(key);
    this.scheduleRefill();
    return { iframe: spare.iframe, loads: spare.loads, helloSeen: spare.helloSeen };
  }

  /** Removes every spare and stops listening. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.refillTimer);
    for (const [key] of this.spares) {
      this.drop(key);
    }
    this.host.removeEventListener('message', this.onMessage);
    this.holder.remove();
  }

  /** How many spares are loaded now (tests, diagnostics). */
  get size(): number {
    return this.spares.size;
  }

  private fill(): void {
    if (this.disposed) {
      return;
    }
    for (const extension of this.wanted) {
      const key = keyOf(extension);
      if (!this.spares.has(key) && !this.unsuitable.has(key)) {
        this.load(key, extension);
      }
    }
  }

  private scheduleRefill(): void {
    clearTimeout(this.refillTimer);
    this.refillTimer = setTimeout(() => this.fill(), REFILL_DELAY_MS);
  }

  private load(key: string, extension: ExtensionInfo): void {
    const iframe = createPaneIframe(this.host.document, extension);
    iframe.title = '';
    iframe.tabIndex = -1;
    iframe.dataset.paneSpare = extension.id;
    const spare: Spare = { key, iframe, loads: 0, helloSeen: false, standbyTimer: undefined, onLoad: () => this.loaded(spare) };
    iframe.addEventListener('load', spare.onLoad);
    this.spares.set(key, spare);
    this.holder.appendChild(iframe);
  }

  private loaded(spare: Spare): void {
    spare.loads += 1;
    if (spare.loads > 1) {
      // Its page went elsewhere before any channel: such a page cannot wait as a spare.
      this.unsuitable.add(spare.key);
      this.drop(spare.key);
    }
  }

  /** Hears only `hello` and `standby` from a spare's own frame, with the opaque origin of a local pane. */
  private receive(event: MessageEvent): void {
    const spare = [...this.spares.values()].find((s) => s.iframe.contentWindow !== null && s.iframe.contentWindow === event.source);
    if (!spare || event.origin !== 'null') {
      return;
    }
    const parsed = paneToHostSchema.safeParse(event.data);
    if (!parsed.success) {
      return;
    }
    if (parsed.data.kind === 'hello') {
      spare.helloSeen = true;
      spare.iframe.contentWindow?.postMessage({ protocol: PANE_PROTOCOL, kind: 'standby' }, '*');
      clearTimeout(spare.standbyTimer);
      spare.standbyTimer = setTimeout(() => {
        this.unsuitable.add(spare.key);
        this.drop(spare.key);
      }, STANDBY_ANSWER_MS);
    } else if (parsed.data.kind === 'standby') {
      clearTimeout(spare.standbyTimer);
      spare.standbyTimer = undefined;
    }
  }

  private release(spare: Spare): void {
    clearTimeout(spare.standbyTimer);
    spare.iframe.removeEventListener('load', spare.onLoad);
    delete spare.iframe.dataset.paneSpare;
  }

  private drop(key: string): void {
    const spare = this.spares.get(key);
    if (!spare) {
      return;
    }
    this.release(spare);
    this.spares.delete(key);
    spare.iframe.remove();
  }
}
