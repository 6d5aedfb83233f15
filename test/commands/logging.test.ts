// Logging from the outside: JSON lifecycle events with their fields, --quiet, -v, colour only on a TTY.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { CLI, parseJsonLines, runCli, startCli, type JsonLine } from '../helpers/cli.js';
import { closeAllPeers, closedPort, connectTcp, readAll, tcpPeer, within } from '../helpers/net.js';
import { noPty } from '../helpers/pty.js';
import { testUnless } from '../helpers/skip.js';

test.after.always(closeAllPeers);

const ADDRESS = /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]):\d+$/;
const byEvent = (lines: JsonLine[], name: string): JsonLine[] => lines.filter((l) => l.event === name);

test('--log-format json: every server lifecycle event with its fields', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--log-format', 'json'], { stdin: 'xy' });
  const listening = await cli.waitEvent('listening');
  t.is(listening.transport, 'tcp');
  t.regex(String(listening.address), /^127\.0\.0\.1:[1-9]\d*$/);
  t.is(listening.level, 'NOTE');
  const socket = await connectTcp(Number(String(listening.address).split(':')[1]));
  const answer = readAll(socket);
  socket.end('abc');
  t.is((await within(answer, 5000, 'answer')).toString(), 'xy');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  const lines = parseJsonLines(r.stderr);
  t.is(lines.length, r.stderrLines.length, 'every stderr line is JSON');
  for (const l of lines) {
    t.false(Number.isNaN(Date.parse(l.time)));
    t.is(typeof l.message, 'string');
  }
  const [accepted] = byEvent(lines, 'accepted');
  t.is(accepted?.id, 1);
  t.regex(String(accepted?.local), ADDRESS);
  t.regex(String(accepted?.peer), ADDRESS);
  t.deepEqual(byEvent(lines, 'eof').map((e) => e.direction).sort(), ['in', 'out']);
  for (const e of byEvent(lines, 'eof')) t.is(e.peer, accepted?.peer);
  const [closed] = byEvent(lines, 'closed');
  t.like(closed, { peer: accepted?.peer, id: 1, bytesIn: 3, bytesOut: 2, reason: 'eof' });
  t.is(typeof closed?.ms, 'number');
  t.deepEqual(byEvent(lines, 'exit').map((e) => [e.code, e.reason]), [[0, 'done']]);
});

test('--log-format json: the client\'s connected event', async (t) => {
  const peer = await tcpPeer((s) => s.end('hi'));
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--log-format', 'json']);
  t.is(r.code, 0);
  const [connected] = byEvent(parseJsonLines(r.stderr), 'connected');
  t.is(connected?.peer, `127.0.0.1:${peer.port}`);
  t.regex(String(connected?.local), /^127\.0\.0\.1:\d+$/);
  t.is(byEvent(parseJsonLines(r.stderr), 'closed')[0]?.bytesIn, 2);
});

test('--log-format json: a failure is one ERROR line, then the exit event', async (t) => {
  const port = await closedPort();
  const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '--log-format', 'json']);
  t.is(r.code, 1);
  const lines = parseJsonLines(r.stderr);
  t.is(lines.length, 2, r.stderr);
  t.like(lines[0], { level: 'ERROR', message: `Unable to connect to 127.0.0.1:${port} (connection refused)` });
  t.like(lines[1], { event: 'exit', code: 1, reason: 'refused' });
});

test('--log-format json: usage errors too', async (t) => {
  const r = await runCli(['tcp-client', '127.0.0.1:70000', '--log-format=json']);
  t.is(r.code, 2);
  const lines = parseJsonLines(r.stderr);
  t.is(lines.length, r.stderrLines.length, r.stderr);
  t.like(lines.at(-1), { event: 'exit', code: 2, reason: 'usage' });
});

test('--quiet hides the listening NOTE; JSON events are written whatever the level', async (t) => {
  const json = startCli(['tcp-server', '127.0.0.1:0', '--echo', '--quiet', '--log-format', 'json']);
  const event = await json.waitEvent('listening');
  t.regex(String(event.address), /^127\.0\.0\.1:\d+$/);
  json.child.kill('SIGTERM');
  await json.done();
  // The quiet one cannot tell its port: give it one, and prove it listens by being echoed.
  const port = await closedPort();
  const quiet = startCli(['tcp-server', `127.0.0.1:${port}`, '--echo', '--quiet']);
  let socket;
  for (let i = 0; i < 100 && !socket; i++) socket = await connectTcp(port).catch(() => new Promise<undefined>((r) => setTimeout(r, 50)));
  if (!socket) return t.fail('the quiet server never listened');
  const answer = readAll(socket);
  socket.end('shh');
  t.is((await within(answer, 5000, 'echo')).toString(), 'shh');
  quiet.child.kill('SIGTERM');
  const r = await quiet.done();
  t.is(r.stderr, '');
});

test('-v adds the INFO lifecycle lines; the default does not', async (t) => {
  const peer = await tcpPeer((s) => s.end('x'));
  const plain = await runCli(['tcp-client', `127.0.0.1:${peer.port}`]);
  const verbose = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '-v']);
  t.is(plain.stderr, '');
  t.true(verbose.stderrLines.some((l) => / INFO connected to 127\.0\.0\.1:\d+ from /.test(l)), verbose.stderr);
  t.true(verbose.stderrLines.some((l) => / INFO closed #1 127\.0\.0\.1:\d+: 1 bytes in, 0 bytes out, \d+ ms \(eof\)$/.test(l)), verbose.stderr);
  const level = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--log-level', 'info']);
  t.true(level.stderrLines.some((l) => / INFO connected/.test(l)));
  const bad = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--log-level', 'loud']);
  t.is(bad.code, 2);
});

testUnless(noPty())('colour on a TTY, none with NO_COLOR (run under a pseudo-terminal with script)', async (t) => {
  const port = await closedPort();
  // script -e exits with the command's status (1 here: the connection is refused).
  const run = (extra: NodeJS.ProcessEnv): string => spawnSync('script', ['-qec', `"${process.execPath}" "${CLI}" tcp-client 127.0.0.1:${port}`, '/dev/null'], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '', ...extra },
    timeout: 10000,
  }).stdout.toString();
  const colour = run({});
  const plain = run({ NO_COLOR: '1' });
  t.true(colour.includes('\u001b['), JSON.stringify(colour));
  t.regex(colour, /Unable to connect/);
  t.false(plain.includes('\u001b['), JSON.stringify(plain));
  t.regex(plain, /ERROR Unable to connect/);
});

test('-k and --echo log a client\'s half-close as eof in, then our FIN as eof out', async (t) => {
  for (const mode of ['-k', '--echo']) {
    const cli = startCli(['tcp-server', '127.0.0.1:0', mode, '--log-format', 'json'], { stdin: 'pipe' });
    const port = Number(String((await cli.waitEvent('listening')).address).split(':')[1]);
    const socket = await connectTcp(port);
    const answer = readAll(socket);
    socket.end('hi');
    const got = (await within(answer, 5000, 'FIN')).toString();
    t.is(got, mode === '--echo' ? 'hi' : '');
    await cli.waitEvent('closed');
    cli.child.kill('SIGTERM');
    const r = await cli.done();
    const eofs = byEvent(parseJsonLines(r.stderr), 'eof').map((e) => e.direction);
    t.deepEqual(eofs, ['in', 'out'], `${mode}: ${r.stderr}`);
  }
});
