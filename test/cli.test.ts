// The command line as a whole: version, help, unknown commands, and the flags that are not ours yet.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { runCli } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('--version prints the package version', async (t) => {
  const r = await runCli(['--version']);
  t.is(r.code, 0);
  t.is(r.stdout.toString().trim(), pkg.version);
});

test('--help lists the commands on stdout', async (t) => {
  const r = await runCli(['--help']);
  t.is(r.code, 0);
  for (const name of ['tcp-client', 'tcp-server', 'udp']) t.true(r.stdout.toString().includes(name));
  const sub = await runCli(['udp', 'bind', '--help']);
  t.is(sub.code, 0);
  t.regex(sub.stdout.toString(), /--echo/);
});

const usage = test.macro({
  async exec(t, args: string[]) {
    const r = await runCli(args);
    t.is(r.code, 2, r.stderr);
    t.is(r.errors.length, 1, r.stderr);
    t.false(/\n\s+at /.test(r.stderr));
  },
  title: (_, args: string[]) => `usage error: mona-nc ${args.join(' ')}`,
});

test(usage, []);
test(usage, ['frobnicate']);
test(usage, ['tcp-client']);
test(usage, ['tcp-server']);
test(usage, ['tcp-server', '1', '2', '3']);
test(usage, ['udp', 'nope', '1']);
test(usage, ['tcp-server', '0', '-w', '1']);
test(usage, ['tcp-client', '[::1]:80', '-4']);
test(usage, ['udp', 'bind', '127.0.0.1:0', '-6']);
test(usage, ['udp', 'bind', '0', '--echo', '--lines']);
test(usage, ['udp', 'bind', '0', '--echo', '--progress']);
test(usage, ['tcp-server', '0', '--echo', '--progress']);
// A client's flags on a server: -z, -s and -p (the nc habit of -p PORT is taught by the command-line reader).
for (const flag of ['-z', '-s=127.0.0.1', '-p=5000', '--scan-concurrency=5']) {
  test(usage, ['tcp-server', '0', flag]);
}

test('the aliases connect and listen', async (t) => {
  const r = await runCli(['connect', '127.0.0.1', '1', '-w', '2']);
  t.is(r.code, 1);
  t.regex(r.errors[0] ?? '', /Unable to connect to 127\.0\.0\.1:1/);
  const l = await runCli(['listen', '127.0.0.1:70000']);
  t.is(l.code, 2);
});
