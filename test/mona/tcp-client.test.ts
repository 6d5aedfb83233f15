// TCPClient against plain Node peers: the seed's client sample, behaviour checks 8-14, the rest rule for real.
import test from 'ava';
import net from 'node:net';
import { ERROR, NOTE } from '../../src/log.js';
import { mona, MonaError, type TCPClient } from '../../src/mona/index.js';
import { captureLog, until } from '../helpers/log.js';
import { closeAllPeers, closedPort, delay, readAll, tcpPeer, within } from '../helpers/net.js';

const log = captureLog();
test.after.always(closeAllPeers);
const errorsSince = (n: number): string[] => log.slice(n).filter((l) => l.startsWith('ERROR'));

/** Resolves with (peer, error) at the client's onDisconnection. */
const disconnection = (client: TCPClient): Promise<{ peer: string | undefined; error: string | undefined; calls: () => number }> => {
  let calls = 0;
  return within(new Promise((resolve) => {
    client.onDisconnection = function (peer, error) {
      calls++;
      resolve({ peer, error, calls: () => calls });
    };
  }), 5000, 'onDisconnection');
};

test.serial('the seed TCP client sample: echoes what the server sends, then sees the disconnection', async (t) => {
  const received: Buffer[] = [];
  const peer = await tcpPeer((s) => {
    s.write('hello mona');
    s.on('data', (d: Buffer) => { received.push(d); if (Buffer.concat(received).length >= 10) s.end(); });
  });
  const mark = log.length;
  const socket = mona.createTCPClient();
  socket.onData = function (data) {
    NOTE('Reception from ' + this.peerAddress + ' to ' + this.address);
    this.send(data); // echo sample
    return 0; // all has been consumed here
  };
  const gone = new Promise<void>((resolve) => {
    socket.onDisconnection = function () {
      if (this.error) ERROR(this.error);
      NOTE('TCP disconnection');
      resolve();
    };
  });
  const ok = socket.connect('localhost', peer.port);
  if (!ok) ERROR(`Unable to connect to localhost:${peer.port}`);
  t.true(ok);
  await within(gone, 5000, 'disconnection');
  t.is(Buffer.concat(received).toString(), 'hello mona');
  const notes = log.slice(mark);
  t.true(notes.some((l) => new RegExp(`^NOTE Reception from 127\\.0\\.0\\.1:${peer.port} to 127\\.0\\.0\\.1:\\d+$`).test(l)), notes.join('\n'));
  t.true(notes.includes('NOTE TCP disconnection'));
  t.deepEqual(errorsSince(mark), []);
  t.false(socket.connected);
  await peer.close();
});

test.serial('a malformed address: connect() is false with one ERROR each (check 8)', (t) => {
  const mark = log.length;
  t.false(mona.createTCPClient().connect('127.0.0.1'));
  t.false(mona.createTCPClient().connect('127.0.0.1:99999'));
  t.deepEqual(errorsSince(mark), ["ERROR (method 'connect') Missing port number in 127.0.0.1", "ERROR (method 'connect') Invalid port 99999"]);
  const client = mona.createTCPClient();
  client.connect('127.0.0.1');
  t.is(client.error, 'Missing port number in 127.0.0.1', 'error tells why connect() was false');
});

test.serial('an unknown host: true, then onDisconnection with an error naming it (check 8)', async (t) => {
  const client = mona.createTCPClient();
  const gone = disconnection(client);
  t.true(client.connect('nosuch.invalid', 80));
  const { error } = await gone;
  t.is(error, 'Unable to connect to nosuch.invalid:80 (unknown host)');
  t.is(client.errorCode, 'ENOTFOUND');
});

test.serial('connected is true at once, peerAddress known (check 9)', async (t) => {
  const peer = await tcpPeer((s) => s.end());
  const client = mona.createTCPClient();
  const gone = disconnection(client);
  t.true(client.connect('127.0.0.1', peer.port));
  t.true(client.connected);
  t.is(String(client.peerAddress), `127.0.0.1:${peer.port}`);
  await gone;
  await peer.close();
});

test.serial('a closed port: true, then onDisconnection(peer, err) with self.error == err (check 10)', async (t) => {
  const port = await closedPort();
  const client = mona.createTCPClient();
  const gone = disconnection(client);
  t.true(client.connect(`127.0.0.1:${port}`));
  const { peer, error } = await gone;
  t.is(peer, `127.0.0.1:${port}`);
  t.is(error, `Unable to connect to 127.0.0.1:${port} (connection refused)`);
  t.is(client.error, error);
  t.false(client.connected);
});

test.serial('a graceful close by the peer: one onDisconnection, no error (check 11)', async (t) => {
  const peer = await tcpPeer((s) => s.end('bye'));
  const client = mona.createTCPClient();
  const gone = disconnection(client);
  client.connect('127.0.0.1', peer.port);
  const { error, calls } = await gone;
  await delay(50);
  t.is(error, undefined);
  t.is(client.error, undefined);
  t.is(calls(), 1);
  await peer.close();
});

