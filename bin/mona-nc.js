#!/usr/bin/env node
// The installed command: the one-file CLI bundle (npm run build). CommonJS (see bin/package.json) because an ESM
// entry costs ~10 ms more at every start, and an ESM `import` of the bundle ~60 ms more.
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'mona-nc.cjs');
try {
  require(bundle);
} catch (err) {
  // A clone linked (npm install -g . / npm link) before its first `npm install`: say what to run, not a stack trace.
  if (err?.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(bundle)) throw err;
  process.stderr.write(`mona-nc: not built: run \`npm install\` in ${join(__dirname, '..')} (it builds dist/)\n`);
  process.exitCode = 1;
}
