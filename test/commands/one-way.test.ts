// --send-only and --recv-only (issue 13 item 4) against peers that are not mona-nc: OpenBSD nc, ncat, Node net and
// dgram; in pipe mode and with -k.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonLines, runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, closedPort, connectTcp, delay, readAll, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { needs, tool, untilListening } from '../helpers/tools.js';

test.after.always(closeAllPeers);
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-one-way-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** A file of random bytes in the test's directory. */
function file(name: string, size: number): { path: string; data: Buffer } {
  const data = randomBytes(size);
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, data };
}

needs('nc')('tcp-client --recv-only < /dev/null from `nc -l < file`: the whole file (nc never closes: -i ends it, exit 1)', async (t) => {
  const { path, data } = file('nc-l.bin', 4 * 1024 * 1024);
  const port = await closedPort();
  // OpenBSD nc -l stops sending at our FIN; without -N it never sends its own.
  const nc = tool('nc', ['-l', '127.0.0.1', String(port)], path);
  await untilListening(port);
  const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '--recv-only', '-i', '1']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /Idle timeout/);
  t.is(r.stdout.length, data.length);
  t.is(sha256(r.stdout), sha256(data));
  t.is((await nc.done()).code, 0);
});

needs('nc')('tcp-client --recv-only from `nc -N -l < file`: exit 0 at its FIN, ours only after it', async (t) => {
  const { path, data } = file('nc-N-l.bin', 2 * 1024 * 1024);
  const port = await closedPort();
  const nc = tool('nc', ['-N', '-l', '127.0.0.1', String(port)], path);
  await untilListening(port);
  const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '--recv-only', '--log-format', 'json']);
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(data));
  const eofs = parseJsonLines(r.stderr).filter((e) => e.event === 'eof').map((e) => e.direction);
  t.deepEqual(eofs, ['in', 'out']);
  t.is((await nc.done()).code, 0);
});

