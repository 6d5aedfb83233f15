// Fault injection against the CLI: resets mid-transfer both ways, half-closes, a reader that leaves, /dev/null
// stdin, signals mid-transfer (data so far flushed), and 2000 short connections that must leave no fd behind.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { CLI, parseJsonLines, runCli, startCli, type Running } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, readAll, sha256, tcpPeer, within } from '../helpers/net.js';
import { hasProc, openFds } from '../helpers/proc.js';

test.after.always(closeAllPeers);

const MiB = 1024 * 1024;
const noStack = (stderr: string): boolean => !/\n\s+at /.test(stderr);
type Resettable = net.Socket & { resetAndDestroy(): net.Socket };

/** Keep writing random blocks into a writable until `stop()`; remembers every byte for the prefix checks. */
function pump(out: NodeJS.WritableStream & { destroyed?: boolean }): { stop(): void; bytes(): Buffer } {
  const blocks: Buffer[] = [];
  let stopped = false;
  const go = (): void => {
    while (!stopped && !out.destroyed) {
      const block = randomBytes(64 * 1024);
      blocks.push(block);
      if (!out.write(block)) return void out.once('drain', go);
    }
  };
  out.on('error', () => { stopped = true; });
  go();
  return { stop: () => { stopped = true; }, bytes: () => Buffer.concat(blocks) };
}

/** Start the CLI; killed at the end of the test whatever happens. */
const started = (t: { teardown(fn: () => void): void }, args: string[], stdin: 'pipe' | 'ignore'): Running => {
  const cli = startCli(args, { stdin });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  return cli;
};

const listenPort = async (cli: Running): Promise<number> => Number((await cli.waitEvent('listening')).address?.toString().split(':').pop());

test('the peer resets while tcp-client is sending: one ERROR, exit 1, no stack, nothing hangs', async (t) => {
  const peer = await tcpPeer((s) => {
    let got = 0;
    s.on('data', (c: Buffer) => {
      got += c.length;
      if (got >= MiB && !s.destroyed) (s as Resettable).resetAndDestroy();
    });
  });
  const cli = started(t, ['tcp-client', `127.0.0.1:${peer.port}`], 'pipe');
  const source = pump(cli.child.stdin as NodeJS.WritableStream);
  const r = await cli.done(15_000);
  source.stop();
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /127\.0\.0\.1:\d+ \((connection reset by peer|broken pipe)\)/);
  t.true(noStack(r.stderr), r.stderr);
});

