// Bundles the headless entry points with esbuild. Takes well under a second, so `prepare` runs
// it on every `npm ci`.
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

/** What every Node bundle shares. */
const node = {
  outdir: 'out',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // Dynamic imports become their own chunks, so that the WebRTC stack loads only when media
  // is needed (see main/adapters/lazy-media.ts).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
};

/**
 * Rewrites `import { z } from 'zod'` to `import * as z from 'zod'`: the same bindings, but esbuild
 * only tree-shakes zod through a namespace import. Through `{ z }` it builds zod's namespace
 * object, which holds every export, every locale (300 kB) among them.
 */
const zodNamespaceImports = {
  name: 'zod-namespace-imports',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const source = await readFile(args.path, 'utf8');
      return { contents: source.replace(/^import \{ z \} from 'zod';$/m, "import * as z from 'zod';"), loader: 'ts' };
    });
  },
};

/**
 * ws requires `https` and `tls` when it loads, for `wss://` only: loading them costs an agent
 * some 6 MiB (OpenSSL's TLS state), so ws gets stand-ins that load the real modules when it first
 * opens a `wss://` connection. ws uses nothing else of them (`https.request`, `tls.connect`);
 * test/integration's TLS runs check the `wss://` path.
 */
const lazyTlsForWs = {
  name: 'lazy-tls-for-ws',
  setup(b) {
    b.onResolve({ filter: /^(https|tls)$/ }, (args) => (/[\\/]node_modules[\\/]ws[\\/]/.test(args.importer) ? { path: args.path, namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents:
        args.path === 'https'
          ? "module.exports = { get request() { return require('node:https').request; } };"
          : "module.exports = { connect: (...args) => require('node:tls').connect(...args) };",
      loader: 'js',
    }));
  },
};

// `switchboard` (agent, web, extensions): built on its own, with the packages it loads at start
// (sip.js, zod, fast-xml-parser, ws, commander) bundled in, because every idle agent on a VDI
// host pays for what loading them costs (bench/README.md, "memory"):
// - one file instead of some 300 spares Node's ESM loader the per-file resolution that makes
//   V8 tier its functions up at start, touching some 6 MiB more of the node binary's code;
// - no comments or indentation, ASCII only: V8 keeps every module's source as a string, and
//   one non-ASCII character (a `§` in a comment) makes it keep a whole file as UTF-16.
// Identifiers are kept, so stack traces stay readable. Packages only a command loads later
// (werift for media, tar and yauzl for extension packages) stay in node_modules.
await build({
  ...node,
  entryPoints: { 'cli/switchboard': 'main/cli/main.ts' },
  plugins: [zodNamespaceImports, lazyTlsForWs],
  external: ['werift', 'tar', 'yauzl', 'bufferutil', 'utf-8-validate'],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  charset: 'ascii',
  // ws and commander are CommonJS: their `require`s of Node built-ins need a real `require`.
  banner: { js: "import { createRequire as __sbRequire } from 'node:module'; const require = __sbRequire(import.meta.url);" },
});

// The reference lab, which the agent never loads: dependencies left in node_modules.
await build({
  ...node,
  entryPoints: { 'lab/demo': 'lab/demo.ts', 'lab/lab-cli': 'lab/lab-cli.ts', 'lab/embedded': 'lab/embedded.ts' },
  packages: 'external',
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
