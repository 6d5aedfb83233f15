// The relay in-process with real endpoints: a Mona TCPClient on loopback against a plain Node peer, and stdin/stdout
// as connected socket pairs the test writes and reads. Every exit condition, half-close both ways, backpressure both
// ways, failures mid-transfer.
import test from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { mona } from '../../src/mona/index.js';
import { createLogger, type Logger } from '../../src/log.js';
import { relay, type RelayRules } from '../../src/core/relay.js';
import { createStdio, stdioEndpoint } from '../../src/core/stdio.js';
import type { Endpoint } from '../../src/core/endpoint.js';
import { clientEndpoint } from '../../src/transports/tcp.js';
import { connect as udpConnect } from '../../src/transports/udp.js';
import { closeAllPeers, delay, readAll, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { until } from '../helpers/log.js';

const pairs: net.Socket[] = [];
test.after.always(async () => {
  for (const socket of pairs) socket.destroy();
  await closeAllPeers();
});

/** Two connected loopback sockets: what is written to one is read from the other. */
async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const a = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  const b = await accepted;
  server.close();
  a.on('error', () => undefined);
  b.on('error', () => undefined);
  pairs.push(a, b);
  return [a, b];
}

interface Rig {
  log: Logger;
  lines: string[];
  net: Endpoint;
  /** What the test writes as stdin (end() is stdin's EOF). */
  stdin: net.Socket;
  /** What the test reads as stdout. */
  stdout: net.Socket;
  /** stdout's own end: ended by the test once the relay is done and stdout flushed (the process's exit, here). */
  stdoutEnd: net.Socket;
  stdio: ReturnType<typeof createStdio>;
}

/** A connected TCP endpoint to a peer running `onPeer`, and stdin/stdout as socket pairs. */
async function rig(onPeer: (s: net.Socket) => void): Promise<Rig> {
  const peer = await tcpPeer(onPeer);
  const lines: string[] = [];
  const log = createLogger({ level: 'TRACE', format: 'json', sink: { write: (l: string) => { lines.push(l); } } });
  const client = mona.createTCPClient();
  await client.connectAsync('127.0.0.1', peer.port);
  client.pause();
  const [stdinWriter, stdinReader] = await socketPair();
  const [stdoutWriter, stdoutReader] = await socketPair();
  const stdio = createStdio(stdoutWriter as unknown as NodeJS.WriteStream, stdinReader as unknown as NodeJS.ReadStream);
  return { log, lines, net: clientEndpoint(log, client, 1), stdin: stdinWriter, stdout: stdoutReader, stdoutEnd: stdoutWriter, stdio };
}

const RULES: RelayRules = { shutdown: true, linger: 500 };
const events = (lines: string[], name: string): Array<Record<string, unknown>> =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === name);
const warns = (lines: string[]): string[] => lines.map((l) => JSON.parse(l) as { level: string; message: string }).filter((e) => e.level === 'WARN').map((e) => e.message);

test('stdin EOF half-closes the peer; its reply reaches stdout; both closed: done', async (t) => {
  const r = await rig(async (s) => s.end(`got ${(await readAll(s)).length}`));
  const out = readAll(r.stdout);
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), RULES);
  r.stdin.end(Buffer.alloc(100_000, 1));
  t.deepEqual(await within(session.done, 5000, 'done'), { reason: 'done' });
  await r.stdio.flush();
  r.stdoutEnd.end();
  t.is((await within(out, 5000, 'stdout')).toString(), 'got 100000');
  t.deepEqual(events(r.lines, 'eof').map((e) => e.direction), ['out', 'in']);
  t.is(events(r.lines, 'closed')[0]?.reason, 'eof');
});

test('the peer FINs first: stdin flows on, and our FIN follows once stdin has been idle for the linger', async (t) => {
  let got: Promise<Buffer> | undefined;
  const r = await rig((s) => { s.end('early'); got = readAll(s); });
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), { shutdown: true, linger: 300 });
  await until(() => events(r.lines, 'eof').length === 1, 5000, 'eof in');
  const sent = randomBytes(200_000);
  r.stdin.write(sent.subarray(0, 100_000));
  await delay(150);
  r.stdin.write(sent.subarray(100_000));
  // stdin stays open: the linger, not its EOF, finishes it.
  t.deepEqual(await within(session.done, 5000, 'done'), { reason: 'done' });
  t.is(sha256(await within(got ?? Promise.reject(new Error('no peer')), 5000, 'peer data')), sha256(sent));
  t.deepEqual(events(r.lines, 'eof').map((e) => e.direction), ['in', 'out']);
  r.stdin.destroy();
  r.stdout.destroy();
});

