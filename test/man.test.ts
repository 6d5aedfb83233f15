// The man page renders without warnings and names every flag the CLI accepts (they must not drift apart).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';

const page = fileURLToPath(new URL('../../man/mona-nc.1', import.meta.url));
const source = readFileSync(page, 'utf8').replace(/\\/g, '');
const COMMANDS = [[], ['tcp-client'], ['tcp-server'], ['udp', 'connect'], ['udp', 'bind']];

test('every flag of every command is in the man page', async (t) => {
  const flags = new Set<string>();
  for (const command of COMMANDS) {
    const help = (await runCli([...command, '--help'])).stdout.toString();
    for (const m of help.matchAll(/(?<![\w-])--?([a-z0-9][a-z0-9-]*)/g)) flags.add(m[1] ?? '');
  }
  t.true(flags.size > 15, [...flags].join(' '));
  const missing = [...flags].filter((f) => !new RegExp(`Fl -?${f}\\b|Fl -no-${f}\\b`).test(source));
  t.deepEqual(missing, []);
});

test('every command is in the man page', (t) => {
  for (const c of ['tcp-client', 'tcp-server', 'udp connect', 'udp bind']) t.true(source.includes(`Cm ${c}`), c);
});

test('the man page renders without warnings', (t) => {
  const groff = spawnSync('groff', ['-mandoc', '-ww', '-z', page], { encoding: 'utf8' });
  if (groff.error) {
    t.log('skipped: groff is not installed (Debian: groff-base)');
    t.pass();
    return;
  }
  t.is(groff.status, 0);
  t.is(groff.stderr, '');
});
