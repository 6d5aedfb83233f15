// The useful example scripts, each run against peers that are not mona-nc.
import test from 'ava';
import { startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, readAll, udpPeer, within } from '../helpers/net.js';
import { example } from '../helpers/scripts.js';

test.after.always(closeAllPeers);

test('line-server.lua: request/response per line, partial lines kept by the rest rule', async (t) => {
  const cli = startCli(['run', example('line-server.lua'), '0']);
  const socket = await connectTcp(await cli.port(15000));
  const answer = readAll(socket);
  socket.write('PING\nECHO hel');
  await delay(50);
  socket.write('lo there\r\nNOPE\nQUIT\n');
  t.is((await within(answer, 10000, 'answers')).toString(), 'PONG\nhello there\nERR unknown command NOPE\nBYE\n');
  cli.child.kill('SIGINT');
  t.is((await cli.done()).code, 130);
});

test('length-prefixed.lua: frames split and joined arbitrarily are answered whole', async (t) => {
  const cli = startCli(['run', example('length-prefixed.lua'), '0']);
  const socket = await connectTcp(await cli.port(15000));
  const frame = (payload: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, payload.length]), payload]);
  const a = Buffer.from([1, 2, 3, 0, 255]);
  const b = Buffer.from('second');
  const stream = Buffer.concat([frame(a), frame(b), frame(Buffer.alloc(0))]);
  const answer = readAll(socket);
  socket.write(stream.subarray(0, 2));
  await delay(30);
  socket.write(stream.subarray(2, 7));
  await delay(30);
  socket.end(stream.subarray(7));
  const expected = Buffer.concat([frame(Buffer.from(a).reverse()), frame(Buffer.from(b).reverse()), frame(Buffer.alloc(0))]);
  t.deepEqual(await within(answer, 10000, 'frames'), expected);
  cli.child.kill('SIGINT');
  await cli.done();
});

test('udp-relay.lua: datagrams reach the target and replies come back to each sender', async (t) => {
  const target = await udpPeer(true);
  const cli = startCli(['run', example('udp-relay.lua'), '0', `127.0.0.1:${target.port}`]);
  const port = await cli.port(15000);
  const [x, y] = await Promise.all([udpPeer(), udpPeer()]);
  x?.socket.send('from x', port, '127.0.0.1');
  y?.socket.send('from y', port, '127.0.0.1');
  t.is((await x?.next(10000))?.data.toString(), 'from x');
  t.is((await y?.next(10000))?.data.toString(), 'from y');
  t.is(target.received.length, 2);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});