test.serial('disconnect(): the peer sees EOF, onDisconnection follows its close (check 12)', async (t) => {
  let peerGot: Promise<Buffer> | undefined;
  const peer = await tcpPeer((s) => { peerGot = readAll(s).then((b) => { s.end(); return b; }); });
  const client = mona.createTCPClient();
  const gone = disconnection(client);
  await client.connectAsync('127.0.0.1', peer.port);
  client.send('last words');
  client.disconnect();
  t.true(client.connected, 'still connected until the peer closes');
  await gone;
  t.is((await within(peerGot ?? Promise.reject(new Error('no peer socket')), 5000, 'peer EOF')).toString(), 'last words');
  await peer.close();
});

test.serial('send() when never connected returns an error string and logs nothing (check 13)', (t) => {
  const mark = log.length;
  t.is(typeof mona.createTCPClient().send('x'), 'string');
  t.is(log.length, mark);
});

test.serial('idleTime grows, and a send resets it (check 14)', async (t) => {
  const peer = await tcpPeer(() => undefined);
  const client = mona.createTCPClient();
  await client.connectAsync('127.0.0.1', peer.port);
  await delay(60);
  const before = client.idleTime;
  t.true(before >= 50, `idleTime ${before}`);
  client.send('x');
  t.true(client.idleTime < before);
  client.close();
  await peer.close();
});

test.serial('the rest rule for real: a line-framing handler returns #data until it sees a newline', async (t) => {
  const peer = await tcpPeer(async (s) => {
    for (const part of ['hel', 'lo\nwor', 'ld\n', 'tail']) { s.write(part); await delay(20); }
    s.end();
  });
  const lines: string[] = [];
  const calls: string[] = [];
  const client = mona.createTCPClient();
  client.onData = (data) => {
    calls.push(data.toString());
    const nl = data.lastIndexOf(10);
    if (nl < 0) return data.length; // no full line yet: keep everything
    for (const line of data.subarray(0, nl).toString().split('\n')) lines.push(line);
    return data.length - nl - 1; // keep the partial line after the last newline
  };
  const gone = disconnection(client);
  client.connect('127.0.0.1', peer.port);
  await gone;
  t.deepEqual(lines, ['hello', 'world']);
  t.true(calls.includes('hello\nwor'), calls.join('|'));
  await peer.close();
});

test.serial('a rest growing past its cap closes the connection with an ERROR', async (t) => {
  const peer = await tcpPeer((s) => { s.write(Buffer.alloc(4096, 1)); });
  const mark = log.length;
  const client = mona.createTCPClient({ restCap: 1024 });
  client.onData = (data) => data.length;
  const gone = disconnection(client);
  client.connect('127.0.0.1', peer.port);
  const { error } = await gone;
  t.regex(error ?? '', /over its 1024-byte cap/);
  t.is(client.errorCode, 'ERR_REST_OVERFLOW');
  t.is(errorsSince(mark).length, 1);
  await peer.close();
});

test.serial('a throwing onData: ERROR, data dropped, the connection stays open', async (t) => {
  let answer: Promise<Buffer> | undefined;
  const peer = await tcpPeer((s) => {
    s.write('boom');
    setTimeout(() => { s.write('ok'); s.end(); }, 50);
    answer = readAll(s);
  });
  const mark = log.length;
  const client = mona.createTCPClient();
  client.onData = function (data) {
    if (data.toString() === 'boom') throw new Error('handler exploded');
    this.send(data);
    return 0;
  };
  const gone = disconnection(client);
  client.connect('127.0.0.1', peer.port);
  await gone;
  t.is((await within(answer ?? Promise.reject(new Error('no peer')), 5000, 'answer')).toString(), 'ok');
  t.deepEqual(errorsSince(mark), ['ERROR onData failed: handler exploded']);
  await peer.close();
});

test.serial('no onData: data is dropped silently', async (t) => {
  const peer = await tcpPeer((s) => s.end('ignored'));
  const mark = log.length;
  const client = mona.createTCPClient();
  const gone = disconnection(client);
  client.connect('127.0.0.1', peer.port);
  const { error } = await gone;
  t.is(error, undefined);
  t.is(client.bytesIn, 7);
  t.is(log.length, mark);
  await peer.close();
});

test.serial('connectAsync resolves when connected and rejects with a coded MonaError', async (t) => {
  const peer = await tcpPeer(() => undefined);
  const client = mona.createTCPClient();
  await client.connectAsync(`127.0.0.1:${peer.port}`);
  t.true(client.connected);
  t.truthy(client.address);
  t.false(await client.connectAsync('127.0.0.1', peer.port).then(() => true, () => false), 'already connected');
  client.close();
  const port = await closedPort();
  const err = await t.throwsAsync(mona.createTCPClient().connectAsync('127.0.0.1', port), { instanceOf: MonaError });
  t.is(err?.code, 'ECONNREFUSED');
  await t.throwsAsync(mona.createTCPClient().connectAsync('127.0.0.1'), { message: 'Missing port number in 127.0.0.1' });
  await peer.close();
});

