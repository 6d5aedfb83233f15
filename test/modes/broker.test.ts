// --broker and --chat with Node net/dgram clients and OpenBSD nc: each client's data to the others (never back),
// stdin to all, clients to stdout; a stuck client paces the others, then is dropped; chat's prefixes and escapes.
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { runCli, startCli, type Running, type CliOptions } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, readAll, sha256, udpPeer, within } from '../helpers/net.js';
import { hasProc, watchPeakRss } from '../helpers/proc.js';

test.after.always(closeAllPeers);

/** Wait until `check()` holds, polling; throws after `ms` naming `what` (and stops polling). */
async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await delay(20);
  }
}

/** startCli, ended with the test whatever happens: a failed wait must not leave a server running. */
function start(t: ExecutionContext, args: string[], options?: CliOptions): Running {
  const cli = startCli(args, options);
  t.teardown(() => { if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM'); });
  return cli;
}

const nc = !spawnSync('nc', ['-h'], { stdio: 'ignore' }).error;
const ncat = !spawnSync('ncat', ['--version'], { stdio: 'ignore' }).error;

/** Connect `n` clients one after the other, each seen accepted (needs -v), so that none misses what follows. */
async function clients(cli: Running, port: number, n: number): Promise<net.Socket[]> {
  const out: net.Socket[] = [];
  for (let i = 1; i <= n; i++) {
    out.push(await connectTcp(port));
    await cli.waitLine(new RegExp(`accepted #${i} `));
  }
  return out;
}

/** Text a socket receives until `until` is in it. */
function text(socket: net.Socket, until: string, ms = 10000): Promise<string> {
  let got = '';
  return within(new Promise((resolve) => {
    const check = (): void => { if (got.includes(until)) resolve(got); };
    socket.on('data', (c: Buffer) => {
      got += c.toString();
      check();
    });
    check();
  }), ms, JSON.stringify(until));
}

test('--broker: a client\'s data goes to every other client and to stdout, never back; stdin goes to all', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--broker', '-v'], { stdin: 'pipe' });
  const [a, b, c] = await clients(cli, await cli.port(), 3) as [net.Socket, net.Socket, net.Socket];
  const got = [a, b, c].map((s) => text(s, 'to all\n'));
  a.write('from a\n');
  await cli.waitLine(/./, 100).catch(() => undefined);
  await delay(200);
  cli.child.stdin?.write('to all\n');
  const [ta, tb, tc] = await Promise.all(got);
  t.is(ta, 'to all\n', 'a does not hear itself');
  t.is(tb, 'from a\nto all\n');
  t.is(tc, 'from a\nto all\n');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.is(r.stdout.toString(), 'from a\n');
});

test('--broker: 8 MiB from one client reach two others byte-exact, at the pace of the slower', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--broker', '-v']);
  const [sender, b, c] = await clients(cli, await cli.port(), 3) as [net.Socket, net.Socket, net.Socket];
  const data = randomBytes(8 * 1024 * 1024);
  const collect = (s: net.Socket): Promise<Buffer> => new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    s.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      n += chunk.length;
      if (n >= data.length) resolve(Buffer.concat(chunks));
    });
  });
  // c reads slowly (pauses now and then): b must still get everything, and so must c.
  c.on('data', () => {
    c.pause();
    setTimeout(() => c.resume(), 2);
  });
  const [gb, gc] = [collect(b), collect(c)];
  sender.write(data);
  const [rb, rc] = await within(Promise.all([gb, gc]), 20000, 'both receivers');
  t.is(sha256(rb), sha256(data));
  t.is(sha256(rc), sha256(data));
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.is(sha256(r.stdout), sha256(data));
  t.false(/dropped/.test(r.stderr), 'a slow client that reads is never dropped');
});

