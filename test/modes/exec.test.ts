// -e/-c: a child per connection, driven by peers that are not mona-nc (Node net/dgram, OpenBSD nc): half-close both
// ways, output after the child's input closed, the environment, children reaped or killed, a missing program.
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli, type CliOptions, type Running } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, readAll, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { hasProc, openFds } from '../helpers/proc.js';

const dir = mkdtempSync(join(tmpdir(), 'mona-nc-exec-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
test.after.always(closeAllPeers);

/** startCli, ended with the test whatever happens: a failed wait must not leave a server running. */
function start(t: ExecutionContext, args: string[], options?: CliOptions): Running {
  const cli = startCli(args, options);
  t.teardown(() => { if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM'); });
  return cli;
}

const nc = !spawnSync('nc', ['-h'], { stdio: 'ignore' }).error;
const socat = !spawnSync('socat', ['-V'], { stdio: 'ignore' }).error;

/** Whether a process is still there (and not a zombie waiting for its parent). */
const alive = (pid: number): boolean => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};
/** Whether a process is there at all, zombie or not. */
const present = (pid: number): boolean => existsSync(`/proc/${pid}`);

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await delay(20);
  }
}

test('-e cat: 4 MiB through the child and back, the client half-closes, the server exits 0', async (t) => {
  const data = randomBytes(4 * 1024 * 1024);
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-e', 'cat', '-v']);
  const socket = await connectTcp(await cli.port());
  const back = readAll(socket);
  socket.end(data);
  t.is(sha256(await within(back, 15000, 'the echo')), sha256(data));
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /started cat \(pid \d+\) for 127\.0\.0\.1:\d+/);
  t.regex(r.stderr, /cat \(pid \d+\) exited \(status 0\)/);
  t.is(r.stdout.length, 0, 'exec writes nothing to stdout');
});

test('mona-nc\'s own stdin is not read in exec mode, and nothing goes to its stdout', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-e', 'cat'], { stdin: 'not for the client\n' });
  const socket = await connectTcp(await cli.port());
  const back = readAll(socket);
  await delay(200);
  socket.end('only mine\n');
  t.is((await within(back, 10000, 'the echo')).toString(), 'only mine\n');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.length, 0);
});

test('-k -e with -i: an idle connection is closed (its child ended), the server goes on', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '-e', 'cat', '-i', '1', '-v']);
  const socket = await connectTcp(await cli.port());
  socket.on('error', () => undefined);
  // Idle counts from the echo, once the child runs (a slow spawn on a busy machine is not idleness to test).
  await cli.waitLine(/started cat/);
  const got = readAll(socket).catch(() => Buffer.from('reset'));
  socket.write('hello\n');
  t.is((await within(got, 10000, 'the idle close')).toString(), 'hello\n');
  await cli.waitLine(/closed #1 .*\(timeout\)/);
  await cli.waitLine(/cat \(pid \d+\) exited/);
  t.is(cli.child.exitCode, null);
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.regex(r.stderr, /WARN Idle timeout/);
});

test('-c: what the child writes after its stdin closed reaches the peer, then our FIN (nmap PR#2510)', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-c', 'cat; sleep 0.2; seq 1 200000; echo done']);
  const socket = await connectTcp(await cli.port());
  const back = readAll(socket);
  socket.end('request\n');
  const expected = `request\n${Array.from({ length: 200000 }, (_, i) => `${i + 1}\n`).join('')}done\n`;
  const got = (await within(back, 15000, 'the reply')).toString();
  t.is(got.length, expected.length);
  t.true(got === expected);
  t.is((await cli.done()).code, 0);
});

test('-c: the child closes its stdout first, we send FIN and still deliver the peer\'s bytes to it', async (t) => {
  const count = join(dir, 'count');
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-c', `echo ready; exec >&-; wc -c > ${count}`]);
  const socket = await connectTcp(await cli.port());
  // The FIN comes after "ready" while the child goes on reading.
  t.is((await within(readAll(socket), 10000, 'ready and FIN')).toString(), 'ready\n');
  const upload = randomBytes(300 * 1024);
  socket.end(upload);
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(count, 'utf8').trim(), String(upload.length));
});

test('-e splits its argument as ncat does (no shell), a bare name is found in PATH', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-e', 'printf [%s] a\\ b $HOME c\\\\d']);
  const socket = await connectTcp(await cli.port());
  socket.end();
  t.is((await within(readAll(socket), 10000, 'printf')).toString(), '[a b][$HOME][c\\d]');
  t.is((await cli.done()).code, 0);
});

test('the child gets the connection in MONA_NC_* and ncat\'s NCAT_* variables', async (t) => {
  const names = ['REMOTE_ADDR', 'REMOTE_PORT', 'LOCAL_ADDR', 'LOCAL_PORT', 'PROTO'];
  const script = names.map((n) => `echo "$MONA_NC_${n} $NCAT_${n}"`).join('; ');
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-c', script]);
  const port = await cli.port();
  const socket = await connectTcp(port);
  const expected = ['127.0.0.1', String(socket.localPort), '127.0.0.1', String(port), 'TCP'];
  socket.end();
  const lines = (await within(readAll(socket), 10000, 'env')).toString().trim().split('\n');
  t.deepEqual(lines, expected.map((v) => `${v} ${v}`));
  t.is((await cli.done()).code, 0);
});

