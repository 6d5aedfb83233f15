// Interoperability with the netcats users have: OpenBSD nc and socat as the other end, byte-exact both ways.
import test from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli.js';
import { closedPort, sha256, within } from '../helpers/net.js';
import { missingCommand, testUnless } from '../helpers/skip.js';

const dir = mkdtempSync(join(tmpdir(), 'mona-nc-peers-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));


/** Run a peer command to its end (bounded); its stdout as bytes. */
function peer(cmd: string, args: string[], stdin?: string): Promise<{ code: number | null; stdout: Buffer }> {
  const child = spawn(cmd, args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  if (stdin) child.stdin?.end(readFileSync(stdin));
  const out: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
  return new Promise((resolve) => child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout: Buffer.concat(out) }); }));
}

/** tcp-client to a peer that listens once it has started: retried while refused, a bounded number of times. */
async function clientTo(port: number, data: Buffer): ReturnType<typeof runCli> {
  let r = await runCli(['tcp-client', `127.0.0.1:${port}`], { stdin: data });
  for (let i = 0; i < 30 && r.code === 1 && /connection refused/.test(r.stderr); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    r = await runCli(['tcp-client', `127.0.0.1:${port}`], { stdin: data });
  }
  return r;
}

const withNc = testUnless(missingCommand('nc', 'nc (netcat-openbsd)', ['-h']));
const withSocat = testUnless(missingCommand('socat', 'socat', ['-V']));

withNc('tcp-client -> nc -l: 1 MiB of random bytes arrive sha256-identical, both exit 0', async (t) => {
  const data = randomBytes(1024 * 1024);
  const port = await closedPort();
  // nc -l exits once its client is done; -d: it reads no stdin, so it sends nothing back.
  const server = peer('nc', ['-d', '-l', '127.0.0.1', String(port)]);
  const r = await clientTo(port, data);
  t.is(r.code, 0, r.stderr);
  const got = await within(server, 10000, 'nc to end');
  t.is(got.code, 0);
  t.is(sha256(got.stdout), sha256(data));
});

withNc('nc -N -> tcp-server: a file arrives byte-exact, the server exits 0', async (t) => {
  const data = randomBytes(512 * 1024);
  const file = join(dir, 'upload.bin');
  writeFileSync(file, data);
  const cli = startCli(['tcp-server', '127.0.0.1:0']);
  const port = await cli.port();
  const client = peer('nc', ['-N', '127.0.0.1', String(port)], file);
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(data));
  t.is((await within(client, 10000, 'nc to end')).code, 0);
});

withSocat('tcp-client against a socat echo server (PIPE): the reply is byte-exact', async (t) => {
  const port = await closedPort();
  const server = spawn('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, 'PIPE'], { stdio: 'ignore' });
  t.teardown(() => server.kill('SIGKILL'));
  const data = randomBytes(256 * 1024);
  const r = await clientTo(port, data);
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(data));
});

withSocat('socat as a UDP client of udp bind --echo: its datagram comes back', async (t) => {
  const cli = startCli(['udp', 'bind', '127.0.0.1:0', '--echo']);
  const port = await cli.port();
  const client = spawn('socat', ['-t', '1', '-', `UDP:127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'ignore'] });
  const out: Buffer[] = [];
  client.stdout.on('data', (c: Buffer) => out.push(c));
  client.stdin.end('ping from socat');
  await within(new Promise((resolve) => client.on('close', resolve)), 10000, 'socat to end');
  t.is(Buffer.concat(out).toString(), 'ping from socat');
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});
