// tcp-client as a child process against plain Node peers: bytes exact, half-close rules, exit codes.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import type net from 'node:net';
import { CLI, runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, closedPort, delay, readAll, sha256, tcpPeer, within } from '../helpers/net.js';

test.after.always(closeAllPeers);

const noStack = (stderr: string): boolean => !/\n\s+at /.test(stderr);

test('1 MiB of random bytes round trip through an echo peer, sha256-identical', async (t) => {
  const peer = await tcpPeer((s) => s.pipe(s));
  const data = randomBytes(1024 * 1024);
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`], { stdin: data });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.length, data.length);
  t.is(sha256(r.stdout), sha256(data));
  t.deepEqual(r.errors, []);
  await peer.close();
});

test('half-close: the server reads to EOF, then replies; the client prints the reply and exits 0', async (t) => {
  const peer = await tcpPeer(async (s) => {
    const request = await readAll(s);
    s.end(`got ${request.length} bytes`);
  });
  const r = await runCli(['tcp-client', '127.0.0.1', String(peer.port)], { stdin: Buffer.alloc(100_000, 7) });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'got 100000 bytes');
  await peer.close();
});

test('the peer closes first while stdin stays open: exit 0 after the linger', async (t) => {
  const peer = await tcpPeer((s) => s.end('banner\n'));
  const cli = startCli(['tcp-client', `127.0.0.1:${peer.port}`, '--linger', '0.2'], { stdin: 'pipe' });
  const r = await cli.done(8000);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'banner\n');
  cli.child.stdin?.destroy();
  await peer.close();
});

test('the peer half-closes first: stdin is still sent to the end (no nmap PR#2510 data loss)', async (t) => {
  let received: Promise<Buffer> | undefined;
  const peer = await tcpPeer((s) => { s.end('early FIN'); received = readAll(s); });
  const data = randomBytes(4 * 1024 * 1024);
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`], { stdin: data });
  t.is(r.code, 0, r.stderr);
  const got = await within(received ?? Promise.reject(new Error('no connection')), 5000, 'peer data');
  t.is(got.length, data.length);
  t.is(sha256(got), sha256(data));
  t.is(r.stdout.toString(), 'early FIN');
  await peer.close();
});

test('--no-shutdown: no FIN at stdin EOF; the reply still arrives', async (t) => {
  let sawEof = false;
  let eofBeforeReply: boolean | undefined;
  const peer = await tcpPeer((s) => {
    s.on('end', () => { sawEof = true; });
    s.resume();
    setTimeout(() => { eofBeforeReply = sawEof; s.end('reply'); }, 300);
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--no-shutdown'], { stdin: 'request' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'reply');
  t.false(eofBeforeReply, 'the server must not see EOF before it replies');
  t.true(sawEof, 'the FIN follows once the peer has closed');
  await peer.close();
});

test('-q SECS: exits 0 that long after stdin EOF even if the peer never closes', async (t) => {
  let sawEof = false;
  const peer = await tcpPeer((s) => { s.on('end', () => { sawEof = true; }); s.resume(); });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '-q', '0.3'], { stdin: 'bye' });
  t.is(r.code, 0, r.stderr);
  t.true(sawEof);
  await peer.close();
});

test('-i SECS: no traffic for that long is a failure (exit 1, one ERROR)', async (t) => {
  const peer = await tcpPeer(() => undefined);
  const cli = startCli(['tcp-client', `127.0.0.1:${peer.port}`, '-i', '0.3'], { stdin: 'pipe' });
  const r = await cli.done(8000);
  t.is(r.code, 1);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /Idle timeout/);
  cli.child.stdin?.destroy();
  await peer.close();
});

