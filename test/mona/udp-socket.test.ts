// UDPSocket against plain Node dgram peers: the seed's two UDP samples and behaviour checks 20-22.
import test from 'ava';
import dgram from 'node:dgram';
import { ERROR, NOTE } from '../../src/log.js';
import { mona, MonaError } from '../../src/mona/index.js';
import { captureLog, until } from '../helpers/log.js';
import { closeAllPeers, udpPeer, within } from '../helpers/net.js';
import { noIPv6Loopback, testUnless } from '../helpers/skip.js';

const log = captureLog();
test.after.always(closeAllPeers);

test.serial('the seed UDP echo server sample: each datagram goes back to its sender (check 20)', async (t) => {
  const mark = log.length;
  const socket = mona.createUDPSocket();
  socket.onPacket = function (data, address) {
    NOTE('Reception from ' + address);
    this.send(data, address); // echo sample
  };
  const err = socket.bind('127.0.0.1:0'); // start the server (the seed uses 0.0.0.0:1234)
  if (err) ERROR(err);
  t.is(err, undefined);
  await until(() => socket.address !== undefined);
  const client = await udpPeer();
  client.socket.send('hello', socket.address?.port ?? 0, '127.0.0.1');
  const reply = await client.next();
  t.is(reply.data.toString(), 'hello');
  t.true(log.slice(mark).includes(`NOTE Reception from 127.0.0.1:${client.port}`));
  client.close();
  socket.close();
});

test.serial('the seed UDP client sample in connected mode: real addresses, the reply in onPacket (check 22)', async (t) => {
  const server = await udpPeer(true);
  const mark = log.length;
  const socket = mona.createUDPSocket();
  const got = new Promise<void>((resolve) => {
    socket.onPacket = function (data, address) {
      NOTE('Reception from ' + address + ': ' + data.toString());
      resolve();
    };
  });
  await socket.connectAsync('127.0.0.1', server.port); // the seed's connect(), awaited as TS does
  NOTE('UDP socket opened on ', socket.address, ' connected to ', socket.peerAddress);
  t.is(socket.send('hello'), undefined);
  await within(got, 5000, 'reply');
  const lines = log.slice(mark);
  t.true(lines.some((l) => new RegExp(`^NOTE UDP socket opened on 127\\.0\\.0\\.1:\\d+ connected to 127\\.0\\.0\\.1:${server.port}$`).test(l)), lines.join('\n'));
  t.true(lines.includes(`NOTE Reception from 127.0.0.1:${server.port}: hello`));
  t.is(String(socket.peerAddress), `127.0.0.1:${server.port}`);
  socket.close();
  server.close();
});

test.serial('connect() then send() without waiting: the datagram still goes out', async (t) => {
  const server = await udpPeer();
  const socket = mona.createUDPSocket();
  t.is(socket.connect('127.0.0.1', server.port), undefined);
  t.is(socket.send('queued'), undefined);
  t.is((await server.next()).data.toString(), 'queued');
  socket.close();
  server.close();
});

test.serial('a port held by someone else: bind() is nothing at once, then ERROR and onError (check 21)', async (t) => {
  const holder = await udpPeer();
  const mark = log.length;
  const socket = mona.createUDPSocket();
  const failed = new Promise<string>((resolve) => { socket.onError = (message) => resolve(message); });
  t.is(socket.bind('127.0.0.1', holder.port), undefined);
  t.is(await within(failed, 5000, 'onError'), `Unable to bind to 127.0.0.1:${holder.port} (address in use)`);
  t.is(log.slice(mark).filter((l) => l.startsWith('ERROR')).length, 1);
  const err = await t.throwsAsync(mona.createUDPSocket().bindAsync('127.0.0.1', holder.port), { instanceOf: MonaError });
  t.is(err?.code, 'EADDRINUSE');
  holder.close();
});

