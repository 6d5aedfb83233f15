// -x/--hex-dump, -o/--output, --append-output (issue 13 item 6): the traffic both ways in files, in order, against
// Node net and dgram peers; files that cannot be opened or written.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { until } from '../helpers/log.js';
import { hexLines } from '../../src/taps/hex.js';

test.after.always(closeAllPeers);
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-traffic-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const path = (name: string): string => join(dir, `${n++}-${name}`);

/** A peer that answers `reply` to the first bytes it gets, then `last` after our FIN, then closes. */
async function conversation(reply: string, last: string): Promise<{ port: number; heard: () => Buffer }> {
  const chunks: Buffer[] = [];
  const peer = await tcpPeer((socket) => {
    socket.once('data', () => socket.write(reply));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => socket.end(last));
  });
  return { port: peer.port, heard: () => Buffer.concat(chunks) };
}

test('-o FILE: every byte both ways, in the order they passed', async (t) => {
  const { port } = await conversation('HELLO\n', 'BYE\n');
  const out = path('out.bin');
  const cli = startCli(['tcp-client', `127.0.0.1:${port}`, '-o', out], { stdin: 'pipe' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  cli.child.stdin?.write('hi\n');
  await until(() => Buffer.concat(cli.stdoutChunks).toString() === 'HELLO\n', 5000, 'the reply');
  cli.child.stdin?.end('quit\n');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'HELLO\nBYE\n');
  t.is(readFileSync(out, 'utf8'), 'hi\nHELLO\nquit\nBYE\n');
  // The traffic may hold secrets: a new file is its owner's alone.
  t.is(statSync(out).mode & 0o777, 0o600);
});

test('-x FILE: hexdump -C lines, > for sent and < for received, offsets per direction, under the peer\'s address', async (t) => {
  const { port } = await conversation('HELLO\n', 'BYE\n');
  const hex = path('dump.hex');
  const cli = startCli(['tcp-client', `127.0.0.1:${port}`, '-x', hex], { stdin: 'pipe' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  cli.child.stdin?.write('hi\n');
  await until(() => Buffer.concat(cli.stdoutChunks).length === 6, 5000, 'the reply');
  cli.child.stdin?.end('quit\n');
  t.is((await cli.done()).code, 0);
  t.is(readFileSync(hex, 'utf8'), [
    `# 127.0.0.1:${port}`,
    '> 00000000  68 69 0a                                          |hi.|',
    '< 00000000  48 45 4c 4c 4f 0a                                 |HELLO.|',
    '> 00000003  71 75 69 74 0a                                    |quit.|',
    '< 00000006  42 59 45 0a                                       |BYE.|',
    '',
  ].join('\n'));
});

test('-x - writes the dump to stderr, -x and -o together, 1 MiB each way byte-exact', async (t) => {
  const up = randomBytes(1024 * 1024);
  const down = randomBytes(1024 * 1024);
  const peer = await tcpPeer((socket) => {
    void readAll(socket).then(() => socket.end());
    socket.write(down);
  });
  const out = path('both.bin');
  const hex = path('both.hex');
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '-o', out, '-x', hex], { stdin: up });
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(down));
  const raw = readFileSync(out);
  t.is(raw.length, up.length + down.length);
  // Each direction's bytes, read back from the hex lines, are what passed.
  const lines = readFileSync(hex, 'latin1').split('\n').filter((l) => l.startsWith('>') || l.startsWith('<'));
  const bytesOf = (marker: string): Buffer => Buffer.from(lines.filter((l) => l.startsWith(marker)).map((l) => l.slice(12, 60).replace(/\s/g, '')).join(''), 'hex');
  t.is(sha256(bytesOf('>')), sha256(up));
  t.is(sha256(bytesOf('<')), sha256(down));

  const small = await conversation('pong', '');
  const s = await runCli(['tcp-client', `127.0.0.1:${small.port}`, '-x', '-'], { stdin: 'ping' });
  t.is(s.code, 0, s.stderr);
  t.true(s.stderrLines.includes('> 00000000  70 69 6e 67                                       |ping|'), s.stderr);
  t.true(s.stderrLines.includes('< 00000000  70 6f 6e 67                                       |pong|'), s.stderr);
});

