// Errors that teach: nc habits, typos, garbled addresses and odd flag names are one ERROR line, one hint line, exit 2.
import test from 'ava';
import { runCli } from '../helpers/cli.js';

const teaches = test.macro({
  async exec(t, args: string[], error: RegExp, hint: RegExp | undefined) {
    const r = await runCli(args);
    t.is(r.code, 2, r.stderr);
    t.is(r.errors.length, 1, r.stderr);
    t.regex(r.errors[0] ?? '', error);
    const lines = r.stderrLines;
    t.is(lines.length, 2, r.stderr);
    if (hint) t.regex(lines[1] ?? '', hint);
    t.false(/\n\s+at /.test(r.stderr), 'no stack trace');
  },
  title: (_, args: string[]) => `mona-nc ${args.join(' ')}`,
});

// nc habits.
test(teaches, ['127.0.0.1', '80'], /unknown command '127\.0\.0\.1'/, /^did you mean: mona-nc tcp-client 127\.0\.0\.1 80$/);
test(teaches, ['example.com', '80'], /unknown command 'example\.com'/, /^did you mean: mona-nc tcp-client example\.com 80$/);
test(teaches, ['-l', '1234'], /unknown option -l/, /use: mona-nc tcp-server \[ADDR\] PORT/);
test(teaches, ['-lk', '1234'], /unknown option -l/, /tcp-server/);
test(teaches, ['-u', '127.0.0.1', '53'], /unknown option -u/, /udp connect .* udp bind/);
test(teaches, ['tcp-server', '-p', '1234'], /-p: tcp-server takes its port as an argument/, /mona-nc tcp-server \[ADDR\] PORT/);
test(teaches, ['udp', 'bind', '-p', '1234'], /-p: udp bind takes its port as an argument/, /mona-nc udp bind/);
test(teaches, ['tcp-client', '127.0.0.1:80', '-y', '/bin/cat'], /unknown option -y/, undefined);
// Typos: commands, subcommands, flags; never the camelCase twin.
test(teaches, ['tcp-sever', '1234'], /unknown command 'tcp-sever'/, /did you mean: mona-nc tcp-server\?/);
test(teaches, ['udp', 'bnd', '1234'], /unknown udp subcommand 'bnd'/, /did you mean: mona-nc udp bind\?/);
test(teaches, ['tcp-server', '1234', '--keep-opne'], /^.*ERROR unknown option --keep-opne$/, /did you mean --keep-open\?/);
test(teaches, ['tcp-server', '1234', '--ehco'], /unknown option --ehco$/, /did you mean --echo\?/);
test(teaches, ['frobnicate'], /unknown command 'frobnicate'/, /the commands: tcp-client, tcp-server/);
// Garbled addresses and ports say what is wrong.
test(teaches, ['tcp-client', 'localhost:'], /no port after 'localhost:'/, undefined);
test(teaches, ['tcp-client', '[::1]80'], /\[::1\]80: expected ':' after '\]'/, undefined);
test(teaches, ['tcp-client', '127.0.0.1:80:80'], /127\.0\.0\.1:80:80: not a host name or address/, undefined);
test(teaches, ['tcp-client', '[::1]x:80'], /expected ':' after '\]'/, undefined);
test(teaches, ['tcp-client', '[:80'], /missing '\]'/, undefined);
test(teaches, ['tcp-client', '127.0.0.1', ' 80'], /port " 80": not a number/, undefined);
test(teaches, ['tcp-server', '\t80'], /port "\\t80": not a number/, undefined);
test(teaches, ['tcp-server', '0', '--log-format', 'xml'], /--log-format xml: not one of text, json/, undefined);
// Names of JavaScript built-ins are unknown flags, not a crash.
for (const name of ['--constructor', '--toString', '--valueOf', '--hasOwnProperty', '--__defineGetter__', '--__proto__']) {
  test(teaches, ['tcp-client', '127.0.0.1:9', name], new RegExp(`unknown option ${name}`), undefined);
}

test('completion --help prints help, not the script', async (t) => {
  const r = await runCli(['completion', '--help']);
  t.is(r.code, 0);
  t.regex(r.stdout.toString(), /^mona-nc completion\n/);
  t.notRegex(r.stdout.toString(), /_yargs_completions/);
});

test('the usage lines agree: [address] <port> in the top help, the command help and the man page', async (t) => {
  const top = (await runCli(['--help'])).stdout.toString();
  const server = (await runCli(['tcp-server', '--help'])).stdout.toString();
  const bind = (await runCli(['udp', 'bind', '--help'])).stdout.toString();
  t.regex(top, /mona-nc tcp-server \[address\] <port>/);
  t.regex(server, /^mona-nc tcp-server \[address\] <port>/);
  t.regex(bind, /^mona-nc udp bind \[address\] <port>/);
  for (const command of ['tcp-client', 'tcp-server', 'udp', 'run', 'completion']) t.regex(top, new RegExp(`mona-nc ${command}\\b.*\\S{3,}`), `${command} has a description`);
});
