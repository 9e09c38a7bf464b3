// Lint, including the folder boundaries of the architecture (README "Architecture"):
// a breach fails `npm test`, not just a review.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import maxFunctionLines from './eslint-rules/max-function-lines.mjs';

// Anchored: a bare gitignore-style `util` would also match our own `../util/` folders.
const NODE_BUILTINS = { regex: '^(node:.*|(assert|buffer|child_process|crypto|dgram|dns|events|fs|http|https|net|os|path|process|readline|stream|tls|url|util|worker_threads|zlib)(/.*)?)$' };
const UI = ['react', 'react-dom', 'react-dom/*', 'react/*', '@fluentui/*'];

/** Forbids imports by pattern with a message naming the rule of the architecture. */
const forbid = (groups) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: groups.flatMap(([group, message]) => {
        const regexes = group.filter((g) => typeof g === 'object').map((g) => ({ regex: g.regex, message }));
        const globs = group.filter((g) => typeof g === 'string');
        return [...(globs.length > 0 ? [{ group: globs, message }] : []), ...regexes];
      }),
    },
  ],
});

const LAB = [['**/lab', '**/lab/**'], 'production code must not import lab/ (only tests, benches and the demo entry may)'];
const TESTS = [['**/test/**', '**/bench/**', '**/fuzz/**'], 'production code must not import tests, benches or fuzzers'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'artifacts/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } }, 'import-x/extensions': ['.ts', '.tsx'] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // A warning, not an error: it names what to split next without blocking a fix.
    files: ['common/**/*.ts', 'core/**/*.ts', 'main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx', 'extensions/**/*.ts', 'lab/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    plugins: { house: { rules: { 'max-function-lines': maxFunctionLines } } },
    rules: { 'house/max-function-lines': ['warn', { max: 80 }] },
  },
  {
    files: ['common/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid([
      [['../**', 'electron', ...UI, NODE_BUILTINS], 'common/ holds contracts only: it imports nothing of ours, no electron, Node or UI'],
    ]),
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      ...forbid([
        [['electron', 'electron/*'], 'core/ runs in plain Node: never import electron'],
        [UI, 'core/ must not import React or UI kits'],
        [[NODE_BUILTINS], 'core/ is platform-free: take I/O through a port in core/ports'],
        [['**/main', '**/main/**', '**/renderer/**', '**/preload/**', '**/extensions/**'], 'core/ may import only common/ and libraries'],
        LAB,
        TESTS,
      ]),
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'WebSocket', 'RTCPeerConnection', 'localStorage', 'process', 'Buffer'],
      'no-console': 'error',
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: forbid([
      [['**/main', '**/main/**', '**/core', '**/core/**', '**/preload/**'], 'renderer/ knows the host only through the bridge contract in common/'],
      [['electron', 'electron/*', NODE_BUILTINS], 'renderer/ runs sandboxed: no electron or Node modules'],
      LAB,
      TESTS,
    ]),
  },
  {
    files: ['preload/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid([
      [['**/core/**', '**/main/**', '**/renderer/**'], 'preload/ exposes the contract in common/ and nothing else'],
      LAB,
      TESTS,
    ]),
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid([
      [['**/renderer/**', '**/preload/**'], 'main/ talks to windows through the bridge, never by import'],
      LAB,
      TESTS,
    ]),
  },
  {
    files: ['extensions/**/*.ts', 'extensions/**/*.tsx'],
    ignores: ['**/*.test.ts'],
    rules: forbid([
      [['**/core/**', '**/main/**', '**/renderer/**', '**/preload/**', 'electron', NODE_BUILTINS], 'extensions/ code only against the pane API types in common/'],
      LAB,
    ]),
  },
  {
    files: ['lab/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid([
      [['electron', ...UI], 'lab/ is headless'],
      [['**/main/cli/**', '**/main/electron/**', '**/main/web/**', '**/main/agent/**', '**/main/extensions/**', '**/renderer/**', '**/preload/**'], 'lab/ builds on core/, common/ and the Node adapters in main/adapters/ only'],
    ]),
  },
  {
    // Only hooks touch the bridge (renderer/README.md): components and views call hooks in
    // renderer/src/hooks/, which hold the store; no `.call`/`.invoke` and no store of their own.
    files: ['renderer/src/components/**/*.ts', 'renderer/src/components/**/*.tsx', 'renderer/src/views/**/*.ts', 'renderer/src/views/**/*.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name=/^(call|invoke)$/]", message: 'components and views reach the host through a hook in renderer/src/hooks/, never a bridge call' },
        { selector: "CallExpression[callee.name='useDesktopStore']", message: 'the store is for hooks in renderer/src/hooks/; read state with useDesktopView or a hook' },
      ],
    },
  },
);
