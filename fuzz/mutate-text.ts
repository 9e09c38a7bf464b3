/**
 * Mutators for XML bodies: what a hostile or broken sender could put in a SIP body.
 * @packageDocumentation
 */
import type { Rng } from './rng';

/** Largest mutated body: a little over the 64 KiB cap of `parseXml`, so the cap path runs too. */
export const MAX_TEXT = 70_000;

/** Tokens that mean something to an XML reader, or to one of our parsers. */
const XML_TOKENS = [
  '<', '>', '</', '/>', '<a>', '</a>', '<a/>', '=', '"', "'", ':', '::', 'a:b:c', '&', ';', '&amp;', '&lt;', '&gt;', '&quot;', '&apos;',
  '&lt', '&#0;', '&#9;', '&#x0;', '&#xD800;', '&#xDFFF;', '&#xFFFE;', '&#x10FFFF;', '&#x110000;', '&#99999999;', '&#x;', '&#;', '&foo;',
  '&a.b:c-d;', '<![CDATA[', ']]>', '<![CDATA[<a>&amp;]]>', '<!--', '-->', '<!-- - -->', '<?xml version="1.0"?>', '<?pi x?>', '<?', '?>',
  '<!DOCTYPE r>', '<!doctype r [<!ENTITY e "x">]>', '<!ENTITY x SYSTEM "file:///etc/passwd">', '<!ENTITY', '<!ELEMENT a ANY>',
  ' xmlns=""', ' xmlns="urn:x"', ' xmlns:a="urn:a"', ' xmlns:a=""', ' xmlns:xml="urn:x"', ' xmlns:xmlns="urn:x"', ' xml:lang="en"',
  ' a="1"', ' a="1" a="2"', " b='<'", ' c', ' __proto__="x"', ' constructor="x"', ' toString="x"', ' hasOwnProperty="x"',
  '<__proto__/>', '<constructor>x</constructor>', '<toString/>', '<valueOf/>', '<#text>', '<:@/>', '<a:b/>', '<xmlns:a/>',
  'urn:ietf:params:xml:ns:conference-info', 'urn:ietf:params:xml:ns:cccp', 'http://schemas.microsoft.com/rtc/2005/08/confinfoextensions',
  'sip:', 'sips:', 'https://', 'http://', '%', '%00', '?', ';gruu', '{', '}', '=', '==', '+/', '-_',
];

/** Characters at the edges of what XML, UTF-16 and our header writers accept. */
const UNICODE_EDGES = [
  '\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001F', '\u007F', '\u0080', '\u0085', '\u009F', '\u00A0', '\u2028', '\u2029',
  '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uDC00\uD800', '\uFFFE', '\uFFFF', '\uFFFD', '\uFEFF', '\u202E', '\u202D', '\u200F', '\u061C',
  '\u0301', '\u{1F600}', '\u{10FFFF}', '\u{E0001}', '\r', '\n', '\r\n', '\t', '\u3000', '\u00E9', 'e\u0301', '\u0130', '\u212A',
];

/** Numbers at the boundaries of the integer checks (request ids, versions, lengths). */
const NUMBERS = [
  '0', '1', '-1', '-0', '+1', '00', '007', '1.0', '1e3', '0x10', '4294967295', '4294967296', '2147483647', '2147483648', '9999999999',
  '10000000000', '99999999999', '9007199254740991', '9007199254740993', '18446744073709551616', '1e309', 'NaN', 'Infinity', ' 1 ', '١',
];

/** What the structural mutators need to know about the seeds. */
export type TextCorpus = {
  readonly seeds: readonly string[];
  /** Element names seen in the seeds (with prefixes), for tag swaps. */
  readonly tagNames: readonly string[];
  /** Attribute names and `name="value"` pairs seen in the seeds, for attribute swaps. */
  readonly attributes: readonly string[];
};

