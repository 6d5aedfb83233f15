#!/usr/bin/env node
// One CommonJS file for the CLI (dist/mona-nc.cjs): the npm bin and the standalone binary both run it, and Node 20
// starts it ~2x faster than the unbundled ESM tree (no compile cache before Node 22). Usage: node scripts/bundle.mjs
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE = fileURLToPath(new URL('../dist/mona-nc.cjs', import.meta.url));

// string-width (yargs' help layout, three copies) builds Intl.Segmenter and Unicode-property regexes when loaded:
// ~30 ms of a ~75 ms start. Only --help needs it, so every import of it gets a stub that loads it on first call.
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.namespace === 'lazy') return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, namespace: 'lazy' });
      return { path: relative(ROOT, real.path), namespace: 'lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `let real; module.exports = (text, options) => (real ??= require(${JSON.stringify(join(ROOT, args.path))}).default)(text, options);`,
      resolveDir: ROOT,
      loader: 'js',
    }));
  },
};

// CommonJS has no import.meta: yargs and wasmoon call createRequire(import.meta.url), so give them this file's URL.
const commonjs = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  logLevel: 'warning',
};

// yargs' platform shim imports node:assert (with its util.inspect and colour machinery: ~5 ms) for two sanity
// checks that a normal run never trips: load it when one is called.
const lazyAssert = {
  name: 'lazy-assert',
  setup(b) {
    b.onResolve({ filter: /^(node:)?assert$/ }, (args) => (args.importer.includes('yargs') ? { path: 'assert', namespace: 'lazy-assert' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-assert' }, () => ({
      contents: "let real; const get = () => (real ??= require('node:assert')); module.exports = { strictEqual: (...a) => get().strictEqual(...a), notStrictEqual: (...a) => get().notStrictEqual(...a) };",
      loader: 'js',
    }));
  },
};

// Built-ins a plain run never calls: node:crypto (digest, chaos seeds, self-signed certificates, HTTP proxy auth),
// node:dns/promises (a name to resolve) and node:v8 (the reclaim GC, after 4 MiB moved) cost ~30 internal modules
// at start-up. esbuild's ESM interop copies a module's own keys into getters (`() => mod[key]`) and reads each key's
// descriptor, so a proxy that answers both from the key list taken here, at build time, and requires the real module
// at the first read of a value is the module, loaded when first used.
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:(crypto|dns\/promises|v8)$/ }, (args) => ({ path: args.path.slice(5), namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let real; const get = () => (real ??= require(${JSON.stringify(args.path)}));
const keys = ${JSON.stringify(Object.keys(createRequire(import.meta.url)(args.path)))};
module.exports = new Proxy({}, {
  get: (_, key) => get()[key],
  has: (_, key) => keys.includes(key),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, key) => (keys.includes(key) ? { enumerable: true, configurable: true, writable: true, value: undefined } : undefined),
});`,
      loader: 'js',
    }));
  },
};

export async function bundle() {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  // The libraries only `run` needs, one file each, loaded on demand by src/assets.ts loadVendor(), and their run-time
  // files beside them (assetPath): the installed package then needs no node_modules, and no dependency.
  const { ASSETS, VENDORS, resolveAsset } = await import('../dist/src/assets.js');
  mkdirSync(join(ROOT, 'dist', 'vendor'), { recursive: true });
  for (const [name, asset] of Object.entries(ASSETS)) copyFileSync(resolveAsset(asset, join(ROOT, 'package.json')), join(ROOT, 'dist', 'vendor', name));
  for (const name of VENDORS) {
    await build({
      ...commonjs,
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: ROOT, loader: 'js' },
      outfile: join(ROOT, 'dist', 'vendor', `${name}.cjs`),
      define: { 'import.meta.url': '__import_meta_url' },
      // import() of built-ins becomes require(): inside the binary a vendor bundle runs through vm, without import().
      supported: { 'dynamic-import': false },
    });
  }
  await build({
    ...commonjs,
    entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
    outfile: BUNDLE,
    define: { 'import.meta.url': '__import_meta_url', MONA_NC_VERSION: JSON.stringify(version), MONA_NC_BUNDLED: 'true' },
    // import() of a built-in becomes require(): bin/mona-nc.js runs the bundle through vm (for its code cache), where
    // import() has no loader.
    supported: { 'dynamic-import': false },
    plugins: [lazyStringWidth, lazyAssert, lazyBuiltins],
  });
}

/** The V8 code cache of the bundle, made by a refused connect (a port just closed): scripts/code-cache.cjs. */
export async function codeCache() {
  const { createServer } = await import('node:net');
  const { spawnSync } = await import('node:child_process');
  const port = await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address();
      server.close(() => resolve(p));
    });
  });
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'code-cache.cjs'), 'tcp-client', `127.0.0.1:${port}`], { stdio: 'ignore' });
  if (r.error) throw r.error;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle();
  await codeCache();
}
