// Start-up loads only what the command needs: --help, --version and a refused connect load no mode and no
// socket they do not use, and the bundle builds yargs' help layout (string-width) only for --help.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { closedPort } from './helpers/net.js';

const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}.js`, import.meta.url));
const UNBUNDLED = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** The files of src/ that the unbundled CLI (the tree the bundle is made from) loads for `args`. */
async function loaded(args: string[]): Promise<string[]> {
  const r = await runCli(args, { nodeArgs: ['--import', fixture('trace-imports')], script: UNBUNDLED });
  return [...new Set(r.stderr.split('\n').flatMap((l) => /^import file:.*\/dist\/src\/(.*)$/.exec(l)?.[1] ?? []))];
}

// The sockets' implementations, the modes and the relay.
const SOCKETS = /^mona\/(index|tcp-client|tcp-server|udp-socket)\.js$/;
const MODES = /^(modes\/|core\/relay\.js$)/;

test('--version and --help load no socket and no mode', async (t) => {
  for (const args of [['--version'], ['--help'], ['tcp-server', '--help']]) {
    const files = await loaded(args);
    t.true(files.includes('cli.js'), `${args.join(' ')}: the trace works (${files.join(' ')})`);
    t.deepEqual(files.filter((f) => SOCKETS.test(f) || MODES.test(f)), [], args.join(' '));
  }
});

test('a refused connect loads the TCP client, and no mode', async (t) => {
  const files = await loaded(['tcp-client', `127.0.0.1:${await closedPort()}`]);
  t.true(files.includes('mona/tcp-client.js'), files.join(' '));
  t.deepEqual(files.filter((f) => MODES.test(f)), []);
});

/** How many Intl.Segmenter the bundled CLI (bin/mona-nc.js) built. */
async function segmenters(args: string[]): Promise<number> {
  const r = await runCli(args, { nodeArgs: ['--import', fixture('count-segmenters')] });
  return Number(/^segmenters (\d+)$/m.exec(r.stderr)?.[1] ?? NaN);
}

test('the bundle loads string-width only to lay out --help', async (t) => {
  t.is(await segmenters(['--version']), 0);
  t.is(await segmenters(['tcp-client', `127.0.0.1:${await closedPort()}`]), 0);
  t.true((await segmenters(['--help'])) > 0, 'the probe sees string-width when it loads');
});

test('the CLI bundle has no import(): bin/mona-nc.js runs it through vm (for the code cache), where import() cannot load', (t) => {
  const bundle = readFileSync(fileURLToPath(new URL('../../dist/mona-nc.cjs', import.meta.url)), 'utf8');
  t.deepEqual(bundle.match(/\bimport\(\s*["'`][^"'`]+["'`]\s*\)/g) ?? [], []);
});
