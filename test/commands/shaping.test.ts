// --crlf and --delay on the CLI (issue 13 item 5), against OpenBSD nc and Node net/dgram peers.
import test from 'ava';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, closedPort, delay, readAll, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { until } from '../helpers/log.js';
import { needs, tool, untilListening } from '../helpers/tools.js';

test.after.always(closeAllPeers);

needs('nc')('tcp-client --crlf into nc -l: LF arrives as CRLF, a CRLF stays one', async (t) => {
  const port = await closedPort();
  const nc = tool('nc', ['-d', '-l', '127.0.0.1', String(port)]);
  await untilListening(port);
  const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '--crlf'], { stdin: 'HELO a\nMAIL b\r\n\nend' });
  t.is(r.code, 0, r.stderr);
  t.is((await nc.done()).stdout.toString('latin1'), 'HELO a\r\nMAIL b\r\n\r\nend');
});

test('tcp-client --crlf: a CR at the end of one read and the LF at the start of the next stay one CRLF', async (t) => {
  let got: Promise<Buffer> | undefined;
  const peer = await tcpPeer((socket) => { got = readAll(socket); void got.then(() => socket.end()); });
  const cli = startCli(['tcp-client', `127.0.0.1:${peer.port}`, '--crlf'], { stdin: 'pipe' });
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  await until(() => got !== undefined, 5000, 'the connection');
  cli.child.stdin?.write('line one\r');
  await delay(150);
  cli.child.stdin?.end('\nline two\n');
  const received = await within(got ?? Promise.reject(new Error('no connection')), 5000, 'the bytes');
  t.is(received.toString('latin1'), 'line one\r\nline two\r\n');
  t.is((await cli.done()).code, 0);
});

test('tcp-client --delay 0.2: one line at a time, at least 0.2 s apart, every byte in order', async (t) => {
  const arrivals: Array<{ text: string; at: number }> = [];
  let ended: Promise<void> | undefined;
  const peer = await tcpPeer((socket) => {
    ended = new Promise((resolve) => socket.on('end', () => { socket.end(); resolve(); }));
    socket.on('data', (c: Buffer) => arrivals.push({ text: c.toString(), at: Date.now() }));
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--delay', '0.2'], { stdin: 'one\ntwo\nthree\n' });
  t.is(r.code, 0, r.stderr);
  await within(ended ?? Promise.reject(new Error('no connection')), 5000, 'the FIN');
  t.deepEqual(arrivals.map((a) => a.text), ['one\n', 'two\n', 'three\n']);
  // Lines leave at least 0.2 s apart; arrivals jitter on a busy machine, so only half of that is asserted per gap.
  for (let i = 1; i < arrivals.length; i++) t.true((arrivals[i]?.at ?? 0) - (arrivals[i - 1]?.at ?? 0) >= 100, JSON.stringify(arrivals));
  t.true((arrivals[2]?.at ?? 0) - (arrivals[0]?.at ?? 0) >= 300, JSON.stringify(arrivals));
});

test('tcp-client --delay: 300 lines at 1 ms arrive whole and in order, FIN after the last', async (t) => {
  const text = Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join('');
  let got: Promise<Buffer> | undefined;
  const peer = await tcpPeer((socket) => { got = readAll(socket); void got.then(() => socket.end()); });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--delay', '1ms', '--crlf'], { stdin: text });
  t.is(r.code, 0, r.stderr);
  t.is((await within(got ?? Promise.reject(new Error('no connection')), 5000, 'the bytes')).toString(), text.replace(/\n/g, '\r\n'));
});

test('udp connect --crlf --lines: one datagram per line, each ending in CRLF', async (t) => {
  const peer = await udpPeer();
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '--crlf', '--lines', '-q', '0.3'], { stdin: 'a\nbb\r\nc' });
  t.is(r.code, 0, r.stderr);
  await until(() => peer.received.length === 3, 3000, '3 datagrams');
  t.deepEqual(peer.received.map((d) => d.data.toString()), ['a\r\n', 'bb\r\n', 'c']);
});

test('udp connect --delay: each line its own datagram, in order', async (t) => {
  const peer = await udpPeer();
  const r = await runCli(['udp', 'connect', `127.0.0.1:${peer.port}`, '--delay', '50ms', '-q', '0.3'], { stdin: 'x\ny\nz' });
  t.is(r.code, 0, r.stderr);
  await until(() => peer.received.length === 3, 3000, '3 datagrams');
  t.deepEqual(peer.received.map((d) => d.data.toString()), ['x\n', 'y\n', 'z']);
});

test('tcp-client --delay past --linger: a peer that half-closes first still gets every line (the pause is not silence)', async (t) => {
  let got: Promise<Buffer> | undefined;
  const peer = await tcpPeer((socket) => {
    got = readAll(socket);
    socket.end();
  });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--delay', '0.7', '--linger', '0.3'], { stdin: 'a\nb\nc\n' });
  t.is(r.code, 0, r.stderr);
  t.is((await within(got ?? Promise.reject(new Error('no connection')), 5000, 'the lines')).toString(), 'a\nb\nc\n');
});
