// Build step: the V8 code cache of the CLI bundle (dist/mona-nc.cjs.cache), made by running the bundle once as
// bin/mona-nc.js does, with the arguments given (a refused connect compiles what a plain run needs), and saving
// what V8 compiled on the way. Usage (scripts/bundle.mjs runs it): node scripts/code-cache.cjs ARGS...
'use strict';
const { writeFileSync } = require('node:fs');
const { BUNDLE, compile, run } = require('../bin/mona-nc.js');

const script = compile(BUNDLE);
process.on('exit', () => writeFileSync(`${BUNDLE}.cache`, script.createCachedData()));
run(script, BUNDLE);
