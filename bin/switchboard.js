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
await import(bundle);
