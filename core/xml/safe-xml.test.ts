import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { XmlElement, XmlResult } from './safe-xml';
import { DEFAULT_MAX_XML_BYTES, MAX_XML_DEPTH, attr, child, children, escapeXml, parseXml, textOf } from './safe-xml';
import { replaceNonXmlChars } from './xml-text';

const CI = 'urn:ietf:params:xml:ns:conference-info';
const CCCP = 'urn:ietf:params:xml:ns:cccp';

function rootOf(result: XmlResult): XmlElement {
  if (!result.ok) {
    throw new Error(`expected a parse, got ${result.rule}: ${result.message}`);
  }
  return result.root;
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) {
    throw new Error('missing item');
  }
  return item;
}

describe('parseXml: the tree', () => {
  it('resolves prefixes and the default namespace through the declaration stack', () => {
    const root = rootOf(
      parseXml(
        `<?xml version="1.0" encoding="utf-8"?>
<request xmlns="${CCCP}" xmlns:ci="${CI}" requestId="17">
  <addUser><conferenceKeys confEntity="sip:f"/>
    <ci:user entity="sip:a"><ci:roles><ci:entry>attendee</ci:entry></ci:roles></ci:user>
  </addUser>
</request>`,
      ),
    );
    expect(root).toMatchObject({ ns: CCCP, name: 'request', attrs: { requestId: '17' } });
    const addUser = only(children(root, 'addUser', CCCP));
    expect(addUser.children.map((c) => [c.ns, c.name])).toEqual([
      [CCCP, 'conferenceKeys'],
      [CI, 'user'],
    ]);
    const user = child(addUser, 'user', CI);
    expect(user?.attrs).toEqual({ entity: 'sip:a' });
    expect(user && textOf(only(children(user, 'roles', CI)), 'entry', CI)).toBe('attendee');
  });

  it('scopes declarations to their element and lets xmlns="" undeclare the default', () => {
    const root = rootOf(parseXml('<a xmlns="u1"><p:b xmlns:p="u2"><c/></p:b><d xmlns=""><e/></d><f/></a>'));
    const [b, d, f] = root.children;
    expect([b?.ns, b?.children[0]?.ns, d?.ns, d?.children[0]?.ns, f?.ns]).toEqual(['u2', 'u1', '', '', 'u1']);
  });

  it('keeps local attribute names, drops xmlns declarations, and prefers unprefixed attributes', () => {
    const root = rootOf(parseXml('<r xmlns:x="u" xmlns:y="v" x:session-type="chat" y:a="1" a="2" x:b="3" y:b="4" xml:lang="en"/>'));
    expect(root.attrs).toEqual({ 'session-type': 'chat', a: '2', b: '3', lang: 'en' });
  });

  it('keeps children in document order and concatenates text and CDATA untrimmed', () => {
    const root = rootOf(parseXml('<r> one <a/>two<![CDATA[<&three>]]><b/> </r>'));
    expect(root.children.map((c) => c.name)).toEqual(['a', 'b']);
    expect(root.text).toBe(' one two<&three> ');
  });

  it('decodes predefined entities and character references in text and attributes, once', () => {
    const root = rootOf(parseXml('<r a="&lt;&amp;amp;&#x41;&quot;">&apos;&#233;&#x1F600;&amp;lt;</r>'));
    expect(root.attrs['a']).toBe('<&amp;A"');
    expect(root.text).toBe("'é😀&lt;");
  });

  it('normalises attribute white space and line ends as XML requires', () => {
    const root = rootOf(parseXml('<r a="x\r\ny\tz&#10;"/>'));
    expect(root.attrs['a']).toBe('x y z\n');
  });

  it('skips comments, processing instructions and a BOM', () => {
    const root = rootOf(parseXml('\uFEFF<?xml version="1.0"?><!-- c --><r><!-- inner --><?pi x?>t</r><!-- tail -->\n'));
    expect(root).toEqual({ ns: '', name: 'r', attrs: {}, children: [], text: 't' });
  });

  it('accepts a body of exactly maxBytes bytes', () => {
    const body = `<r>${'é'.repeat(10)}</r>`;
    expect(parseXml(body, { maxBytes: 27 }).ok).toBe(true);
    expect(parseXml(body, { maxBytes: 26 })).toMatchObject({ ok: false, rule: 'too-large' });
  });
});

