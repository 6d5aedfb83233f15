#!/usr/bin/env node
// The installed command: the one-file CLI bundle (npm run build). CommonJS (see bin/package.json) because an ESM
// entry costs ~10 ms more at every start, and an ESM `import` of the bundle ~60 ms more.
require('../dist/mona-nc.cjs');
