/**
 * The memo in front of sip.js's header grammar (core/sip/grammar-memo.ts) against the grammar
 * itself, on mutated SIP messages.
 * @packageDocumentation
 */
import { isDeepStrictEqual } from 'node:util';
import { Grammar, NameAddrHeader, URI } from 'sip.js';
import { GrammarMemo } from '../../core/sip/grammar-memo';
import { expectThat, type FuzzTarget } from '../engine';
import { textTarget } from './text-target';
import { RELAYED_INFO_HEAD } from '../seeds';

const CONTRACT = `for every header line of a mutated SIP message whose rule the memo keeps (and the first line; the
first 12 lines of up to 512 characters), the
memo's answer, both when it parses and when it answers from memory, is deep-strict-equal to sip.js's
grammar on the same input (prototypes included; URIs and name-addrs print the same), and a later
answer is a new object; one memo lives across the whole run, so entries are reused and evicted.`;

/** Header names (long and compact) to the grammar rule sip.js parses them with. */
const RULES: Readonly<Record<string, string>> = {
  from: 'From',
  f: 'From',
  to: 'To',
  t: 'To',
  'call-id': 'Call_ID',
  i: 'Call_ID',
  contact: 'Contact',
  m: 'Contact',
  'record-route': 'Record_Route',
  'content-type': 'Content_Type',
  c: 'Content_Type',
  via: 'Via',
  v: 'Via',
  'max-forwards': 'Max_Forwards',
  'content-length': 'Content_Length',
  l: 'Content_Length',
  cseq: 'CSeq',
};

const SEEDS = [
  [
    ...RELAYED_INFO_HEAD,
    'Content-Type: application/ms-session-info+xml; charset=utf-8',
    'Max-Forwards: 69',
    'Content-Length: 0',
  ].join('\r\n'),
  [
    'SIP/2.0 200 OK',
    'Record-Route: <sip:127.0.0.1:5066;transport=ws;r2=on;lr>, <sip:127.0.0.1;r2=on;lr>',
    'Contact: <sips:a%40b@[::1]:5061;ob?X-H=1>;expires=60;+sip.instance="<urn:uuid:1>", "B" <sip:b@h>;q=0.5',
    'f: sip:x@y;tag=1',
    't: <tel:+1234>',
    'i: abc',
    'l: 0123',
    // The memo's own placeholder for a Via branch, which a peer may send too.
    'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bKmemo',
    'v: SIP/2.0/TLS [::1]:5061;maddr=x;ttl=2;branch=z9hG4bK.a-b_c~d!e%f*g+h`i\'j, SIP/2.0/UDP h',
  ].join('\r\n'),
];

const plainParse = Grammar.parse.bind(Grammar) as (input: string, rule: string) => unknown;

function expectSameParse(memo: GrammarMemo, input: string, rule: string): void {
  const expected = plainParse(input, rule);
  const first = memo.lookup(input, rule);
  const second = memo.lookup(input, rule);
  for (const got of [first, second]) {
    expectThat(isDeepStrictEqual(got, expected), `${rule} ${JSON.stringify(input)}: memo differs from the grammar`);
    if (expected instanceof NameAddrHeader || expected instanceof URI) {
      expectThat(String(got) === String(expected), `${rule} ${JSON.stringify(input)}: prints differently`);
    }
  }
  expectThat(typeof expected !== 'object' || expected === null || first !== second, `${rule}: the same object twice`);
}

/** The `sip-grammar-memo` target. */
export function sipGrammarTarget(): FuzzTarget<string> {
  const memo = new GrammarMemo(plainParse);
  return textTarget('sip-grammar-memo', CONTRACT, SEEDS, (message) => {
    // sip.js's grammar alone takes ~2 us per character (an 18 KB line is 40 ms), so long lines
    // and many lines would time sip.js, not the memo: the first 12 lines up to 512 characters.
    const lines = message
      .split(/\r?\n/)
      .slice(0, 12)
      .filter((line) => line.length <= 512);
    expectSameParse(memo, lines[0] ?? '', 'Request_Response');
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const rule = colon < 0 ? undefined : RULES[line.slice(0, colon).trim().toLowerCase()];
      if (rule !== undefined) {
        expectSameParse(memo, line.slice(colon + 1).trim(), rule);
      }
    }
  });
}