test('without shutdown, stdin EOF sends no FIN; the peer finishes first, then ours follows', async (t) => {
  let peerSawEof = false;
  const r = await rig((s) => {
    s.on('end', () => { peerSawEof = true; });
    s.on('data', () => undefined);
    setTimeout(() => s.end('bye'), 300);
  });
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), { shutdown: false, linger: 500 });
  r.stdin.end('x');
  await delay(150);
  t.false(peerSawEof, 'no FIN at stdin EOF');
  t.deepEqual(await within(session.done, 5000, 'done'), { reason: 'done' });
  t.deepEqual(events(r.lines, 'eof').map((e) => e.direction), ['in', 'out']);
  r.stdout.destroy();
});

test('-q: the session ends that long after stdin EOF though the peer never reads, with a WARN for unsent bytes', async (t) => {
  const r = await rig((s) => s.pause());
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), { ...RULES, quitAfter: 300 });
  // Fill the kernel's buffers until bytes stay queued with us, then a last piece and stdin's EOF.
  for (let i = 0; i < 2000 && r.net.queued === 0; i++) {
    r.stdin.write(randomBytes(64 * 1024));
    await delay(5);
  }
  t.true(r.net.queued > 0, 'the peer stopped taking bytes');
  r.stdin.end(randomBytes(1000));
  const started = Date.now();
  t.deepEqual(await within(session.done, 8000, 'done'), { reason: 'done' });
  t.true(Date.now() - started >= 250);
  t.true(warns(r.lines).some((w) => /bytes not sent to 127\.0\.0\.1:\d+: -q expired/.test(w)), warns(r.lines).join('\n'));
  t.is(events(r.lines, 'closed')[0]?.reason, 'local');
  r.stdout.destroy();
});

test('-i: no traffic for that long fails the session (timeout), the peer closed as timeout', async (t) => {
  const r = await rig(() => undefined);
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), { ...RULES, idleTimeout: 200 });
  const outcome = await within(session.done, 5000, 'done');
  t.is(outcome.reason, 'timeout');
  t.regex(outcome.error ?? '', /^Idle timeout: no traffic with 127\.0\.0\.1:\d+ for 0\.2 s$/);
  t.is(events(r.lines, 'closed')[0]?.reason, 'timeout');
  r.stdin.destroy();
  r.stdout.destroy();
});

test('a reset mid-transfer fails the session: reason reset, one message naming the peer', async (t) => {
  const r = await rig((s) => s.once('data', () => s.resetAndDestroy()));
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), RULES);
  r.stdin.write(randomBytes(1024 * 1024));
  const outcome = await within(session.done, 5000, 'done');
  t.is(outcome.reason, 'reset');
  t.regex(outcome.error ?? '', /127\.0\.0\.1:\d+ \((connection reset by peer|broken pipe)\)/);
  t.is(events(r.lines, 'closed')[0]?.reason, 'reset');
  r.stdin.destroy();
  r.stdout.destroy();
});

test('after the peer FINs, a reset on our writes is a WARN with the unsent bytes, and a normal end', async (t) => {
  const r = await rig((s) => {
    s.end('fin first');
    s.once('data', () => s.resetAndDestroy());
  });
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), RULES);
  await until(() => events(r.lines, 'eof').length === 1, 5000, 'eof in');
  r.stdin.write(randomBytes(4 * 1024 * 1024));
  t.deepEqual(await within(session.done, 5000, 'done'), { reason: 'done' });
  t.true(warns(r.lines).some((w) => /^\d+ bytes not sent: /.test(w)), warns(r.lines).join('\n'));
  r.stdin.destroy();
  r.stdout.destroy();
});

test('stdout\'s reader leaves: a normal end, the peer closed by us (local)', async (t) => {
  const r = await rig((s) => {
    const blast = (): void => { while (s.write(Buffer.alloc(65536, 2))); };
    blast();
    s.on('drain', blast);
  });
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), RULES);
  r.stdout.once('data', () => r.stdout.destroy());
  t.deepEqual(await within(session.done, 5000, 'done'), { reason: 'done' });
  t.is(events(r.lines, 'closed')[0]?.reason, 'local');
  r.stdin.destroy();
});

test('stop() with flush (a signal): what stdin already gave is delivered, the outcome is the signal\'s', async (t) => {
  let got: Promise<Buffer> | undefined;
  const r = await rig((s) => { got = readAll(s); });
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), RULES);
  const sent = randomBytes(2 * 1024 * 1024);
  r.stdin.write(sent);
  await until(() => r.net.bytesOut + r.net.queued >= sent.length, 5000, 'stdin read');
  session.stop({ reason: 'signal', signal: 'SIGINT' }, true);
  t.deepEqual(await within(session.done, 5000, 'done'), { reason: 'signal', signal: 'SIGINT' });
  t.is(sha256(await within(got ?? Promise.reject(new Error('no peer')), 5000, 'peer data')), sha256(sent));
  r.stdin.destroy();
  r.stdout.destroy();
});

