// --digest, --expect-bytes, --expect-sha256 with plain Node peers: the digests match what the peer sent and got, and
// a mismatch fails the run (exit 1, one ERROR naming expected and actual, exit reason mismatch) in every mode.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { parseJsonLines, runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';

test.after.always(closeAllPeers);

test('--digest: a NOTE and sha256In/sha256Out in the closed event, as the peer sent and received them', async (t) => {
  const up = randomBytes(300 * 1024);
  const down = randomBytes(200 * 1024);
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--digest', '--log-format', 'json'], { stdin: down });
  const socket = await connectTcp(await cli.port());
  const got = readAll(socket);
  socket.end(up);
  t.is(sha256(await within(got, 10000, 'the reply')), sha256(down));
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  const closed = parseJsonLines(r.stderr).find((e) => e.event === 'closed');
  t.is(closed?.sha256In, sha256(up));
  t.is(closed?.sha256Out, sha256(down));
  t.is(closed?.bytesIn, up.length);
  const note = parseJsonLines(r.stderr).find((e) => /^digest /.test(e.message));
  t.is(note?.level, 'NOTE');
  t.regex(note?.message ?? '', new RegExp(`in ${up.length} bytes sha256 ${sha256(up)}, out ${down.length} bytes sha256 ${sha256(down)}`));
});

test('--digest in text: the NOTE line shows without -v', async (t) => {
  const reply = Buffer.from('pong');
  const peer = await tcpPeer((s) => { s.on('end', () => s.end(reply)); s.resume(); });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--digest'], { stdin: 'ping' });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, new RegExp(`NOTE digest 127\\.0\\.0\\.1:${peer.port}: in 4 bytes sha256 ${sha256(reply)}, out 4 bytes sha256 ${sha256(Buffer.from('ping'))}`));
});

test('--expect-bytes and --expect-sha256 that match: exit 0', async (t) => {
  const data = randomBytes(100_000);
  const peer = await tcpPeer((s) => s.end(data));
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--expect-bytes', '100000', '--expect-sha256', sha256(data).toUpperCase()]);
  t.is(r.code, 0, r.stderr);
  t.is(r.errors.length, 0);
});

test('--expect-bytes short by one: exit 1, one ERROR naming expected and actual, JSON reason mismatch', async (t) => {
  const peer = await tcpPeer((s) => s.end(randomBytes(99_999)));
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--expect-bytes', '100000', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /received 99999 bytes from 127\.0\.0\.1:\d+, expected 100000 \(--expect-bytes\)/);
  const exit = parseJsonLines(r.stderr).find((e) => e.event === 'exit');
  t.is(exit?.reason, 'mismatch');
  t.is(exit?.code, 1);
  t.is(r.stdout.length, 99_999, 'the bytes still reach stdout');
});

test('--expect-sha256 of other bytes, same length: exit 1 naming both digests', async (t) => {
  const sent = Buffer.from('the quick brown fox');
  const wanted = sha256(Buffer.from('the quick brown cat'));
  const peer = await tcpPeer((s) => s.end(sent));
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--expect-sha256', wanted]);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.true(r.errors[0]?.includes(sha256(sent)) && r.errors[0]?.includes(wanted), r.errors[0]);
});

test('a -k server with a mismatching client fails when it ends (a peer\'s failure is not only a WARN)', async (t) => {
  // stdin at EOF and -q 1: the server ends cleanly a second later, and the verdict is judged then.
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-k', '-q', '1', '--expect-bytes', '5', '--log-format', 'json']);
  const port = await cli.port();
  const good = await connectTcp(port);
  good.end('12345');
  const bad = await connectTcp(port);
  bad.end('1234');
  const r = await cli.done();
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /received 4 bytes from .*, expected 5/);
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.reason, 'mismatch');
});

test('--echo --expect-bytes, every client right: exit 143 at SIGTERM (a signal stays the outcome)', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--echo', '--expect-bytes', '3']);
  const socket = await connectTcp(await cli.port());
  const back = readAll(socket);
  socket.end('abc');
  t.is((await within(back, 5000, 'echo')).toString(), 'abc');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143, r.stderr);
  t.is(r.errors.length, 0);
});

test('udp bind --expect-sha256: the datagrams received, in order, are what is checked', async (t) => {
  const parts = [Buffer.from('one'), Buffer.from('two')];
  const cli = startCli(['udp', 'bind', '127.0.0.1:0', '-q', '0.5', '--expect-sha256', sha256(Buffer.from('onetwo')), '-v'], { stdin: 'pipe' });
  const port = await cli.port();
  const sender = dgram.createSocket('udp4');
  for (const p of parts) await new Promise<void>((resolve) => sender.send(p, port, '127.0.0.1', () => resolve()));
  await cli.waitLine(/accepted #1/);
  await new Promise((r) => setTimeout(r, 100));
  cli.child.stdin?.end();
  const r = await cli.done();
  sender.close();
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'onetwo');
});

test('udp connect --expect-bytes with a reply one byte long: exit 1', async (t) => {
  const peer = await udpPeer(true);
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '-q', '0.5', '--expect-bytes', '2'], { stdin: 'x' });
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /received 1 bytes from 127\.0\.0\.1:\d+, expected 2/);
});

test('bad values: exit 2', async (t) => {
  for (const args of [['--expect-sha256', 'abc'], ['--expect-bytes', 'many']]) {
    const r = await runCli(['tcp-client', '127.0.0.1:9', ...args]);
    t.is(r.code, 2, r.stderr);
    t.is(r.errors.length, 1, r.stderr);
  }
});
