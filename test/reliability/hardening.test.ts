// Hardening of the data path: a failing stdout is a failure (never a silent exit 0), stdin that cannot be read is one
// ERROR, and durations past Node's timer limit never fire early.
import test from 'ava';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import dgram from 'node:dgram';
import { CLI, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, tcpPeer, udpPeer, within } from '../helpers/net.js';

test.after.always(closeAllPeers);

interface Run { code: number | null; stderr: string }

/** The CLI with its stdout (or stdin) on a file descriptor of ours: /dev/full, a directory. */
function withFd(args: string[], fds: { stdin?: number; stdout?: number }): { done: Promise<Run>; stderr: () => string; kill: (s: NodeJS.Signals) => void } {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const child = spawn(process.execPath, [CLI, ...args], { stdio: [fds.stdin ?? 'ignore', fds.stdout ?? 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done = within(new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stderr }))), 10_000, args.join(' '))
    .finally(() => child.kill('SIGKILL'));
  return { done, stderr: () => stderr, kill: (s) => child.kill(s) };
}

const haveFull = existsSync('/dev/full');
const fullTest = haveFull ? test : test.skip;
if (!haveFull) test('stdout on /dev/full', (t) => { t.log('skipped: this system has no /dev/full'); });

const errors = (stderr: string): string[] => stderr.split('\n').filter((l) => / ERROR /.test(l));

/** A mode whose stdout is /dev/full, fed by a peer: exit 1, one ERROR naming stdout and the cause. */
const stdoutFull = test.macro(async (t, setup: () => Promise<{ args: string[]; port?: RegExp; feed(port: number): Promise<void> }>) => {
  const { args, port: portLine = /listening on [^\n]*:(\d+)$/m, feed } = await setup();
  const full = openSync('/dev/full', 'w');
  t.teardown(() => closeSync(full));
  const run = withFd(args, { stdout: full });
  const port = await within(new Promise<number>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = portLine.exec(run.stderr());
      if (m) { clearInterval(poll); resolve(Number(m[1])); }
    }, 10);
    void run.done.then(() => { clearInterval(poll); reject(new Error(`exited: ${run.stderr()}`)); }, () => undefined);
  }).catch(() => 0), 5000, 'listening').catch(() => 0);
  await feed(port);
  const r = await run.done;
  t.is(r.code, 1, r.stderr);
  t.deepEqual(errors(r.stderr).map((l) => l.replace(/^\S+ /, '')), ['ERROR stdout: no space left on device']);
});

fullTest('tcp-client > /dev/full: exit 1, one ERROR', stdoutFull, async () => {
  const peer = await tcpPeer((s) => s.end('bytes that cannot be written'));
  return { args: ['tcp-client', `127.0.0.1:${peer.port}`], feed: async () => undefined };
});
fullTest('tcp-server > /dev/full: exit 1, one ERROR', stdoutFull, async () => ({
  args: ['tcp-server', '127.0.0.1:0'],
  feed: async (port) => { (await connectTcp(port)).end('bytes that cannot be written'); },
}));
fullTest('tcp-server -k > /dev/full: exit 1, one ERROR', stdoutFull, async () => ({
  args: ['tcp-server', '127.0.0.1:0', '-k'],
  feed: async (port) => { (await connectTcp(port)).end('bytes that cannot be written'); },
}));
fullTest('udp bind > /dev/full: exit 1, one ERROR', stdoutFull, async () => ({
  args: ['udp', 'bind', '127.0.0.1:0'],
  feed: async (port) => {
    const s = dgram.createSocket('udp4');
    s.send('a datagram that cannot be written', port, '127.0.0.1', () => s.close());
  },
}));
fullTest('udp connect > /dev/full: exit 1, one ERROR', stdoutFull, async () => {
  const peer = await udpPeer();
  return {
    // -v: the `connected` line names our port, where the peer sends its datagram.
    args: ['udp', 'connect', `127.0.0.1:${peer.port}`, '-v'],
    port: /connected to .* from 127\.0\.0\.1:(\d+)$/m,
    feed: async (port) => { peer.socket.send('a datagram that cannot be written', port, '127.0.0.1'); },
  };
});

test('stdin that is a directory: exit 1, one ERROR "stdin: is a directory"', async (t) => {
  const peer = await tcpPeer((s) => s.resume());
  const dir = openSync('/', 'r');
  t.teardown(() => closeSync(dir));
  const r = await withFd(['tcp-client', `127.0.0.1:${peer.port}`], { stdin: dir }).done;
  t.is(r.code, 1, r.stderr);
  t.deepEqual(errors(r.stderr).map((l) => l.replace(/^\S+ /, '')), ['ERROR stdin: is a directory']);
});

/** Durations past setTimeout's limit (2^31 - 1 ms) must neither fire early nor warn. */
const longDuration = test.macro(async (t, args: (port: number) => string[], peerFinFirst: boolean) => {
  let connected!: () => void;
  const connection = new Promise<void>((resolve) => { connected = resolve; });
  const peer = await tcpPeer((s) => { if (peerFinFirst) s.end('fin'); s.resume(); connected(); });
  const cli = startCli(args(peer.port), { stdin: 'pipe' });
  if (!peerFinFirst) cli.child.stdin?.end('x');
  // Connected: the session runs, its signal handlers are in place; a timer that fired early would end it by now.
  await within(connection, 10_000, 'the connection');
  await delay(1200);
  t.is(cli.child.exitCode, null, 'still running');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143, r.stderr);
  t.false(/TimeoutOverflowWarning/.test(r.stderr), r.stderr);
});

test('-q 600h after stdin EOF: still running a second later', longDuration, (p) => ['tcp-client', `127.0.0.1:${p}`, '-q', '600h', '--no-shutdown'], false);
test('-i 600h: still running, no TimeoutOverflowWarning', longDuration, (p) => ['tcp-client', `127.0.0.1:${p}`, '-i', '600h'], false);
test('--linger 600h after the peer\'s FIN: still sending a second later', longDuration, (p) => ['tcp-client', `127.0.0.1:${p}`, '--linger', '600h'], true);
test('-w 600h: connects, no TimeoutOverflowWarning', longDuration, (p) => ['tcp-client', `127.0.0.1:${p}`, '-w', '600h', '--no-shutdown'], false);
test('tcp-server -i 600h waiting for its first client: still waiting', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-i', '600h']);
  await cli.port();
  await delay(1200);
  t.is(cli.child.exitCode, null);
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.false(/TimeoutOverflowWarning/.test(r.stderr), r.stderr);
});
