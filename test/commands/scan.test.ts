// -z (issue 13 item 8): tcp-client and udp connect scanning a port list on loopback, against Node net/dgram and nc
// listeners: the open lines in order, exit 0/1, -v's closed ports, -w bounding a try that hangs, bad lists.
import test from 'ava';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { runCli } from '../helpers/cli.js';
import { closeAllPeers, closedPort, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { needs, tool, untilListening } from '../helpers/tools.js';

test.after.always(closeAllPeers);

test('tcp-client HOST PORTS -z: one "HOST PORT open" line per open port, in the order given, exit 0', async (t) => {
  const a = await tcpPeer((s) => s.end());
  const b = await tcpPeer((s) => s.end());
  const shut = await closedPort();
  const r = await runCli(['tcp-client', '127.0.0.1', `${b.port},${shut},${a.port}`, '-z']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), `127.0.0.1 ${b.port} open\n127.0.0.1 ${a.port} open\n`);
  t.is(r.stderr, '');
});

test('tcp-client host:LO-HI -z over a range, and -v lists the closed ports on stderr with the reason', async (t) => {
  const open = await tcpPeer((s) => s.end());
  const lo = open.port - 2;
  const r = await runCli(['tcp-client', `localhost:${lo}-${open.port + 2}`, '-z', '-4', '-v', '--scan-concurrency', '2']);
  t.is(r.code, 0, r.stderr);
  // Other tests' peers may hold the neighbouring ports: only ours is certain.
  t.true(r.stdout.toString().split('\n').includes(`localhost ${open.port} open`), r.stdout.toString());
  const closed = r.stderrLines.filter((l) => / INFO localhost \d+ closed \(connection refused\)$/.test(l)).length;
  t.is(closed + r.stdout.toString().split('\n').filter(Boolean).length, 5, r.stderr);
});

test('-z with no port open: nothing on stdout, one ERROR, exit 1', async (t) => {
  const ports = [await closedPort(), await closedPort()];
  const r = await runCli(['tcp-client', '127.0.0.1', ports.join(','), '-z', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.is(r.stdout.length, 0);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /none of 2 ports is open/);
  t.regex(r.stderr, /"event":"exit","code":1,"reason":"refused"/);
});

test('-z: a bad port list is a usage error; so is a missing one, or a name that does not resolve (exit 1)', async (t) => {
  for (const ports of ['1-x', '0', '10-5', '70000', '22,', 'a,b']) {
    const r = await runCli(['tcp-client', '127.0.0.1', ports, '-z']);
    t.is(r.code, 2, `${ports}: ${r.stderr}`);
    t.is(r.errors.length, 1);
  }
  t.is((await runCli(['tcp-client', 'localhost', '-z'])).code, 2);
  const dns = await runCli(['tcp-client', 'no-such-host.invalid', '80', '-z']);
  t.is(dns.code, 1, dns.stderr);
  t.regex(dns.errors[0] ?? '', /Unable to resolve no-such-host\.invalid/);
});

test('-z of 1-1024 on loopback finds the open ports (the time is logged, not asserted)', async (t) => {
  const open = await tcpPeer((s) => s.end());
  const started = Date.now();
  const r = await runCli(['tcp-client', '127.0.0.1', `1-1024,${open.port}`, '-z']);
  t.log(`1025 ports in ${Date.now() - started} ms, node start-up included`);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.toString().split('\n').filter(Boolean);
  t.is(lines.at(-1), `127.0.0.1 ${open.port} open`);
  t.true(lines.every((l) => /^127\.0\.0\.1 \d+ open$/.test(l)));
});

needs('nc')('-z sees an nc -l listener as open; the listener then exits (our connect closed at once)', async (t) => {
  const port = await closedPort();
  const nc = tool('nc', ['-d', '-l', '127.0.0.1', String(port)]);
  await untilListening(port);
  const r = await runCli(['tcp-client', '127.0.0.1', String(port), '-z']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), `127.0.0.1 ${port} open\n`);
  t.is((await nc.done(5000)).code, 0);
});

test('-z -w 0.5: a port whose handshake never completes is closed (timed out) after the wait', async (t) => {
  // A listener whose process never accepts (its thread is parked), its backlog filled: later SYNs are dropped.
  const child = spawn(process.execPath, ['-e', "const s=require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:1},()=>{console.log(s.address().port);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,20000)})"], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => child.kill('SIGKILL'));
  const port = Number(await within(new Promise<string>((resolve) => child.stdout.once('data', (c: Buffer) => resolve(c.toString()))), 5000, 'the port'));
  const fillers: net.Socket[] = [];
  t.teardown(() => { for (const s of fillers) s.destroy(); });
  let full = false;
  for (let i = 0; i < 8 && !full; i++) {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('error', () => undefined);
    fillers.push(s);
    full = !(await Promise.race([new Promise<boolean>((resolve) => s.once('connect', () => resolve(true))), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300))]));
  }
  if (!full) return t.fail('the backlog never filled');
  const started = Date.now();
  const r = await runCli(['tcp-client', '127.0.0.1', String(port), '-z', '-w', '0.5', '-v']);
  t.log(`one try, -w 0.5: ${Date.now() - started} ms`);
  t.is(r.code, 1, r.stderr);
  t.true(r.stderrLines.some((l) => l.endsWith(`INFO 127.0.0.1 ${port} closed (timed out)`)), r.stderr);
});

test('udp connect HOST PORTS -z: a dgram listener is open, a port that answers "port unreachable" is not', async (t) => {
  const listener = await udpPeer();
  const gone = await udpPeer();
  const shut = gone.port;
  gone.close();
  const r = await runCli(['udp', 'connect', '127.0.0.1', `${shut},${listener.port}`, '-z', '-w', '0.5', '-v']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), `127.0.0.1 ${listener.port} open\n`);
  t.true(r.stderrLines.some((l) => l.endsWith(`INFO 127.0.0.1 ${shut} closed (port unreachable)`)), r.stderr);
  // The probe is one NUL byte, as ncat's.
  t.deepEqual((await listener.next()).data, Buffer.alloc(1));
});

needs('nc')('udp connect -z sees an `nc -u -l` listener as open; none open is exit 1', async (t) => {
  const probe = await udpPeer();
  const port = probe.port;
  probe.close();
  const nc = tool('nc', ['-u', '-l', '127.0.0.1', String(port)]);
  t.teardown(() => nc.child.kill('SIGKILL'));
  await untilListening(port, 'udp');
  // nc -u -l then connects its socket to its first sender: one probe only.
  const r = await runCli(['udp', 'connect', '127.0.0.1', String(port), '-z', '-w', '0.3']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), `127.0.0.1 ${port} open\n`);
  nc.child.kill('SIGKILL');
  await nc.done();
  const none = await runCli(['udp', 'connect', '127.0.0.1', String(port), '-z', '-w', '0.3']);
  t.is(none.code, 1, none.stderr);
  t.is(none.errors.length, 1);
});

test('--compat openbsd -z -w 1: the scan is left as it is (nc -zw1 habits)', async (t) => {
  const open = await tcpPeer((s) => s.end());
  const r = await runCli(['tcp-client', '127.0.0.1', String(open.port), '-z', '-w', '1', '--compat', 'openbsd']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), `127.0.0.1 ${open.port} open\n`);
});
