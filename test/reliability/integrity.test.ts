// 256 MiB of random bytes through tcp-client -> tcp-server into a reader that takes its data in slow bursts:
// every byte arrives, in order (sha256), and backpressure keeps both processes' memory bounded.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { within } from '../helpers/net.js';
import { hasProc, watchPeakRss } from '../helpers/proc.js';

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;
// Far below the data's size: a process that buffered instead of pushing back would cross it.
const RSS_BOUND = 160 * MiB;

const env = (): NodeJS.ProcessEnv => {
  const e = { ...process.env };
  delete e.NODE_EXTRA_CA_CERTS;
  return e;
};

const exited = (child: ReturnType<typeof spawn>): Promise<number | null> => new Promise((resolve) => child.on('close', (code) => resolve(code)));

test('256 MiB random, file -> tcp-client -> tcp-server -> a slow-burst reader: sha256 equal, RSS bounded', async (t) => {
  t.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'mona-nc-integrity-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const input = join(dir, 'random.bin');
  const sent = createHash('sha256');
  const fd = openSync(input, 'w');
  for (let at = 0; at < SIZE; at += MiB) {
    const block = randomBytes(MiB);
    sent.update(block);
    writeSync(fd, block);
  }
  closeSync(fd);

  const server = spawn(process.execPath, [CLI, 'tcp-server', '127.0.0.1:0', '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'], env: env() });
  let serverLog = '';
  server.stderr.on('data', (c: Buffer) => { serverLog += c.toString(); });
  const port = await within(new Promise<number>((resolve) => {
    server.stderr.on('data', () => {
      const m = /"address":"127\.0\.0\.1:(\d+)"/.exec(serverLog);
      if (m) resolve(Number(m[1]));
    });
  }), 10_000, 'the server listening');
  const serverPeak = hasProc() ? watchPeakRss(server.pid ?? 0) : undefined;

  // The reader: 4 MiB, then a 25 ms nap, again and again.
  const received = createHash('sha256');
  let got = 0;
  let sinceNap = 0;
  server.stdout.on('data', (chunk: Buffer) => {
    received.update(chunk);
    got += chunk.length;
    sinceNap += chunk.length;
    if (sinceNap >= 4 * MiB) {
      sinceNap = 0;
      server.stdout.pause();
      setTimeout(() => server.stdout.resume(), 25);
    }
  });
  const serverDone = exited(server);

  const client = spawn('sh', ['-c', `exec "${process.execPath}" "${CLI}" tcp-client 127.0.0.1:${port} < "${input}"`], { stdio: ['ignore', 'ignore', 'pipe'], env: env() });
  let clientLog = '';
  client.stderr.on('data', (c: Buffer) => { clientLog += c.toString(); });
  const clientPeak = hasProc() ? watchPeakRss(client.pid ?? 0) : undefined;
  const [clientCode, serverCode] = await within(Promise.all([exited(client), serverDone]), 170_000, 'the transfer')
    .catch((err: Error) => { client.kill('SIGKILL'); server.kill('SIGKILL'); throw err; });

  t.is(clientCode, 0, clientLog);
  t.is(serverCode, 0, serverLog);
  t.is(got, SIZE);
  t.is(received.digest('hex'), sent.digest('hex'));
  const closed = serverLog.split('\n').filter((l) => l.includes('"event":"closed"')).map((l) => JSON.parse(l) as { bytesIn: number });
  t.is(closed[0]?.bytesIn, SIZE);
  if (!serverPeak || !clientPeak) {
    t.log('no /proc here: RSS not checked');
    return;
  }
  const peaks = { server: serverPeak(), client: clientPeak() };
  t.log(`peak RSS: tcp-server ${(peaks.server / MiB).toFixed(1)} MiB, tcp-client ${(peaks.client / MiB).toFixed(1)} MiB`);
  t.true(peaks.server < RSS_BOUND, `tcp-server peaked at ${peaks.server} bytes`);
  t.true(peaks.client < RSS_BOUND, `tcp-client peaked at ${peaks.client} bytes`);
});

test('64 MiB random from a pipe -> tcp-client -> a Node peer reading in slow bursts: sha256 equal, RSS bounded', async (t) => {
  t.timeout(120_000);
  const SIZE_PIPE = 64 * MiB;
  const received = createHash('sha256');
  let got = 0;
  const { tcpPeer } = await import('../helpers/net.js');
  const done = new Promise<void>((resolve) => {
    void tcpPeer((socket) => {
      let sinceNap = 0;
      socket.on('data', (chunk: Buffer) => {
        received.update(chunk);
        got += chunk.length;
        sinceNap += chunk.length;
        if (sinceNap >= 2 * MiB) {
          sinceNap = 0;
          socket.pause();
          setTimeout(() => socket.resume(), 20);
        }
      });
      socket.on('end', () => { socket.end(); resolve(); });
    }).then((peer) => {
      t.teardown(() => peer.close());
      start(peer.port);
    });
  });
  const sent = createHash('sha256');
  let client: ReturnType<typeof spawn> | undefined;
  let clientLog = '';
  let clientPeak: (() => number) | undefined;
  const start = (port: number): void => {
    client = spawn(process.execPath, [CLI, 'tcp-client', `127.0.0.1:${port}`], { stdio: ['pipe', 'ignore', 'pipe'], env: env() });
    client.stderr?.on('data', (c: Buffer) => { clientLog += c.toString(); });
    clientPeak = hasProc() ? watchPeakRss(client.pid ?? 0) : undefined;
    const stdin = client.stdin;
    if (!stdin) return;
    let written = 0;
    // Write as fast as the pipe takes it: mona-nc must push back through the pipe, not buffer.
    const pump = (): void => {
      while (written < SIZE_PIPE) {
        const block = randomBytes(256 * 1024);
        sent.update(block);
        written += block.length;
        if (!stdin.write(block)) return void stdin.once('drain', pump);
      }
      stdin.end();
    };
    pump();
  };
  await within(done, 110_000, 'the peer receiving everything');
  const code = await within(exited(client as ReturnType<typeof spawn>), 10_000, 'tcp-client exiting');
  t.is(code, 0, clientLog);
  t.is(got, SIZE_PIPE);
  t.is(received.digest('hex'), sent.digest('hex'));
  if (!clientPeak) return void t.log('no /proc here: RSS not checked');
  const peak = clientPeak();
  t.log(`peak RSS: tcp-client ${(peak / MiB).toFixed(1)} MiB`);
  t.true(peak < RSS_BOUND, `tcp-client peaked at ${peak} bytes`);
});
