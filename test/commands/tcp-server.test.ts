// tcp-server as a child process with plain Node clients: one client, -k, --echo, the listening line.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, sha256, tcpPeer, within } from '../helpers/net.js';
import { noIPv6Loopback, testUnless } from '../helpers/skip.js';

test.after.always(closeAllPeers);

test('1 MiB each way through tcp-server: stdin to the client, the client to stdout', async (t) => {
  const toClient = randomBytes(1024 * 1024);
  const fromClient = randomBytes(1024 * 1024);
  const cli = startCli(['tcp-server', '127.0.0.1:0'], { stdin: toClient });
  const socket = await connectTcp(await cli.port());
  const got = readAll(socket);
  socket.end(fromClient);
  const received = await within(got, 10000, 'data from the server');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(sha256(received), sha256(toClient));
  t.is(sha256(r.stdout), sha256(fromClient));
});

test('stdin at EOF before the client: the client gets a FIN and is still heard to its end', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1', '0']);
  const socket = await connectTcp(await cli.port());
  const got = readAll(socket);
  t.is((await within(got, 5000, 'FIN')).length, 0);
  socket.end('late upload');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'late upload');
});

test('one client by default: the listener closes behind it, a second client is refused', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-v'], { stdin: 'pipe' });
  const port = await cli.port();
  const first = await connectTcp(port);
  await cli.waitLine(/accepted #1/);
  await t.throwsAsync(connectTcp(port), { code: 'ECONNREFUSED' });
  const rest = readAll(first);
  cli.child.stdin?.end('bye');
  first.end();
  t.is((await within(rest, 5000, 'reply')).toString(), 'bye');
  t.is((await cli.done()).code, 0);
});

test('--echo with 3 concurrent clients: each gets its own bytes back', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--echo']);
  const port = await cli.port();
  const payloads = [0, 1, 2].map(() => randomBytes(256 * 1024));
  const sockets = await Promise.all(payloads.map(() => connectTcp(port)));
  const answers = sockets.map((s) => readAll(s));
  sockets.forEach((s, i) => s.end(payloads[i] ?? Buffer.alloc(0)));
  const echoed = await within(Promise.all(answers), 10000, 'echoes');
  echoed.forEach((e, i) => t.is(sha256(e), sha256(payloads[i] ?? Buffer.alloc(0))));
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.is(r.stdout.length, 0, '--echo writes nothing to stdout');
});

test('--echo keeps serving after a client resets', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--echo']);
  const port = await cli.port();
  const rude = await connectTcp(port);
  rude.write('x');
  rude.resetAndDestroy();
  const polite = await connectTcp(port);
  const answer = readAll(polite);
  polite.end('still there?');
  t.is((await within(answer, 5000, 'echo')).toString(), 'still there?');
  cli.child.kill('SIGINT');
  t.is((await cli.done()).code, 130);
});

test('-k: many clients; stdin goes to all of them, all of them to stdout', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-k', '-v'], { stdin: 'pipe' });
  const port = await cli.port();
  const a = await connectTcp(port);
  await cli.waitLine(/accepted #1/);
  const b = await connectTcp(port);
  await cli.waitLine(/accepted #2/);
  const [ra, rb] = [readAll(a), readAll(b)];
  a.write('from a\n');
  b.write('from b\n');
  cli.child.stdin?.end('to all\n');
  t.is((await within(ra, 5000, 'a')).toString(), 'to all\n');
  t.is((await within(rb, 5000, 'b')).toString(), 'to all\n');
  a.end();
  b.end();
  await cli.waitLine(/closed #2/);
  await cli.waitLine(/closed #1/);
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.is(r.code, 130);
  t.deepEqual(r.stdout.toString().split('\n').filter(Boolean).sort(), ['from a', 'from b']);
});

test('address in use: exit 1, one ERROR naming the address', async (t) => {
  const holder = await tcpPeer(() => undefined);
  const r = await runCli(['tcp-server', `127.0.0.1:${holder.port}`]);
  t.is(r.code, 1);
  t.deepEqual(r.errors.map((l) => l.replace(/^\S+ /, '')), [`ERROR Unable to listen on 127.0.0.1:${holder.port} (address in use)`]);
  t.false(/\n\s+at /.test(r.stderr));
});

const listens = test.macro({
  async exec(t, args: string[], expected: RegExp) {
    const cli = startCli(['tcp-server', ...args, '--echo']);
    const line = await cli.waitLine(/listening on /);
    cli.child.kill('SIGTERM');
    await cli.done();
    t.regex(line, expected);
  },
  title: (_, args: string[]) => `tcp-server ${args.join(' ')} logs its real address`,
});

test(listens, ['127.0.0.1:0'], /^\d\d:\d\d:\d\d\.\d{3} NOTE listening on 127\.0\.0\.1:[1-9]\d*$/);
test(listens, ['127.0.0.1', '0'], /NOTE listening on 127\.0\.0\.1:[1-9]\d*$/);
test(listens, ['0'], /NOTE listening on (\[::\]|0\.0\.0\.0):[1-9]\d*$/);
test(listens, ['0', '-4'], /NOTE listening on 0\.0\.0\.0:[1-9]\d*$/);

testUnless(noIPv6Loopback())('[::1]:0 listens on IPv6 loopback and serves an IPv6 client', async (t) => {
  const cli = startCli(['tcp-server', '[::1]:0', '--echo']);
  const line = await cli.waitLine(/listening on /);
  t.regex(line, /listening on \[::1\]:\d+$/);
  const socket = await connectTcp(await cli.port(), '::1');
  const answer = readAll(socket);
  socket.end('six');
  t.is((await within(answer, 5000, 'echo')).toString(), 'six');
  cli.child.kill('SIGTERM');
  await cli.done();
});

test('--echo with stdin flags is a usage error', async (t) => {
  const r = await runCli(['tcp-server', '0', '--echo', '-q', '1']);
  t.is(r.code, 2);
  t.regex(r.errors[0] ?? '', /cannot use --echo and -q/);
});
