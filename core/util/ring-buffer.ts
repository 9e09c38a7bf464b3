/**
 * A fixed-capacity FIFO that drops the oldest items, bounded by count and by total weight.
 * @remarks Used for the SIP trace: an agent that stays on a call all day must not grow
 * without bound, so both the number of messages and their bytes are capped.
 * @public
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private size = 0;
  private weight = 0;
  private dropped = 0;

  constructor(
    readonly capacity: number,
    readonly maxWeight: number = Number.POSITIVE_INFINITY,
    private readonly weigh: (item: T) => number = () => 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.items = new Array<T | undefined>(capacity);
  }

  /** Number of items held. */
  get length(): number {
    return this.size;
  }

  /** Items evicted since creation. */
  get droppedCount(): number {
    return this.dropped;
  }

  push(item: T): void {
    if (this.size === this.capacity) {
      this.evictOldest();
    }
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size += 1;
    this.weight += this.weigh(item);
    while (this.weight > this.maxWeight && this.size > 1) {
      this.evictOldest();
    }
  }

  /** Items from oldest to newest. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i += 1) {
      out.push(this.items[(this.head + i) % this.capacity] as T);
    }
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.weight = 0;
  }

  private evictOldest(): void {
    const oldest = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size -= 1;
    this.weight -= this.weigh(oldest);
    this.dropped += 1;
  }
}
