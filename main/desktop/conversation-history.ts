import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { desktopStateSchema, type Conversation } from '../../common/desktop-state';
import type { Logger } from '../../core/ports/logger';

/** How often changed conversations are written: a burst of messages costs one write. */
const FLUSH_MS = 1000;
/** Conversations restored at start, newest first (the desktop state keeps 30). */
const RESTORED = 30;
/** A history file larger than this is not read back (a damaged or foreign file). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

const conversationSchema = desktopStateSchema.shape.conversations.element;

/**
 * Conversation history on disk, one JSON file per conversation in `<config>/history/`: what the
 * conversation window shows (its lines, chat messages with their delivery state, panes opened),
 * written a second after it changes (atomically: temp file, then rename) and read back at the
 * next start, for as many days as the retention setting says (issue 13).
 * @remarks Files are named by a hash of the conversation id, so no peer-chosen text reaches a
 * file name; what is read back is validated with the desktop state's own schema, and a file
 * that fails is skipped and logged, never trusted.
 */
export class ConversationHistory {
  private readonly saved = new WeakSet<Conversation>();
  private readonly dirty = new Map<string, Conversation>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    /** Days a conversation is kept after it last changed; 0 keeps none. */
    private readonly retentionDays: () => number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Conversations of the retention period, newest first; older files are deleted. */
  async load(): Promise<Conversation[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const found: Conversation[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const conversation = await this.read(join(this.dir, name));
      if (conversation !== undefined) {
        found.push(conversation);
      }
    }
    found.sort((a, b) => lastChange(b) - lastChange(a));
    return found.slice(0, RESTORED).map((c) => ({ ...c, chat: c.chat === undefined ? undefined : { ...c.chat, typing: [], unread: 0 } })).map(stripUndefined);
  }

  /** Notes the state's conversations after an event; changed ones are written within a second. */
  observe(conversations: readonly Conversation[]): void {
    if (this.retentionDays() <= 0) {
      return;
    }
    for (const conversation of conversations) {
      if (conversation.restored !== true && !this.saved.has(conversation)) {
        this.saved.add(conversation);
        this.dirty.set(conversation.id, conversation);
      }
    }
    if (this.dirty.size > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what changed now (also at exit). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.dirty.values()];
    this.dirty.clear();
    this.writing = this.writing.then(() => this.write(batch)).catch((error: unknown) => this.log.warn('conversation history not written', { error: String(error) }));
    return this.writing;
  }

  private async write(batch: readonly Conversation[]): Promise<void> {
    if (batch.length === 0) {
      return;
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const conversation of batch) {
      const file = join(this.dir, `${createHash('sha256').update(conversation.id).digest('hex').slice(0, 32)}.json`);
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify({ ...conversation, chat: conversation.chat && { ...conversation.chat, typing: [], unread: 0 } }), { mode: 0o600 });
      await rename(temp, file);
    }
  }

  private async read(file: string): Promise<Conversation | undefined> {
    try {
      const info = await stat(file);
      const keepMs = this.retentionDays() * 86_400_000;
      if (info.size > MAX_FILE_BYTES || this.now() - info.mtimeMs > keepMs) {
        await rm(file, { force: true });
        return undefined;
      }
      const parsed = conversationSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success) {
        this.log.warn('skipping an unreadable conversation history file', { file, issue: parsed.error.issues[0]?.message ?? '' });
        return undefined;
      }
      return parsed.data;
    } catch (error) {
      this.log.warn('skipping a conversation history file', { file, error: String(error) });
      return undefined;
    }
  }
}

function lastChange(c: Conversation): number {
  return Math.max(c.endedAt ?? 0, c.startedAt, c.history.at(-1)?.at ?? 0, c.chat?.messages.at(-1)?.at ?? 0);
}

/** A restored conversation is over: whatever it was doing when the host stopped. */
function stripUndefined(c: Conversation): Conversation {
  const { chat, ...rest } = c;
  return { ...rest, state: 'ended', ...(chat !== undefined && { chat: { ...chat, session: 'ended' as const } }) };
}
