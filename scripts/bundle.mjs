#!/usr/bin/env node
// One CommonJS file for the CLI (dist/mona-nc.cjs): the npm bin and the standalone binary both run it, and Node 20
// starts it ~2x faster than the unbundled ESM tree (no compile cache before Node 22). Usage: node scripts/bundle.mjs
import { readFileSync } from 'node:fs';
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

export async function bundle() {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  await build({
    entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // CommonJS has no import.meta: yargs calls createRequire(import.meta.url), so give it this file's URL.
    define: { 'import.meta.url': '__import_meta_url', MONA_NC_VERSION: JSON.stringify(version) },
    banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [lazyStringWidth],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