test('backpressure to the peer: a stdout nobody reads pauses the socket; memory stays bounded; nothing is lost', async (t) => {
  const sent = randomBytes(32 * 1024 * 1024);
  let peerSocket: net.Socket | undefined;
  const r = await rig((s) => { peerSocket = s; s.end(sent); });
  r.stdout.pause();
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), RULES);
  r.stdin.end();
  await delay(500);
  // The peer is still holding most of it: we stopped reading, we did not buffer it.
  t.true((peerSocket?.writableLength ?? 0) > 8 * 1024 * 1024, `peer still holds ${peerSocket?.writableLength ?? 0} bytes`);
  t.true(r.stdio.pending < 4 * 1024 * 1024, `stdout holds ${r.stdio.pending}`);
  const out = readAll(r.stdout);
  r.stdout.resume();
  t.deepEqual(await within(session.done, 10000, 'done'), { reason: 'done' });
  await r.stdio.flush();
  r.stdoutEnd.end();
  t.is(sha256(await within(out, 5000, 'stdout')), sha256(sent));
  r.stdin.destroy();
});

test('backpressure to stdin: a peer that does not read pauses stdin; its queue stays near the mark; nothing is lost', async (t) => {
  let peerSocket: net.Socket | undefined;
  const r = await rig((s) => { peerSocket = s; s.pause(); });
  const session = relay(r.log, r.net, stdioEndpoint(r.stdio), RULES);
  const sent = randomBytes(32 * 1024 * 1024);
  r.stdin.end(sent);
  await delay(500);
  // stdin's writer still holds most of it: we stopped reading stdin.
  t.true(r.stdin.writableLength > 8 * 1024 * 1024, `stdin writer holds ${r.stdin.writableLength}`);
  t.true(r.net.queued < 2 * 1024 * 1024, `socket queue ${r.net.queued}`);
  const got = readAll(peerSocket as net.Socket);
  peerSocket?.resume();
  peerSocket?.end();
  t.deepEqual(await within(session.done, 10000, 'done'), { reason: 'done' });
  t.is(sha256(await within(got, 5000, 'peer data')), sha256(sent));
  r.stdout.destroy();
});

test('echo: relay(peer, peer) sends every byte back and answers the FIN', async (t) => {
  const sent = randomBytes(3 * 1024 * 1024);
  let got: Promise<Buffer> | undefined;
  const r = await rig((s) => { got = readAll(s); s.end(sent); });
  const session = relay(r.log, r.net, r.net, { shutdown: true });
  t.deepEqual(await within(session.done, 5000, 'done'), { reason: 'done' });
  t.is(sha256(await within(got ?? Promise.reject(new Error('no peer')), 5000, 'echo')), sha256(sent));
  t.deepEqual(events(r.lines, 'eof').map((e) => e.direction), ['in', 'out']);
  r.stdin.destroy();
  r.stdout.destroy();
});

test('a lossy source (UDP) into a stdout nobody reads: datagrams past the limit are dropped and counted', async (t) => {
  const sender = await udpPeer();
  const lines: string[] = [];
  const log = createLogger({ level: 'TRACE', format: 'json', sink: { write: (l: string) => { lines.push(l); } } });
  // stdout is a real pipe (to a cat whose own output nobody reads): it takes ~200 KB, then blocks.
  const cat = spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  cat.stdout.pause();
  cat.stdin.on('error', () => undefined);
  const [stdinWriter, stdinReader] = await socketPair();
  const stdio = createStdio(cat.stdin as unknown as NodeJS.WriteStream, stdinReader as unknown as NodeJS.ReadStream);
  const peer = await udpConnect({ log, stdio, onSignal: () => undefined }, { kind: 'inet', host: '127.0.0.1', port: sender.port }, {});
  const session = relay(log, peer, stdioEndpoint(stdio, { datagrams: { max: 65507, lines: false } }), { shutdown: true });
  // Learn our port from a first datagram, then send 12 MB, paced so that the kernel's own buffer does not drop them.
  stdinWriter.write('hello');
  const first = await sender.next();
  for (let i = 0; i < 200; i++) {
    sender.socket.send(Buffer.alloc(60_000, i), first.port, '127.0.0.1');
    if (i % 4 === 3) await delay(2);
  }
  await delay(300);
  t.true(stdio.pending < 5 * 1024 * 1024, `stdout holds ${stdio.pending}`);
  session.stop({ reason: 'done' }, false);
  await within(session.done, 5000, 'done');
  t.true(warns(lines).some((w) => /^\d+ datagrams dropped: stdout did not keep up$/.test(w)), warns(lines).join('\n'));
  stdinWriter.destroy();
  cat.kill();
});
