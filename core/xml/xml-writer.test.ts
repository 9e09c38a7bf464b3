import { describe, expect, it } from 'vitest';
import { XML_DECLARATION, writeXml } from './xml-writer';

describe('writeXml', () => {
  it('writes the declaration, attributes in order, and self-closes empty elements', () => {
    const xml = writeXml({ name: 'r', attrs: { b: '2', a: '1', skipped: undefined }, children: [{ name: 'e' }, { name: 't', text: 'x' }] });
    expect(xml).toBe(`${XML_DECLARATION}<r b="2" a="1"><e/><t>x</t></r>`);
  });

  it('can leave the declaration out', () => {
    expect(writeXml({ name: 'r' }, { declaration: false })).toBe('<r/>');
  });

  it('escapes attribute values and text', () => {
    expect(writeXml({ name: 'r', attrs: { a: '"<&>' }, text: "<'&>" }, { declaration: false })).toBe(
      '<r a="&quot;&lt;&amp;&gt;">&lt;&apos;&amp;&gt;</r>',
    );
  });

  it('writes an empty text as a self-closing element', () => {
    expect(writeXml({ name: 'subject', text: '' }, { declaration: false })).toBe('<subject/>');
  });
});