test('the peer resets while tcp-client is receiving: one ERROR, exit 1, stdout a prefix of what was sent', async (t) => {
  const sent: Buffer[] = [];
  const peer = await tcpPeer((s) => {
    for (let i = 0; i < 32; i++) {
      const block = randomBytes(64 * 1024);
      sent.push(block);
      s.write(block);
    }
    setTimeout(() => (s as Resettable).resetAndDestroy(), 50);
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`], { stdin: 'pipe' });
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.true(noStack(r.stderr), r.stderr);
  t.true(Buffer.concat(sent).subarray(0, r.stdout.length).equals(r.stdout), 'stdout is a prefix of the peer\'s bytes');
});

test('a client resets while tcp-server is receiving: one ERROR, exit 1, stdout a prefix of what was sent', async (t) => {
  const cli = started(t, ['tcp-server', '127.0.0.1:0', '--log-format', 'json'], 'pipe');
  const socket = await connectTcp(await listenPort(cli));
  socket.on('error', () => undefined);
  const blocks: Buffer[] = [];
  for (let i = 0; i < 16; i++) {
    const block = randomBytes(64 * 1024);
    blocks.push(block);
    socket.write(block);
  }
  await delay(100);
  (socket as Resettable).resetAndDestroy();
  const r = await cli.done(15_000);
  cli.child.stdin?.destroy();
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.true(noStack(r.stderr), r.stderr);
  t.true(Buffer.concat(blocks).subarray(0, r.stdout.length).equals(r.stdout), 'stdout is a prefix of the client\'s bytes');
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.reason, 'reset');
});

test('a client half-closes first: tcp-server still sends all its stdin, and gets all the client\'s bytes', async (t) => {
  const toServer = randomBytes(4 * MiB);
  const toClient = randomBytes(4 * MiB);
  const cli = started(t, ['tcp-server', '127.0.0.1:0', '--log-format', 'json'], 'pipe');
  const port = await listenPort(cli);
  const socket = await connectTcp(port);
  const reply = readAll(socket);
  socket.end(toServer);
  // stdin comes after the client's FIN, in pieces: the server must not cut it short.
  const stdin = cli.child.stdin as NodeJS.WritableStream;
  for (let at = 0; at < toClient.length; at += MiB) {
    stdin.write(toClient.subarray(at, at + MiB));
    await delay(10);
  }
  stdin.end();
  const got = await within(reply, 15_000, 'the server\'s stdin at the client');
  const r = await cli.done(15_000);
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(toServer));
  t.is(sha256(got), sha256(toClient));
});

test('stdout closed early (| head -c 1) while a peer floods: tcp-client and tcp-server exit 0, no ERROR', async (t) => {
  const flood = (s: net.Socket): void => {
    const chunk = Buffer.alloc(64 * 1024, 66);
    const go = (): void => { while (!s.destroyed && s.write(chunk)); };
    s.on('drain', go);
    s.on('error', () => undefined);
    go();
  };
  const peer = await tcpPeer(flood);
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: '' };
  const pipeline = (args: string): Promise<string> => {
    const sh = spawn('bash', ['-c', `"${process.execPath}" "${CLI}" ${args} 2>&1 < /dev/null | head -c 1 > /dev/null; echo "status=\${PIPESTATUS[0]}"`], { env });
    let out = '';
    sh.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    return within(new Promise((resolve) => sh.on('close', () => resolve(out.trim()))), 15_000, `${args} | head -c 1`);
  };
  t.is(await pipeline(`tcp-client 127.0.0.1:${peer.port}`), 'status=0');
  // tcp-server: its client floods it, stdout goes away after one byte. stderr is merged so an ERROR would show.
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
  const server = pipeline(`tcp-server 127.0.0.1:${port}`);
  let socket: net.Socket | undefined;
  for (let i = 0; i < 200 && !socket; i++) {
    socket = await connectTcp(port).catch(async () => { await delay(25); return undefined; });
  }
  if (!socket) return t.fail('tcp-server never listened');
  flood(socket);
  t.is(await server, 'status=0');
  socket.destroy();
});

test('stdin is /dev/null: tcp-client sends a FIN at once and still prints the whole reply', async (t) => {
  const reply = randomBytes(2 * MiB);
  const peer = await tcpPeer(async (s) => {
    const request = await readAll(s);
    s.end(Buffer.concat([Buffer.from(`${request.length}:`), reply]));
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`], { stdin: 'ignore' });
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(Buffer.concat([Buffer.from('0:'), reply])));
  t.deepEqual(r.errors, []);
});

test('stdin is /dev/null: tcp-server hears its client to the end; udp connect -q ends quietly', async (t) => {
  const data = randomBytes(2 * MiB);
  const cli = started(t, ['tcp-server', '127.0.0.1:0', '--log-format', 'json'], 'ignore');
  const socket = await connectTcp(await listenPort(cli));
  const back = readAll(socket);
  socket.end(data);
  t.is((await within(back, 10_000, 'the server\'s FIN')).length, 0);
  const r = await cli.done(10_000);
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(data));
  const udp = await runCli(['udp', 'connect', '127.0.0.1:9', '-q', '0.2'], { stdin: 'ignore' });
  t.is(udp.code, 0, udp.stderr);
  t.deepEqual(udp.errors, []);
});

test('SIGINT while tcp-client sends: exit 130, and what it sent reached the peer whole (a prefix of stdin)', async (t) => {
  const received: Buffer[] = [];
  let count = 0;
  let peerClosed: () => void = () => undefined;
  const closedPromise = new Promise<void>((resolve) => { peerClosed = resolve; });
  const peer = await tcpPeer((s) => {
    s.on('data', (c: Buffer) => { received.push(c); count += c.length; });
    s.on('end', () => { s.end(); peerClosed(); });
    s.on('close', () => peerClosed());
  });
  const cli = started(t, ['tcp-client', `127.0.0.1:${peer.port}`, '--log-format', 'json'], 'pipe');
  const source = pump(cli.child.stdin as NodeJS.WritableStream);
  await within((async () => { while (count < 2 * MiB) await delay(5); })(), 10_000, '2 MiB at the peer');
  cli.child.kill('SIGINT');
  const r = await cli.done(10_000);
  source.stop();
  await within(closedPromise, 5000, 'the peer seeing the end');
  t.is(r.code, 130, r.stderr);
  t.deepEqual(r.errors, []);
  const closed = parseJsonLines(r.stderr).find((e) => e.event === 'closed');
  const got = Buffer.concat(received);
  t.is(got.length, Number(closed?.bytesOut), 'every byte mona-nc wrote reached the peer');
  t.true(source.bytes().subarray(0, got.length).equals(got), 'and they are stdin\'s bytes, in order');
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.code, 130);
});

