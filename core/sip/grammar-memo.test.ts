import fc from 'fast-check';
import { Grammar, NameAddrHeader, URI } from 'sip.js';
import { Parser } from 'sip.js/lib/core/messages/parser.js';
import { describe, expect, it } from 'vitest';
import { copyParsed, ENTRIES_PER_RULE, GrammarMemo, MAX_OBJECTS, memoizeSipGrammar } from './grammar-memo';

// The grammar as sip.js ships it, taken before any memo is installed in this worker.
const plainParse = Grammar.parse.bind(Grammar) as (input: string, rule: string) => unknown;

const CORPUS: readonly [string, string][] = [
  ['Request_Response', 'INFO sip:agent@127.0.0.1:40001;transport=ws;alias=127.0.0.1~40001~5 SIP/2.0'],
  ['Request_Response', 'SIP/2.0 200 OK'],
  ['Request_Response', 'INVITE sips:%61gent@[::1]:5061;maddr=x?subject=hi&x=y SIP/2.0'],
  ['From', '"Ann \\"A\\"" <sip:sipp12@lab.local;user=phone>;tag=25501SIPpTag0012;x'],
  ['From', 'sip:sipp12@lab.local;tag=1'],
  ['To', '<sip:agent@lab.local>;tag=abcdefghij1234'],
  ['To', '<tel:+1>'],
  ['Call_ID', '12-25501@127.0.0.1'],
  ['Contact', '<sip:a@h:1;ob>;expires=60;+sip.instance="<urn:uuid:1>", "B" <sip:b@h>;q=0.5'],
  ['Contact', '*'],
  ['Record_Route', '<sip:127.0.0.1:5066;transport=ws;r2=on;lr>, <sip:127.0.0.1;r2=on;lr>'],
  ['Content_Type', 'application/ms-session-info+xml; charset="utf-8"'],
  ['Via', 'SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK1234.abcdef0123456789.0;i=abcd'],
  ['Via', 'SIP/2.0/UDP 127.0.0.1:5060;received=127.0.0.1;branch=z9hG4bK-25501-12-3-7;rport=5060'],
  ['Via', 'SIP/2.0/UDP h;BRANCH=z9hG4bK1, SIP/2.0/TCP g;branch=z9hG4bK2'],
  ['Via', 'SIP/2.0/UDP h;x="a;branch=b";branch=z9hG4bK1'],
  ['Via', 'SIP/2.0/UDP h;branch="quoted"'],
  ['Via', 'SIP/2.0/UDP h;branch=@@'],
  ['Via', 'SIP/2.0/UDP h;branch=a;ttl=300;maddr=1.2.3.4'],
  // A peer that knows the placeholder: the second branch is the one the grammar keeps.
  ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bKmemo'],
  ['Via', 'SIP/2.0/UDP h;x=";branch=a";branch=z9hG4bKmemo'],
  ['CSeq', '7 INFO'],
  ['CSeq', '0007\tinfo'],
  ['CSeq', '4294967295 INVITE'],
  ['CSeq', '99999999999 INFO'],
  ['CSeq', '7INFO'],
  ['CSeq', '7 IN FO'],
  ['CSeq', '1 '],
  ['From', '<sip:a@h>;__proto__=x;constructor=y'],
  ['From', 'not a header'],
  ['Contact', '<sip:a@h>, garbage'],
];

/** Equal as data, prototypes included, and printing the same. */
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  if (expected instanceof NameAddrHeader || expected instanceof URI) {
    expect(String(actual)).toBe(String(expected));
  }
}

