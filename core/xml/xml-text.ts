/**
 * Character-level XML helpers: UTF-8 sizing, the XML `Char` production, whitespace trimming and
 * reference decoding. No DOM, no `TextEncoder`, no `Buffer`: `core/` compiles against plain ES2023.
 * @packageDocumentation
 */

/**
 * Counts the bytes `text` occupies once encoded as UTF-8.
 * @remarks A lone surrogate counts as 3 bytes, the size of the U+FFFD an encoder substitutes
 * (WHATWG Encoding "UTF-8 encode"). Counting stops once the total exceeds `stopAbove`, so an
 * oversized body costs no more than the cap to measure.
 * @param text - the string to measure
 * @param stopAbove - return as soon as the count exceeds this
 * @returns the byte length, or the first partial count above `stopAbove`
 * @public
 */
export function utf8ByteLength(text: string, stopAbove: number = Number.POSITIVE_INFINITY): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      bytes += 1;
    } else if (unit < 0x800) {
      bytes += 2;
    } else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i += 1;
    } else {
      bytes += 3;
    }
    if (bytes > stopAbove) {
      return bytes;
    }
  }
  return bytes;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Tells whether a code point may appear in an XML 1.0 document.
 * @remarks XML 1.0 (Fifth Edition) §2.2, production [2] `Char`.
 * @public
 */
export function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

// The complement of XML 1.0 §2.2 `Char`. With the `u` flag a lone surrogate is one code point
// outside every range, so it matches too.
const NON_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NON_XML_CHARS = new RegExp(NON_XML_CHAR.source, 'gu');

/**
 * Finds the first character that XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF).
 * @remarks XML 1.0 §2.2: such characters cannot appear in a document, not even as references.
 * @returns its UTF-16 index, or -1
 * @public
 */
export function indexOfNonXmlChar(text: string): number {
  return text.search(NON_XML_CHAR);
}

/**
 * Replaces every character XML 1.0 cannot carry by U+FFFD.
 * @remarks XML 1.0 §2.2. Builders use it so that text from users (a subject line pasted with a
 * stray control character) still yields a well-formed document instead of an exception.
 * @public
 */
export function replaceNonXmlChars(text: string): string {
  return text.replace(NON_XML_CHARS, '\uFFFD');
}

function isXmlSpace(unit: number): boolean {
  return unit === 0x20 || unit === 0x9 || unit === 0xa || unit === 0xd;
}

/**
 * Removes leading and trailing XML white space (space, tab, CR, LF) and nothing else.
 * @remarks XML 1.0 §2.3 production [3] `S`. `String.prototype.trim` would also strip U+3000 or
 * U+FEFF, which are content in XML. A loop, not `/\s+$/`: that regex is quadratic on long runs of
 * spaces followed by a non-space, which a hostile body can supply.
 * @public
 */
export function xmlTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isXmlSpace(text.charCodeAt(start))) {
    start += 1;
  }
  while (end > start && isXmlSpace(text.charCodeAt(end - 1))) {
    end -= 1;
  }
  return text.slice(start, end);
}

/**
 * Tells whether `text` is empty or XML white space only.
 * @remarks XML 1.0 §2.3 production [3] `S`.
 * @public
 */
export function isXmlBlank(text: string): boolean {
  return xmlTrim(text) === '';
}

/** Why a reference could not be decoded. @public */
export type ReferenceFailure = { readonly rule: 'entity' | 'malformed'; readonly message: string };

/** Outcome of {@link decodeReferences}. @public */
export type DecodeResult = { readonly ok: true; readonly value: string } | ({ readonly ok: false } & ReferenceFailure);

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const DECIMAL_REF = /^#[0-9]{1,7}$/;
const HEX_REF = /^#x[0-9a-fA-F]{1,6}$/;
const ENTITY_NAME = /^[A-Za-z_:][\w.:-]*$/;
// Longer than any legal reference we accept (`#x10FFFF`), short enough to bound the search.
const MAX_REFERENCE_LENGTH = 32;

/**
 * Decodes the five predefined entities and numeric character references in raw XML content.
 * @remarks XML 1.0 §4.1 (references), §4.6 (predefined entities), §3.3.3 (attribute-value
 * normalisation: literal tab, CR and LF become spaces, while `&#10;` stays a line feed) and
 * §2.11 (line ends). Any other named reference is undeclared, because a DTD is never
 * processed, and yields rule `entity`; a bare `&` or a reference to a non-`Char` yields rule
 * `malformed`.
 * @param raw - text or attribute value exactly as it appears in the document
 * @param inAttribute - apply attribute-value normalisation and refuse a raw `<`
 * @public
 */
export function decodeReferences(raw: string, inAttribute: boolean): DecodeResult {
  if (inAttribute && raw.includes('<')) {
    return { ok: false, rule: 'malformed', message: "'<' is not allowed in an attribute value" };
  }
  let out = '';
  let from = 0;
  for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', from)) {
    out += normaliseLiteral(raw.slice(from, amp), inAttribute);
    const semi = raw.indexOf(';', amp + 1);
    const name = semi === -1 || semi - amp > MAX_REFERENCE_LENGTH ? '' : raw.slice(amp + 1, semi);
    const decoded = decodeReference(name);
    if (!decoded.ok) {
      return decoded;
    }
    out += decoded.value;
    from = semi + 1;
  }
  return { ok: true, value: out + normaliseLiteral(raw.slice(from), inAttribute) };
}

function normaliseLiteral(segment: string, inAttribute: boolean): string {
  const lineEnds = segment.replace(/\r\n?/g, '\n');
  return inAttribute ? lineEnds.replace(/[\t\n]/g, ' ') : lineEnds;
}

function decodeReference(name: string): DecodeResult {
  if (DECIMAL_REF.test(name) || HEX_REF.test(name)) {
    const codePoint = name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return isXmlChar(codePoint)
      ? { ok: true, value: String.fromCodePoint(codePoint) }
      : { ok: false, rule: 'malformed', message: `&${name}; refers to a character XML does not allow` };
  }
  if (Object.hasOwn(PREDEFINED_ENTITIES, name)) {
    return { ok: true, value: PREDEFINED_ENTITIES[name] ?? '' };
  }
  if (ENTITY_NAME.test(name)) {
    return { ok: false, rule: 'entity', message: `undeclared entity reference &${name}; (entities are never expanded)` };
  }
  return { ok: false, rule: 'malformed', message: "'&' must start a character or entity reference" };
}
