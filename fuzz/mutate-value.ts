/**
 * Mutators for structured messages (the pane protocol): values a `postMessage` peer could send.
 * @packageDocumentation
 */
import { mutateText, type TextCorpus } from './mutate-text';
import type { Rng } from './rng';

const EMPTY_CORPUS: TextCorpus = { seeds: ['x'], tagNames: ['a'], attributes: ['a="1"'] };

/** Leaves that break type checks: wrong types, numeric edges, exotic objects. */
function edgeValue(rng: Rng): unknown {
  const values: (() => unknown)[] = [
    () => undefined, () => null, () => true, () => 0, () => -0, () => -1, () => 1.5, () => NaN, () => Infinity, () => -Infinity,
    () => 2 ** 31, () => 2 ** 53, () => 2 ** 53 + 2, () => -(2 ** 53), () => Number.MAX_VALUE, () => Number.MIN_VALUE, () => 10n,
    () => '', () => ' ', () => 'x'.repeat(rng.pick([255, 256, 65_536, 65_537])), () => '\uD800', () => '\u0000', () => '__proto__',
    () => [], () => [[[[]]]], () => ({}), () => Object.create(null), () => new Date(NaN), () => new Map([['kind', 'init']]),
    () => new Set([1]), () => new Uint8Array(4), () => new ArrayBuffer(8), () => /re/g, () => new Error('x'), () => new String('init'),
    () => Symbol('s'), () => (): void => undefined, () => JSON.parse('{"__proto__":{"kind":"init"}}'), () => sparseArray(),
  ];
  return rng.pick(values)();
}

