// Garbage and oversize datagrams: arbitrary bytes and sizes come out byte-exact, a stdin read over 65507 bytes is
// split and never truncated, and IPv6 datagrams larger than any IPv4 one are received whole.
import test from 'ava';
import { randomBytes, randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, startCli, type Running } from '../helpers/cli.js';
import { closeAllPeers, udpPeer, within } from '../helpers/net.js';
import { until } from '../helpers/log.js';
import { noIPv6Loopback, testUnless } from '../helpers/skip.js';

test.after.always(closeAllPeers);

const stdoutLength = (cli: Running): number => cli.stdoutChunks.reduce((n, c) => n + c.length, 0);

const send = (socket: dgram.Socket, data: Buffer, port: number, host: string): Promise<void> => new Promise((resolve, reject) => {
  socket.send(data, port, host, (err) => (err ? reject(err) : resolve()));
});

test('150 garbage datagrams of random sizes (0 to 65507 bytes) to udp bind: stdout is their bytes, in order', async (t) => {
  t.timeout(60_000);
  const cli = startCli(['udp', 'bind', '127.0.0.1:0'], { stdin: 'pipe' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  const sender = dgram.createSocket('udp4');
  t.teardown(() => sender.close());
  const sent: Buffer[] = [];
  let total = 0;
  for (let i = 0; i < 150; i++) {
    const size = i % 10 === 0 ? [0, 1, 65507][i % 3] ?? 0 : randomInt(0, 65508);
    const data = randomBytes(size);
    sent.push(data);
    total += size;
    await send(sender, data, port, '127.0.0.1');
    // One at a time: the next leaves once this one is on stdout (an empty datagram prints nothing).
    await until(() => stdoutLength(cli) >= total, 10_000, `datagram ${i} on stdout`);
  }
  cli.child.kill('SIGTERM');
  const r = await cli.done(10_000);
  t.is(r.code, 143, r.stderr);
  t.deepEqual(r.errors, []);
  t.true(r.stdout.equals(Buffer.concat(sent)));
});

test('udp bind --echo answers garbage datagrams byte for byte, from several senders at once', async (t) => {
  const cli = startCli(['udp', 'bind', '127.0.0.1:0', '--echo'], { stdin: 'ignore' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  const senders = await Promise.all([udpPeer(), udpPeer(), udpPeer()]);
  for (let round = 0; round < 20; round++) {
    await Promise.all(senders.map(async (peer) => {
      const data = randomBytes(randomInt(1, 4096));
      await send(peer.socket, data, port, '127.0.0.1');
      const back = await peer.next(10_000);
      t.true(back.data.equals(data));
      t.is(back.port, port);
    }));
  }
  cli.child.kill('SIGTERM');
  const r = await cli.done(10_000);
  t.is(r.code, 143, r.stderr);
  t.deepEqual(r.errors, []);
});

test('udp connect with a 100,000-byte stdin read (a file): two datagrams, 65507 + 34493 bytes, nothing truncated', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mona-nc-dgram-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'big.bin');
  const data = randomBytes(100_000);
  writeFileSync(file, data);
  const peer = await udpPeer();
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const child = spawn('sh', ['-c', `exec "${process.execPath}" "${CLI}" udp connect 127.0.0.1:${peer.port} -q 1 < "${file}"`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await within(new Promise((resolve) => child.on('close', resolve)), 10_000, 'udp connect exiting');
  t.is(code, 0, stderr);
  await until(() => peer.received.length >= 2, 5000, 'two datagrams');
  t.deepEqual(peer.received.map((d) => d.data.length), [65507, 34493]);
  t.true(Buffer.concat(peer.received.map((d) => d.data)).equals(data));
});

/** Why this system cannot carry a 65527-byte datagram over ::1, or undefined (a child process: ava wants tests declared synchronously). */
function noBigIPv6Datagram(): string | undefined {
  const noLoopback = noIPv6Loopback();
  if (noLoopback) return noLoopback;
  const r = spawnSync(process.execPath, ['-e', `
    const s = require('node:dgram').createSocket('udp6');
    s.on('message', (d) => { process.stdout.write(String(d.length)); s.close(); });
    s.on('error', (e) => { process.stdout.write(e.message); s.close(); });
    s.bind(0, '::1', () => s.send(Buffer.alloc(65527), s.address().port, '::1', (e) => { if (e) { process.stdout.write(e.message); s.close(); } }));
    setTimeout(() => s.close(), 3000).unref();
  `], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout === '65527' ? undefined : `this system will not carry a 65527-byte IPv6 datagram (${r.stdout || r.stderr || 'no answer'})`;
}

testUnless(noBigIPv6Datagram())('over IPv6 a 65527-byte datagram (larger than any IPv4 one) reaches stdout whole', async (t) => {
  const cli = startCli(['udp', 'bind', '[::1]:0'], { stdin: 'pipe' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port(5000);
  const sender = dgram.createSocket('udp6');
  t.teardown(() => sender.close());
  const data = randomBytes(65527);
  await send(sender, data, port, '::1');
  await until(() => stdoutLength(cli) >= data.length, 10_000, 'the datagram on stdout');
  cli.child.kill('SIGTERM');
  const r = await cli.done(10_000);
  t.is(r.code, 143, r.stderr);
  t.true(r.stdout.equals(data));
});
