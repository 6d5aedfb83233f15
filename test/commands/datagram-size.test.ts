// --datagram-size (issue 13 item 9): stdin in datagrams of at most N bytes (default 8192), so nc (16 KiB buffer) and
// socat (8 KiB) receivers get whole datagrams; --lines unchanged.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, sha256, udpPeer } from '../helpers/net.js';
import { until } from '../helpers/log.js';
import { needs, tool, untilListening, type Tool } from '../helpers/tools.js';

test.after.always(closeAllPeers);

/** A free UDP port (bound then released). */
async function freePort(): Promise<number> {
  const probe = await udpPeer();
  probe.close();
  return probe.port;
}

/** 20,000 bytes from stdin to a receiver that is not mona-nc: what it wrote is every byte, in order. */
async function toReceiver(t: ExecutionContext, start: (port: number) => Tool): Promise<void> {
  const port = await freePort();
  const receiver = start(port);
  t.teardown(() => receiver.child.kill('SIGKILL'));
  await untilListening(port, 'udp');
  const data = randomBytes(20_000);
  const r = await runCli(['udp', 'connect', `127.0.0.1:${port}`, '-q', '0.3'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  await until(() => receiver.output().length >= data.length, 5000, `${data.length} bytes`).catch(() => undefined);
  t.is(receiver.output().length, data.length);
  t.is(sha256(receiver.output()), sha256(data));
}

needs('nc')('udp connect into `nc -u -l` (16 KiB reads): 20,000 bytes arrive whole with the default size', async (t) => {
  await toReceiver(t, (port) => tool('nc', ['-u', '-l', '127.0.0.1', String(port)]));
});

needs('socat')('udp connect into `socat UDP-RECV` (8 KiB reads): 20,000 bytes arrive whole with the default size', async (t) => {
  await toReceiver(t, (port) => tool('socat', ['-u', `UDP-RECV:${port},bind=127.0.0.1`, 'STDOUT']));
});

test('--datagram-size 1000: a 2,500-byte stdin read goes as 1000 + 1000 + 500', async (t) => {
  const peer = await udpPeer();
  const data = randomBytes(2500);
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '--datagram-size', '1000', '-q', '0.3'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  await until(() => peer.received.length === 3, 3000, '3 datagrams');
  t.deepEqual(peer.received.map((d) => d.data.length), [1000, 1000, 500]);
  t.true(Buffer.concat(peer.received.map((d) => d.data)).equals(data));
});

test('--lines is unchanged: a 10,000-byte line is one datagram, whatever the default size', async (t) => {
  const peer = await udpPeer();
  const line = `${'x'.repeat(9999)}\n`;
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '--lines', '-q', '0.3'], { stdin: `${line}short\n` });
  t.is(r.code, 0, r.stderr);
  await until(() => peer.received.length === 2, 3000, '2 datagrams');
  t.deepEqual(peer.received.map((d) => d.data.length), [10_000, 6]);
});

test('udp bind: stdin to the first sender in datagrams of --datagram-size', async (t) => {
  const cli = startCli(['udp', 'bind', '127.0.0.1:0', '--datagram-size', '4k'], { stdin: 'pipe' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  const peer = await udpPeer();
  peer.socket.send('hi', port, '127.0.0.1');
  await until(() => Buffer.concat(cli.stdoutChunks).length === 2, 5000, 'the first datagram');
  cli.child.stdin?.write(Buffer.alloc(10_000, 1));
  await until(() => peer.received.reduce((n, d) => n + d.data.length, 0) === 10_000, 5000, 'every byte');
  t.true(peer.received.every((d) => d.data.length <= 4096));
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('--datagram-size: 0, over 65507, with --lines, or on TCP is a usage error', async (t) => {
  for (const args of [
    ['udp', 'connect', '127.0.0.1:9', '--datagram-size', '0'],
    ['udp', 'connect', '127.0.0.1:9', '--datagram-size', '65508'],
    ['udp', 'connect', '127.0.0.1:9', '--datagram-size', '1000', '--lines'],
    ['tcp-client', '127.0.0.1:9', '--datagram-size', '1000'],
  ]) {
    const r = await runCli(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.errors.length, 1);
  }
});