(hasProc() ? test : test.skip)('--broker: a client that reads nothing is dropped after 5 s with a WARN; the others go on, memory bounded', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--broker', '-v']);
  const [sender, stuck, reader] = await clients(cli, await cli.port(), 3) as [net.Socket, net.Socket, net.Socket];
  stuck.pause();
  stuck.on('error', () => undefined);
  const peak = watchPeakRss(cli.child.pid ?? 0);
  const data = randomBytes(48 * 1024 * 1024);
  let received = 0;
  const all = new Promise<void>((resolve) => reader.on('data', (c: Buffer) => {
    received += c.length;
    if (received >= data.length) resolve();
  }));
  const started = Date.now();
  sender.write(data);
  await cli.waitLine(/WARN dropped 127\.0\.0\.1:\d+: it took nothing for 5 s with \d+ bytes queued/, 20000);
  t.true(Date.now() - started >= 4500, 'not before 5 s');
  await within(all, 20000, 'the reader to get everything');
  t.is(received, data.length);
  const mb = peak() / 1024 / 1024;
  t.log(`server peak RSS ${mb.toFixed(0)} MiB for 48 MiB through the broker`);
  t.true(mb < 200, `${mb} MiB`);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('--broker: a client\'s FIN gets ours, and it leaves the room', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--broker', '-v']);
  const [a, b] = await clients(cli, await cli.port(), 2) as [net.Socket, net.Socket];
  const rest = readAll(a);
  const heard = text(b, 'last words');
  a.end('last words');
  t.is((await within(rest, 10000, 'our FIN')).length, 0);
  t.is(await heard, 'last words');
  await cli.waitLine(/closed #1 /);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

(nc ? test : test.skip)('--broker with OpenBSD nc clients', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--broker', '-v']);
  const port = await cli.port();
  const listener = spawn('nc', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
  await cli.waitLine(/accepted #1 /);
  const out: Buffer[] = [];
  listener.stdout.on('data', (c: Buffer) => out.push(c));
  const talker = spawn('nc', ['-N', '127.0.0.1', String(port)], { stdio: ['pipe', 'ignore', 'ignore'] });
  await cli.waitLine(/accepted #2 /);
  talker.stdin.end('hello from nc\n');
  await until('nc to hear it', 10000, () => Buffer.concat(out).toString().includes('\n'));
  t.is(Buffer.concat(out).toString(), 'hello from nc\n');
  listener.stdin.end();
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

(ncat ? test : test.skip)('--chat with ncat clients: the receiver reads the sender\'s line with its prefix', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--chat', '-v']);
  const port = await cli.port();
  const receiver = spawn('ncat', ['--recv-only', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'ignore'] });
  await cli.waitLine(/accepted #1 /);
  let heard = '';
  receiver.stdout.on('data', (c: Buffer) => { heard += c.toString(); });
  const sender = spawn('ncat', ['--send-only', '127.0.0.1', String(port)], { stdio: ['pipe', 'ignore', 'ignore'] });
  const line = await cli.waitLine(/accepted #2 from /);
  const from = /from (\S+)/.exec(line)?.[1] ?? '';
  sender.stdin.end('hello from ncat\n');
  await until('the line', 20000, () => heard.includes('hello from ncat')).catch((err: Error) => { t.log(`heard: ${JSON.stringify(heard)}`); throw err; });
  t.true(heard.includes(`<user@${from}> hello from ncat\n`), heard);
  receiver.kill();
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('udp bind --broker: a datagram goes to every other sender heard so far, and to stdout', async (t) => {
  const cli = start(t, ['udp', 'bind', '127.0.0.1:0', '--broker', '-v']);
  const port = await cli.port();
  const [a, b, c] = [await udpPeer(), await udpPeer(), await udpPeer()];
  for (const [i, p] of [a, b, c].entries()) {
    p.socket.send(`hello ${i}`, port, '127.0.0.1');
    await cli.waitLine(new RegExp(`accepted #${i + 1} `));
  }
  // What they heard of each other's hellos so far (a heard b and c, b heard c).
  const aHeard = [(await a.next()).data.toString(), (await a.next()).data.toString()];
  t.deepEqual(aHeard, ['hello 1', 'hello 2']);
  t.is((await b.next()).data.toString(), 'hello 2');
  c.socket.send('from c', port, '127.0.0.1');
  t.is((await a.next()).data.toString(), 'from c');
  t.is((await b.next()).data.toString(), 'from c');
  await delay(200);
  t.is(c.received.length, 0, 'c never hears itself');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.is(r.stdout.toString(), 'hello 0hello 1hello 2from c');
});

test('--chat: lines prefixed <user@ADDR:PORT> (stdin\'s <server>), control characters escaped, joins and leaves announced', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--chat', '-v'], { stdin: 'pipe' });
  const port = await cli.port();
  const a = await connectTcp(port);
  const aText = text(a, '<server> bye\n');
  await cli.waitLine(/accepted #1 /);
  const b = await connectTcp(port);
  const bText = readAll(b);
  await cli.waitLine(/accepted #2 /);
  const [A, B] = [`127.0.0.1:${a.localPort ?? 0}`, `127.0.0.1:${b.localPort ?? 0}`];
  b.write('hel');
  b.write('lo\n');
  b.write('bad \x1b[2J\x07 \r x\u0085 é 😀\r\n');
  b.end('no newline');
  await cli.waitLine(/closed #2 /);
  // stdin's last line has no newline: it is said at stdin's EOF.
  cli.child.stdin?.end('from the server\nbye');
  t.is(await aText, [
    `<announce> ${A} is connected as <user@${A}>.`,
    '<announce> already connected: nobody.',
    `<announce> ${B} is connected as <user@${B}>.`,
    `<user@${B}> hello`,
    `<user@${B}> bad \\033[2J\\007 \\015 x\\302\\205 é 😀\r`,
    `<user@${B}> no newline`,
    `<announce> <user@${B}> is disconnected.`,
    '<server> from the server',
    '<server> bye',
  ].join('\n') + '\n');
  // b hears who it is and who was there, then our FIN after its own.
  t.is((await within(bText, 10000, 'b to end')).toString(), [
    `<announce> ${B} is connected as <user@${B}>.`,
    `<announce> already connected: <user@${A}>.`,
  ].join('\n') + '\n');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.true(r.stdout.toString().includes(`<user@${B}> hello\n`), r.stdout.toString());
  t.true(r.stdout.toString().includes(`<announce> <user@${B}> is disconnected.\n`));
});

const usage = test.macro(async (t, args: string[], names: string[]) => {
  const r = await runCli(args);
  t.is(r.code, 2, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  for (const name of names) t.true(r.errors[0]?.includes(name), `${r.errors[0] ?? ''} names ${name}`);
});

test('udp bind --chat: exit 2 naming both', usage, ['udp', 'bind', '0', '--chat'], ['--chat', 'udp bind']);
test('--broker --echo: exit 2 naming both', usage, ['tcp-server', '0', '--broker', '--echo'], ['--broker', '--echo']);
test('--chat --linger: exit 2 naming both', usage, ['tcp-server', '0', '--chat', '--linger', '1'], ['--chat', '--linger']);
test('--broker --no-shutdown: exit 2 naming both', usage, ['tcp-server', '0', '--broker', '--no-shutdown'], ['--broker', '--no-shutdown']);