test('stdout closed by its reader (| head -c 10): exit 0, no EPIPE noise', async (t) => {
  const peer = await tcpPeer((s) => {
    const chunk = Buffer.alloc(64 * 1024, 65);
    const pump = (): void => { while (s.write(chunk)); };
    s.on('drain', pump);
    s.on('error', () => undefined);
    pump();
  });
  const sh = spawn('bash', ['-c', `"${process.execPath}" "${CLI}" tcp-client 127.0.0.1:${peer.port} < /dev/null | head -c 10 > /dev/null; echo "status=\${PIPESTATUS[0]}"`], { env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
  let out = '';
  let err = '';
  sh.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  sh.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  await within(new Promise((resolve) => sh.on('close', resolve)), 10000, 'the pipeline to end');
  t.is(out.trim(), 'status=0');
  t.is(err, '');
  await peer.close();
});

test('a reset by the peer mid-transfer: one ERROR, exit 1', async (t) => {
  const peer = await tcpPeer((s) => {
    s.once('data', () => (s as net.Socket & { resetAndDestroy(): void }).resetAndDestroy());
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`], { stdin: Buffer.alloc(16 * 1024 * 1024) });
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /127\.0\.0\.1:\d+ \((connection reset by peer|broken pipe)\)/);
  t.true(noStack(r.stderr));
  await peer.close();
});

test('SIGINT during a session: exit 130; SIGTERM: exit 143', async (t) => {
  const peer = await tcpPeer((s) => s.resume());
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const cli = startCli(['tcp-client', `127.0.0.1:${peer.port}`, '-v'], { stdin: 'pipe' });
    await cli.waitLine(/INFO connected to/);
    cli.child.stdin?.write('partial');
    await delay(50);
    cli.child.kill(signal);
    const r = await cli.done(8000);
    t.is(r.code, code, r.stderr);
    t.deepEqual(r.errors, []);
  }
  await peer.close();
});

const failsWith = test.macro({
  async exec(t, args: string[], code: number, pattern: RegExp) {
    const r = await runCli(args);
    t.is(r.code, code, r.stderr);
    t.is(r.errors.length, 1, r.stderr);
    t.regex(r.errors[0] ?? '', pattern);
    t.true(noStack(r.stderr), r.stderr);
    t.is(r.stdout.length, 0);
  },
  title: (given, args: string[]) => given ?? `tcp-client ${args.slice(1).join(' ')}`,
});

test('refused: exit 1, one ERROR naming the address', async (t) => {
  const port = await closedPort();
  await failsWith.exec(t, ['tcp-client', `127.0.0.1:${port}`], 1, new RegExp(`ERROR Unable to connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\)$`));
});
test('unknown host', failsWith, ['tcp-client', 'nosuch.invalid:80'], 1, /ERROR Unable to connect to nosuch\.invalid:80 \(unknown host\)$/);
test('port 70000', failsWith, ['tcp-client', '127.0.0.1:70000'], 2, /ERROR port 70000: too large$/);
test('port 0 as a target', failsWith, ['tcp-client', '127.0.0.1', '0'], 2, /ERROR port 0: too small/);
test('port not a number', failsWith, ['tcp-client', '127.0.0.1:http'], 2, /ERROR port http: not a number$/);
test('missing port', failsWith, ['tcp-client', '127.0.0.1'], 2, /missing port/);
test('unknown flag', failsWith, ['tcp-client', '127.0.0.1:9', '--frobnicate', 'cat'], 2, /unknown option --frobnicate$/);
test('-4 and -6', failsWith, ['tcp-client', '127.0.0.1:9', '-4', '-6'], 2, /cannot use -4 and -6/);
test('bad -w', failsWith, ['tcp-client', '127.0.0.1:9', '-w', 'soon'], 2, /-w soon: not a duration/);
test('--quiet and -v', failsWith, ['tcp-client', '127.0.0.1:9', '--quiet', '-v'], 2, /cannot use --quiet and -v/);

test('after the peer\'s FIN, a slow reader does not cut stdin short (the linger waits while stdin is paused)', async (t) => {
  let received: Promise<Buffer> | undefined;
  const peer = await tcpPeer((s) => {
    s.end('FIN first');
    s.pause();
    received = readAll(s);
    s.pause();
    setTimeout(() => s.resume(), 1500);
  });
  const data = randomBytes(8 * 1024 * 1024);
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`], { stdin: data });
  t.is(r.code, 0, r.stderr);
  const got = await within(received ?? Promise.reject(new Error('no connection')), 10000, 'peer data');
  t.is(got.length, data.length);
});

test('-i: a slow but steady reader is traffic, not idleness', async (t) => {
  let total = 0;
  const peer = await tcpPeer((s) => {
    s.pause();
    const tick = setInterval(() => { let c: Buffer | null; while ((c = s.read(32 * 1024) as Buffer | null)) total += c.length; }, 40);
    s.on('end', () => clearInterval(tick));
    s.on('close', () => clearInterval(tick));
  });
  const data = randomBytes(2 * 1024 * 1024);
  const cli = startCli(['tcp-client', `127.0.0.1:${peer.port}`, '-i', '0.4', '-q', '0.3'], { stdin: data });
  const r = await cli.done(20000);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.errors, []);
  await within(new Promise<void>((resolve) => { const c = setInterval(() => { if (total >= data.length) { clearInterval(c); resolve(); } }, 20); }), 10000, 'all bytes read');
  t.is(total, data.length);
});

test('SIGINT while stdout\'s reader is stuck: exit 130 all the same (after the grace, or at once on a second signal)', async (t) => {
  const peer = await tcpPeer((s) => { s.write(Buffer.alloc(4 * 1024 * 1024, 1)); });
  for (const signals of [1, 2]) {
    const cli = startCli(['tcp-client', `127.0.0.1:${peer.port}`, '-v'], { stdin: 'pipe', holdStdout: true });
    await cli.waitLine(/INFO connected to/);
    await delay(300);
    for (let i = 0; i < signals; i++) { cli.child.kill('SIGINT'); await delay(100); }
    const r = await cli.done(10000);
    t.is(r.code, 130, `${signals} signal(s): ${r.stderr}`);
  }
});
