/**
 * Hardened XML reading for SIP bodies: size cap, no DTD, no entities, namespace-resolved tree.
 * @packageDocumentation
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeReferences, indexOfNonXmlChar, isXmlBlank, replaceNonXmlChars, utf8ByteLength, xmlTrim } from './xml-text';

/**
 * An element of a parsed document, with prefixes resolved to namespace URIs.
 * @remarks `attrs` holds attributes by *local* name, without the `xmlns` declarations: the
 * Microsoft extensions we read (`msci:session-type`, `mscp:mcuUri`) are matched whatever prefix
 * the sender picked. `text` concatenates the element's own text and CDATA, untrimmed.
 * @public
 */
export type XmlElement = {
  readonly ns: string;
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
};

/** Why {@link parseXml} refused a body. @public */
export type XmlRejectRule = 'too-large' | 'doctype' | 'entity' | 'malformed' | 'empty';

/** Outcome of {@link parseXml}. @public */
export type XmlResult =
  | { readonly ok: true; readonly root: XmlElement }
  | { readonly ok: false; readonly rule: XmlRejectRule; readonly message: string; readonly line?: number };

/** Resource limits for {@link parseXml}. @public */
export type XmlLimits = {
  /** Largest accepted body in UTF-8 bytes; default {@link DEFAULT_MAX_XML_BYTES}. */
  readonly maxBytes?: number;
};

/**
 * Default body cap: 64 KiB.
 * @remarks The largest payload the protocol notes (section 4) expect is 64,000 characters of
 * context data; a conference roster is far smaller.
 * @public
 */
export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

/**
 * Deepest element nesting accepted.
 * @remarks The deepest document we read (conference-info/users/user/endpoint/media/…) is under
 * ten levels; the cap keeps recursion over the tree bounded.
 * @public
 */
export const MAX_XML_DEPTH = 64;

/** The namespace the `xml:` prefix is bound to by definition (Namespaces in XML 1.0 §3). @public */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  // We decode references ourselves: fast-xml-parser 5.12 only decodes numeric character
  // references when `htmlEntities` is on, which would also expand HTML named entities.
  processEntities: false,
  htmlEntities: false,
  maxNestedTags: MAX_XML_DEPTH,
  // The library would silently rename `toString`, `hasOwnProperty`… to `__toString`; no
  // protocol of ours uses such names, so refuse the document instead of mangling it.
  onDangerousProperty: (name) => {
    throw new Error(`'${name}' is not accepted as an element or attribute name`);
  },
});

/**
 * Parses an XML body into a namespace-resolved {@link XmlElement} tree, refusing anything risky.
 * @remarks Checks, in order: size (before any scanning), blank body, `<!DOCTYPE`, `<!ENTITY`,
 * characters outside XML 1.0 §2.2, well-formedness (fast-xml-parser's `XMLValidator`, plus
 * single root and no trailing text, which it lets through), then namespaces (Namespaces in
 * XML 1.0 §5). No DTD is ever read and only the predefined entities and numeric character
 * references are decoded, which rules out entity expansion ("billion laughs") and external
 * entities (XXE) by construction. The DOCTYPE test is a plain case-insensitive search, so it
 * also refuses the text inside a comment or CDATA section: we would rather reject such a body.
 * Names that collide with `Object.prototype` members (`constructor`, `toString`, …) are refused
 * too, as fast-xml-parser cannot represent them faithfully.
 * @param body - the SIP message body
 * @param limits - optional caps
 * @public
 */