test('-k -c: three clients at once, each with its own child', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '-c', 'echo "$MONA_NC_REMOTE_PORT"; cat']);
  const port = await cli.port();
  const sockets = await Promise.all([0, 1, 2].map(() => connectTcp(port)));
  const ports = sockets.map((s) => s.localPort);
  const answers = sockets.map((s) => readAll(s));
  sockets.forEach((s, i) => s.end(`client ${i}\n`));
  const got = await within(Promise.all(answers), 10000, 'answers');
  got.forEach((g, i) => t.is(g.toString(), `${ports[i] ?? 0}\nclient ${i}\n`));
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('a missing program: one ERROR for that connection, the -k server goes on', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '-e', 'no-such-program-mona-nc']);
  const port = await cli.port();
  for (let i = 0; i < 2; i++) {
    const socket = await connectTcp(port);
    socket.on('error', () => undefined);
    // Our FIN, with nothing before it: the connection is over on our side.
    t.is((await within(readAll(socket), 10000, 'the connection to end')).length, 0);
    socket.destroy();
  }
  await cli.waitLine(/ERROR.*no-such-program-mona-nc.*\n?/);
  await delay(100);
  t.is(cli.child.exitCode, null, 'the server is still running');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.is(r.errors.length, 2, r.stderr);
  for (const e of r.errors) t.regex(e, /Unable to run no-such-program-mona-nc for 127\.0\.0\.1:\d+ \(no such file or directory\)/);
});

test('a missing program on a single-client server: exit 1 with one ERROR', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-e', '/nonexistent/prog']);
  const socket = await connectTcp(await cli.port());
  socket.on('error', () => undefined);
  const r = await cli.done();
  t.is(r.code, 1);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /Unable to run \/nonexistent\/prog/);
});

const withProc = hasProc() ? test : test.skip;

withProc('the child is reaped once its connection is over: no zombie under a -k server', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '-c', 'echo $$; cat']);
  const socket = await connectTcp(await cli.port());
  const back = readAll(socket);
  socket.end();
  const pid = Number((await within(back, 10000, 'pid')).toString().trim());
  t.true(pid > 0);
  await until('the child to be reaped', 3000, () => !present(pid));
  t.false(present(pid), 'not even a zombie');
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

withProc('a child that outlives its connection and ignores SIGTERM: a grace, SIGTERM, then SIGKILL', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '-v', '-c', 'trap "" TERM; echo $$; exec >&- <&-; while :; do sleep 0.1; done']);
  const socket = await connectTcp(await cli.port());
  const back = readAll(socket);
  const pid = Number((await within(back, 10000, 'pid and FIN')).toString().trim());
  t.true(alive(pid));
  const closedAt = Date.now();
  socket.end();
  await cli.waitLine(/its connection is over, SIGTERM/);
  t.true(alive(pid), 'SIGTERM is ignored');
  await cli.waitLine(/still running 1 s after SIGTERM: SIGKILL/);
  await until('the child to be gone', 3000, () => !present(pid));
  const took = Date.now() - closedAt;
  t.true(took >= 1800 && took < 5000, `${took} ms`);
  t.is(cli.child.exitCode, null, 'the server goes on');
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

withProc('SIGTERM to mona-nc ends a running child too (its whole process group)', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '-c', 'sleep 60 & echo $!; cat']);
  const socket = await connectTcp(await cli.port());
  socket.on('error', () => undefined);
  let text = '';
  socket.on('data', (c: Buffer) => { text += c.toString(); });
  await until('the grandchild pid', 5000, () => text.includes('\n'));
  const sleeper = Number(text.trim());
  t.true(alive(sleeper));
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
  await until('the grandchild to be gone', 3000, () => !alive(sleeper));
  t.false(alive(sleeper));
});

