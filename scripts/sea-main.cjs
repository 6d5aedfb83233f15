// The standalone binary's entry: the CLI bundle and its code cache from the binary's own assets, compiled and run as
// bin/mona-nc.js does (a cache this node cannot use is rejected silently: no warning with V8 flags in NODE_OPTIONS).
'use strict';
// SIGUSR1 is ours from the first line: Node's default opens its inspector (the CLI prints statistics instead).
process.on('SIGUSR1', () => undefined);
const { getAsset } = require('node:sea');
const { Script } = require('node:vm');

const source = getAsset('mona-nc.cjs', 'utf8');
const cachedData = Buffer.from(getAsset('mona-nc.cjs.cache'));
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: 'mona-nc.cjs', cachedData });
const module_ = { exports: {} };
script.runInThisContext()(module_.exports, require, module_, 'mona-nc.cjs', '.');