test.serial('onEnd: after the peer half-closes, the client may still send', async (t) => {
  let got: Promise<Buffer> | undefined;
  const peer = await tcpPeer((s) => { got = readAll(s); s.end('question'); });
  const client = mona.createTCPClient();
  client.onData = () => 0;
  client.onEnd = function () {
    t.true(this.peerEnded);
    this.send('answer after FIN');
    this.disconnect();
  };
  const gone = disconnection(client);
  client.connect('127.0.0.1', peer.port);
  await gone;
  t.is((await within(got ?? Promise.reject(new Error('no peer')), 5000, 'peer data')).toString(), 'answer after FIN');
  await peer.close();
});

test.serial('queueing grows while the peer does not read, and onFlush fires once it drained', async (t) => {
  let peerSocket: net.Socket | undefined;
  const peer = await tcpPeer((s) => { peerSocket = s; s.pause(); });
  const client = mona.createTCPClient();
  await client.connectAsync('127.0.0.1', peer.port);
  await until(() => peerSocket !== undefined);
  const flushed = new Promise<void>((resolve) => { client.onFlush = () => resolve(); });
  for (let i = 0; i < 64; i++) client.send(Buffer.alloc(256 * 1024));
  t.true(client.queueing > 0);
  peerSocket?.resume();
  await within(flushed, 10000, 'onFlush');
  t.is(client.queueing, 0);
  client.close();
  await peer.close();
});

test.serial('connect() after disconnect(): the old connection flushes its queue and FINs, its onDisconnection runs in that call', async (t) => {
  const received: string[] = [];
  const ended: string[] = [];
  const first = await tcpPeer((s) => {
    s.on('data', (d: Buffer) => received.push(`first:${d.toString()}`));
    s.on('end', () => { ended.push('first'); setTimeout(() => s.end('late bytes'), 50); });
  });
  const second = await tcpPeer((s) => s.on('data', (d: Buffer) => received.push(`second:${d.toString()}`)));
  const client = mona.createTCPClient();
  const data: string[] = [];
  client.onData = (d) => { data.push(d.toString()); };
  const disconnections: Array<[string | undefined, boolean]> = [];
  client.onDisconnection = function (peer) { disconnections.push([peer, this.connected]); };
  await client.connectAsync('127.0.0.1', first.port);
  client.send('queued');
  client.disconnect();
  t.true(client.connect('127.0.0.1', second.port));
  t.deepEqual(disconnections, [[`127.0.0.1:${first.port}`, false]], 'the old connection\'s onDisconnection, at once');
  t.true(client.connected);
  client.send('new');
  await until(() => received.length === 2 && ended.length === 1, 5000);
  t.deepEqual(received.sort(), ['first:queued', 'second:new']);
  await delay(200);
  t.deepEqual(data, [], 'what the old connection receives is dropped');
  t.is(disconnections.length, 1);
  client.close();
});

test.serial('sendHighWater pauses reading while the send queue is over it; sendCap closes the connection with an ERROR', async (t) => {
  const MiB = 1024 * 1024;
  let peerSocket: net.Socket | undefined;
  const peer = await tcpPeer((s) => { peerSocket = s; s.pause(); });
  const client = mona.createTCPClient({ sendHighWater: 64 * 1024, sendCap: 8 * MiB });
  let got = 0;
  client.onData = (d) => { got += d.length; };
  await client.connectAsync('127.0.0.1', peer.port);
  await until(() => peerSocket !== undefined, 5000);
  // Fill our send queue (the peer does not read): reading stops, what the peer sends waits in the kernel.
  for (let i = 0; i < 4; i++) t.is(client.send(Buffer.alloc(MiB)), undefined);
  peerSocket?.write(Buffer.alloc(1000));
  await delay(300);
  t.is(got, 0, 'not read while the queue is past sendHighWater');
  const mark = log.length;
  const gone = disconnection(client);
  let answer: string | undefined;
  for (let i = 0; i < 16 && answer === undefined; i++) answer = client.send(Buffer.alloc(MiB));
  t.regex(answer ?? '', /^send queue over its 8388608-byte cap \(the peer does not read\)$/);
  t.regex((await gone).error ?? '', /send queue over its 8388608-byte cap/);
  t.deepEqual(errorsSince(mark).length, 1);
});

test.serial('flow control resumes reading once the queue has drained', async (t) => {
  const peer = await tcpPeer((s) => {
    s.pause();
    setTimeout(() => { s.resume(); s.write('after'); }, 300);
  });
  const client = mona.createTCPClient({ sendHighWater: 16 * 1024 });
  const got: string[] = [];
  client.onData = (d) => { got.push(d.toString()); };
  await client.connectAsync('127.0.0.1', peer.port);
  client.send(Buffer.alloc(4 * 1024 * 1024));
  await until(() => got.join('') === 'after', 5000);
  t.is(got.join(''), 'after');
  client.close();
});