test('tcp-client -e: the child talks to a Node server; the server\'s FIN closes its stdin', async (t) => {
  let heard: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
  const server = await tcpPeer((socket) => {
    heard = readAll(socket);
    socket.end('question\n');
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${server.port}`, '-c', 'read q; echo "answer to $q"; cat > /dev/null; echo bye']);
  t.is(r.code, 0, r.stderr);
  t.is((await within(heard, 10000, 'the answer')).toString(), 'answer to question\nbye\n');
  t.is(r.stdout.length, 0);
});

test('tcp-client -e with a missing program: exit 1, one ERROR, the server sees the connection closed', async (t) => {
  let ended!: Promise<Buffer>;
  const server = await tcpPeer((socket) => { ended = readAll(socket); });
  const r = await runCli(['tcp-client', `127.0.0.1:${server.port}`, '-e', 'no-such-program-mona-nc']);
  t.is(r.code, 1);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /Unable to run no-such-program-mona-nc for 127\.0\.0\.1:\d+ \(no such file or directory\)/);
  t.is((await within(ended, 10000, 'the server side to see our FIN')).length, 0);
});

(nc ? test : test.skip)('OpenBSD nc -N as the client of -c \'cat; echo done\'', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-c', 'cat; echo done']);
  const port = await cli.port();
  const client = spawn('nc', ['-N', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
  const out: Buffer[] = [];
  client.stdout.on('data', (c: Buffer) => out.push(c));
  client.stdin.end('from nc\n');
  const code = await within(new Promise((resolve) => client.on('close', resolve)), 10000, 'nc to end');
  t.is(code, 0);
  t.is(Buffer.concat(out).toString(), 'from nc\ndone\n');
  t.is((await cli.done()).code, 0);
});

(socat ? test : test.skip)('socat as the client of -e cat: half-close, every byte back, socat exits 0', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-e', 'cat']);
  const port = await cli.port();
  const data = randomBytes(256 * 1024);
  const client = spawn('socat', ['-t', '10', '-', `TCP:127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'ignore'] });
  const out: Buffer[] = [];
  client.stdout.on('data', (c: Buffer) => out.push(c));
  client.stdin.end(data);
  const code = await within(new Promise((resolve) => client.on('close', resolve)), 15000, 'socat to end');
  t.is(code, 0);
  t.is(sha256(Buffer.concat(out)), sha256(data));
  t.is((await cli.done()).code, 0);
});

withProc('-k -e: 40 connections one after the other leave no descriptor behind', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '-e', 'cat']);
  const port = await cli.port();
  const roundTrip = async (): Promise<void> => {
    const socket = await connectTcp(port);
    const back = readAll(socket);
    socket.end('x');
    t.is((await within(back, 10000, 'echo')).toString(), 'x');
    socket.destroy();
  };
  await roundTrip();
  await delay(300);
  const pid = cli.child.pid ?? 0;
  const before = openFds(pid) ?? 0;
  for (let i = 0; i < 40; i++) await roundTrip();
  await until('descriptors to be released', 5000, () => (openFds(pid) ?? 0) <= before);
  t.true((openFds(pid) ?? 0) <= before, `${openFds(pid) ?? 0} open, ${before} before`);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('udp bind -k -e: each sender its own child, datagrams in, its output back as datagrams', async (t) => {
  const cli = start(t, ['udp', 'bind', '127.0.0.1:0', '-k', '-c', 'echo "$MONA_NC_PROTO $NCAT_REMOTE_PORT"; cat']);
  const port = await cli.port();
  const a = await udpPeer();
  const b = await udpPeer();
  a.socket.send('ping a\n', port, '127.0.0.1');
  b.socket.send('ping b\n', port, '127.0.0.1');
  const collect = async (peer: typeof a): Promise<string> => {
    let text = '';
    while (!text.includes('ping')) text += (await peer.next(10000)).data.toString();
    return text;
  };
  t.is(await collect(a), `UDP ${a.port}\nping a\n`);
  t.is(await collect(b), `UDP ${b.port}\nping b\n`);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('udp connect -c: the child\'s output goes out as datagrams (at most 65507 bytes each), replies come in', async (t) => {
  const server = await udpPeer();
  const cli = start(t, ['udp', 'connect', `127.0.0.1:${server.port}`, '-c', 'head -c 100000 /dev/zero; cat']);
  let total = 0;
  let from = { address: '', port: 0 };
  while (total < 100000) {
    const d = await server.next(15000);
    t.true(d.data.length <= 65507, `${d.data.length} bytes`);
    total += d.data.length;
    from = d;
  }
  t.is(total, 100000);
  server.socket.send('reply', from.port, from.address);
  let echoed = '';
  while (!echoed.includes('reply')) echoed += (await server.next(15000)).data.toString();
  t.is(echoed, 'reply');
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

const usage = test.macro(async (t, args: string[], names: string[]) => {
  const r = await runCli(args);
  t.is(r.code, 2, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  for (const name of names) t.true(r.errors[0]?.includes(name), `${r.errors[0] ?? ''} names ${name}`);
});

test('-e --progress: exit 2 naming both', usage, ['tcp-server', '0', '-e', 'cat', '--progress'], ['-e', '--progress']);
test('-c -q: exit 2 naming both', usage, ['tcp-client', '127.0.0.1:9', '-c', 'cat', '-q', '1'], ['-c', '-q']);
test('-e with -c: exit 2 naming both', usage, ['tcp-server', '0', '-e', 'cat', '-c', 'cat'], ['-e', '-c']);
test('-e with --echo: exit 2 naming both', usage, ['tcp-server', '0', '-e', 'cat', '--echo'], ['-e', '--echo']);
test('-e "": exit 2, no command', usage, ['tcp-server', '0', '-e', '  '], ['-e', 'no command']);
