// udp connect / udp bind as child processes with plain Node dgram peers.
import test from 'ava';
import dgram from 'node:dgram';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, delay, udpPeer, within } from '../helpers/net.js';
import { until } from '../helpers/log.js';

test.after.always(closeAllPeers);

const send = (socket: dgram.Socket, text: string | Buffer, port: number): Promise<void> =>
  new Promise((resolve, reject) => socket.send(text, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));

test('udp connect: printf ping | mona-nc udp connect 127.0.0.1:P -q 1 prints the reply and ends', async (t) => {
  const peer = await udpPeer(true);
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '-q', '0.5'], { stdin: 'ping' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'ping');
  t.is(peer.received.length, 1);
});

test('udp connect --lines: one datagram per line, the newline kept', async (t) => {
  const peer = await udpPeer();
  const r = await runCli(['udp', 'connect', '127.0.0.1', String(peer.port), '--lines', '-q', '0.3'], { stdin: 'a\nbb\nccc' });
  t.is(r.code, 0, r.stderr);
  await until(() => peer.received.length === 3, 3000, '3 datagrams');
  t.deepEqual(peer.received.map((d) => d.data.toString()), ['a\n', 'bb\n', 'ccc']);
});

test('udp connect --lines: a line over 65507 bytes is an error, not truncated', async (t) => {
  const peer = await udpPeer();
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '--lines', '-q', '1'], { stdin: Buffer.alloc(70000, 97) });
  t.is(r.code, 2);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /65507/);
});

// The bound is --datagram-size, 8192 by default (issue 13; it was 65507, which nc and socat receivers truncate).
test('udp connect: each stdin read is one datagram, never over the datagram size (8192 by default)', async (t) => {
  const peer = await udpPeer();
  // Enough for several reads, little enough for the receiver's socket buffer (UDP drops what does not fit).
  const data = Buffer.alloc(40_000, 7);
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '-q', '0.5'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  await until(() => peer.received.reduce((n, d) => n + d.data.length, 0) === data.length, 5000, 'all bytes');
  t.true(peer.received.length >= 5);
  t.true(peer.received.every((d) => d.data.length <= 8192));
});

test('udp connect to a closed port: exit 1, connection refused', async (t) => {
  const gone = await udpPeer();
  const port = gone.port;
  gone.close();
  const r = await runCli(['udp', 'connect', `127.0.0.1:${port}`, '-q', '2'], { stdin: 'anyone?' });
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /connection refused/);
});

test('udp bind: the first sender is the peer; stdin goes to it; others are dropped with a WARN', async (t) => {
  const cli = startCli(['udp', 'bind', '127.0.0.1:0'], { stdin: 'pipe' });
  const port = await cli.port();
  const first = await udpPeer();
  const other = await udpPeer();
  await send(first.socket, 'hello from first', port);
  await until(() => Buffer.concat(cli.stdoutChunks).length > 0, 5000, 'the first datagram');
  await send(other.socket, 'ignored', port);
  await cli.waitLine(/WARN dropped datagrams from 127\.0\.0\.1:\d+/);
  cli.child.stdin?.write('reply');
  t.is((await first.next()).data.toString(), 'reply');
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.is(r.code, 130);
  t.is(r.stdout.toString(), 'hello from first');
  t.is(other.received.length, 0);
});

test('udp bind -k: every sender is heard, stdin goes to all of them', async (t) => {
  const cli = startCli(['udp', 'bind', '127.0.0.1:0', '-k'], { stdin: 'pipe' });
  const port = await cli.port();
  const a = await udpPeer();
  const b = await udpPeer();
  await send(a.socket, 'A', port);
  await send(b.socket, 'B', port);
  await until(() => Buffer.concat(cli.stdoutChunks).length === 2, 5000, 'both datagrams');
  cli.child.stdin?.write('all');
  t.is((await a.next()).data.toString(), 'all');
  t.is((await b.next()).data.toString(), 'all');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.deepEqual([...r.stdout.toString()].sort(), ['A', 'B']);
});

test('udp bind --echo: each datagram goes back to its own sender', async (t) => {
  const cli = startCli(['udp', 'bind', '127.0.0.1:0', '--echo']);
  const port = await cli.port();
  const peers = await Promise.all([udpPeer(), udpPeer(), udpPeer()]);
  await Promise.all(peers.map((p, i) => send(p.socket, `peer ${i}`, port)));
  for (const [i, p] of peers.entries()) t.is((await p.next()).data.toString(), `peer ${i}`);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('udp bind on a port in use: exit 1, one ERROR', async (t) => {
  const holder = await udpPeer();
  const r = await runCli(['udp', 'bind', `127.0.0.1:${holder.port}`]);
  t.is(r.code, 1);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', new RegExp(`Unable to bind to 127\\.0\\.0\\.1:${holder.port} \\(address in use\\)$`));
});

test('udp bind logs its real address like tcp-server', async (t) => {
  const cli = startCli(['udp', 'bind', '0', '--echo']);
  const line = await cli.waitLine(/listening on/);
  t.regex(line, /NOTE listening on (\[::\]|0\.0\.0\.0):[1-9]\d*$/);
  // A dual-stack [::] socket answers IPv4 senders.
  const peer = await udpPeer();
  await send(peer.socket, 'v4 to dual-stack', await cli.port());
  t.is((await peer.next()).data.toString(), 'v4 to dual-stack');
  cli.child.kill('SIGTERM');
  await cli.done();
  await delay(0);
});

test('udp without a subcommand is a usage error', async (t) => {
  const r = await runCli(['udp']);
  t.is(r.code, 2);
  t.is(r.errors.length, 1);
});

test('within() bounds waits', async (t) => {
  await t.throwsAsync(within(new Promise(() => undefined), 10, 'nothing'), { message: /timed out/ });
});
