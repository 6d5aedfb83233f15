// Signals: SIGHUP ends a session as SIGTERM does (a clean close, exit 129, the JSON exit event), and SIGUSR1 prints
// each open connection's statistics instead of opening Node's inspector to every local user.
import test from 'ava';
import net from 'node:net';
import { startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, within } from '../helpers/net.js';
import { until } from '../helpers/log.js';

test.after.always(closeAllPeers);

/** Whether something accepts connections on 127.0.0.1:port. */
const listening = (port: number): Promise<boolean> => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

test('SIGHUP: the client gets its FIN and what was sent, exit 129, and the JSON exit event says signal', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--log-format', 'json'], { stdin: 'pipe' });
  const socket = await connectTcp(await cli.port());
  const got = readAll(socket);
  await cli.waitEvent('accepted');
  cli.child.stdin?.write('before the hangup');
  await new Promise((resolve) => setTimeout(resolve, 200));
  cli.child.kill('SIGHUP');
  t.is((await within(got, 5000, 'a clean close')).toString(), 'before the hangup');
  const r = await cli.done();
  t.is(r.code, 129, r.stderr);
  const exit = r.stderrLines.map((l) => JSON.parse(l) as { event?: string; code?: number; reason?: string }).find((e) => e.event === 'exit');
  t.deepEqual(exit && { code: exit.code, reason: exit.reason }, { code: 129, reason: 'signal' });
  socket.destroy();
});

test('SIGUSR1: one NOTE per open connection with its byte counts, no inspector, and the server goes on', async (t) => {
  const inspectorBefore = await listening(9229);
  const cli = startCli(['tcp-server', '127.0.0.1:0', '-k']);
  const port = await cli.port();
  const a = await connectTcp(port);
  const b = await connectTcp(port);
  const stdout = (): string => Buffer.concat(cli.stdoutChunks).toString();
  a.write('hello');
  await until(() => stdout().includes('hello'), 5000, 'hello on stdout');
  cli.child.kill('SIGUSR1');
  await cli.waitLine(/NOTE statistics #\d+ 127\.0\.0\.1:\d+: 5 bytes in, 0 bytes out, \d+\.\d s$/);
  await cli.waitLine(/NOTE statistics #\d+ 127\.0\.0\.1:\d+: 0 bytes in, 0 bytes out, \d+\.\d s$/);
  if (inspectorBefore) t.log('something else listens on 9229: only stderr is checked');
  else t.false(await listening(9229), 'nothing listens on the inspector port');
  // Still serving: a new client is heard.
  const c = await connectTcp(port);
  c.end('late');
  await until(() => stdout().includes('late'), 5000, 'late on stdout');
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143, r.stderr);
  t.false(/Debugger listening|inspector/i.test(r.stderr), r.stderr);
  for (const s of [a, b, c]) s.destroy();
});
