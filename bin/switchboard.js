#!/usr/bin/env node
// Thin launcher: the command is bundled by `npm run build:cli` (run by `npm ci` through the
// `prepare` script) so that it starts fast and needs no TypeScript at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `switchboard lab` is the reference lab, bundled on its own so that the agent never loads it.
const entry = process.argv[2] === 'lab' ? '../out/lab/lab-cli.js' : '../out/cli/switchboard.js';
const bundle = fileURLToPath(new URL(entry, import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('switchboard: not built yet; run `npm ci` (or `npm run build:cli`) in the checkout first\n');
  process.exit(1);
}
if (process.argv[2] === 'agent') {
  await leaveTurbofanOut();
}
await import(bundle);

/**
 * The headless agent runs with Maglev as V8's top tier, without Turbofan (issue 15, memory per
 * agent; bench/README.md, "memory"). Turbofan compiling a few start-up functions (ws's frame
 * masking, the first SIP messages) keeps some 5 MiB more of the node binary's code resident in
 * each agent, while Maglev's code did the agent's INFO and audio work for the same CPU here
 * (channel-info, Node 24: 0.14 against 0.17 ms per INFO; conference audio through werift: 55
 * ms/s both). Only where Maglev is on by default (V8 12: Node 22 and later): on Node 20 this would
 * leave the agent on the baseline compiler alone (without either optimizing compiler: 0.30 to
 * 0.37 ms per INFO). `node --turbofan bin/switchboard.js agent` keeps Turbofan. Set at run time,
 * before the bundle loads: V8 reads its tiering flags when it decides to optimize.
 */
async function leaveTurbofanOut() {
  const v8Major = Number(process.versions.v8.split('.')[0]);
  if (v8Major >= 12 && !process.execArgv.includes('--turbofan')) {
    const { setFlagsFromString } = await import('node:v8');
    setFlagsFromString('--no-turbofan');
  }
}
