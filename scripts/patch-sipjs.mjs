// Caches sip.js's decoded parser bytecode across parses.
//
// sip.js 0.21.2's generated PEG parser (lib/grammar/pegjs/dist/grammar.js) rebuilds its whole
// bytecode table from strings inside every `peg$parse` call, and sip.js parses about ten
// headers per message: profiles put ~65% of a receiving agent's CPU in `peg$decode`. The table
// is pure data (`peg$decode` maps characters to numbers; the interpreter only reads it), so
// building it once is safe. Measured here: a plain sip.js UA went from ~730 to ~2,900 INFO/s
// through Kamailio. The patch is exact: it checks the version and each anchor, is idempotent,
// and fails the install loudly if sip.js changes, rather than silently doing nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('sip.js/package.json'));
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const file = join(root, 'lib/grammar/pegjs/dist/grammar.js');
const source = readFileSync(file, 'utf8');
const MARK = 'peg$bytecodeCache';

if (source.includes(MARK)) {
  process.exit(0);
}
if (version !== '0.21.2') {
  console.error(`patch-sipjs: expected sip.js 0.21.2, found ${version}; review scripts/patch-sipjs.mjs`);
  process.exit(1);
}
const edits = [
  ['function peg$parse(input, options) {', `let ${MARK};\nfunction peg$parse(input, options) {`],
  ['    const peg$bytecode = [\n', `    const peg$bytecode = ${MARK} ?? (${MARK} = [\n`],
  ['\n    ];\n    let peg$currPos = 0;', '\n    ]);\n    let peg$currPos = 0;'],
];
let patched = source;
for (const [anchor, replacement] of edits) {
  const count = patched.split(anchor).length - 1;
  if (count !== 1) {
    console.error(`patch-sipjs: anchor found ${count} times, expected once: ${JSON.stringify(anchor.slice(0, 60))}`);
    process.exit(1);
  }
  patched = patched.replace(anchor, replacement);
}
writeFileSync(file, patched);
console.log('patch-sipjs: sip.js parser bytecode is now built once per process');
