// --allow/--deny (addresses, CIDR ranges, names, files), --max-conns: refused peers are closed at once with a WARN
// in every server mode, the server goes on; malformed entries are usage errors naming them. Node net/dgram peers.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../../src/commands/flags.js';
import { runCli, startCli, type Running, type CliOptions } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, readAll, udpPeer, within } from '../helpers/net.js';

const dir = mkdtempSync(join(tmpdir(), 'mona-nc-access-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
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

/** A client that is refused sees the connection end at once, without a byte. */
async function refused(port: number, host = '127.0.0.1'): Promise<Buffer> {
  const socket = await connectTcp(port, host);
  socket.on('error', () => undefined);
  const got = await within(readAll(socket).catch(() => Buffer.alloc(0)), 10000, 'the refused connection to end');
  socket.destroy();
  return got;
}

/** A client that is served: what it sends reaches the server's stdout (a -k server, read until `text`). */
async function served(cli: Running, port: number, text: string): Promise<void> {
  const socket = await connectTcp(port);
  socket.write(text);
  await until(`${text} on stdout`, 10000, () => Buffer.concat(cli.stdoutChunks).toString().includes(text));
  socket.destroy();
}

const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

test('--allow 10.0.0.0/8: a 127.0.0.1 client is closed at once with a WARN, the -k server goes on', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '--allow', '10.0.0.0/8', '--log-format', 'json']);
  const port = await cli.port();
  t.is((await refused(port)).length, 0);
  t.is((await refused(port)).length, 0);
  await cli.waitLine(/refused 127\.0\.0\.1:\d+: not in --allow/);
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  const warns = r.stderrLines.filter((l) => /"level":"WARN"/.test(l));
  t.is(warns.length, 2, r.stderr);
  // Lifecycle events as for any peer: accepted, then closed (local).
  const closed = r.stderrLines.filter((l) => /"event":"closed"/.test(l));
  t.is(closed.length, 2);
  t.true(closed.every((l) => /"reason":"local"/.test(l)));
});

test('repeatable --allow (and comma lists): every entry counts, not only the last', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '--allow', '127.0.0.1', '--allow', '10.0.0.1,fd00::/8']);
  await served(cli, await cli.port(), 'let in\n');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.false(/WARN/.test(r.stderr), r.stderr);
  t.deepEqual(readSettings('tcp-server', { port: '0', allow: ['127.0.0.1', '10.0.0.1,fd00::/8'] }).allow.length, 3);
});

test('--deny wins over --allow', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '--allow', '127.0.0.0/8', '--deny', '127.0.0.1']);
  const port = await cli.port();
  t.is((await refused(port)).length, 0);
  await cli.waitLine(/WARN refused 127\.0\.0\.1:\d+: matches --deny/);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('--allow localhost: a host name is resolved to its addresses', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '--allow', 'localhost']);
  await served(cli, await cli.port(), 'by name\n');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.false(/WARN/.test(r.stderr), r.stderr);
});

test('--allowfile with comments and blank lines; --denyfile', async (t) => {
  const allow = file('allow.txt', '# the office\n10.0.0.0/8\n\n127.0.0.1   # this machine\n');
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '--allowfile', allow]);
  await served(cli, await cli.port(), 'from the file\n');
  cli.child.kill('SIGTERM');
  t.false(/WARN/.test((await cli.done()).stderr));
  const deny = file('deny.txt', '::1\n127.0.0.0/8 # loopback\n');
  const denied = start(t, ['tcp-server', '127.0.0.1:0', '-k', '--denyfile', deny]);
  t.is((await refused(await denied.port())).length, 0);
  await denied.waitLine(/refused 127\.0\.0\.1:\d+: matches --deny/);
  denied.child.kill('SIGTERM');
  t.is((await denied.done()).code, 143);
});

test('a single-client server: a denied client does not take the one place, an allowed one after it does', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--deny', '127.0.0.2']);
  const port = await cli.port();
  // 127.0.0.2 is loopback too on Linux.
  const denied = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2', allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  }).catch(() => undefined);
  if (!denied) {
    t.log('127.0.0.2 is not usable as a source here');
  } else {
    t.is((await within(readAll(denied), 10000, 'denied to end')).length, 0);
    denied.destroy();
  }
  const socket = await connectTcp(port);
  socket.end('the real client');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'the real client');
  if (denied) t.regex(r.stderr, /refused 127\.0\.0\.2:\d+: matches --deny/);
});