test('tcp-client --recv-only: stdin is never read and its EOF sends no FIN', async (t) => {
  const heard: Buffer[] = [];
  let finBeforeOurs = false;
  const peer = await tcpPeer((socket) => {
    socket.on('data', (c: Buffer) => heard.push(c));
    let fin = false;
    socket.on('end', () => { fin = true; });
    socket.write('hello');
    // Long enough for a FIN caused by stdin's EOF to arrive; then ours, which theirs answers.
    setTimeout(() => {
      finBeforeOurs = fin;
      socket.end();
    }, 400);
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--recv-only'], { stdin: 'never sent\n' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'hello');
  t.false(finBeforeOurs);
  t.is(Buffer.concat(heard).length, 0);
});

test('tcp-client --send-only: what the peer sends never reaches stdout; the peer gets every byte', async (t) => {
  const data = randomBytes(1024 * 1024);
  let got: Promise<Buffer> | undefined;
  const peer = await tcpPeer((socket) => {
    got = readAll(socket);
    socket.write(randomBytes(256 * 1024));
    void got.then(() => socket.end('bye'));
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--send-only', '--log-format', 'json'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.length, 0);
  t.is(sha256(await within(got ?? Promise.reject(new Error('no connection')), 5000, 'the upload')), sha256(data));
  // The peer's bytes were read (so it was never blocked) and dropped.
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'closed')?.bytesIn, 256 * 1024 + 3);
});

test('tcp-client --send-only -q: a peer that keeps writing and never closes still gets every byte (no reset)', async (t) => {
  const data = randomBytes(8 * 1024 * 1024);
  let seenBy!: (seen: { bytes: number; error: string | undefined }) => void;
  const result = new Promise<{ bytes: number; error: string | undefined }>((resolve) => { seenBy = resolve; });
  const { port } = await tcpPeer((socket) => {
    let bytes = 0;
    let error: string | undefined;
    socket.on('data', (c: Buffer) => { bytes += c.length; });
    socket.on('error', (err: NodeJS.ErrnoException) => { error ??= err.code; });
    socket.on('end', () => seenBy({ bytes, error }));
    socket.on('close', () => seenBy({ bytes, error }));
    const chatter = setInterval(() => { if (!socket.destroyed) socket.write(Buffer.alloc(1000, 120)); }, 1);
    socket.on('close', () => clearInterval(chatter));
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '--send-only', '-q', '0.5'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.length, 0);
  const seen = await within(result, 5000, 'the peer to see our FIN');
  t.is(seen.bytes, data.length);
  t.is(seen.error, undefined);
});

needs('ncat')('tcp-client --send-only < file into `ncat -l --recv-only`, and --recv-only from `ncat -l --send-only < file`', async (t) => {
  const { path, data } = file('ncat.bin', 2 * 1024 * 1024);
  const port = await closedPort();
  const receiver = tool('ncat', ['-l', '127.0.0.1', String(port), '--recv-only']);
  await untilListening(port);
  const up = await runCli(['tcp-client', `127.0.0.1:${port}`, '--send-only'], { stdin: data });
  t.is(up.code, 0, up.stderr);
  t.is(sha256((await receiver.done()).stdout), sha256(data));

  const port2 = await closedPort();
  const sender = tool('ncat', ['-l', '127.0.0.1', String(port2), '--send-only'], path);
  await untilListening(port2);
  const down = await runCli(['tcp-client', `127.0.0.1:${port2}`, '--recv-only']);
  t.is(down.code, 0, down.stderr);
  t.is(sha256(down.stdout), sha256(data));
  t.is((await sender.done()).code, 0);
});

test('udp connect --send-only: ends at stdin EOF without -q, the answers never reach stdout', async (t) => {
  const peer = await udpPeer(true);
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '--send-only'], { stdin: 'ping', timeoutMs: 5000 });
  t.is(r.code, 0, r.stderr);
  t.is(r.signal, null);
  t.is(r.stdout.length, 0);
  t.is((await peer.next()).data.toString(), 'ping');
});

test('tcp-server -k --recv-only: every client is heard, stdin reaches none, each FIN is answered', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-k', '--recv-only', '-v'], { stdin: 'pipe' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  cli.child.stdin?.write('not for the clients\n');
  const port = await cli.port();
  const a = await connectTcp(port);
  const b = await connectTcp(port);
  await cli.waitLine(/accepted #2/);
  const gotA = readAll(a);
  const gotB = readAll(b);
  a.end('from a\n');
  b.end('from b\n');
  // Our FIN answers theirs, with nothing before it.
  t.is((await within(gotA, 5000, 'a FIN for a')).length, 0);
  t.is((await within(gotB, 5000, 'a FIN for b')).length, 0);
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143, r.stderr);
  t.deepEqual(r.stdout.toString().split('\n').filter(Boolean).sort(), ['from a', 'from b']);
});

test('tcp-server -k --send-only: stdin goes to every client, their bytes never reach stdout', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-k', '--send-only', '-v'], { stdin: 'pipe' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  const clients: net.Socket[] = [await connectTcp(port), await connectTcp(port)];
  await cli.waitLine(/accepted #2/);
  const got = clients.map((c) => readAll(c));
  for (const c of clients) c.write('ignored\n');
  await delay(100);
  cli.child.stdin?.end('to everyone\n');
  for (const g of got) t.is((await within(g, 5000, 'stdin and a FIN')).toString(), 'to everyone\n');
  for (const c of clients) c.end();
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143, r.stderr);
  t.is(r.stdout.length, 0);
});

test('tcp-server -k -v: one accounting line per client, with its own counts', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-k', '-v', '--recv-only']);
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  for (const text of ['12345', '1234567890']) {
    const c = await connectTcp(port);
    const done = readAll(c);
    c.end(text);
    await within(done, 5000, 'our FIN');
  }
  await cli.waitLine(/closed #2 .* 10 bytes received/);
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  const lines = r.stderrLines.filter((l) => / INFO closed #/.test(l));
  t.is(lines.length, 2, r.stderr);
  t.regex(lines[0] ?? '', /closed #1 127\.0\.0\.1:\d+ \(eof\): 0 bytes sent, 5 bytes received in \d+\.\d\d seconds$/);
  t.regex(lines[1] ?? '', /closed #2 127\.0\.0\.1:\d+ \(eof\): 0 bytes sent, 10 bytes received in \d+\.\d\d seconds$/);
});
