/** While the agent keeps typing, "typing" is said again this often (the peer's indicator fades after 10 s). */
export const TYPING_REPEAT_MS = 4_000;
/** The agent stopped typing after this long without an edit. */
export const TYPING_IDLE_MS = 5_000;

/**
 * Turns the edits of a message box into typing notices: `true` at the first edit and again at
 * most every {@link TYPING_REPEAT_MS} while edits go on, `false` once the box is emptied, the
 * message is sent ({@link stop}) or no edit came for {@link TYPING_IDLE_MS}. Keystrokes cost a
 * clock read and a timer reset; the notices themselves are few.
 */
export class TypingNotifier {
  private typing = false;
  private lastSaid = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly say: (typing: boolean) => void) {}

  /** The box's text changed; `text` is what it holds now. */
  edited(text: string): void {
    if (text.trim() === '') {
      this.stop();
      return;
    }
    const now = Date.now();
    if (!this.typing || now - this.lastSaid >= TYPING_REPEAT_MS) {
      this.typing = true;
      this.lastSaid = now;
      this.say(true);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** The agent stopped typing (sent the message, emptied the box, left): `false`, once. */
  stop(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.typing) {
      this.typing = false;
      this.say(false);
    }
  }
}
