// TCPServer against plain Node clients: the seed's server sample and behaviour checks 15-19.
import test from 'ava';
import net from 'node:net';
import { NOTE } from '../../src/log.js';
import { mona, MonaError, type TCPClient } from '../../src/mona/index.js';
import { captureLog, until } from '../helpers/log.js';
import { closeAllPeers, connectTcp, readAll, tcpPeer, within } from '../helpers/net.js';
import { noIPv6Loopback, testUnless } from '../helpers/skip.js';

const log = captureLog();
test.after.always(closeAllPeers);

/** Send `text` from a Node client, half-close, and read the answer until the server's FIN. */
async function exchange(port: number, text: string): Promise<string> {
  const socket = await connectTcp(port);
  const answer = readAll(socket);
  socket.end(text);
  return (await within(answer, 5000, 'answer')).toString();
}

test.serial('the seed TCP server sample: echoes every client, each client a TCPClient', async (t) => {
  const mark = log.length;
  const server = mona.createTCPServer();
  const disconnections: string[] = [];
  server.onConnection = function (client) {
    // Here we have a TCPClient object, same usage as TCPClient
    client.onData = function (data) {
      NOTE('Reception from ' + this.peerAddress + ' to ' + this.address);
      this.send(data); // echo sample
      return 0; // return rest (all has been consumed here)
    };
    client.onDisconnection = function () {
      NOTE('TCP client disconnection');
      disconnections.push('x');
    };
  };
  t.true(server.start(0)); // start the server on a free port (the seed uses 1234)
  await until(() => server.running);
  const port = server.address?.port ?? 0;
  t.true(port > 0);
  t.is(await exchange(port, 'ping'), 'ping');
  t.is(await exchange(port, 'pong'), 'pong');
  await until(() => disconnections.length === 2);
  t.true(log.slice(mark).some((l) => /^NOTE Reception from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+$/.test(l)));
  server.stop();
});

test.serial('start(0): running, a real port, an address that prints and concatenates (check 15)', async (t) => {
  const server = mona.createTCPServer();
  const address = await server.startAsync(0);
  t.true(server.running);
  t.true(address.port > 0);
  t.is(String(server.address), `[::]:${address.port}`);
  t.is('on ' + server.address, `on [::]:${address.port}`);
  t.true(server.start(0), 'same address while running: nothing to do');
  t.is(server.address?.port, address.port);
  server.stop();
  t.false(server.running);
  t.is(server.address, undefined);
});

test.serial('a port held by someone else: ERROR, onError, not running (check 16)', async (t) => {
  const holder = await tcpPeer(() => undefined);
  const mark = log.length;
  const server = mona.createTCPServer();
  const failed = new Promise<string>((resolve) => { server.onError = (message) => resolve(message); });
  t.true(server.start('127.0.0.1', holder.port), 'the address is valid: Node learns the failure later');
  const message = await within(failed, 5000, 'onError');
  t.is(message, `Unable to listen on 127.0.0.1:${holder.port} (address in use)`);
  t.false(server.running);
  t.deepEqual(log.slice(mark).filter((l) => l.startsWith('ERROR')), [`ERROR (method 'start') ${message}`]);
  const err = await t.throwsAsync(mona.createTCPServer().startAsync('127.0.0.1', holder.port), { instanceOf: MonaError });
  t.is(err?.code, 'EADDRINUSE');
  t.false(mona.createTCPServer().start('127.0.0.1:99999'));
  await holder.close();
});

test.serial('no onConnection: accepted connections are closed at once (check 17)', async (t) => {
  const server = mona.createTCPServer();
  const { port } = await server.startAsync('127.0.0.1', 0);
  const socket = await connectTcp(port);
  socket.on('error', () => undefined);
  const data = await within(readAll(socket).catch(() => Buffer.alloc(0)), 5000, 'close');
  t.is(data.length, 0);
  socket.destroy();
  server.stop();
});

test.serial('onConnection comes before the client\'s first onData (check 18)', async (t) => {
  const order: string[] = [];
  const server = mona.createTCPServer();
  server.onConnection = (client) => {
    order.push('connection');
    client.onData = () => { order.push('data'); return 0; };
  };
  const { port } = await server.startAsync('127.0.0.1', 0);
  const socket = net.connect(port, '127.0.0.1');
  socket.write('early bytes');
  await until(() => order.includes('data'));
  t.deepEqual(order.slice(0, 2), ['connection', 'data']);
  socket.destroy();
  server.stop();
});

test.serial('stop(): not running, an accepted client still echoes (check 19)', async (t) => {
  const server = mona.createTCPServer();
  let accepted: TCPClient | undefined;
  server.onConnection = (client) => {
    accepted = client;
    client.onData = function (data) { this.send(data); return 0; };
  };
  const { port } = await server.startAsync('127.0.0.1', 0);
  const socket = await connectTcp(port);
  await until(() => accepted !== undefined);
  server.stop();
  t.false(server.running);
  const answer = readAll(socket);
  socket.end('still here');
  t.is((await within(answer, 5000, 'echo')).toString(), 'still here');
});

test.serial('a throwing onConnection: ERROR, that client is closed, the server goes on', async (t) => {
  const mark = log.length;
  const server = mona.createTCPServer();
  let n = 0;
  server.onConnection = (client) => {
    if (++n === 1) throw new Error('first one fails');
    client.onData = function (data) { this.send(data); return 0; };
  };
  const { port } = await server.startAsync('127.0.0.1', 0);
  t.is(await exchange(port, 'lost'), '');
  t.is(await exchange(port, 'served'), 'served');
  t.deepEqual(log.slice(mark).filter((l) => l.startsWith('ERROR')), ['ERROR onConnection failed: first one fails']);
  server.stop();
});

testUnless(noIPv6Loopback(), { serial: true })('an IPv6 listener on [::1]', async (t) => {
  const server = mona.createTCPServer();
  server.onConnection = (client) => { client.onData = function (data) { this.send(data); return 0; }; };
  const address = await server.startAsync('[::1]:0');
  t.is(String(address), `[::1]:${address.port}`);
  const socket = await connectTcp(address.port, '::1');
  const answer = readAll(socket);
  socket.end('v6');
  t.is((await within(answer, 5000, 'echo')).toString(), 'v6');
  server.stop();
});