export function parseXml(body: string, limits: XmlLimits = {}): XmlResult {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  }
  if (exceedsBytes(body, maxBytes)) {
    return reject('too-large', `body exceeds ${maxBytes} bytes`);
  }
  // A UTF-8 BOM can survive transport decoding; it is not part of the document (XML 1.0 §4.3.3).
  const text = body.startsWith('\uFEFF') ? body.slice(1) : body;
  const refused = precheck(text);
  if (refused !== undefined) {
    return refused;
  }
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (validation !== true) {
    const { msg, line } = validation.err;
    return { ok: false, rule: 'malformed', message: `line ${line}: ${readableValidatorMessage(msg)}`, line };
  }
  if (!endsWithRootElement(text)) {
    return reject('malformed', 'text after the root element');
  }
  return buildTree(text);
}

function reject(rule: XmlRejectRule, message: string, line?: number): XmlResult {
  return line === undefined ? { ok: false, rule, message } : { ok: false, rule, message, line };
}

function exceedsBytes(body: string, maxBytes: number): boolean {
  // Every UTF-16 unit costs at least one UTF-8 byte, so `length` alone can prove the excess.
  return body.length > maxBytes || utf8ByteLength(body, maxBytes) > maxBytes;
}

/**
 * A tag name holding a character JavaScript counts as white space but XML does not (U+00A0,
 * U+FEFF, U+3000…): fast-xml-parser trims and splits names on JavaScript white space, so such
 * a name would reach us as another name or as none at all. Comments, CDATA and PIs are skipped
 * at their start (`<!`, `<?`); a `<` inside them followed by such a name is refused too, which we
 * accept, as for DOCTYPE. `<` is excluded from the run so the scan stays linear.
 */
const NAME_WITH_JS_SPACE = /<\/?(?![!?])[^\t\n\r "'=/<>]*[\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/;

function precheck(text: string): XmlResult | undefined {
  if (isXmlBlank(text)) {
    return reject('empty', 'empty body');
  }
  if (/<!DOCTYPE/i.test(text)) {
    return reject('doctype', 'document type declarations are not accepted');
  }
  if (/<!ENTITY/i.test(text)) {
    return reject('entity', 'entity declarations are not accepted');
  }
  const bad = indexOfNonXmlChar(text);
  if (bad !== -1) {
    const line = lineAt(text, bad);
    return reject('malformed', `line ${line}: character not allowed in XML`, line);
  }
  const name = text.search(NAME_WITH_JS_SPACE);
  if (name !== -1) {
    const line = lineAt(text, name);
    return reject('malformed', `line ${line}: tag name with a character this reader cannot keep`, line);
  }
  return undefined;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line += 1;
  }
  return line;
}

/**
 * fast-xml-parser reports unclosed elements as `Invalid '[    'a',    'b']' found.`; that text
 * ends up in a Warning header a person reads, so say it plainly.
 */