test('SIGTERM while tcp-server receives: exit 143, stdout holds every byte it received (a prefix of the client\'s)', async (t) => {
  const cli = started(t, ['tcp-server', '127.0.0.1:0', '--log-format', 'json'], 'pipe');
  const socket = await connectTcp(await listenPort(cli));
  socket.on('error', () => undefined);
  socket.resume();
  const source = pump(socket);
  await within((async () => { while (cli.stdoutChunks.reduce((n, c) => n + c.length, 0) < 2 * MiB) await delay(5); })(), 10_000, '2 MiB on stdout');
  cli.child.kill('SIGTERM');
  const r = await cli.done(10_000);
  source.stop();
  socket.destroy();
  cli.child.stdin?.destroy();
  t.is(r.code, 143, r.stderr);
  t.deepEqual(r.errors, []);
  const closed = parseJsonLines(r.stderr).find((e) => e.event === 'closed');
  t.is(r.stdout.length, Number(closed?.bytesIn), 'every byte received went to stdout');
  t.true(source.bytes().subarray(0, r.stdout.length).equals(r.stdout), 'in order');
});

/** `count` connections, `batch` at a time: each sends one byte, half-closes and waits for the close. */
async function shortConnections(port: number, count: number, batch: number, expectEcho: boolean): Promise<void> {
  const one = (): Promise<void> => new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: false });
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      if (expectEcho && Buffer.concat(chunks).toString() !== 'x') reject(new Error(`echo: got "${Buffer.concat(chunks).toString()}"`));
      else resolve();
    });
    s.end('x');
  });
  for (let done = 0; done < count; done += batch) await Promise.all(Array.from({ length: Math.min(batch, count - done) }, one));
}

const fdsSettle = async (pid: number, want: number): Promise<number | undefined> => {
  let now = openFds(pid);
  for (let i = 0; i < 200 && now !== undefined && now > want; i++) {
    await delay(25);
    now = openFds(pid);
  }
  return now;
};

for (const mode of [['-k'], ['--echo']] as const) {
  test(`2000 short connections to tcp-server ${mode[0]}: every one served, open fds back to the start value`, async (t) => {
    t.timeout(60_000);
    const cli = started(t, ['tcp-server', '127.0.0.1:0', ...mode, '--log-format', 'json'], mode[0] === '-k' ? 'pipe' : 'ignore');
    const port = await listenPort(cli);
    const pid = cli.child.pid ?? 0;
    const before = openFds(pid);
    await within(shortConnections(port, 2000, 50, mode[0] === '--echo'), 50_000, '2000 connections');
    const after = before === undefined ? undefined : await fdsSettle(pid, before);
    if (mode[0] === '-k') {
      await within((async () => { while (cli.stdoutChunks.reduce((n, c) => n + c.length, 0) < 2000) await delay(10); })(), 5000, 'all bytes on stdout');
    }
    cli.child.kill('SIGTERM');
    const r = await cli.done(10_000);
    cli.child.stdin?.destroy();
    t.is(r.code, 143, r.stderr);
    t.deepEqual(r.errors, []);
    if (mode[0] === '-k') t.is(r.stdout.toString(), 'x'.repeat(2000));
    t.is(parseJsonLines(r.stderr).filter((e) => e.event === 'closed').length, 2000);
    if (!hasProc() || before === undefined) return void t.log('no /proc here: fds not counted');
    t.log(`open fds: ${before} before, ${String(after)} after 2000 connections`);
    t.is(after, before);
  });
}

test('sha256 of this file\'s helpers is stable (pump remembers every byte)', (t) => {
  const chunks: Buffer[] = [];
  const sink = { write: (b: Buffer) => { chunks.push(b); return chunks.length < 3; }, once: () => undefined, on: () => undefined, destroyed: false } as unknown as NodeJS.WritableStream;
  const p = pump(sink);
  t.is(createHash('sha256').update(Buffer.concat(chunks)).digest('hex'), sha256(p.bytes()));
});
