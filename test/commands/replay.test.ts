// --record and `mona-nc replay` against plain Node peers and ncat: the file holds every chunk each way with its time
// and direction; replay plays either side back, waits for the other side's bytes, keeps the timing unless --fast,
// and --strict fails with a diff when the other side differs.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonLines, runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';

test.after.always(closeAllPeers);

const dir = mkdtempSync(join(tmpdir(), 'mona-nc-replay-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (): string => join(dir, `rec-${files++}.jsonl`);

interface Line { t: number; type: string; id: number; dir?: string; data?: string; role?: string; transport?: string }
const lines = (path: string): Line[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

/** A Node server that answers every chunk with it upper-cased, and FIN with FIN. */
const upperServer = () => tcpPeer((s) => {
  s.on('data', (d: Buffer) => s.write(d.toString().toUpperCase()));
  s.on('end', () => s.end());
});

/** A hand-made recording of one TCP connection, as the client recorded it. */
function recording(path: string, moves: Array<[number, 'in' | 'out' | 'eof-in' | 'eof-out', string?]>): void {
  const out = [{ t: 0, type: 'open', id: 1, transport: 'tcp', role: 'client', peer: '127.0.0.1:1' }];
  for (const [t, what, text] of moves) {
    if (what.startsWith('eof')) out.push({ t, type: 'eof', id: 1, dir: what.slice(4) } as never);
    else out.push({ t, type: 'data', id: 1, dir: what, data: Buffer.from(text ?? '').toString('base64') } as never);
  }
  out.push({ t: 1000, type: 'close', id: 1 } as never);
  writeFileSync(path, out.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

test('--record on tcp-client: open, each chunk each way in base64 with its direction and time, EOFs, close', async (t) => {
  const peer = await upperServer();
  const path = file();
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--record', path], { stdin: 'hello' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'HELLO');
  const rec = lines(path);
  t.deepEqual(rec.map((l) => `${l.type}${l.dir ? ` ${l.dir}` : ''}`), ['open', 'data out', 'eof out', 'data in', 'eof in', 'close']);
  t.like(rec[0], { transport: 'tcp', role: 'client', id: 1 });
  t.is(Buffer.from(rec[1]?.data ?? '', 'base64').toString(), 'hello');
  t.is(Buffer.from(rec[3]?.data ?? '', 'base64').toString(), 'HELLO');
  t.true(rec.every((l, i) => i === 0 || l.t >= (rec[i - 1]?.t ?? 0)), 'times never go back');
});

test('--record of 1 MiB each way on a server: the file has every byte', async (t) => {
  const path = file();
  const down = randomBytes(1024 * 1024);
  const up = randomBytes(1024 * 1024);
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--record', path], { stdin: down });
  const socket = await connectTcp(await cli.port());
  const got = readAll(socket);
  socket.end(up);
  await within(got, 10000, 'reply');
  t.is((await cli.done()).code, 0);
  const rec = lines(path);
  const bytes = (dirName: string): Buffer => Buffer.concat(rec.filter((l) => l.type === 'data' && l.dir === dirName).map((l) => Buffer.from(l.data ?? '', 'base64')));
  t.is(sha256(bytes('in')), sha256(up));
  t.is(sha256(bytes('out')), sha256(down));
  t.like(rec[0], { role: 'server' });
});

test('--record on udp connect: one line per datagram', async (t) => {
  const peer = await udpPeer(true);
  const path = file();
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '--lines', '-q', '0.5', '--record', path], { stdin: 'a\nbb\n' });
  t.is(r.code, 0, r.stderr);
  const data = lines(path).filter((l) => l.type === 'data').map((l) => `${l.dir ?? ''}:${Buffer.from(l.data ?? '', 'base64').toString()}`);
  t.deepEqual(data.filter((d) => d.startsWith('out')), ['out:a\n', 'out:bb\n']);
  t.deepEqual(data.filter((d) => d.startsWith('in')), ['in:a\n', 'in:bb\n']);
  t.like(lines(path)[0], { transport: 'udp' });
});

test('record then replay --connect --strict against the same server: exit 0; against another: exit 1 with a diff', async (t) => {
  const peer = await upperServer();
  const path = file();
  await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--record', path], { stdin: 'hello world' });
  const same = await runCli(['replay', path, '--connect', `127.0.0.1:${peer.port}`, '--strict']);
  t.is(same.code, 0, same.stderr);
  t.is(same.stdout.length, 0, 'replay writes nothing to stdout');
  const other = await tcpPeer((s) => {
    s.on('data', (d: Buffer) => s.write(d.toString().replace('WORLD', 'W0RLD')));
    s.on('end', () => s.end());
  });
  const echoServer = await tcpPeer((s) => { s.on('data', (d: Buffer) => s.write(d.toString().toUpperCase().replace('O W', 'O_W'))); s.on('end', () => s.end()); });
  const diff = await runCli(['replay', path, '--connect', `127.0.0.1:${echoServer.port}`, '--strict', '--log-format', 'json']);
  t.is(diff.code, 1, diff.stderr);
  t.is(diff.errors.length, 1, diff.stderr);
  t.regex(diff.errors[0] ?? '', /differ from the recording at byte 5: expected \\"HELLO WORLD\\", got \\"HELLO_WORLD\\"/);
  t.is(parseJsonLines(diff.stderr).find((e) => e.event === 'exit')?.reason, 'mismatch');
  // Without --strict only the count matters.
  const loose = await runCli(['replay', path, '--connect', `127.0.0.1:${other.port}`]);
  t.is(loose.code, 0, loose.stderr);
});

test('replay --strict: a peer that finishes short of the recording fails', async (t) => {
  const path = file();
  recording(path, [[1, 'out', 'hi'], [2, 'eof-out'], [3, 'in', 'HELLO'], [4, 'eof-in']]);
  const short = await tcpPeer((s) => { s.once('data', () => s.end('HEL')); });
  const r = await runCli(['replay', path, '--connect', `127.0.0.1:${short.port}`, '--strict']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /finished after 3 bytes, 2 bytes short/);
});

test('replay --listen: every listen form, port 0 included; the recorded server talks to a Node client', async (t) => {
  const path = file();
  // As the client recorded it: it sent "ping", the server answered "pong" and closed.
  recording(path, [[1, 'out', 'ping'], [5, 'in', 'pong'], [6, 'eof-in'], [7, 'eof-out']]);
  for (const where of [['127.0.0.1:0'], ['0'], ['[::1]:0']]) {
    const cli = startCli(['replay', path, '--listen', ...where, '--strict']);
    const port = await cli.port();
    const socket = await connectTcp(port, where[0] === '[::1]:0' ? '::1' : '127.0.0.1');
    const got = readAll(socket);
    socket.end('ping');
    t.is((await within(got, 5000, 'pong')).toString(), 'pong', where.join(' '));
    const r = await cli.done();
    t.is(r.code, 0, r.stderr);
    t.regex(r.stderr, /NOTE listening on /);
  }
});

test('replay waits for the other side by count, and keeps the recorded gap unless --fast', async (t) => {
  const path = file();
  recording(path, [[0, 'out', 'a'], [10, 'in', 'A'], [600, 'out', 'b'], [610, 'in', 'B'], [611, 'eof-out']]);
  const times: number[] = [];
  const peer = await tcpPeer((s) => {
    s.on('data', (d: Buffer) => {
      times.push(Date.now());
      s.write(d.toString().toUpperCase());
    });
    s.on('end', () => s.end());
  });
  const slow = await runCli(['replay', path, '--connect', `127.0.0.1:${peer.port}`, '--strict']);
  t.is(slow.code, 0, slow.stderr);
  t.is(times.length, 2);
  t.true((times[1] ?? 0) - (times[0] ?? 0) >= 500, `kept the 590 ms gap: ${(times[1] ?? 0) - (times[0] ?? 0)}`);
  times.length = 0;
  const fast = await runCli(['replay', path, '--connect', `127.0.0.1:${peer.port}`, '--strict', '--fast']);
  t.is(fast.code, 0, fast.stderr);
  t.true((times[1] ?? 0) - (times[0] ?? 0) < 400, `--fast: ${(times[1] ?? 0) - (times[0] ?? 0)} ms`);
});

test('replay of a UDP recording, as the client, against a Node UDP echo', async (t) => {
  const echo = await udpPeer(true);
  const path = file();
  await runCli(['udp', 'connect', `127.0.0.1:${echo.port}`, '--lines', '-q', '0.3', '--record', path], { stdin: 'one\ntwo\n' });
  const target = await udpPeer(true);
  const r = await runCli(['replay', path, '--connect', `127.0.0.1:${target.port}`, '--strict', '--fast', '-i', '3']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(target.received.map((d) => d.data.toString()), ['one\n', 'two\n']);
});

// A skip says why in its title: ncat is not installed.
const hasNcat = spawnSync('ncat', ['--version']).error === undefined;
(hasNcat ? test : test.skip)(`replay --listen plays a server recorded by mona-nc against ncat as the client${hasNcat ? '' : ' (skipped: ncat is not installed)'}`, async (t) => {
  const path = file();
  // Record a server session: a Node client sends a request, mona-nc answers from stdin.
  const server = startCli(['tcp-server', '127.0.0.1:0', '--record', path], { stdin: 'HTTP/1.0 200 OK\r\n\r\nhi' });
  const socket = await connectTcp(await server.port());
  const got = readAll(socket);
  socket.end('GET / HTTP/1.0\r\n\r\n');
  await within(got, 5000, 'reply');
  await server.done();
  const cli = startCli(['replay', path, '--listen', '127.0.0.1:0', '--strict']);
  const port = await cli.port();
  const client = spawnSync('ncat', ['127.0.0.1', String(port)], { input: 'GET / HTTP/1.0\r\n\r\n', encoding: 'utf8', timeout: 5000 });
  t.is(client.stdout, 'HTTP/1.0 200 OK\r\n\r\nhi');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
});

test('replay usage: no --connect/--listen, both, a missing or malformed file: exit 2', async (t) => {
  const path = file();
  writeFileSync(path, 'not json\n');
  for (const args of [['replay', path], ['replay', path, '--connect', '127.0.0.1:9', '--listen', '0'], ['replay', join(dir, 'nope'), '--listen', '0'], ['replay', path, '--listen', '0']]) {
    const r = await runCli(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.errors.length, 1, r.stderr);
  }
});
