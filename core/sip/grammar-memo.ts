import { Grammar, NameAddrHeader, URI } from 'sip.js';

/**
 * A memo in front of sip.js's header grammar, for the header values a dialog repeats.
 *
 * @remarks
 * sip.js parses about ten headers of every message with a generated PEG interpreter
 * (`Grammar.parse`), and the channel-info bench's profile puts that parse near 40% of a
 * receiving agent's CPU. Inside one dialog the request line and From, To, Call-ID, Contact and
 * Content-Type come back byte for byte in every INFO, so their parse is done once and then
 * copied; so is a Via's apart from its branch, and a CSeq's apart from its number (see
 * {@link GrammarMemo}).
 *
 * Every parsing guarantee stays: a miss runs sip.js's own grammar and hands its result on
 * untouched, and a hit is a copy of what that grammar returned for exactly the same input and
 * rule (failures included). The copy is structural and keeps each object's prototype, so it is
 * indistinguishable from a fresh parse, and each caller gets its own objects: sip.js and we may
 * change a parsed header (a tag, a parameter) without touching the memo. A result holding any
 * object the copier does not know (another class, an accessor, a symbol key, deeper than
 * {@link MAX_DEPTH}, more than {@link MAX_OBJECTS} objects) is not memoized at all. Per rule at
 * most {@link ENTRIES_PER_RULE} inputs of up to {@link MAX_INPUT} characters are kept, the oldest
 * dropped first, so a peer sending ever-new values costs a bounded amount of memory and one
 * failed lookup per header.
 * @packageDocumentation
 */

/**
 * A Via's `;branch=` parameter with its token (RFC 3261 §25.1 token characters, as long as
 * they go): the one part of a proxy's Via that changes from request to request.
 */
