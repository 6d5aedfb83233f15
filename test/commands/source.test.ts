// -s/--source and -p/--source-port (issue 13 item 7) for tcp-client and udp connect: what the peer (Node net and
// dgram, OpenBSD nc) sees, and the failures: an address not on this machine, a port in use, a family mismatch.
import test from 'ava';
import dgram from 'node:dgram';
import net from 'node:net';
import { runCli } from '../helpers/cli.js';
import { closeAllPeers, closedPort, tcpPeer, udpPeer } from '../helpers/net.js';
import { needs, tool, untilListening } from '../helpers/tools.js';

test.after.always(closeAllPeers);

// TEST-NET-1 (RFC 5737): never an address of this machine.
const FOREIGN = '192.0.2.1';

/** A free UDP port on 127.0.0.1 (bound then released). */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

test('tcp-client -s 127.0.0.2 -p PORT: the peer sees the connection come from there', async (t) => {
  let from: { address?: string | undefined; port?: number | undefined } | undefined;
  const peer = await tcpPeer((socket) => {
    from = { address: socket.remoteAddress, port: socket.remotePort };
    socket.end('hi');
  });
  const sourcePort = await closedPort();
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '-s', '127.0.0.2', '-p', String(sourcePort)]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'hi');
  t.deepEqual(from, { address: '127.0.0.2', port: sourcePort });
});

needs('nc')('tcp-client -s 127.0.0.3 into nc -l -v: nc reports the connection from that address', async (t) => {
  const port = await closedPort();
  const nc = tool('nc', ['-v', '-d', '-l', '127.0.0.1', String(port)]);
  await untilListening(port);
  const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '-s', '127.0.0.3'], { stdin: 'x' });
  t.is(r.code, 0, r.stderr);
  const got = await nc.done();
  t.is(got.stdout.toString(), 'x');
  t.regex(got.stderr, /Connection received on 127\.0\.0\.3 /);
});

test('tcp-client -s with an address not on this machine: one ERROR naming it, exit 1', async (t) => {
  const peer = await tcpPeer(() => undefined);
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '-s', FOREIGN, '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', new RegExp(`Unable to connect to 127\\.0\\.0\\.1:${peer.port} from ${FOREIGN.replace(/\./g, '\\.')}:0 \\(address not available\\)`));
});

test('tcp-client -p with a port in use (a listener on it): one ERROR, address in use, exit 1', async (t) => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => busy.close());
  const busyPort = (busy.address() as net.AddressInfo).port;
  const peer = await tcpPeer(() => undefined);
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '-s', '127.0.0.1', '-p', String(busyPort), '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /address in use/);
  t.regex(r.stderr, /"event":"exit","code":1,"reason":"in-use"/);
});

test('udp connect -s 127.0.0.2 -p PORT: the peer sees the datagram come from there', async (t) => {
  const peer = await udpPeer();
  const sourcePort = await freeUdpPort();
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '-s', '127.0.0.2', '-p', String(sourcePort), '-q', '0.2'], { stdin: 'hello' });
  t.is(r.code, 0, r.stderr);
  const got = await peer.next();
  t.is(got.data.toString(), 'hello');
  t.deepEqual([got.address, got.port], ['127.0.0.2', sourcePort]);
});

test('udp connect -s not on this machine, or -p in use: one ERROR each, exit 1', async (t) => {
  const peer = await udpPeer();
  const foreign = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '-s', FOREIGN, '-q', '0.2'], { stdin: 'x' });
  t.is(foreign.code, 1, foreign.stderr);
  t.is(foreign.errors.length, 1);
  t.regex(foreign.errors[0] ?? '', /Unable to bind to 192\.0\.2\.1:0 \(address not available\)/);
  const busy = await udpPeer();
  const inUse = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '-p', String(busy.port), '-q', '0.2'], { stdin: 'x' });
  t.is(inUse.code, 1, inUse.stderr);
  t.is(inUse.errors.length, 1);
  t.regex(inUse.errors[0] ?? '', new RegExp(`Unable to bind to 0\\.0\\.0\\.0:${busy.port} \\(address in use\\)`));
  t.is(peer.received.length, 0);
});

test('-s of one family with a target of the other is a usage error; -s on a server, a bad -p too', async (t) => {
  for (const args of [
    ['tcp-client', '[::1]:80', '-s', '127.0.0.1'],
    ['udp', 'connect', '127.0.0.1:80', '-s', '::1'],
    ['tcp-client', '127.0.0.1:80', '-p', '0'],
    ['tcp-client', '127.0.0.1:80', '-p', '70000'],
    ['udp', 'bind', '0', '-s', '127.0.0.1'],
    ['tcp-client', '127.0.0.1:80', '-4', '-s', '::1'],
  ]) {
    const r = await runCli(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.errors.length, 1);
  }
});