/** Builds a {@link TextCorpus}, collecting tag and attribute names from the seeds. */
export function textCorpus(seeds: readonly string[]): TextCorpus {
  const tags = new Set<string>();
  const attributes = new Set<string>();
  for (const seed of seeds) {
    for (const m of seed.matchAll(/<\/?([A-Za-z_][\w.:-]*)/g)) {
      tags.add(m[1] ?? 'a');
    }
    for (const m of seed.matchAll(/\s([A-Za-z_][\w.:-]*)=("[^"<]*"|'[^'<]*')/g)) {
      attributes.add(m[0].trim());
    }
  }
  // Bodies that are not XML (SDP, header values) still get tag and attribute mutations: a peer
  // may send markup anywhere.
  return { seeds, tagNames: tags.size > 0 ? [...tags] : ['a'], attributes: attributes.size > 0 ? [...attributes] : ['a="b"'] };
}

type Mutator = (text: string, rng: Rng, corpus: TextCorpus) => string;

function at(text: string, rng: Rng): number {
  return rng.int(text.length + 1);
}

function span(text: string, rng: Rng): [number, number] {
  const from = at(text, rng);
  return [from, Math.min(text.length, from + rng.skewed(Math.max(1, text.length - from)))];
}

function insert(text: string, rng: Rng, piece: string): string {
  const i = at(text, rng);
  return text.slice(0, i) + piece + text.slice(i);
}

function randomChar(rng: Rng): string {
  const roll = rng.int(4);
  if (roll === 0) {
    return rng.pick(UNICODE_EDGES);
  }
  return String.fromCharCode(roll === 1 ? rng.int(0x10000) : roll === 2 ? rng.int(0x80) : rng.range(0x20, 0x7e));
}

const flipChar: Mutator = (text, rng) => {
  const i = rng.int(text.length);
  return text.slice(0, i) + randomChar(rng) + text.slice(i + 1);
};

const flipBit: Mutator = (text, rng) => {
  const i = rng.int(text.length);
  return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << rng.int(16))) + text.slice(i + 1);
};

const deleteSpan: Mutator = (text, rng) => {
  const [from, to] = span(text, rng);
  return text.slice(0, from) + text.slice(to);
};

const duplicateSpan: Mutator = (text, rng) => {
  const [from, to] = span(text, rng);
  const piece = text.slice(from, Math.min(to, from + 256));
  return text.slice(0, to) + piece.repeat(rng.skewed(16)) + text.slice(to);
};

const insertToken: Mutator = (text, rng) => insert(text, rng, rng.pick(XML_TOKENS));
const insertUnicode: Mutator = (text, rng) => insert(text, rng, rng.pick(UNICODE_EDGES));

const splice: Mutator = (text, rng, corpus) => {
  const other = rng.pick(corpus.seeds);
  return text.slice(0, at(text, rng)) + other.slice(rng.int(other.length + 1));
};

const insertFromSeed: Mutator = (text, rng, corpus) => {
  const other = rng.pick(corpus.seeds);
  const [from, to] = span(other, rng);
  return insert(text, rng, other.slice(from, to));
};

/** Replaces the n-th tag name (open or close) by another seen one, or by a hostile name. */
const swapTag: Mutator = (text, rng, corpus) => {
  const names = [...text.matchAll(/<\/?([A-Za-z_][\w.:-]*)/g)];
  const target = names.length === 0 ? undefined : rng.pick(names);
  if (target === undefined || target[1] === undefined) {
    return insertToken(text, rng, corpus);
  }
  const start = target.index + target[0].length - target[1].length;
  const replacement = rng.chance(0.8) ? rng.pick(corpus.tagNames) : rng.pick(['__proto__', 'a:b:c', ':a', 'a:', 'x:' + target[1], '0a', '']);
  return text.slice(0, start) + replacement + text.slice(start + target[1].length);
};

