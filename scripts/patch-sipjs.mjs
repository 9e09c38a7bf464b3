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
// The edits are data in scripts/sipjs-patches.mjs; bench/support/pristine-sipjs.ts reverses
// those same edits when npm's tarball is not at hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PATCHES, SIPJS_VERSION } from './sipjs-patches.mjs';

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('sip.js/package.json'));
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

if (version !== SIPJS_VERSION) {
  console.error(`patch-sipjs: expected sip.js ${SIPJS_VERSION}, found ${version}; review scripts/sipjs-patches.mjs`);
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
