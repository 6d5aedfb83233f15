// Fault injection against plain Node peers: a reset the peer really sees as ECONNRESET after exactly N bytes, a FIN
// after N bytes, a stall, chunked and delayed writes; UDP drops, duplicates and reordering that the same seed repeats.
// The shaping tap's backpressure is checked in-process on a fake endpoint (no socket is mocked).
import test from 'ava';
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { Endpoint, EndpointEvents } from '../../src/core/endpoint.js';
import { QUEUE_LIMIT } from '../../src/core/endpoint.js';
import { createLogger } from '../../src/log.js';
import { faultTap } from '../../src/taps/faults.js';
import { generator } from '../../src/taps/datagram-faults.js';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';

test.after.always(closeAllPeers);

interface Seen { bytes: Buffer; chunks: number[]; times: number[]; error?: string | undefined; ended: boolean }

/** A Node server that records what one client sends, and how it ends. */
async function witness(): Promise<{ port: number; seen: Promise<Seen>; socket: Promise<net.Socket> }> {
  let resolveSocket!: (s: net.Socket) => void;
  const socket = new Promise<net.Socket>((r) => { resolveSocket = r; });
  let settle!: (s: Seen) => void;
  const seen = new Promise<Seen>((r) => { settle = r; });
  const peer = await tcpPeer((s) => {
    resolveSocket(s);
    const chunks: Buffer[] = [];
    const record: Seen = { bytes: Buffer.alloc(0), chunks: [], times: [], ended: false };
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      record.chunks.push(c.length);
      record.times.push(Date.now());
    });
    s.on('end', () => {
      record.ended = true;
      s.end();
    });
    s.on('error', (e: NodeJS.ErrnoException) => { record.error = e.code; });
    s.on('close', () => {
      record.bytes = Buffer.concat(chunks);
      settle(record);
    });
  });
  return { port: peer.port, seen, socket };
}

test('--rst-after N: the peer gets exactly N bytes, then ECONNRESET', async (t) => {
  const data = randomBytes(200_000);
  const w = await witness();
  const r = await runCli(['tcp-client', `127.0.0.1:${w.port}`, '--rst-after', '12345', '--log-format', 'json'], { stdin: data });
  const seen = await within(w.seen, 5000, `the peer's close; mona-nc: ${r.stderr}`);
  t.is(seen.error, 'ECONNRESET');
  t.is(seen.bytes.length, 12345);
  t.is(sha256(seen.bytes), sha256(data.subarray(0, 12345)));
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /fault: reset 127\.0\.0\.1:\d+ after 12345 bytes sent/);
  t.regex(r.stderr, /"event":"closed".*"bytesOut":12345,.*"reason":"reset"/);
});

test('--rst-after N --fault-dir in on a server: N bytes to stdout, and the client sees ECONNRESET', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--rst-after', '1000', '--fault-dir', 'in'], { stdin: 'pipe' });
  const socket = await connectTcp(await cli.port());
  const failed = new Promise<string | undefined>((resolve) => {
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    socket.on('close', () => resolve(undefined));
  });
  socket.resume();
  // Keep writing: the reset comes while the client still sends.
  const timer = setInterval(() => { if (!socket.destroyed) socket.write(randomBytes(4096)); }, 5);
  const code = await within(failed, 5000, 'the client\'s error');
  clearInterval(timer);
  t.is(code, 'ECONNRESET');
  cli.child.stdin?.end();
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.length, 1000);
});

test('--fin-after N: the peer gets N bytes and EOF, and its reply still arrives', async (t) => {
  const peer = await tcpPeer((s) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => s.end(`got ${Buffer.concat(chunks).length}`));
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--fin-after', '100'], { stdin: randomBytes(5000) });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'got 100');
});

test('--stall-after N: the peer gets N bytes, then nothing, and the connection stays open', async (t) => {
  const w = await witness();
  const cli = startCli(['tcp-client', `127.0.0.1:${w.port}`, '--stall-after', '3000'], { stdin: randomBytes(100_000) });
  const socket = await within(w.socket, 5000, 'the connection');
  await delay(600);
  t.false(socket.destroyed, 'still open');
  t.is(socket.bytesRead, 3000);
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143, r.stderr);
  t.regex(r.stderr, /fault: stalled 127\.0\.0\.1:\d+ after 3000 bytes sent/);
});