describe('GrammarMemo', () => {
  it('answers a repeated input with what the grammar answers, as a fresh copy', () => {
    const memo = new GrammarMemo(plainParse);
    for (const [rule, input] of CORPUS) {
      const fresh = plainParse(input, rule);
      const first = memo.lookup(input, rule);
      const second = memo.lookup(input, rule);
      expectSame(first, fresh);
      expectSame(second, fresh);
      if (typeof fresh === 'object' && fresh !== null) {
        expect(second).not.toBe(first);
      }
    }
  });

  it('keeps its entry when a caller changes what it got', () => {
    const memo = new GrammarMemo(plainParse);
    const input = '<sip:agent@lab.local>;tag=a';
    const first = memo.lookup(input, 'To') as NameAddrHeader;
    first.setParam('tag', 'changed');
    first.uri.user = 'someone';
    const second = memo.lookup(input, 'To') as NameAddrHeader;
    second.uri.setParam('lr', null);
    const third = memo.lookup(input, 'To') as NameAddrHeader;
    expectSame(third, plainParse(input, 'To'));
  });

  it('stays within its bound for ever-new inputs and skips rules that vary per message', () => {
    let parses = 0;
    const memo = new GrammarMemo((input, rule) => {
      parses += 1;
      return plainParse(input, rule);
    });
    for (let i = 0; i < ENTRIES_PER_RULE * 3; i += 1) {
      memo.lookup(`${i}@host`, 'Call_ID');
    }
    expect(memo.size).toBe(ENTRIES_PER_RULE);
    memo.lookup('z9hG4bK1', 'Call_ID');
    memo.lookup('z9hG4bK1', 'Call_ID');
    memo.lookup('x'.repeat(1025), 'Call_ID');
    memo.lookup('x'.repeat(1025), 'Call_ID');
    const contacts = Array.from({ length: 5 }, (_, i) => `<sip:u${i}@h>`).join(', ');
    memo.lookup(contacts, 'Contact');
    memo.lookup(contacts, 'Contact');
    expect(parses).toBe(ENTRIES_PER_RULE * 3 + 5);
  });

  it('parses a Via once per shape, whatever its branch, and a CSeq whatever its number', () => {
    let parses = 0;
    const memo = new GrammarMemo((input, rule) => {
      parses += 1;
      return plainParse(input, rule);
    });
    for (let i = 0; i < 50; i += 1) {
      const via = `SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK${i}.x;rport`;
      expectSame(memo.lookup(via, 'Via'), plainParse(via, 'Via'));
    }
    expect(parses).toBe(1);
    for (let i = 1; i < 50; i += 1) {
      expectSame(memo.lookup(`${i} INFO`, 'CSeq'), plainParse(`${i} INFO`, 'CSeq'));
    }
    expect(parses).toBe(2);
  });

  it('refuses to copy what it does not know', () => {
    class Other {
      x = 1;
    }
    expect(copyParsed(new Other())).not.toBeInstanceOf(Other);
    expect(typeof copyParsed(new Other())).toBe('symbol');
    expect(typeof copyParsed({ f: () => 1 })).toBe('symbol');
    const accessor = Object.defineProperty({}, 'x', { get: () => 1, enumerable: true });
    expect(typeof copyParsed(accessor)).toBe('symbol');
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 20; i += 1) {
      at['next'] = {};
      at = at['next'] as Record<string, unknown>;
    }
    expect(typeof copyParsed(deep)).toBe('symbol');
    expect(typeof copyParsed([1, , 3])).toBe('symbol');
    expect(typeof copyParsed(Object.assign([1], { extra: 2 }))).toBe('symbol');
    expect(copyParsed([1, [2], { a: 3 }])).toStrictEqual([1, [2], { a: 3 }]);
    expect(typeof copyParsed(Array.from({ length: MAX_OBJECTS }, () => ({})))).toBe('symbol');
    expect(copyParsed(Array.from({ length: MAX_OBJECTS - 1 }, () => ({})))).toHaveLength(MAX_OBJECTS - 1);
  });

  it('matches the plain grammar on mutated header values, first time and from the memo', () => {
    const memo = new GrammarMemo(plainParse);
    const rules = ['Request_Response', 'From', 'To', 'Call_ID', 'Contact', 'Record_Route', 'Content_Type', 'Via', 'CSeq', 'Max_Forwards', 'Content_Length'];
    const seeds = CORPUS.map(([, input]) => input);
    const alphabet = fc.constantFrom(...'<>@:;=,"\\ \t%~?&[]*.-_/+abcAZ019sip'.split(''));
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.array(alphabet, { maxLength: 6 }), fc.nat(8)).map(([seed, at, insert, cut]) => {
      const i = at % (seed.length + 1);
      return seed.slice(0, i) + insert.join('') + seed.slice(i + cut);
    });
    fc.assert(
      fc.property(fc.constantFrom(...rules), mutated, (rule, input) => {
        const fresh = plainParse(input, rule);
        expectSame(memo.lookup(input, rule), fresh);
        expectSame(memo.lookup(input, rule), fresh);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('memoizeSipGrammar', () => {
  it('is installed once, and sip.js messages parse as before', () => {
    const text = [
      'INFO sip:agent@127.0.0.1:40001;transport=ws SIP/2.0',
      'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK1234.0',
      'Max-Forwards: 69',
      'From: <sip:sipp12@lab.local>;tag=25501SIPpTag0012',
      'To: <sip:agent@lab.local>;tag=abc',
      'Call-ID: 12-25501@127.0.0.1',
      'CSeq: 7 INFO',
      'Contact: <sip:sipp@127.0.0.1:5060>',
      'Content-Type: application/json',
      'Content-Length: 2',
      '',
      '{}',
    ].join('\r\n');
    const logger = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
    const before = Parser.parseMessage(text, logger as never);
    const memo = memoizeSipGrammar();
    expect(memoizeSipGrammar()).toBe(memo);
    const after1 = Parser.parseMessage(text, logger as never);
    const after2 = Parser.parseMessage(text, logger as never);
    expect(memo.size).toBeGreaterThan(0);
    expect(after1).toStrictEqual(before);
    expect(after2).toStrictEqual(before);
    expect(after2?.from).not.toBe(after1?.from);
  });
});
