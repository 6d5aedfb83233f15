// -U: Unix stream sockets with Node net peers: 10 MiB round trip, the socket file removed at exit, a live one
// refused ("address in use"), a stale one replaced, abstract names, JSON events carrying the path, every mode.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonLines, runCli, startCli as start, type CliOptions, type Running } from '../helpers/cli.js';
import { readAll, sha256, within } from '../helpers/net.js';

const dir = mkdtempSync(join(tmpdir(), 'mona-nc-unix-'));
let n = 0;
const socketPath = (): string => join(dir, `s${n++}.sock`);
const running: Running[] = [];
const startCli = (args: readonly string[], options?: CliOptions): Running => {
  const cli = start(args, options);
  running.push(cli);
  return cli;
};
test.after.always(() => {
  for (const cli of running) cli.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const connectUnix = (path: string): Promise<net.Socket> => new Promise((resolve, reject) => {
  const s = net.connect({ path, allowHalfOpen: true }, () => resolve(s));
  s.once('error', reject);
});

test('10 MiB through tcp-client -U to tcp-server -U --echo, sha256-identical; the socket file is gone after exit', async (t) => {
  const path = socketPath();
  const server = startCli(['tcp-server', '-U', path, '--echo', '--log-format', 'json']);
  const listening = await server.waitEvent('listening');
  t.is(listening.address, path);
  t.is(listening.transport, 'unix');
  t.true(existsSync(path));
  const data = randomBytes(10 * 1024 * 1024);
  const r = await runCli(['tcp-client', '--unixsock', path, '--log-format', 'json'], { stdin: data, timeoutMs: 30000 });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.length, data.length);
  t.is(sha256(r.stdout), sha256(data));
  const events = parseJsonLines(r.stderr);
  t.is(events.find((e) => e.event === 'connected')?.peer, path, 'events carry the path');
  t.is(events.find((e) => e.event === 'closed')?.bytesIn, data.length);
  server.child.kill('SIGTERM');
  t.is((await server.done()).code, 143);
  t.false(existsSync(path), 'the socket file is removed at exit');
});

test('tcp-server -U (one client, pipe): a Node client sends, half-closes, and gets stdin back; the file is gone after', async (t) => {
  const path = socketPath();
  const server = startCli(['tcp-server', '-U', path], { stdin: 'hello unix client' });
  const line = await server.waitLine(/listening on /);
  t.true(line.endsWith(`listening on ${path}`), line);
  const socket = await connectUnix(path);
  const reply = readAll(socket);
  socket.end('from the client');
  t.is((await within(reply, 5000, 'reply')).toString(), 'hello unix client');
  const r = await server.done();
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'from the client');
  t.false(existsSync(path));
});

test('tcp-server -U -k: two Node clients, each one\'s bytes on stdout, accepted events carry the path', async (t) => {
  const path = socketPath();
  const server = startCli(['tcp-server', '-U', path, '-k', '--log-format', 'json'], { stdin: 'pipe' });
  await server.waitEvent('listening');
  const [a, b] = [await connectUnix(path), await connectUnix(path)];
  a.write('A');
  b.write('B');
  await within((async () => { while (Buffer.concat(server.stdoutChunks).length < 2) await new Promise((r) => setTimeout(r, 20)); })(), 5000, 'both');
  t.deepEqual(Buffer.concat(server.stdoutChunks).toString().split('').sort(), ['A', 'B']);
  a.destroy();
  b.destroy();
  server.child.kill('SIGTERM');
  const r = await server.done();
  const events = parseJsonLines(r.stderr).filter((e) => e.event === 'accepted');
  t.is(events.length, 2);
  t.true(events.every((e) => e.local === path && e.peer === path), JSON.stringify(events));
  t.false(existsSync(path));
});

test('a live socket is refused: exit 1, "address in use", and the first server keeps its file', async (t) => {
  const path = socketPath();
  const first = startCli(['tcp-server', '-U', path, '--echo']);
  await first.waitLine(/listening on /);
  const second = await runCli(['tcp-server', '-U', path, '--echo', '--log-format', 'json']);
  t.is(second.code, 1, second.stderr);
  t.is(second.errors.length, 1);
  t.regex(second.errors[0] ?? '', new RegExp(`Unable to listen on ${path.replace(/[.]/g, '\\.')} \\(address in use\\)`));
  t.is(parseJsonLines(second.stderr).find((e) => e.event === 'exit')?.reason, 'in-use');
  t.true(existsSync(path));
  const r = await runCli(['tcp-client', '-U', path], { stdin: 'still there' });
  t.is(r.stdout.toString(), 'still there');
  first.child.kill('SIGTERM');
  await first.done();
});

test('a stale socket file (its server died) is replaced', async (t) => {
  const path = socketPath();
  const crashed = startCli(['tcp-server', '-U', path, '--echo']);
  await crashed.waitLine(/listening on /);
  crashed.child.kill('SIGKILL');
  await crashed.done();
  t.true(existsSync(path), 'SIGKILL leaves the file behind');
  const server = startCli(['tcp-server', '-U', path, '--echo']);
  await server.waitLine(/listening on /);
  const r = await runCli(['tcp-client', '-U', path], { stdin: 'fresh' });
  t.is(r.stdout.toString(), 'fresh', r.stderr);
  server.child.kill('SIGTERM');
  await server.done();
  t.false(existsSync(path));
});

test('a regular file at the path is never removed: exit 1, address in use', async (t) => {
  const path = join(dir, 'not-a-socket');
  writeFileSync(path, 'precious');
  const r = await runCli(['tcp-server', '-U', path]);
  t.is(r.code, 1);
  t.regex(r.errors[0] ?? '', /address in use/);
  t.true(existsSync(path));
});

test('tcp-client -U to a path with nobody: one ERROR, exit 1, reason refused', async (t) => {
  const r = await runCli(['tcp-client', '-U', join(dir, 'nobody.sock'), '--log-format', 'json']);
  t.is(r.code, 1);
  t.regex(r.errors[0] ?? '', /Unable to connect to .*nobody\.sock \(no such file or directory\)/);
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.reason, 'refused');
});

const onLinux = process.platform === 'linux' ? test : test.skip;
if (process.platform !== 'linux') test('abstract Unix socket names', (t) => { t.log('skipped: abstract Unix socket names are Linux-only'); t.pass(); });

onLinux('an abstract name (@name): no file, a round trip', async (t) => {
  const name = `@mona-nc-test-${process.pid}-${Date.now()}`;
  const server = startCli(['tcp-server', '-U', name, '--echo']);
  const line = await server.waitLine(/listening on /);
  t.true(line.endsWith(`listening on ${name}`), line);
  const r = await runCli(['tcp-client', '-U', name], { stdin: 'abstract' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'abstract');
  server.child.kill('SIGTERM');
  await server.done();
});

test('-U with --ssl, or with a port: usage errors', async (t) => {
  const ssl = await runCli(['tcp-client', '-U', '/tmp/x.sock', '--ssl']);
  t.is(ssl.code, 2);
  t.regex(ssl.errors[0] ?? '', /cannot use -U and --ssl|cannot use --ssl and -U/);
  const port = await runCli(['tcp-client', '-U', '/tmp/x.sock', '80']);
  t.is(port.code, 2);
  t.regex(port.errors[0] ?? '', /-U takes one path/);
});
