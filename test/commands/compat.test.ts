// --compat against the real netcats, side by side: the same Node server watches nc.openbsd, nc.traditional or ncat
// and then `mona-nc --compat X` in the same scenario, and what it sees (a FIN at stdin's EOF, when the client exits,
// its exit status, the pacing of lines) must be the same. A peer that is not installed skips its rows, saying so.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import type net from 'node:net';
import { CLI, runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, tcpPeer, within } from '../helpers/net.js';

test.after.always(closeAllPeers);

type Scenario = 'fin' | 'close' | 'idle' | 'lines';
interface Seen { fin: number | undefined; exit: number; code: number | null; lines: number[]; stdout: string }

const HOLD_MS = 2500;
const KILL_MS = 3500;

/**
 * Run `cmd` (PORT replaced) against a Node server. fin: stdin "x" then EOF, the server stays silent and open.
 * close: the server sends "hi" and closes at once, stdin stays open HOLD_MS. idle: the server stays silent, stdin
 * open HOLD_MS. lines: stdin "a\nb\nc\n", the server notes when each line comes. The client is killed at KILL_MS.
 */
async function watch(cmd: string[], scenario: Scenario): Promise<Seen> {
  const t0 = Date.now();
  const seen: Seen = { fin: undefined, exit: Infinity, code: null, lines: [], stdout: '' };
  let start = 0;
  const peer = await tcpPeer((s: net.Socket) => {
    start = Date.now();
    if (scenario === 'close') s.end('hi');
    s.on('data', (d: Buffer) => { for (const _ of d.toString().split('\n').slice(1)) seen.lines.push(Date.now() - start); });
    s.on('end', () => { seen.fin ??= Date.now() - t0; });
  });
  const args = cmd.map((a) => a.replace('PORT', String(peer.port)));
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const child = spawn(args[0] ?? '', args.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env });
  child.stdout.on('data', (d: Buffer) => { seen.stdout += d.toString(); });
  if (scenario === 'fin') child.stdin.end('x');
  else if (scenario === 'lines') child.stdin.end('a\nb\nc\n');
  else setTimeout(() => child.stdin.end(), HOLD_MS);
  // Three lines a second apart, plus start-up, need longer.
  const kill = setTimeout(() => child.kill('SIGKILL'), scenario === 'lines' ? KILL_MS + 1500 : KILL_MS);
  await new Promise<void>((resolve) => child.on('close', (code) => {
    seen.exit = Date.now() - t0;
    seen.code = code;
    resolve();
  }));
  clearTimeout(kill);
  await peer.close();
  return seen;
}

const installed = (name: string): boolean => spawnSync(name, ['-h']).error === undefined;
const mona = (preset: string, ...args: string[]): string[] => [process.execPath, CLI, 'tcp-client', '--compat', preset, ...args, '127.0.0.1:PORT'];

/** What a scenario's outcome is, in words both programs must share (timings with a margin for Node's start-up). */
function verdict(s: Seen, scenario: Scenario): string {
  const killed = s.code === null;
  if (scenario === 'fin') return `FIN at EOF: ${s.fin !== undefined && s.fin < KILL_MS - 500}, still running: ${killed}`;
  if (scenario === 'close') return `got "${s.stdout}", quit at the server's close: ${s.exit < HOLD_MS - 300}, exit ${s.code}`;
  if (scenario === 'idle') return `exit ${killed ? 'killed' : s.code}, before stdin's EOF: ${s.exit < HOLD_MS}`;
  const gaps = s.lines.slice(1).map((t, i) => t - (s.lines[i] ?? 0));
  return `${s.lines.length} lines, paced: ${gaps.every((g) => g >= 800)}, first waited: ${(s.lines[0] ?? 0) >= 800}`;
}