test.serial('error strings known at call time: unconnected send, oversize, bad address, bind when connected', async (t) => {
  const socket = mona.createUDPSocket();
  t.regex(socket.send('x') ?? '', /not connected/);
  t.regex(socket.send(Buffer.alloc(65508), '127.0.0.1', 9) ?? '', /too large/);
  t.is(socket.send('x', '127.0.0.1'), 'Missing port number in 127.0.0.1');
  t.is(socket.bind('127.0.0.1:99999'), 'Invalid port 99999');
  const server = await udpPeer();
  await socket.connectAsync('127.0.0.1', server.port);
  t.regex(socket.bind('127.0.0.1:0') ?? '', /connected/);
  t.regex(socket.send('x', '127.0.0.1', server.port) ?? '', /connected/);
  socket.close();
  server.close();
});

test.serial('send() with an address auto-binds, so replies reach onPacket', async (t) => {
  const server = await udpPeer(true);
  const socket = mona.createUDPSocket();
  const reply = new Promise<string>((resolve) => { socket.onPacket = (data, address) => resolve(`${data.toString()} from ${address}`); });
  t.is(socket.send('auto', `127.0.0.1:${server.port}`), undefined);
  t.is(await within(reply, 5000, 'reply'), `auto from 127.0.0.1:${server.port}`);
  t.truthy(socket.address);
  socket.close();
  server.close();
});

test.serial('close(), then the next send opens a new socket', async (t) => {
  const server = await udpPeer();
  const socket = mona.createUDPSocket();
  socket.send('one', '127.0.0.1', server.port);
  const first = await server.next();
  socket.close();
  t.is(socket.address, undefined);
  socket.send('two', '127.0.0.1', server.port);
  const second = await server.next();
  t.is(second.data.toString(), 'two');
  t.not(second.port, first.port);
  socket.close();
  server.close();
});

testUnless(noIPv6Loopback(), { serial: true })('a dual-stack socket hears IPv4 senders as "127.0.0.1:P" and answers them', async (t) => {
  const socket = mona.createUDPSocket();
  await socket.bindAsync('[::]:0');
  socket.onPacket = function (data, address) { this.send(data, address); };
  const client = await udpPeer();
  client.socket.send('mapped', socket.address?.port ?? 0, '127.0.0.1');
  const reply = await client.next();
  t.is(reply.data.toString(), 'mapped');
  socket.close();
  client.close();
});

test.serial('a connected socket told "port unreachable" reports ECONNREFUSED through onError', async (t) => {
  const gone = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => gone.bind(0, '127.0.0.1', () => resolve()));
  const port = gone.address().port;
  gone.close();
  const socket = mona.createUDPSocket();
  const failed = new Promise<string>((resolve) => { socket.onError = (_message, code) => resolve(code); });
  await socket.connectAsync('127.0.0.1', port);
  socket.send('anyone?');
  t.is(await within(failed, 5000, 'onError'), 'ECONNREFUSED');
  socket.close();
});

test.serial('queueing counts unsent datagrams and onFlush fires when they are out', async (t) => {
  const server = await udpPeer();
  const socket = mona.createUDPSocket();
  const flushed = new Promise<void>((resolve) => { socket.onFlush = () => resolve(); });
  socket.send(Buffer.alloc(1000), '127.0.0.1', server.port);
  t.is(socket.queueing, 1000);
  await within(flushed, 5000, 'onFlush');
  t.is(socket.queueing, 0);
  socket.close();
  server.close();
});

test.serial('send() then close(): the datagram still goes out', async (t) => {
  const server = await udpPeer();
  const socket = mona.createUDPSocket();
  await socket.connectAsync('127.0.0.1', server.port);
  socket.send('last words');
  socket.close();
  t.is((await server.next()).data.toString(), 'last words');
});

test.serial('close() during a bind in progress: no socket comes back to life', async (t) => {
  const socket = mona.createUDPSocket();
  const bound = socket.bindAsync('127.0.0.1', 0);
  socket.close();
  await t.throwsAsync(bound, { message: 'Socket closed' });
  t.is(socket.address, undefined);
});
