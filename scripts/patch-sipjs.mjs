// Exact edits to sip.js 0.21.2: two for the CPU it spends per message received, one fix.
//
// 1. lib/grammar/pegjs/dist/grammar.js: the generated PEG parser rebuilds its whole bytecode
//    table from strings inside every `peg$parse` call, and sip.js parses about ten headers per
//    message: profiles put ~65% of a receiving agent's CPU in `peg$decode`. The table is pure
//    data (`peg$decode` maps characters to numbers; the interpreter only reads it), so building
//    it once is safe. Measured here: a plain sip.js UA went from ~730 to ~2,900 INFO/s through
//    Kamailio.
// 2. lib/core/messages/utils.js: `headerize` (the canonical case of a header name, called on
//    every addHeader, setHeader, getHeader and hasHeader: about fifty times per message) splits,
//    maps and joins its argument each time: ~5% of the agent's CPU in the channel-info profile.
//    Its result depends on its argument only, so results are kept in a Map, bounded (names of
//    at most 64 characters, 512 names, then no more are added), so a peer sending ever-new
//    header names costs a bounded amount of memory and the plain computation.
// 3. lib/core/dialogs/session-dialog.js: an ACK that arrives in the early dialog (a sloppy peer
//    acknowledging before our 2xx) cleared the dialog's wait for the ACK, so when the agent then
//    answered 200 its retransmissions stopped at once: a 200 lost on a dropped connection was
//    never sent again and the peer's INVITE stayed unanswered (found by the dialog-channel fuzz
//    target). Such an ACK acknowledges nothing (RFC 3261 13.3.1.4, 17.2.1) and is now dropped.
//
// The patch is exact: it checks the version and each anchor, is idempotent per file, and fails
// the install loudly if sip.js changes, rather than silently doing nothing.
// bench/support/pristine-sipjs.ts reverses these same edits when npm's tarball is not at hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('sip.js/package.json'));
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

const GRAMMAR_MARK = 'peg$bytecodeCache';
const HEADERIZE_MARK = 'headerizeCache';
const EARLY_ACK_MARK = 'switchboard: an ACK in an early dialog';
const PATCHES = [
  {
    file: 'lib/grammar/pegjs/dist/grammar.js',
    mark: GRAMMAR_MARK,
    done: 'parser bytecode is now built once per process',
    edits: [
      ['function peg$parse(input, options) {', `let ${GRAMMAR_MARK};\nfunction peg$parse(input, options) {`],
      ['    const peg$bytecode = [\n', `    const peg$bytecode = ${GRAMMAR_MARK} ?? (${GRAMMAR_MARK} = [\n`],
      ['\n    ];\n    let peg$currPos = 0;', '\n    ]);\n    let peg$currPos = 0;'],
    ],
  },
  {
    file: 'lib/core/messages/utils.js',
    mark: HEADERIZE_MARK,
    done: 'header names are now headerized once per name',
    edits: [
      [
        'export function headerize(str) {\n',
        `const ${HEADERIZE_MARK} = new Map();\n` +
          'export function headerize(str) {\n' +
          `    const cached = ${HEADERIZE_MARK}.get(str);\n` +
          '    if (cached !== undefined) {\n' +
          '        return cached;\n' +
          '    }\n' +
          '    const hname = headerizeOnce(str);\n' +
          `    if (typeof str === "string" && str.length <= 64 && ${HEADERIZE_MARK}.size < 512) {\n` +
          `        ${HEADERIZE_MARK}.set(str, hname);\n` +
          '    }\n' +
          '    return hname;\n' +
          '}\n' +
          'function headerizeOnce(str) {\n',
      ],
    ],
  },
  {
    file: 'lib/core/dialogs/session-dialog.js',
    mark: EARLY_ACK_MARK,
    done: 'an ACK before our 2xx no longer stops its retransmissions',
    edits: [['        if (message.method === C.ACK) {\n            // If ackWait is true, then this is the ACK to the initial INVITE,\n', '        if (message.method === C.ACK) {\n            // ' + EARLY_ACK_MARK + ' acknowledges no 2xx yet: dropped, or the 2xx\n            // retransmissions (RFC 3261 13.3.1.4) would stop before the 2xx is even sent.\n            if (this.early) {\n                this.logger.warn(`INVITE dialog ${this.id} received ACK before its 2xx, dropping.`);\n                return;\n            }\n            // If ackWait is true, then this is the ACK to the initial INVITE,\n']],
  },
];

if (version !== '0.21.2') {
  console.error(`patch-sipjs: expected sip.js 0.21.2, found ${version}; review scripts/patch-sipjs.mjs`);
  process.exit(1);
}
for (const { file, mark, done, edits } of PATCHES) {
  const path = join(root, file);
  const source = readFileSync(path, 'utf8');
  if (source.includes(mark)) {
    continue;
  }
  let patched = source;
  for (const [anchor, replacement] of edits) {
    const count = patched.split(anchor).length - 1;
    if (count !== 1) {
      console.error(`patch-sipjs: ${file}: anchor found ${count} times, expected once: ${JSON.stringify(anchor.slice(0, 60))}`);
      process.exit(1);
    }
    patched = patched.replace(anchor, replacement);
  }
  writeFileSync(path, patched);
  console.log(`patch-sipjs: sip.js ${done}`);
}