const rows: Array<{ peer: string; preset: string; scenario: Scenario; flags: string[] }> = [
  { peer: 'nc.openbsd', preset: 'openbsd', scenario: 'fin', flags: [] },
  { peer: 'nc.openbsd', preset: 'openbsd', scenario: 'close', flags: [] },
  { peer: 'nc.openbsd', preset: 'openbsd', scenario: 'idle', flags: ['-w', '1'] },
  { peer: 'nc.openbsd', preset: 'openbsd', scenario: 'fin', flags: ['-q', '1'] },
  { peer: 'nc.openbsd', preset: 'openbsd', scenario: 'lines', flags: ['-i', '1'] },
  { peer: 'nc.traditional', preset: 'traditional', scenario: 'fin', flags: [] },
  { peer: 'nc.traditional', preset: 'traditional', scenario: 'close', flags: [] },
  { peer: 'nc.traditional', preset: 'traditional', scenario: 'fin', flags: ['-q', '1'] },
  { peer: 'nc.traditional', preset: 'traditional', scenario: 'fin', flags: ['-q', '-1'] },
  { peer: 'nc.traditional', preset: 'traditional', scenario: 'lines', flags: ['-i', '1'] },
  { peer: 'ncat', preset: 'ncat', scenario: 'fin', flags: [] },
  { peer: 'ncat', preset: 'ncat', scenario: 'idle', flags: ['-w', '1'] },
];

for (const row of rows) {
  const peerArgs = [row.peer, ...row.flags, '127.0.0.1', 'PORT'];
  const title = `--compat ${row.preset} ${row.flags.join(' ')} behaves as ${row.peer} (${row.scenario})`;
  const has = installed(row.peer);
  // Serial: timings on a busy machine mean little; the two programs of a row run side by side.
  (has ? test.serial : test.skip)(has ? title : `${title} (skipped: ${row.peer} is not installed)`, async (t) => {
    const [theirs, ours] = await Promise.all([watch(peerArgs, row.scenario), watch(mona(row.preset, ...row.flags), row.scenario)]);
    t.is(verdict(ours, row.scenario), verdict(theirs, row.scenario), JSON.stringify({ theirs, ours }));
  });
}

test.serial('--compat ncat: the client quits at the server\'s close (7.96+), and -k keeps it going until stdin\'s EOF', async (t) => {
  const plain = await watch(mona('ncat'), 'close');
  t.true(plain.exit < HOLD_MS - 300, `${plain.exit} ms`);
  const keep = await watch(mona('ncat', '-k'), 'close');
  t.true(keep.exit >= HOLD_MS, `${keep.exit} ms`);
  t.is(keep.stdout, 'hi');
});

test.serial('--compat ncat -q expiring is exit 1 ("Idle timeout expired"), as ncat\'s -q', async (t) => {
  const r = await watch(mona('ncat', '-q', '0.5'), 'fin');
  t.is(r.code, 1);
  t.true(r.exit < KILL_MS);
});

test.serial('--compat openbsd -w on a client: the idle timeout is a normal end (exit 0)', async (t) => {
  const r = await watch(mona('openbsd', '-w', '0.5'), 'idle');
  t.is(r.code, 0);
  t.true(r.exit < HOLD_MS);
});

const hasSs = spawnSync('ss', ['-V']).error === undefined;
(hasSs ? test.serial : test.skip)(`--compat traditional -k on a server: SO_KEEPALIVE on the accepted connection (ss shows its timer)${hasSs ? '' : ' (skipped: ss is not installed)'}`, async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--compat', 'traditional', '-k'], { stdin: 'pipe' });
  const port = await cli.port();
  const socket = await connectTcp(port);
  await new Promise((r) => setTimeout(r, 200));
  const ss = spawnSync('ss', ['-tno', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  t.regex(ss.stdout, /timer:\(keepalive/, ss.stdout);
  socket.end();
  cli.child.stdin?.end();
  t.is((await cli.done()).code, 0, 'traditional -k is not keep-open: the single client\'s end ends the server');
});

test.serial('--compat openbsd -k on a server: one client at a time, the next once the first is gone', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--compat', 'openbsd', '-k'], { stdin: 'pipe' });
  const port = await cli.port();
  const first = await connectTcp(port);
  const second = await connectTcp(port);
  const secondGot = readAll(second);
  second.write('from the second');
  first.end('from the first');
  first.resume();
  await new Promise((r) => setTimeout(r, 300));
  second.end();
  await within(secondGot, 5000, 'the second client served');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.stdout.toString(), 'from the firstfrom the second', 'served in turn');
});

test('--compat usage: a bad preset is exit 2; -i on UDP with openbsd too', async (t) => {
  for (const args of [['tcp-client', '127.0.0.1:9', '--compat', 'busybox'], ['udp', 'connect', '127.0.0.1:9', '--compat', 'openbsd', '-i', '1']]) {
    const r = await runCli(args);
    t.is(r.code, 2, r.stderr);
    t.is(r.errors.length, 1, r.stderr);
  }
});