/** Adds, replaces or duplicates an attribute inside a start tag. */
const swapAttribute: Mutator = (text, rng, corpus) => {
  const tags = [...text.matchAll(/<[A-Za-z_][\w.:-]*/g)];
  const tag = tags.length === 0 ? undefined : rng.pick(tags);
  if (tag === undefined || corpus.attributes.length === 0) {
    return insertToken(text, rng, corpus);
  }
  const end = tag.index + tag[0].length;
  const after = text.slice(end);
  const existing = /^\s+[A-Za-z_][\w.:-]*=("[^"]*"|'[^']*')/.exec(after);
  const attribute = ` ${rng.pick(corpus.attributes)}`;
  if (existing !== null && rng.chance(0.5)) {
    return text.slice(0, end) + attribute + after.slice(existing[0].length);
  }
  return text.slice(0, end) + attribute + after;
};

/** Wraps a span in many nested elements: around and far above the depth cap. */
const nest: Mutator = (text, rng, corpus) => {
  const depth = rng.pick([2, 10, 63, 64, 65, 100]);
  const name = rng.chance(0.5) ? 'a' : rng.pick(corpus.tagNames);
  const [from, to] = span(text, rng);
  const close = rng.chance(0.8) ? `</${name}>`.repeat(depth) : '';
  return text.slice(0, from) + `<${name}>`.repeat(depth) + text.slice(from, to) + close + text.slice(to);
};

const hugeAttribute: Mutator = (text, rng) => {
  const size = rng.pick([100, 1000, 4000, 4095, 4096]);
  const fill = rng.pick(['A', ' ', '&amp;', '\u{1F600}', 'é', '&#10;']);
  const i = text.indexOf('>', rng.int(text.length));
  const piece = ` huge="${fill.repeat(Math.ceil(size / fill.length))}"`;
  return i === -1 ? insert(text, rng, piece) : text.slice(0, i) + piece + text.slice(i);
};

const hugeText: Mutator = (text, rng) => {
  const size = rng.pick([100, 1000, 4096]);
  const fill = rng.pick(['x', ' ', '\r\n', '<!---->', '&lt;', '<![CDATA[]]>', ']]', '&#x41;', '\u{1F600}']);
  return insert(text, rng, fill.repeat(Math.ceil(size / fill.length)));
};

/** A DOCTYPE prologue, an entity declaration or an undeclared entity reference. */
const injectEntity: Mutator = (text, rng) => {
  const pieces = [
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>',
    '<!DOCTYPE r SYSTEM "http://127.0.0.1/x.dtd">',
    '<!DOCTYPE r PUBLIC "-//x" "file:///etc/passwd">',
    '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
    '&xxe;', '&lol2;', '&#38;amp;', '&#x26;lt;', '&amp;lt;', '&#60;a&#62;', '&nbsp;', '&copy;', '&#X41;',
  ];
  const piece = rng.pick(pieces);
  return piece.startsWith('<!') && rng.chance(0.5) ? piece + text : insert(text, rng, piece);
};

/** Replaces a run of digits (a version, a request id, a length) by a boundary number. */
const boundaryNumber: Mutator = (text, rng) => {
  const runs = [...text.matchAll(/[0-9]+/g)];
  const run = runs.length === 0 ? undefined : rng.pick(runs);
  if (run === undefined) {
    return insert(text, rng, rng.pick(NUMBERS));
  }
  return text.slice(0, run.index) + rng.pick(NUMBERS) + text.slice(run.index + run[0].length);
};

/** Replaces a quoted attribute value or the text between tags by an edge value. */
const replaceValue: Mutator = (text, rng) => {
  const values = [...text.matchAll(/>([^<]*)<|"([^"]*)"/g)];
  const value = values.length === 0 ? undefined : rng.pick(values);
  if (value === undefined) {
    return flipChar(text, rng, { seeds: [], tagNames: [], attributes: [] });
  }
  const inner = value[1] ?? value[2] ?? '';
  const start = value.index + 1;
  const choices = ['', ' ', 'true', 'TRUE', 'false', 'yes', 'full', 'partial', 'deleted', 'success', 'failure', 'block', 'unblock',
    'audio', 'sendrecv', 'recvonly', 'data', 'DATA', 'name', 'customToast', 'simpleLink', 'installLink', rng.pick(NUMBERS),
    rng.pick(UNICODE_EDGES), inner + inner, inner.toUpperCase(), ` ${inner} `];
  return text.slice(0, start) + rng.pick(choices) + text.slice(start + inner.length);
};

