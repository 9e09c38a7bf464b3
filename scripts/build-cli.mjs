// Bundles the headless entry points with esbuild: one file each, dependencies left in
// node_modules. Takes well under a second, so `prepare` runs it on every `npm ci`.
import { build } from 'esbuild';

await build({
  entryPoints: { 'cli/switchboard': 'main/cli/main.ts', 'lab/demo': 'lab/demo.ts', 'lab/lab-cli': 'lab/lab-cli.ts' },
  outdir: 'out',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  // Dynamic imports become their own chunks, so that the WebRTC stack loads only when media
  // is needed (see main/host/lazy-media.ts).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