const VIA_BRANCH = /;branch=([A-Za-z0-9.!%*_+`'~-]+)/i;
const BRANCH_WORD = /branch/i;
/** What stands for the branch in a memoized Via; a token, so the grammar reads it as one. */
const BRANCH_PLACEHOLDER = 'z9hG4bKmemo';

/** A CSeq's number and the rest (whitespace first): only the number changes within a dialog. */
const CSEQ = /^([0-9]{1,10})([ \t][^]*)$/;

/** The grammar rules memoized: the ones whose input repeats across a dialog's messages. */
const MEMOIZED_RULES: ReadonlySet<string> = new Set([
  'Request_Response',
  'From',
  'To',
  'Call_ID',
  'Contact',
  'Record_Route',
  'Content_Type',
  'Max_Forwards',
  'Content_Length',
]);

/** Inputs kept per rule; the oldest goes first. */
export const ENTRIES_PER_RULE = 256;

/** Longest input memoized; a longer one is parsed every time. */
export const MAX_INPUT = 1024;

/**
 * Most objects in one memoized result (a request line is 6: the data, its URI and the URI's
 * parts; one Contact 9); a bigger result, such as a long Contact list, is not memoized. With
 * {@link ENTRIES_PER_RULE} and {@link MAX_INPUT} this bounds the memo near 5 MiB at worst
 * (nine rules, 256 entries each of at most 16 small objects and 2 KiB of input), and a few
 * hundred KiB in practice.
 */
export const MAX_OBJECTS = 16;

/** Deepest result memoized (a Contact list is 5 deep: array, entry, header, URI, parameters). */
const MAX_DEPTH = 8;

/** The prototypes a result may be made of; any other object makes it not memoizable. */
const KNOWN_PROTOTYPES: ReadonlySet<object | null> = new Set<object | null>([Object.prototype, Array.prototype, URI.prototype, NameAddrHeader.prototype]);

/** Marks a value the copier refuses. */
const UNCOPYABLE: unique symbol = Symbol('uncopyable');

type Parse = (input: string, startRule: string) => unknown;

/**
 * A structural copy of a parse result keeping prototypes, or {@link UNCOPYABLE}.
 * @remarks Only own, enumerable, writable data properties are expected on what the grammar
 * builds (class fields and plain objects); anything else is refused rather than guessed at.
 */
export function copyParsed(value: unknown, depth = 0, budget = { objects: MAX_OBJECTS }): unknown {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'function' || typeof value === 'symbol' ? UNCOPYABLE : value;
  }
  const prototype: object | null = Object.getPrototypeOf(value) as object | null;
  budget.objects -= 1;
  if (budget.objects < 0 || depth > MAX_DEPTH || !KNOWN_PROTOTYPES.has(prototype) || Object.getOwnPropertySymbols(value).length > 0) {
    return UNCOPYABLE;
  }
  const names = Object.getOwnPropertyNames(value);
  // Arrays only dense and without extra keys: indices 0..length-1 and `length`, nothing else.
  if (Array.isArray(value) && (names.length !== value.length + 1 || !names.every((name, i) => name === 'length' || name === String(i)))) {
    return UNCOPYABLE;
  }
  const source = value as Record<string, unknown>;
  const copy = (Array.isArray(value) ? [] : Object.create(prototype)) as Record<string, unknown>;
  for (const key of names) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (Array.isArray(value) && key === 'length') {
      continue;
    }
    if (!descriptor || !('value' in descriptor) || !descriptor.enumerable || !descriptor.writable || !descriptor.configurable) {
      return UNCOPYABLE;
    }
    const inner = copyParsed(source[key], depth + 1, budget);
    if (inner === UNCOPYABLE) {
      return UNCOPYABLE;
    }
    copy[key] = inner;
  }
  return copy;
}

/**
 * A copy of a memo entry: what {@link copyParsed} makes, without its checks.
 * @remarks An entry is {@link copyParsed}'s own output, already checked to be plain data
 * properties over the known prototypes and never changed since, so the copy on every hit
 * needs no property descriptors (which were most of the copier's cost in the profile).
 */
function copyEntry(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(copyEntry);
  }
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    copy[key] = copyEntry((value as Record<string, unknown>)[key]);
  }
  return copy;
}

/** The memo itself, around one parse function; exported for its tests. */
export class GrammarMemo {
  private readonly rules = new Map<string, Map<string, unknown>>();

  constructor(private readonly parse: Parse) {}

  /** Entries held now, over every rule. */
  get size(): number {
    let size = 0;
    for (const entries of this.rules.values()) {
      size += entries.size;
    }
    return size;
  }

  /** `parse(input, startRule)`, from the memo when the same input was parsed before. */
  lookup(input: string, startRule: string): unknown {
    if (typeof input !== 'string' || input.length > MAX_INPUT) {
      return this.parse(input, startRule);
    }
    if (startRule === 'Via') {
      return this.via(input);
    }
    if (startRule === 'CSeq') {
      return this.cseq(input);
    }
    return MEMOIZED_RULES.has(startRule) ? this.memoized(input, startRule) : this.parse(input, startRule);
  }

  private memoized(input: string, rule: string): unknown {
    let entries = this.rules.get(rule);
    if (entries === undefined) {
      entries = new Map();
      this.rules.set(rule, entries);
    }
    if (entries.has(input)) {
      return copyEntry(entries.get(input));
    }
    const result = this.parse(input, rule);
    const kept = copyParsed(result);
    if (kept !== UNCOPYABLE) {
      if (entries.size >= ENTRIES_PER_RULE) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) {
          entries.delete(oldest.value);
        }
      }
      entries.set(input, kept);
    }
    return result;
  }

  /**
   * A CSeq: memoized with its number as `1`, then the real number put back (the grammar's
   * own `parseInt` of the digits). The digits are a maximal run followed by whitespace, so the
   * rest reads the same; the placeholder parse must come back with `value` 1.
   */
  private cseq(input: string): unknown {
    const match = CSEQ.exec(input);
    const digits = match?.[1];
    const shape = match?.[2] === undefined ? undefined : this.memoized(`1${match[2]}`, 'CSeq');
    if (digits === undefined || typeof shape !== 'object' || shape === null || Object.getPrototypeOf(shape) !== Object.prototype || (shape as { value?: unknown }).value !== 1) {
      return this.parse(input, 'CSeq');
    }
    (shape as { value: number }).value = Number.parseInt(digits, 10);
    return shape;
  }

  /**
   * A Via: memoized with its branch token replaced by a placeholder, then the real branch put
   * back, since only the branch changes between a proxy's requests.
   * @remarks Taken only when the value has one `branch` at all, as `;branch=` with a token, and
   * no quoted string (where `;branch=` could be text): then both runs of token characters are
   * read by the same grammar path and the results differ only in `branch`. The placeholder
   * parse must also come back as a plain object whose `branch` is the placeholder; otherwise
   * the Via is parsed as it is.
   */
  private via(input: string): unknown {
    const match = input.includes('"') ? null : VIA_BRANCH.exec(input);
    const branch = match?.[1];
    if (match === null || branch === undefined || input.search(BRANCH_WORD) !== match.index + 1 || BRANCH_WORD.test(input.slice(match.index + 7))) {
      return this.parse(input, 'Via');
    }
    const end = match.index + match[0].length;
    const shape = this.memoized(input.slice(0, end - branch.length) + BRANCH_PLACEHOLDER + input.slice(end), 'Via');
    if (typeof shape !== 'object' || shape === null || Object.getPrototypeOf(shape) !== Object.prototype || (shape as { branch?: unknown }).branch !== BRANCH_PLACEHOLDER) {
      return this.parse(input, 'Via');
    }
    (shape as { branch: string }).branch = branch;
    return shape;
  }
}

let installed: GrammarMemo | undefined;

/**
 * Puts a {@link GrammarMemo} in front of sip.js's `Grammar.parse` for this process; once only.
 * @remarks sip.js looks `Grammar.parse` up on its namespace object at each call (the message
 * parser, `URI` and name-addr helpers), so every parse in the process goes through the memo.
 * @returns the memo, for tests and diagnostics
 */
export function memoizeSipGrammar(): GrammarMemo {
  if (installed === undefined) {
    const grammar = Grammar as unknown as { parse: Parse };
    const original = grammar.parse;
    const memo = new GrammarMemo(original);
    grammar.parse = (input, startRule) => memo.lookup(input, startRule);
    installed = memo;
  }
  return installed;
}