test('--chunk 7 --write-delay 30ms: 70 bytes arrive in writes of at most 7, paced', async (t) => {
  const w = await witness();
  const data = Buffer.from('x'.repeat(70));
  const r = await runCli(['tcp-client', `127.0.0.1:${w.port}`, '--chunk', '7', '--write-delay', '30ms'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  const seen = await within(w.seen, 5000, 'close');
  t.is(seen.bytes.toString(), data.toString());
  t.true(seen.chunks.every((n) => n <= 7), seen.chunks.join(','));
  t.true(seen.chunks.length >= 8, `${seen.chunks.length} reads`);
  const span = (seen.times.at(-1) ?? 0) - (seen.times[0] ?? 0);
  t.true(span >= 9 * 30 - 30, `${span} ms from the first write to the last`);
});

test('--chunk and --write-delay on 2 MiB: every byte, in order, with stdin paused meanwhile (bounded)', async (t) => {
  const w = await witness();
  const data = randomBytes(2 * 1024 * 1024);
  const r = await runCli(['tcp-client', `127.0.0.1:${w.port}`, '--chunk', '64k', '--write-delay', '5ms'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  t.is(sha256((await w.seen).bytes), sha256(data));
});

/** An endpoint that takes writes into a list and drains when told: no socket behind it. */
function fakeEndpoint(): Endpoint & { writes: Buffer[]; on: EndpointEvents | undefined; queue: number; ended: boolean } {
  const fake = {
    writes: [] as Buffer[], queue: 0, ended: false, on: undefined as EndpointEvents | undefined,
    label: 'fake', idleText: 'fake', datagram: false, lossy: false,
    attach(events: EndpointEvents) { fake.on = events; },
    write(chunk: Buffer) { fake.writes.push(chunk); fake.queue += chunk.length; return fake.queue < QUEUE_LIMIT; },
    writable: true,
    end() { fake.ended = true; },
    close() { fake.on?.closed(); },
    pause() {}, resume() {},
    get queued() { return fake.queue; },
    bytesOut: 0, idleTime: 0,
  };
  return fake;
}

test('the shaping tap keeps backpressure honest: false past the mark while delayed, drain once under it', async (t) => {
  const inner = fakeEndpoint();
  const tap = faultTap(inner, createLogger({ level: 'FATAL' }), { chunk: 64 * 1024, writeDelay: 5 });
  let drains = 0;
  tap.attach({ data: () => undefined, end: () => undefined, drain: () => { drains++; }, closed: () => undefined });
  tap.resume();
  const big = randomBytes(QUEUE_LIMIT + 1000);
  t.false(tap.write(big), 'over the mark: wait for drain');
  t.true(tap.queued >= QUEUE_LIMIT - 64 * 1024, `${tap.queued} bytes counted as queued`);
  t.is(inner.writes.length, 1, 'one chunk went at once, the rest waits for the delay');
  // The fake's queue empties as a socket's would; the tap goes on at its pace.
  const until = Date.now() + 3000;
  while (drains === 0 && Date.now() < until) {
    inner.queue = 0;
    inner.on?.drain();
    await delay(5);
  }
  t.is(drains, 1);
  tap.end();
  while (!inner.ended && Date.now() < until) {
    inner.queue = 0;
    inner.on?.drain();
    await delay(5);
  }
  t.true(inner.ended, 'the FIN goes once the held bytes are out');
  t.is(sha256(Buffer.concat(inner.writes)), sha256(big));
  t.true(inner.writes.every((w) => w.length <= 64 * 1024));
});

test('--fault-dir in --chunk 10: the relay gets received bytes in pieces of at most 10', (t) => {
  const inner = fakeEndpoint();
  const tap = faultTap(inner, createLogger({ level: 'FATAL' }), { chunk: 10, faultDir: 'in' });
  const pieces: number[] = [];
  tap.attach({ data: (c) => pieces.push(c.length), end: () => undefined, drain: () => undefined, closed: () => undefined });
  tap.resume();
  inner.on?.data(Buffer.alloc(35));
  t.deepEqual(pieces, [10, 10, 10, 5]);
});

/** Send `count` numbered lines as datagrams through `udp connect` with faults; the numbers the peer got, in order. */
async function udpRun(args: string[], count = 200): Promise<{ got: string[]; stderr: string }> {
  const peer = await udpPeer();
  const lines = Array.from({ length: count }, (_, i) => `${i}\n`).join('');
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '--lines', '-q', '0.5', '-v', ...args], { stdin: lines });
  if (r.code !== 0) throw new Error(r.stderr);
  peer.close();
  return { got: peer.received.map((d) => d.data.toString().trim()), stderr: r.stderr };
}

test('UDP --drop with --seed: the same seed drops the same datagrams; the seed is logged', async (t) => {
  const a = await udpRun(['--drop', '0.3', '--seed', '42']);
  const b = await udpRun(['--drop', '0.3', '--seed', '42']);
  t.deepEqual(a.got, b.got);
  t.true(a.got.length > 100 && a.got.length < 180, `${a.got.length} of 200 arrived`);
  t.regex(a.stderr, /INFO seed 42\b/);
  t.regex(a.stderr, /faults 127\.0\.0\.1:\d+: out \d+ dropped/);
  const c = await udpRun(['--drop', '0.3', '--seed', '43']);
  t.notDeepEqual(c.got, a.got, 'another seed, other drops');
});

test('UDP without --seed: a random seed is logged, and giving it back repeats the run', async (t) => {
  const a = await udpRun(['--drop', '0.5']);
  const seed = /INFO seed (\d+)/.exec(a.stderr)?.[1];
  t.truthy(seed, a.stderr);
  const b = await udpRun(['--drop', '0.5', '--seed', seed ?? '0']);
  t.deepEqual(b.got, a.got);
});

test('UDP --dup 1 sends each datagram twice; --reorder 1 swaps pairs (same datagrams, another order)', async (t) => {
  const dup = await udpRun(['--dup', '1'], 20);
  t.is(dup.got.length, 40);
  t.deepEqual(dup.got.filter((_, i) => i % 2 === 0), Array.from({ length: 20 }, (_, i) => String(i)));
  const re = await udpRun(['--reorder', '0.5', '--seed', '7'], 50);
  t.deepEqual([...re.got].sort((x, y) => Number(x) - Number(y)), Array.from({ length: 50 }, (_, i) => String(i)));
  t.notDeepEqual(re.got, Array.from({ length: 50 }, (_, i) => String(i)));
});

test('UDP --fault-dir in --drop 1: nothing received reaches stdout', async (t) => {
  const peer = await udpPeer(true);
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '-q', '0.5', '--drop', '1', '--fault-dir', 'in'], { stdin: 'ping' });
  t.is(r.code, 0, r.stderr);
  t.is(peer.received.length, 1, 'sent');
  t.is(r.stdout.length, 0, 'the echo was dropped on the way in');
});

test('the generator is deterministic', (t) => {
  const a = generator(1);
  const b = generator(1);
  const xs = Array.from({ length: 5 }, () => a());
  t.deepEqual(Array.from({ length: 5 }, () => b()), xs);
  t.true(xs.every((x) => x >= 0 && x < 1));
});

test('usage: --seed and --fault-dir need a fault; TCP faults are not for UDP', async (t) => {
  for (const args of [['udp', 'connect', '127.0.0.1:9', '--seed', '1'], ['tcp-client', '127.0.0.1:9', '--fault-dir', 'in'], ['udp', 'connect', '127.0.0.1:9', '--rst-after', '1'], ['tcp-client', '127.0.0.1:9', '--drop', '0.5'], ['udp', 'connect', '127.0.0.1:9', '--drop', '2']]) {
    const r = await runCli(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.errors.length, 1, r.stderr);
  }
});
