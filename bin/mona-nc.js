#!/usr/bin/env node
// The installed command: the one-file CLI bundle (npm run build), compiled with the V8 code cache the build made
// from a run of it (dist/mona-nc.cjs.cache), or without it where this node cannot use it (another V8, V8 flags in
// NODE_OPTIONS: then V8 rejects it silently). CommonJS (bin/package.json): an ESM entry costs ~10 ms more a start.
'use strict';
// SIGUSR1 is ours from the first line: Node's default opens its inspector (the CLI prints statistics instead).
process.on('SIGUSR1', () => undefined);
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'mona-nc.cjs');

/** The bundle as a CommonJS module function, compiled with `cachedData` when given. */
function compile(file, cachedData) {
  const source = readFileSync(file, 'utf8');
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
}

/** Run a compiled bundle as the main module would run. */
function run(script, file) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
}

/** The cache, if the build made one. */
function cache() {
  try {
    return readFileSync(`${BUNDLE}.cache`);
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  let script;
  try {
    script = compile(BUNDLE, cache());
  } catch (err) {
    // A clone linked (npm install -g . / npm link) before its first `npm install`: say what to run, not a stack trace.
    if (err?.code !== 'ENOENT') throw err;
    process.stderr.write(`mona-nc: not built: run \`npm install\` in ${join(__dirname, '..')} (it builds dist/)\n`);
    process.exit(1);
  }
  run(script, BUNDLE);
} else {
  module.exports = { BUNDLE, compile, run };
}