describe('parseXml: hostile and broken input', () => {
  it('refuses a 1 MB body before parsing, fast', () => {
    const huge = `<r>${'<a>x</a>'.repeat(131_072)}</r>`;
    const started = performance.now();
    const result = parseXml(huge);
    const elapsed = performance.now() - started;
    expect(result).toEqual({ ok: false, rule: 'too-large', message: `body exceeds ${DEFAULT_MAX_XML_BYTES} bytes` });
    expect(elapsed).toBeLessThan(50);
  });

  it('counts UTF-8 bytes, not characters, against the cap', () => {
    const body = `<r>${'€'.repeat(30_000)}</r>`;
    expect(body.length).toBeLessThan(DEFAULT_MAX_XML_BYTES);
    expect(parseXml(body)).toMatchObject({ ok: false, rule: 'too-large' });
  });

  it('refuses the billion laughs DOCTYPE', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`;
    expect(parseXml(laughs)).toMatchObject({ ok: false, rule: 'doctype' });
  });

  it('refuses an external entity (XXE)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>';
    expect(parseXml(xxe)).toMatchObject({ ok: false, rule: 'doctype' });
  });

  it('refuses DOCTYPE in any letter case, and ENTITY on its own', () => {
    expect(parseXml('<!doctype r><r/>')).toMatchObject({ ok: false, rule: 'doctype' });
    expect(parseXml('<!DocType r SYSTEM "http://evil/x.dtd"><r/>')).toMatchObject({ ok: false, rule: 'doctype' });
    expect(parseXml('<r><!entity x "y"></r>')).toMatchObject({ ok: false, rule: 'entity' });
  });

  it('refuses a reference to an undeclared entity', () => {
    expect(parseXml('<r>&xxe;</r>')).toMatchObject({ ok: false, rule: 'entity' });
    expect(parseXml('<r a="&nbsp;"/>')).toMatchObject({ ok: false, rule: 'entity' });
  });

  it('refuses empty and blank bodies', () => {
    expect(parseXml('')).toEqual({ ok: false, rule: 'empty', message: 'empty body' });
    expect(parseXml(' \r\n\t')).toMatchObject({ ok: false, rule: 'empty' });
    expect(parseXml('\uFEFF')).toMatchObject({ ok: false, rule: 'empty' });
  });

  it('reports unclosed tags with the validator message and line', () => {
    const result = parseXml('<r>\n<a>\n</r>');
    expect(result).toMatchObject({ ok: false, rule: 'malformed', line: 3 });
    expect(!result.ok && result.message).toMatch(/^line 3: Expected closing tag 'a'/);
    expect(parseXml('<r>')).toMatchObject({ ok: false, rule: 'malformed', message: "line 1: Unclosed tag 'r'." });
  });

  it.each([
    ['unquoted attribute', '<r a=b/>'],
    ['attribute without value', '<r a>x</r>'],
    ['repeated attribute', '<r a="1" a="2"/>'],
    ['mismatched case', '<r></R>'],
    ['bare ampersand in text', '<r>a & b</r>'],
    ['bare ampersand in an attribute', '<r a="a & b"/>'],
    ['< in an attribute', '<r a="<"/>'],
    ['two roots', '<r/><r/>'],
    ['text after the root', '<r/>tail'],
    ['text before the root', 'head<r/>'],
    ['undeclared prefix', '<p:r/>'],
    ['undeclared attribute prefix', '<r p:a="1"/>'],
    ['two colons in a name', '<a:b:c xmlns:a="u"/>'],
    ['empty prefix binding', '<r xmlns:p=""/>'],
    ['rebinding xmlns', '<r xmlns:xmlns="u"/>'],
    ['control character', '<r>\u0001</r>'],
    ['NUL character reference', '<r>&#0;</r>'],
    ['surrogate character reference', '<r>&#xD800;</r>'],
    ['a prototype-polluting name', '<r><__proto__/></r>'],
    ['a prototype-polluting attribute', '<r constructor="x"/>'],
    ['an Object.prototype member as attribute', '<r hasOwnProperty="x"/>'],
    ['an Object.prototype member as element', '<r><toString/></r>'],
    ['only a declaration', '<?xml version="1.0"?>'],
  ])('refuses %s as malformed', (_label, body) => {
    expect(parseXml(body)).toMatchObject({ ok: false, rule: 'malformed' });
  });

  it('refuses nesting deeper than the cap, within the size limit', () => {
    const deep = '<a>'.repeat(5000) + '</a>'.repeat(5000);
    expect(parseXml(deep)).toMatchObject({ ok: false, rule: 'malformed' });
    const fine = '<a>'.repeat(60) + '</a>'.repeat(60);
    expect(parseXml(fine).ok).toBe(true);
  });

  it('accepts exactly MAX_XML_DEPTH levels, whether the deepest element is empty or not', () => {
    // Found by the fuzzer (npm run fuzz): 65 levels were accepted, and any depth with <a/> last.
    const nested = (depth: number, leaf: string): string => '<a>'.repeat(depth - 1) + leaf + '</a>'.repeat(depth - 1);
    for (const leaf of ['<b/>', '<b></b>']) {
      expect(parseXml(nested(MAX_XML_DEPTH, leaf)).ok).toBe(true);
      expect(parseXml(nested(MAX_XML_DEPTH + 1, leaf))).toMatchObject({ ok: false, rule: 'malformed' });
    }
    expect(parseXml('<a>'.repeat(200) + '<b/>' + '</a>'.repeat(200))).toMatchObject({ ok: false, rule: 'malformed' });
  });

  it.each([
    ['a BOM starting a name', '<r><\uFEFFs></\uFEFFs></r>'],
    ['a BOM starting the root name', '<\uFEFFr/>'],
    ['an ideographic space starting a name', '<r><\u3000s>x</\u3000s></r>'],
    ['a BOM ending a name', '<r><focus-uri\uFEFF>x</focus-uri\uFEFF></r>'],
  ])('refuses %s, which fast-xml-parser would trim away', (_label, body) => {
    // Found by the fuzzer (npm run fuzz): these came back as elements named '' or 'focus-uri'.
    expect(parseXml(body)).toMatchObject({ ok: false, rule: 'malformed' });
  });

  it('keeps such characters in text, attribute values, comments and CDATA', () => {
    const result = parseXml('<r a="x\u00A0y"><!--\u00A0--><![CDATA[\uFEFF]]>\u3000</r>');
    expect(result).toMatchObject({ ok: true, root: { name: 'r', attrs: { a: 'x\u00A0y' }, text: '\uFEFF\u3000' } });
  });

  it('rejects nonsensical limits as a programming error', () => {
    expect(() => parseXml('<r/>', { maxBytes: 0 })).toThrow(RangeError);
    expect(() => parseXml('<r/>', { maxBytes: Number.NaN })).toThrow(RangeError);
  });
});

describe('tree helpers', () => {
  const root = rootOf(parseXml(`<r xmlns:ci="${CI}"><x>1</x><ci:x>2</ci:x><x>3</x><y a="1"/></r>`));

  it('match by local name in any namespace unless one is given', () => {
    expect(children(root, 'x').map((x) => x.text)).toEqual(['1', '2', '3']);
    expect(children(root, 'x', '').map((x) => x.text)).toEqual(['1', '3']);
    expect(child(root, 'x', CI)?.text).toBe('2');
    expect(textOf(root, 'x')).toBe('1');
    expect(textOf(root, 'missing')).toBeUndefined();
    expect(child(root, 'x', 'urn:other')).toBeUndefined();
  });

  it('read attributes without inherited properties', () => {
    const y = child(root, 'y');
    expect(y && attr(y, 'a')).toBe('1');
    expect(y && attr(y, 'constructor')).toBeUndefined();
    expect(attr(root, 'constructor')).toBeUndefined();
    expect(attr(root, 'toString')).toBeUndefined();
  });
});

describe('escapeXml', () => {
  it('escapes markup, quotes and the white space attributes would lose', () => {
    expect(escapeXml(`<a href="x">&'\t\n\r`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#9;&#10;&#13;');
  });

  it('replaces characters XML cannot carry', () => {
    expect(escapeXml('a\u0000b\uD800')).toBe('a\uFFFDb\uFFFD');
  });

  it('round-trips any string through text and attributes', () => {
    const special = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', '&#65;', '\r\n', '\r', '\t', '\u0000', '\uFFFE', '\uD800', '😀', 'é');
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }), (s) => {
        const root = rootOf(parseXml(`<r a="${escapeXml(s)}">${escapeXml(s)}</r>`));
        const expected = replaceNonXmlChars(s);
        expect(root.attrs['a']).toBe(expected);
        expect(root.text).toBe(expected);
      }),
    );
  });
});