test('--append-output: a second session is added to the files, not written over them', async (t) => {
  const out = path('append.bin');
  writeFileSync(out, 'before\n');
  for (const word of ['one\n', 'two\n']) {
    const { port } = await conversation('', '');
    const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '-o', out, '--append-output'], { stdin: word });
    t.is(r.code, 0, r.stderr);
  }
  t.is(readFileSync(out, 'utf8'), 'before\none\ntwo\n');
  const { port } = await conversation('', '');
  t.is((await runCli(['tcp-client', `127.0.0.1:${port}`, '-o', out], { stdin: 'three\n' })).code, 0);
  t.is(readFileSync(out, 'utf8'), 'three\n');
});

test('tcp-server -k -x: each client\'s lines under its own address, each with its own offsets', async (t) => {
  const hex = path('server.hex');
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-k', '-x', hex, '--recv-only', '-v']);
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  const a = await connectTcp(port);
  const b = await connectTcp(port);
  const [portA, portB] = [a.localPort ?? 0, b.localPort ?? 0];
  await cli.waitLine(/accepted #2/);
  for (const [socket, text] of [[a, 'AAAA'], [b, 'BB'], [a, 'aa']] as const) {
    socket.write(text);
    await until(() => Buffer.concat(cli.stdoutChunks).toString().endsWith(text), 5000, text);
  }
  a.end();
  b.end();
  await within(Promise.all([readAll(a), readAll(b)]), 5000, 'FINs');
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
  const lines = readFileSync(hex, 'utf8').split('\n');
  t.deepEqual(lines, [
    `# 127.0.0.1:${portA}`,
    '< 00000000  41 41 41 41                                       |AAAA|',
    `# 127.0.0.1:${portB}`,
    '< 00000000  42 42                                             |BB|',
    `# 127.0.0.1:${portA}`,
    '< 00000004  61 61                                             |aa|',
    '',
  ]);
});

test('udp bind -x: each datagram from its own line start, offsets counting datagram bytes', async (t) => {
  const hex = path('udp.hex');
  const cli = startCli(['udp', 'bind', '127.0.0.1:0', '-x', hex, '--recv-only']);
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  const peer = await udpPeer();
  for (const text of ['first datagram!!', 'x']) {
    peer.socket.send(text, port, '127.0.0.1');
    await until(() => Buffer.concat(cli.stdoutChunks).toString().endsWith(text), 5000, text);
  }
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
  t.is(readFileSync(hex, 'utf8'), `# 127.0.0.1:${peer.port}\n${hexLines('<', 0, Buffer.from('first datagram!!')).toString()}${hexLines('<', 16, Buffer.from('x')).toString()}`);
});

test('-x to a file that cannot be opened: one ERROR naming it, exit 1, nothing connects', async (t) => {
  let connections = 0;
  const peer = await tcpPeer(() => { connections++; });
  for (const file of [join(dir, 'no-such-dir', 'x.hex'), dir]) {
    const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '-x', file], { stdin: 'data' });
    t.is(r.code, 1, r.stderr);
    t.is(r.errors.length, 1);
    t.true(r.errors[0]?.includes(`-x ${file}: `), r.errors[0]);
  }
  t.is(connections, 0);
});

test('-o to a file that fails mid-session (/dev/full): one ERROR, exit 1; with -k the server goes on', async (t) => {
  const peer = await tcpPeer((socket) => { void readAll(socket).then(() => socket.end()); });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '-o', '/dev/full'], { stdin: 'data' });
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /-o \/dev\/full: no space left on device/);

  const cli = startCli(['tcp-server', '127.0.0.1:0', '-k', '-o', '/dev/full', '--recv-only']);
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  for (let i = 0; i < 2; i++) {
    const c = await connectTcp(port);
    // The server ends the connection (a FIN, or a reset if our byte was still unread): either way, it is over.
    const closed = new Promise((resolve) => { c.on('end', resolve); c.on('close', resolve); c.on('error', resolve); });
    c.write('x');
    await within(closed, 5000, 'the client closed');
  }
  await cli.waitLine(/WARN -o \/dev\/full: no space left on device/);
  cli.child.kill('SIGTERM');
  const s = await cli.done();
  t.is(s.code, 143, s.stderr);
  t.is(s.errors.length, 0);
});

test('usage: -o - (stdout carries the data), -x - with JSON logs, --append-output alone, -x with -z', async (t) => {
  for (const args of [['-o', '-'], ['-x', '-', '--log-format', 'json'], ['--append-output'], ['-x', 'f', '-z']]) {
    const r = await runCli(['tcp-client', '127.0.0.1:9', ...args]);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.errors.length, 1);
  }
});
