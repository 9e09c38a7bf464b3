import { IdleTracker } from './idle-tracker';

/** The channel on which the app's windows tell the main window they saw input. */
const CHANNEL = 'switchboard-activity';
/** A window relays its input at most this often (the idle time is 5 minutes: 15 s is noise). */
export const RELAY_EVERY_MS = 15_000;
/** Keyboard, mouse, wheel and touch: what says someone is at the desk. */
const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/** Calls `onInput` for every input event in `target`, through one passive listener set; returns the removal. */
function listenForInput(target: Window, onInput: () => void): () => void {
  const options: AddEventListenerOptions = { passive: true, capture: true };
  for (const type of INPUT_EVENTS) {
    target.addEventListener(type, onInput, options);
  }
  return () => INPUT_EVENTS.forEach((type) => target.removeEventListener(type, onInput, options));
}

/** A channel to the other windows of this origin, or none where the browser has no BroadcastChannel. */
function openChannel(): BroadcastChannel | undefined {
  return typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(CHANNEL);
}

/**
 * The main window: watches its own input and the input other windows relay, and reports idle
 * (and back) through `report`. Returns the stop.
 */
export function watchForIdle(report: (idle: boolean) => void): () => void {
  const tracker = new IdleTracker(report);
  const channel = openChannel();
  if (channel) {
    channel.onmessage = () => tracker.input();
  }
  const stopListening = listenForInput(window, () => tracker.input());
  return () => {
    stopListening();
    channel?.close();
    tracker.stop();
  };
}

/**
 * Any other window (a conversation, the toast): relays its input to the main window, at most
 * every {@link RELAY_EVERY_MS}; the first input after a quiet spell goes at once. Returns the stop.
 */
export function relayInput(): () => void {
  const channel = openChannel();
  if (!channel) {
    return () => undefined;
  }
  let lastRelayed = Number.NEGATIVE_INFINITY;
  const stopListening = listenForInput(window, () => {
    const now = Date.now();
    if (now - lastRelayed >= RELAY_EVERY_MS) {
      lastRelayed = now;
      channel.postMessage('input');
    }
  });
  return () => {
    stopListening();
    channel.close();
  };
}
