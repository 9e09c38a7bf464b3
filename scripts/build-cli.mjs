// Bundles the headless entry points with esbuild: one file each, dependencies left in
// node_modules. Takes well under a second, so `prepare` runs it on every `npm ci`.
import { build } from 'esbuild';

await build({
  entryPoints: { 'cli/switchboard': 'main/cli/main.ts', 'lab/demo': 'lab/demo.ts', 'lab/lab-cli': 'lab/lab-cli.ts', 'lab/embedded': 'lab/embedded.ts' },
  outdir: 'out',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  // Dynamic imports become their own chunks, so that the WebRTC stack loads only when media
  // is needed (see main/adapters/lazy-media.ts).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});

// Sample extension packages: each becomes a complete, installable folder in out/extensions/
// (manifest, pages, styles, and its script bundled with the pane SDK).
import { copyFile, mkdir, readdir } from 'node:fs/promises';

for (const sample of ['echo', 'crm-context']) {
  const from = `extensions/${sample}`;
  const to = `out/extensions/${sample}`;
  await mkdir(to, { recursive: true });
  for (const file of await readdir(from)) {
    if (/\.(json|html|css)$/.test(file)) {
      await copyFile(`${from}/${file}`, `${to}/${file}`);
    }
  }
  await build({
    entryPoints: [`${from}/${sample}.ts`],
    outfile: `${to}/${sample}.js`,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
}
