// `mona-nc run app.ts`: the seed samples in TypeScript, TS features without a build step, errors at .ts lines.
import test from 'ava';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, readAll, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { script, withPort } from '../helpers/scripts.js';

test.after.always(closeAllPeers);

const lines = (stderr: string): string[] => stderr.split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, ''));

test('the seed TCP client sample in TS', async (t) => {
  const echoed: Buffer[] = [];
  const peer = await tcpPeer((s) => {
    s.write('hi');
    s.on('data', (d: Buffer) => { echoed.push(d); s.end(); });
  });
  const r = await runCli(['run', withPort('seed-tcp-client.ts', peer.port)]);
  t.is(r.code, 0, r.stderr);
  t.is(Buffer.concat(echoed).toString(), 'hi');
  t.true(lines(r.stderr).includes('NOTE TCP disconnection'));
  t.deepEqual(r.errors, []);
});

test('the seed TCP server sample in TS', async (t) => {
  const cli = startCli(['run', withPort('seed-tcp-server.ts', 0)]);
  const socket = await connectTcp(await cli.port(15000));
  const answer = readAll(socket);
  socket.end(Buffer.from('ping\0\xff', 'latin1'));
  t.is((await within(answer, 10000, 'echo')).toString('latin1'), 'ping\0\xff');
  await cli.waitLine(/NOTE TCP client disconnection/);
  cli.child.kill('SIGINT');
  t.is((await cli.done()).code, 130);
});

test('the seed UDP samples in TS', async (t) => {
  const echo = startCli(['run', withPort('seed-udp-echo-server.ts', 0)]);
  const port = await echo.port(15000);
  const client = startCli(['run', withPort('seed-udp-client.ts', port)]);
  t.regex(await client.waitLine(/UDP socket opened/, 15000), new RegExp(`NOTE UDP socket opened on 127\\.0\\.0\\.1:\\d+ connected to 127\\.0\\.0\\.1:${port}$`));
  await client.waitLine(new RegExp(`NOTE Reception from 127\\.0\\.0\\.1:${port}: hello$`));
  await echo.waitLine(/NOTE Reception from 127\.0\.0\.1:\d+$/);
  for (const c of [client, echo]) c.child.kill('SIGTERM');
  t.is((await client.done()).code, 143);
  t.is((await echo.done()).code, 143);
});

test('TypeScript without a build step: types, enum, a relative .ts import, top-level await, args, imports from mona-nc', async (t) => {
  const helper = script('helper.ts', 'export const shout = (s: string): string => s.toUpperCase();\n');
  const file = script('app.ts', `
    import { mona as imported, NOTE as note } from 'mona-nc';
    import { shout } from './${helper.split('/').pop()?.replace(/\.ts$/, '.js')}';
    enum Greeting { Hello = 'hello' }
    interface Options { port: number }
    const options: Options = { port: Number(args[0]) };
    const socket: ReturnType<typeof imported.createUDPSocket> = mona.createUDPSocket();
    await socket.connectAsync('127.0.0.1', options.port);
    socket.send(shout(Greeting.Hello));
    note('same mona: ', imported === mona, ' args: ', args.join(','));
    socket.close();
  `);
  const peer = await udpPeer();
  const r = await runCli(['run', file, String(peer.port), '--flag']);
  t.is(r.code, 0, r.stderr);
  t.is((await peer.next()).data.toString(), 'HELLO');
  t.true(lines(r.stderr).includes(`NOTE same mona: (true) args: ${peer.port},--flag`), r.stderr);
});

test('a throw at load points at the .ts file and line; exit 1', async (t) => {
  const r = await runCli(['run', script('bad.ts', 'const a: number = 1;\n\nthrow new Error(\'boom at line 3\');\n')]);
  t.is(r.code, 1);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /bad\.ts:3:\d+: boom at line 3$/);
});

test('a syntax error points at the .ts file and line; exit 1', async (t) => {
  const r = await runCli(['run', script('syntax.ts', 'const ok = 1;\nconst a: number = ;\n')]);
  t.is(r.code, 1);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /syntax\.ts:2:\d+: /);
});

test('a throwing handler is logged; the server goes on; onStop runs on SIGINT', async (t) => {
  const file = script('server.mjs', `
    const server = mona.createTCPServer();
    server.onConnection = (client) => {
      client.onData = function (data) {
        if (String(data) === 'boom') throw new Error('handler exploded');
        this.send(data);
        return 0;
      };
    };
    await server.startAsync('127.0.0.1', 0);
    export function onStop() { NOTE('onStop'); }
  `);
  const cli = startCli(['run', file]);
  const port = await cli.port(15000);
  const first = await connectTcp(port);
  first.write('boom');
  t.regex(await cli.waitLine(/ERROR/), /ERROR onData failed: handler exploded/);
  const second = await connectTcp(port);
  const answer = readAll(second);
  second.end('fine');
  t.is((await within(answer, 10000, 'echo')).toString(), 'fine');
  first.destroy();
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.is(r.code, 130);
  t.true(lines(r.stderr).includes('NOTE onStop'));
});

test('--on-data consumed is for Lua only', async (t) => {
  const r = await runCli(['run', '--on-data', 'consumed', script('x.ts', '')]);
  t.is(r.code, 2);
});

test('a script with nothing left to do exits 0', async (t) => {
  const r = await runCli(['run', script('empty.mjs', 'NOTE("done")')]);
  t.is(r.code, 0);
  t.true(lines(r.stderr).includes('NOTE done'));
});
