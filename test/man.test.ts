// The man page renders without warnings and names every flag the CLI accepts (they must not drift apart).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { missingCommand, testUnless } from './helpers/skip.js';

const page = fileURLToPath(new URL('../../man/mona-nc.1', import.meta.url));
const source = readFileSync(page, 'utf8');
// `completion` has no flags of its own (and yargs answers `completion --help` with the script itself).
const COMMANDS = [[], ['tcp-client'], ['tcp-server'], ['udp', 'connect'], ['udp', 'bind'], ['run'], ['replay']];

/** Every flag named in `--help` texts: `-k`, `--keep-open`, `-4`... as names without dashes. */
const flagsOf = (helps: string[]): string[] => [...new Set(helps.flatMap((help) => [...help.matchAll(/(?<![\w-])--?([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1] ?? '')))];

/** The flags an mdoc page does not document with `.Fl` (`--no-X` documents X). */
const missingFlags = (flags: readonly string[], mdoc: string): string[] => {
  const text = mdoc.replace(/\\/g, '');
  return flags.filter((f) => !new RegExp(`Fl -?${f}\\b|Fl -no-${f}\\b`).test(text));
};

const helps = Promise.all(COMMANDS.map(async (command) => (await runCli([...command, '--help'])).stdout.toString()));

test('every flag of every command is in the man page', async (t) => {
  const flags = flagsOf(await helps);
  t.true(flags.length > 15, flags.join(' '));
  t.true(flags.includes('progress') && flags.includes('keep-open') && flags.includes('4'), flags.join(' '));
  t.deepEqual(missingFlags(flags, source), []);
});

test('the check catches a flag the page lost', async (t) => {
  const flags = flagsOf(await helps);
  // The same page with --linger and -k (with --keep-open) taken out of every .Fl.
  const lost = source.replace(/Fl \\-linger/g, 'Fl').replace(/Fl k\b/g, 'Fl').replace(/Fl \\-keep-open/g, 'Fl');
  t.deepEqual(missingFlags(flags, lost).sort(), ['k', 'keep-open', 'linger']);
});

test('every command is in the man page', (t) => {
  for (const c of ['tcp-client', 'tcp-server', 'udp connect', 'udp bind', 'replay', 'completion']) t.true(source.includes(`Cm ${c}`), c);
});

testUnless(missingCommand('groff', 'groff (Debian: groff-base)'))('the man page renders without warnings', (t) => {
  const groff = spawnSync('groff', ['-mandoc', '-ww', '-z', page], { encoding: 'utf8' });
  t.is(groff.status, 0);
  t.is(groff.stderr, '');
});