test('--echo with --deny: every server mode is guarded', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '--echo', '--deny', '127.0.0.0/8']);
  t.is((await refused(await cli.port())).length, 0);
  await cli.waitLine(/refused/);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('--max-conns 2: a third client is closed at once with a WARN; once one leaves, a new one is let in', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '--max-conns', '2', '-v']);
  const port = await cli.port();
  const a = await connectTcp(port);
  await cli.waitLine(/accepted #1 /);
  const b = await connectTcp(port);
  await cli.waitLine(/accepted #2 /);
  t.is((await refused(port)).length, 0);
  await cli.waitLine(/WARN refused 127\.0\.0\.1:\d+: --max-conns 2 reached/);
  a.end();
  await cli.waitLine(/closed #1 /);
  await served(cli, port, 'fourth\n');
  b.destroy();
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('udp bind -k --deny: a denied sender\'s datagrams are dropped, with one WARN however many', async (t) => {
  const cli = start(t, ['udp', 'bind', '127.0.0.1:0', '-k', '--deny', '127.0.0.1']);
  const port = await cli.port();
  const sender = await udpPeer();
  for (let i = 0; i < 5; i++) sender.socket.send(`dgram ${i}\n`, port, '127.0.0.1');
  await cli.waitLine(/WARN refused 127\.0\.0\.1:\d+: matches --deny/);
  await delay(300);
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143);
  t.is(r.stdout.length, 0);
  t.is(r.stderrLines.filter((l) => / WARN /.test(l)).length, 1, r.stderr);
});

test('udp bind --allow: an allowed sender is heard', async (t) => {
  const cli = start(t, ['udp', 'bind', '127.0.0.1:0', '-k', '--allow', '127.0.0.0/8']);
  const port = await cli.port();
  const sender = await udpPeer();
  sender.socket.send('heard\n', port, '127.0.0.1');
  await until('the datagram', 10000, () => Buffer.concat(cli.stdoutChunks).toString().includes('heard'));
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

const usage = test.macro(async (t, args: string[], names: string[]) => {
  const r = await runCli(args);
  t.is(r.code, 2, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  for (const name of names) t.true(r.errors[0]?.includes(name), `${r.errors[0] ?? ''} names ${name}`);
});

test('--allow 10.0.0.0/33: exit 2 naming it', usage, ['tcp-server', '0', '--allow', '10.0.0.0/33'], ['--allow', '10.0.0.0/33', '0..32']);
test('--deny fd00::/129: exit 2 naming it', usage, ['tcp-server', '0', '--deny', 'fd00::/129'], ['--deny', 'fd00::/129']);
test('--deny 300.1.2.3: exit 2 naming it', usage, ['udp', 'bind', '0', '--deny', '300.1.2.3'], ['300.1.2.3', 'not an IP address']);
test('--allow with a bad second entry: exit 2 naming that one', usage, ['tcp-server', '0', '--allow', '127.0.0.1', '--allow', 'a b'], ['a b']);
test('--allow on tcp-client: exit 2', usage, ['tcp-client', '127.0.0.1:9', '--allow', '127.0.0.1'], ['--allow', 'tcp-client']);
test('--max-conns 0: exit 2', usage, ['tcp-server', '0', '--max-conns', '0'], ['--max-conns 0']);

test('--allowfile with a malformed line: exit 2 naming the file, the line and the entry', async (t) => {
  const path = file('bad.txt', '# ok\n10.0.0.0/8\n10.0.0.0/40\n');
  const r = await runCli(['tcp-server', '0', '--allowfile', path]);
  t.is(r.code, 2, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.true(r.errors[0]?.includes(`--allowfile ${path} line 3: 10.0.0.0/40`), r.errors[0]);
  t.false(/listening/.test(r.stderr), 'checked before listening');
});

test('--denyfile that does not exist: exit 2 naming it', usage, ['tcp-server', '0', '--denyfile', '/nonexistent/deny.txt'], ['--denyfile /nonexistent/deny.txt', 'no such file']);

test('--allow with a name that does not resolve: exit 1 (dns), before listening', async (t) => {
  const r = await runCli(['tcp-server', '127.0.0.1:0', '--allow', 'no-such-host.invalid', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /Unable to resolve --allow no-such-host\.invalid/);
  t.regex(r.stderr, /"event":"exit".*"reason":"dns"/);
  t.false(/listening/.test(r.stderr));
});

test('an --allowfile with no entry allows nobody', async (t) => {
  const cli = start(t, ['tcp-server', '127.0.0.1:0', '-k', '--allowfile', file('empty.txt', '# nobody yet\n')]);
  t.is((await refused(await cli.port())).length, 0);
  await cli.waitLine(/refused 127\.0\.0\.1:\d+: not in --allowfile/);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('flags other than lists still take their last value', (t) => {
  t.is(readSettings('tcp-client', { target: 'x', wait: ['1', '2'] }).wait, 2000);
  t.deepEqual(readSettings('tcp-server', { port: '0', deny: '10.0.0.1' }).deny, [{ kind: 'address', address: '10.0.0.1', family: 'ipv4' }]);
});