function sparseArray(): unknown[] {
  const array: unknown[] = [];
  array[5] = 'x';
  return array;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Copies plain objects and arrays (what the mutators edit); anything else is shared.
 * @remarks Memoised, so shared references stay shared and cycles stay cycles: copying a cycle
 * naively never ends, and copying shared subtrees separately grows a value exponentially.
 */
export function cloneValue(value: unknown, copies = new Map<object, unknown>()): unknown {
  if (!(Array.isArray(value) || isRecord(value))) {
    return value;
  }
  const done = copies.get(value);
  if (done !== undefined) {
    return done;
  }
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  copies.set(value, copy);
  for (const [k, v] of Object.entries(value)) {
    // defineProperty: an own `__proto__` key (JSON.parse makes them) must stay a key.
    Object.defineProperty(copy, k, { value: cloneValue(v, copies), writable: true, enumerable: true, configurable: true });
  }
  return copy;
}

/** Every plain object or array inside `value`, each once, root first, at most `limit`. */
function containers(value: unknown, limit = 5000): (Record<string, unknown> | unknown[])[] {
  const out: (Record<string, unknown> | unknown[])[] = [];
  const seen = new Set<object>();
  const stack = [value];
  while (stack.length > 0 && out.length < limit) {
    const next = stack.pop();
    if ((Array.isArray(next) || isRecord(next)) && !seen.has(next)) {
      seen.add(next);
      out.push(next);
      stack.push(...Object.values(next).slice(0, 100));
    }
  }
  return out;
}

type Slot = { get(): unknown; set(v: unknown): void; remove(): void; keys: readonly string[] };

function slotOf(container: Record<string, unknown> | unknown[], key: string): Slot {
  const record = container as Record<string, unknown>;
  return {
    get: () => record[key],
    // Reflect, not assignment: a pool value may be frozen, and a failed edit is just no edit.
    set: (v) => {
      Reflect.set(record, key, v);
    },
    remove: () => {
      if (Array.isArray(container)) {
        // By hand: a mutant may have replaced the array's constructor or prototype, which
        // breaks splice (Symbol.species) and every other array method.
        for (let i = Number(key); i < container.length - 1; i += 1) {
          Reflect.set(container, i, container[i + 1]);
        }
        Reflect.set(container, 'length', Math.max(0, container.length - 1));
      } else {
        Reflect.deleteProperty(record, key);
      }
    },
    keys: Object.keys(container),
  };
}

/** One edit at a random place of `root` (mutated in place); returns the new root. */
function mutateOnce(root: unknown, rng: Rng, pool: readonly unknown[]): unknown {
  const places = containers(root);
  if (places.length === 0 || rng.chance(0.03)) {
    return rng.chance(0.5) ? edgeValue(rng) : cloneValue(rng.pick(pool));
  }
  const container = rng.pick(places);
  const keys = Object.keys(container);
  const key = keys.length === 0 ? '0' : rng.pick(keys);
  const slot = slotOf(container, key);
  const current = slot.get();
  switch (rng.int(9)) {
    case 0:
      slot.set(edgeValue(rng));
      break;
    case 1:
      slot.remove();
      break;
    case 2:
      slot.set(typeof current === 'string' ? mutateText(current === '' ? 'x' : current, rng, EMPTY_CORPUS) : edgeValue(rng));
      break;
    case 3:
      // Never `__proto__` by assignment: an object whose prototype is, say, a Set instance
      // cannot come through postMessage (structured clone keeps standard prototypes only), and
      // zod rightly trusts `instanceof Set`. Own `__proto__` keys come from edgeValue instead.
      Reflect.set(container, rng.pick(['extra', 'constructor', 'kind', 'protocol', '0', 'then']), edgeValue(rng));
      break;
    case 4:
      slot.set(cloneValue(rng.pick(pool)));
      break;
    case 5:
      // A cycle: structured clone carries them, so a pane can send one.
      slot.set(rng.chance(0.5) ? root : container);
      break;
    case 6:
      slot.set(nestValue(current, rng.pick([10, 100, 1000])));
      break;
    case 7:
      // One shared element: a long array costs its length, not its length times the element.
      // At most 1,000: zod spends ~20 µs per failing element (linear), so 10,000 bad
      // participants take 200 ms however the schema is written; that is size, not a bug.
      slot.set(new Array<unknown>(rng.pick([0, 1, 100, 1000])).fill(current));
      break;
    default:
      slot.set(typeof current === 'number' ? rng.pick([current + 1, current - 1, -current, current / 2, current * 2 ** 32]) : safeString(current));
  }
  return root;
}

/** `String(value)`, or a tag when the value has no way to become a string (a null prototype). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}

function nestValue(value: unknown, depth: number): unknown {
  let out = value;
  for (let i = 0; i < depth; i += 1) {
    out = i % 2 === 0 ? [out] : { conversation: out };
  }
  return out;
}

/**
 * A mutant of a random pool value: one to four in-place edits of a fresh copy.
 * @param pool - valid and near-valid messages, and arbitrary values (see `pane-seeds.ts`)
 */
export function mutateValue(rng: Rng, pool: readonly unknown[]): unknown {
  let value = cloneValue(rng.pick(pool));
  const rounds = rng.range(1, 4);
  for (let i = 0; i < rounds; i += 1) {
    value = mutateOnce(value, rng, pool);
  }
  return value;
}

/** Smaller variants of a value for minimisation: a child instead of the whole, a key or element fewer. */
export function* shrinkValue(value: unknown): Iterable<unknown> {
  if (!(Array.isArray(value) || isRecord(value))) {
    if (typeof value === 'string' && value.length > 0) {
      yield value.slice(0, value.length >> 1);
    }
    return;
  }
  for (const child of Object.values(value)) {
    yield child;
  }
  for (const key of Object.keys(value)) {
    const copy = cloneValue(value) as Record<string, unknown> | unknown[];
    slotOf(copy, key).remove();
    yield copy;
  }
  for (const key of Object.keys(value)) {
    for (const smaller of shrinkValue((value as Record<string, unknown>)[key])) {
      const copy = cloneValue(value) as Record<string, unknown>;
      copy[key] = smaller;
      yield copy;
    }
  }
}

function constructorName(value: object): string {
  try {
    return String((value as { constructor?: { name?: unknown } }).constructor?.name ?? 'object');
  } catch {
    return 'object';
  }
}

/** Entries of a Map or Set, or own properties; a broken exotic object reads as a tag. */
function contentsOf(value: object): unknown {
  try {
    return value instanceof Map || value instanceof Set ? Array.from(value) : Object.entries(value);
  } catch {
    return '<unreadable>';
  }
}

/** A readable rendering of any value, cycles and exotic objects included, for crash files. */
export function showValue(value: unknown): string {
  const seen = new WeakSet<object>();
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function' || typeof v === 'undefined') {
      return `<${typeof v} ${String(v)}>`;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      return `<number ${String(v)}>`;
    }
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) {
        return '<seen above: shared or cyclic>';
      }
      seen.add(v);
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== Array.prototype) {
        // Returned for the same replacer to walk, so BigInts and cycles inside are handled too.
        return { [`<${proto === null ? 'null-prototype' : constructorName(v)}>`]: contentsOf(v) };
      }
    }
    return v;
  }, 1);
  return text ?? String(value);
}
