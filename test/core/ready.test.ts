// --ready-file and --ready-fd on every listener: the real address and a newline, never half-written, removed at exit
// on every way out (done, failure, signal), and the inherited descriptor closed after the line.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CLI, parseJsonLines, runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, within } from '../helpers/net.js';

test.after.always(closeAllPeers);

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'mona-nc-ready-'));
  dirs.push(dir);
  return dir;
};
test.after.always(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Read `path` as fast as possible until it holds a line; every read that finds the file must see the whole line. */
async function pollWhole(path: string, ms: number): Promise<{ line: string; reads: string[] }> {
  const reads: string[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const text = readFileSync(path, 'utf8');
      reads.push(text);
      if (text.endsWith('\n')) return { line: text, reads };
    } catch { /* not there yet */ }
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`${path} never appeared`);
}

test('tcp-server --ready-file: the listening address and a newline, never half-written, removed at exit', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'ready');
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--ready-file', path, '--log-format', 'json']);
  const { line, reads } = await pollWhole(path, 8000);
  t.true(reads.every((r) => r === line), `every read saw the whole line: ${JSON.stringify(reads.slice(0, 3))}`);
  const listening = (await cli.waitEvent('listening')).address;
  t.is(line, `${String(listening)}\n`);
  t.regex(line, /^127\.0\.0\.1:\d+\n$/);
  const socket = await connectTcp(Number(line.trim().split(':')[1]));
  socket.end('hi');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'hi');
  t.false(existsSync(path), 'removed at exit');
  t.deepEqual(readdirSync(dir), [], 'no temporary file left');
});

test('--ready-file is removed after a failure (idle timeout) and after SIGTERM', async (t) => {
  const dir = tempDir();
  const failing = join(dir, 'a');
  const r1 = startCli(['tcp-server', '127.0.0.1:0', '-i', '0.5', '--ready-file', failing]);
  await pollWhole(failing, 8000);
  const done1 = await r1.done();
  t.is(done1.code, 1, done1.stderr);
  t.false(existsSync(failing));
  const killed = join(dir, 'b');
  const r2 = startCli(['udp', 'bind', '127.0.0.1:0', '--ready-file', killed]);
  const { line } = await pollWhole(killed, 8000);
  t.regex(line, /^127\.0\.0\.1:\d+\n$/, 'udp bind writes it too');
  r2.child.kill('SIGTERM');
  const done2 = await r2.done();
  t.is(done2.code, 143);
  t.false(existsSync(killed));
  t.deepEqual(readdirSync(dir), []);
});

test('--ready-file with the port alone: the real address of the wildcard listener', async (t) => {
  const path = join(tempDir(), 'ready');
  const cli = startCli(['tcp-server', '0', '--echo', '--ready-file', path]);
  const { line } = await pollWhole(path, 8000);
  t.regex(line, /^(\[::\]|0\.0\.0\.0):\d+\n$/);
  t.is(line.trim().split(':').pop(), String(await cli.port()));
  cli.child.kill('SIGTERM');
  await cli.done();
});

test('--ready-file in a directory that does not exist: exit 1, one ERROR naming it, reason io', async (t) => {
  const path = join(tempDir(), 'missing', 'ready');
  const r = await runCli(['tcp-server', '127.0.0.1:0', '--ready-file', path, '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.true(r.errors[0]?.includes(`--ready-file ${path}`), r.errors[0]);
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.reason, 'io');
});

test('--ready-fd 3: the line on the inherited descriptor, then its EOF', async (t) => {
  const child = spawn(process.execPath, [CLI, 'tcp-server', '127.0.0.1:0', '--ready-fd', '3'], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const fd3 = child.stdio[3] as Readable;
  const chunks: Buffer[] = [];
  fd3.on('data', (c: Buffer) => chunks.push(c));
  // The line comes, then EOF (the descriptor is closed), while the server goes on listening.
  await within(new Promise((r) => fd3.on('end', r)), 8000, 'EOF on fd 3');
  const line = Buffer.concat(chunks).toString();
  t.regex(line, /^127\.0\.0\.1:\d+\n$/);
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  const socket = await connectTcp(Number(line.trim().split(':')[1]));
  const reply = readAll(socket);
  child.stdin.end('from the server');
  socket.end('from the client');
  t.is((await within(reply, 5000, 'reply')).toString(), 'from the server');
  const code = await within(new Promise((r) => child.on('close', r)), 8000, 'exit');
  t.is(code, 0);
  t.is(Buffer.concat(out).toString(), 'from the client');
});

test('--ready-fd on a descriptor that is not open: exit 1 naming it; 0-2 are a usage error', async (t) => {
  const r = await runCli(['tcp-server', '127.0.0.1:0', '--ready-fd', '9']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.true(r.errors[0]?.includes('--ready-fd 9'), r.errors[0]);
  const usage = await runCli(['tcp-server', '127.0.0.1:0', '--ready-fd', '1']);
  t.is(usage.code, 2, usage.stderr);
});

test('--ready-file on a client is a usage error', async (t) => {
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--ready-file', 'x']);
  t.is(r.code, 2, r.stderr);
  t.regex(r.errors[0] ?? '', /--ready-file with tcp-client/);
});