function readableValidatorMessage(msg: string): string {
  const unclosed = /^Invalid '\[([^\]]*)\]' found\.?$/s.exec(msg);
  if (unclosed?.[1] !== undefined) {
    const names = unclosed[1].split(',').map((n) => n.trim().replace(/^['"]|['"]$/g, '')).filter((n) => n !== '');
    return `unclosed element${names.length === 1 ? '' : 's'}: ${names.join(', ')}`;
  }
  return msg;
}

/** XMLValidator accepts `<r/>junk`; strip trailing comments and PIs and look for the `>`. */
function endsWithRootElement(text: string): boolean {
  let rest = xmlTrim(text);
  for (;;) {
    if (rest.endsWith('-->') && rest.includes('<!--')) {
      rest = xmlTrim(rest.slice(0, rest.lastIndexOf('<!--')));
    } else if (rest.endsWith('?>') && rest.includes('<?')) {
      rest = xmlTrim(rest.slice(0, rest.lastIndexOf('<?')));
    } else {
      return rest.endsWith('>');
    }
  }
}

/** Thrown inside the tree walk only, and always caught by {@link buildTree}. */
class Rejection extends Error {
  constructor(
    readonly rule: XmlRejectRule,
    message: string,
  ) {
    super(message);
  }
}

type Scope = ReadonlyMap<string, string>;
type RawNode = Readonly<Record<string, unknown>>;

const ROOT_SCOPE: Scope = new Map([['xml', XML_NAMESPACE]]);

function buildTree(text: string): XmlResult {
  let raw: unknown;
  try {
    raw = PARSER.parse(text);
  } catch (error) {
    return reject('malformed', error instanceof Error ? error.message : String(error));
  }
  try {
    const top = asNodeList(raw);
    const elements = top.filter((node) => elementName(node) !== undefined);
    if (elements.length !== 1 || top.some((node) => !isBlankTextNode(node) && elementName(node) === undefined)) {
      return reject('malformed', `expected one root element and no text outside it, found ${elements.length} elements`);
    }
    const [rootNode] = elements;
    return rootNode === undefined ? reject('empty', 'no root element') : { ok: true, root: toElement(rootNode, ROOT_SCOPE, 1) };
  } catch (error) {
    if (error instanceof Rejection) {
      return reject(error.rule, error.message);
    }
    throw error;
  }
}

function asNodeList(value: unknown): RawNode[] {
  if (!Array.isArray(value)) {
    throw new Rejection('malformed', 'unexpected parser output');
  }
  return value.filter((item): item is RawNode => typeof item === 'object' && item !== null);
}

/** The tag key of a preserveOrder node; text, CDATA, comments and PIs have none. */
function elementName(node: RawNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && !key.startsWith('#') && !key.startsWith('?'));
}

function isBlankTextNode(node: RawNode): boolean {
  const text = node['#text'];
  return typeof text === 'string' && isXmlBlank(text);
}

function toElement(node: RawNode, parentScope: Scope, depth: number): XmlElement {
  // fast-xml-parser's maxNestedTags lets one level more through, and never counts an empty
  // element (`<a/>`) at all, so the cap is enforced here, where the tree is actually built.
  if (depth > MAX_XML_DEPTH) {
    throw new Rejection('malformed', `elements nested deeper than ${MAX_XML_DEPTH} levels`);
  }
  const qname = elementName(node) ?? '';
  const rawAttrs = readRawAttrs(node[':@']);
  const scope = extendScope(parentScope, rawAttrs);
  const { prefix, local } = splitQName(qname);
  const ns = resolvePrefix(scope, prefix, qname);
  const attrs = resolveAttributes(rawAttrs, scope);
  let text = '';
  const children: XmlElement[] = [];
  for (const item of asNodeList(node[qname])) {
    if (elementName(item) !== undefined) {
      children.push(toElement(item, scope, depth + 1));
    } else {
      text += textContent(item);
    }
  }
  return { ns, name: local, attrs, children, text };
}

function textContent(node: RawNode): string {
  const raw = node['#text'];
  if (typeof raw === 'string') {
    return decodeOrReject(raw, false);
  }
  const cdata = node['#cdata'];
  // CDATA is literal: no references, no normalisation beyond line ends already done.
  return cdata === undefined ? '' : asNodeList(cdata).map((part) => String(part['#text'] ?? '')).join('');
}

function readRawAttrs(value: unknown): [string, string][] {
  if (typeof value !== 'object' || value === null) {
    return [];
  }
  return Object.entries(value).map(([name, raw]) => [name, decodeOrReject(String(raw), true)]);
}

function decodeOrReject(raw: string, inAttribute: boolean): string {
  const decoded = decodeReferences(raw, inAttribute);
  if (!decoded.ok) {
    throw new Rejection(decoded.rule, decoded.message);
  }
  return decoded.value;
}

function splitQName(qname: string): { prefix: string; local: string } {
  const parts = qname.split(':');
  if (parts.length === 1) {
    return { prefix: '', local: qname };
  }
  const [prefix = '', local = ''] = parts;
  if (parts.length > 2 || prefix === '' || local === '') {
    throw new Rejection('malformed', `'${qname}' is not a valid qualified name`);
  }
  return { prefix, local };
}

function extendScope(parent: Scope, attrs: readonly [string, string][]): Scope {
  const declarations = attrs.filter(([name]) => name === 'xmlns' || name.startsWith('xmlns:'));
  if (declarations.length === 0) {
    return parent;
  }
  const scope = new Map(parent);
  for (const [name, uri] of declarations) {
    const prefix = name === 'xmlns' ? '' : name.slice('xmlns:'.length);
    // Namespaces in XML 1.0 §3 (NSC: No Prefix Undeclaring, Reserved Prefixes).
    if (prefix === 'xmlns' || (prefix === 'xml') !== (uri === XML_NAMESPACE) || (prefix !== '' && uri === '')) {
      throw new Rejection('malformed', `invalid namespace declaration ${name}="${uri}"`);
    }
    scope.set(prefix, uri);
  }
  return scope;
}

function resolvePrefix(scope: Scope, prefix: string, qname: string): string {
  const uri = scope.get(prefix);
  if (uri !== undefined) {
    return uri;
  }
  if (prefix === '') {
    return '';
  }
  throw new Rejection('malformed', `undeclared namespace prefix in '${qname}'`);
}

/** Unprefixed attributes win over prefixed ones with the same local name; otherwise first wins. */
function resolveAttributes(raw: readonly [string, string][], scope: Scope): Record<string, string> {
  const byLocal = new Map<string, string>();
  const unprefixed = new Set<string>();
  for (const [qname, value] of raw) {
    if (qname === 'xmlns' || qname.startsWith('xmlns:')) {
      continue;
    }
    const { prefix, local } = splitQName(qname);
    if (prefix === '') {
      byLocal.set(local, value);
      unprefixed.add(local);
    } else {
      resolvePrefix(scope, prefix, qname);
      if (!byLocal.has(local) && !unprefixed.has(local)) {
        byLocal.set(local, value);
      }
    }
  }
  // fromEntries defines own properties, so a hostile `__proto__` name cannot reach the prototype.
  return Object.fromEntries(byLocal);
}

function matches(el: XmlElement, name: string, ns: string | undefined): boolean {
  return el.name === name && (ns === undefined || el.ns === ns);
}

/**
 * The first child element with this local name (and namespace, when given).
 * @remarks Omitting `ns` matches any namespace: the tolerant reading the protocol notes
 * (open question 1) recommend for bodies without a published schema.
 * @public
 */
export function child(el: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return el.children.find((c) => matches(c, name, ns));
}

/**
 * All child elements with this local name (and namespace, when given), in document order.
 * @remarks See {@link child} for the meaning of an omitted `ns`.
 * @public
 */
export function children(el: XmlElement, name: string, ns?: string): XmlElement[] {
  return el.children.filter((c) => matches(c, name, ns));
}

/**
 * The untrimmed text of the first matching child, or `undefined` when there is no such child.
 * @remarks See {@link child} for the meaning of an omitted `ns`.
 * @public
 */
export function textOf(el: XmlElement, name: string, ns?: string): string | undefined {
  return child(el, name, ns)?.text;
}

/**
 * An attribute by local name, ignoring inherited object properties such as `constructor`.
 * @remarks Attribute names are local names; see {@link XmlElement}.
 * @public
 */
export function attr(el: XmlElement, name: string): string | undefined {
  return Object.hasOwn(el.attrs, name) ? el.attrs[name] : undefined;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Escapes text for use as element content or as a quoted attribute value.
 * @remarks XML 1.0 §2.4 and §3.3.3. Tab, LF and CR are written as character references so an
 * attribute keeps them through attribute-value normalisation and a CR survives line-end
 * normalisation (§2.11). Characters XML cannot carry at all (§2.2) become U+FFFD.
 * @public
 */
export function escapeXml(text: string): string {
  return replaceNonXmlChars(text).replace(/[&<>"'\t\n\r]/g, (ch) => ESCAPES[ch] ?? ch);
}