const changeCase: Mutator = (text, rng) => {
  const [from, to] = span(text, rng);
  const piece = text.slice(from, to);
  return text.slice(0, from) + (rng.chance(0.5) ? piece.toUpperCase() : piece.toLowerCase()) + text.slice(to);
};

const truncate: Mutator = (text, rng) => text.slice(0, rng.int(text.length + 1));

/**
 * One large input: a span of a seed repeated up to the size cap, or nesting far past the depth
 * cap. Where quadratic scans, backtracking regexes and deep recursion show; kept to a small
 * share of the inputs because each costs as much as a hundred ordinary ones.
 */
export function stretchText(text: string, rng: Rng): string {
  const [from, to] = span(text, rng);
  const piece = rng.chance(0.3) ? rng.pick(['<a>', '<a/>', ' ', '<!---->', '&amp;', '<![CDATA[]]>', '/a>', '\u{1F600}', 'a:']) : text.slice(from, Math.min(to, from + 64));
  const times = Math.floor(rng.pick([4_000, 16_000, 65_000, MAX_TEXT]) / Math.max(1, piece.length));
  return (text.slice(0, to) + piece.repeat(times) + text.slice(to)).slice(0, MAX_TEXT);
}

/** Mutators with weights: cheap local changes often, expensive structural ones now and then. */
const MUTATORS: readonly (readonly [Mutator, number])[] = [
  [flipChar, 10], [flipBit, 4], [deleteSpan, 8], [duplicateSpan, 6], [insertToken, 12], [insertUnicode, 6], [splice, 4],
  [insertFromSeed, 5], [swapTag, 8], [swapAttribute, 8], [nest, 2], [hugeAttribute, 1], [hugeText, 1], [injectEntity, 3],
  [boundaryNumber, 6], [replaceValue, 10], [changeCase, 2], [truncate, 3],
];
const WEIGHTED: readonly Mutator[] = MUTATORS.flatMap(([m, weight]) => Array.from({ length: weight }, () => m));

/**
 * Applies one to eight random mutations ("havoc") to a string, keeping it under {@link MAX_TEXT}.
 * @param text - the seed or an earlier mutant
 * @param rng - the run's generator
 * @param corpus - seeds and names for splicing and swaps
 */
export function mutateText(text: string, rng: Rng, corpus: TextCorpus): string {
  let out = text;
  const rounds = rng.chance(0.5) ? 1 : rng.range(2, 8);
  for (let i = 0; i < rounds; i += 1) {
    out = rng.pick(WEIGHTED)(out, rng, corpus);
    if (out.length > MAX_TEXT) {
      out = out.slice(0, MAX_TEXT);
    }
  }
  return out;
}

/**
 * A generator of inputs for a text target: every prefix of every seed up to `sweepMax`
 * characters (truncation at every length) as every fourth input until all are done, one
 * {@link stretchText} input in 512, and havoc mutants of random seeds otherwise.
 * @remarks The sweep is part of the index space, so it is as reproducible as the rest.
 */
export function textInputs(corpus: TextCorpus, sweepMax = 2048): (rng: Rng, index: number) => string {
  const sweep = corpus.seeds.filter((s) => s.length <= sweepMax);
  const offsets: number[] = [];
  let total = 0;
  for (const seed of sweep) {
    offsets.push(total);
    total += seed.length;
  }
  return (rng, index) => {
    // Every fourth input belongs to the sweep until it is done, so a short run mixes both.
    const step = index / 4;
    if (index % 512 === 1) {
      return stretchText(rng.pick(corpus.seeds), rng);
    }
    if (index % 4 === 0 && step < total) {
      let k = offsets.length - 1;
      while ((offsets[k] ?? 0) > step) {
        k -= 1;
      }
      return (sweep[k] ?? '').slice(0, step - (offsets[k] ?? 0));
    }
    return mutateText(rng.pick(corpus.seeds), rng, corpus);
  };
}
