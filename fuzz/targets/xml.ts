/**
 * The safe XML layer under every body parser.
 * @packageDocumentation
 */
import { DEFAULT_MAX_XML_BYTES, parseXml } from '../../core/xml/safe-xml';
import { utf8ByteLength } from '../../core/xml/xml-text';
import { expectOneOf, expectString, expectXmlTree } from '../contracts';
import { expectThat, type FuzzTarget } from '../engine';
import { textTarget } from './text-target';

const RULES = ['too-large', 'doctype', 'entity', 'malformed', 'empty'] as const;

const CONTRACT = `parseXml(body) never throws; it returns {ok:true, root} with a well-formed tree (local names
without ':', string namespaces, attributes as own strings without xmlns, text and attribute values of
XML 1.0 Chars only, nesting <= MAX_XML_DEPTH), or {ok:false, rule in ${RULES.join('|')}, message: string,
line?: positive integer}. A body with <!DOCTYPE or <!ENTITY, or over 64 KiB of UTF-8, is never accepted.`;

/** Checks one `parseXml` result against the contract above. */
export function checkXml(body: string): void {
  const result = parseXml(body);
  if (result.ok) {
    expectThat(!/<!DOCTYPE|<!ENTITY/i.test(body), 'accepted a DOCTYPE or ENTITY declaration');
    expectThat(utf8ByteLength(body) <= DEFAULT_MAX_XML_BYTES, 'accepted a body over the size cap');
    expectXmlTree(result.root);
    return;
  }
  expectOneOf(result.rule, RULES, 'reject rule');
  expectString(result.message, 'message');
  expectThat(result.line === undefined || (Number.isSafeInteger(result.line) && result.line >= 1), `bad line ${String(result.line)}`);
  expectThat(result.rule !== 'too-large' || utf8ByteLength(body) > DEFAULT_MAX_XML_BYTES, 'too-large for a body under the cap');
}

/** The `xml` target: every seed of every parser, since they all sit on this layer. */
export function xmlTarget(seeds: readonly string[]): FuzzTarget<string> {
  return textTarget('xml', CONTRACT, seeds, checkXml);
}
