// --progress from the outside: a live line on a terminal's stderr, gone at the end, stdout byte-exact; never
// without a terminal, in JSON mode, or when stdout is the terminal too.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '../../src/taps/progress.js';
import { runCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { noPty, runInPty, shellQuote } from '../helpers/pty.js';
import { testUnless } from '../helpers/skip.js';

test.after.always(closeAllPeers);

const ERASE = '\r\u001b[K';
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-progress-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** An input file and an output path, quoted for the shell. */
const io = (data: Buffer): { input: string; output: string; redirect: string } => {
  const n = files++;
  const input = join(dir, `in-${n}`);
  const output = join(dir, `out-${n}`);
  writeFileSync(input, data);
  return { input, output, redirect: `< ${shellQuote(input)} > ${shellQuote(output)}` };
};

/** The drawn lines (text after each erase), and what is left on the terminal's last line at the end. */
const parse = (output: string): { lines: string[]; left: string } => ({
  lines: output.split(ERASE).slice(1).filter((p) => p.startsWith('in ')),
  left: output.split('\r\n').at(-1)?.split(ERASE).at(-1) ?? '',
});

const ptyTest = testUnless(noPty());

ptyTest('tcp-client: the line counts both ways, is erased at the end, and stdout is byte-exact', async (t) => {
  const data = randomBytes(200_000);
  let shown!: () => void;
  const seen = new Promise<void>((resolve) => { shown = resolve; });
  // Echo everything after the client's FIN, then hold the connection until the terminal showed the final counts.
  const peer = await tcpPeer(async (s) => {
    s.write(await readAll(s));
    await seen;
    s.end();
  });
  const { output, redirect } = io(data);
  const started = Date.now();
  const pty = runInPty(['tcp-client', `127.0.0.1:${peer.port}`, '--progress'], redirect);
  await pty.waitFor(`in ${formatBytes(data.length)}  out ${formatBytes(data.length)}`);
  shown();
  const r = await pty.done();
  const elapsed = Date.now() - started;
  t.is(r.code, 0, JSON.stringify(r.output));
  t.is(sha256(readFileSync(output)), sha256(data));
  const { lines, left } = parse(r.output);
  t.regex(lines[0] ?? '', /^in 0 B {2}out 0 B {2}0 B\/s {2}0:00$/);
  t.is(left, '', 'the line is gone at the end');
  // At most 10 draws a second (plus the first): the bound follows from the design, whatever the machine's speed.
  t.true(lines.length <= 2 + elapsed / 100, `${lines.length} draws in ${elapsed} ms`);
  t.true(r.output.startsWith(ERASE), 'nothing but the line was written');
});

ptyTest('tcp-server: log lines replace the live line intact, and the client gets stdin byte-exact', async (t) => {
  const data = randomBytes(100_000);
  const { output, redirect } = io(data);
  const pty = runInPty(['tcp-server', '127.0.0.1:0', '--progress'], redirect, { NO_COLOR: '1' });
  const port = Number(/listening on 127\.0\.0\.1:(\d+)\r\n/.exec(await pty.waitFor(/listening on 127\.0\.0\.1:\d+\r\n/))?.[1]);
  t.true(port > 0);
  const socket = await connectTcp(port);
  const received = readAll(socket);
  socket.end('from the client');
  t.is(sha256(await within(received, 8000, 'stdin through the server')), sha256(data));
  const r = await pty.done();
  t.is(r.code, 0, JSON.stringify(r.output));
  t.is(readFileSync(output, 'utf8'), 'from the client');
  // The line first (redrawn if the clock moved), then the NOTE in its place, whole, on a row of its own.
  t.regex(r.output, /^(\r\u001b\[Kin [^\r]*)+\r\u001b\[K\d\d:\d\d:\d\d\.\d{3} NOTE listening on 127\.0\.0\.1:\d+\r\n/);
  t.is(parse(r.output).left, '');
});

ptyTest('udp connect: the line is drawn and erased; stdout is the echoed datagram', async (t) => {
  const peer = await udpPeer(true);
  const { output, redirect } = io(Buffer.from('ping'));
  const r = await runInPty(['udp', 'connect', `127.0.0.1:${peer.port}`, '--progress', '-q', '1'], redirect).done();
  t.is(r.code, 0, JSON.stringify(r.output));
  t.is(readFileSync(output, 'utf8'), 'ping');
  t.true(parse(r.output).lines.length >= 1);
  t.is(parse(r.output).left, '');
});

ptyTest('never in JSON log mode, and never when stdout is the terminal too', async (t) => {
  const peer = await tcpPeer((s) => s.end('hi'));
  const json = await runInPty(['tcp-client', `127.0.0.1:${peer.port}`, '--progress', '--log-format', 'json'], `< /dev/null > ${shellQuote(join(dir, 'json.out'))}`).done();
  t.is(json.code, 0);
  t.false(json.output.includes(ERASE), JSON.stringify(json.output));
  for (const line of json.output.split('\r\n').filter(Boolean)) t.notThrows(() => JSON.parse(line), line);
  const tty = await runInPty(['tcp-client', `127.0.0.1:${peer.port}`, '--progress'], '< /dev/null').done();
  t.is(tty.code, 0);
  t.is(tty.output, 'hi');
});

test('without a terminal --progress writes nothing', async (t) => {
  const peer = await tcpPeer((s) => s.end('hi'));
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--progress']);
  t.is(r.code, 0);
  t.is(r.stdout.toString(), 'hi');
  t.is(r.stderr, '');
});
