// Scripts written the way real MonaServer applications are (onReception, re-targeting clients, require beside the
// script, binary headers read with data:byte, INFO payload logs, the utility API), each driven by Node peers (issue 12).
import test from 'ava';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type net from 'node:net';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, readAll, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { script } from '../helpers/scripts.js';

test.after.always(closeAllPeers);

const lines = (stderr: string): string[] => stderr.split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, ''));

test('a socket demo whose handlers are onReception (TCP client, TCP server, UDP), as MonaServer 2014 apps wrote them', async (t) => {
  const upstream = await tcpPeer((s) => s.write('from upstream'));
  const file = script('onreception.lua', `
    socket = mona:createTCPClient()
    function socket:onReception(data)
      INFO('TCPClient::Reception ', data)
      return 0
    end
    socket:connect('127.0.0.1', ${upstream.port})
    server = mona:createTCPServer()
    function server:onConnection(client)
      function client:onReception(data)
        INFO('TCPServer::Reception from ', self.peerAddress, ': ', data)
        self:send(data)
        return 0
      end
    end
    server:start('127.0.0.1', 0)
    udp = mona:createUDPSocket()
    function udp:onReception(data, address) self:send('udp:' .. data, address) end
    udp:bind('127.0.0.1', 0)
    NOTE('udp on ', udp.address)
  `);
  const cli = startCli(['run', file]);
  const tcpPort = await cli.port(15000);
  await cli.waitLine(/INFO TCPClient::Reception from upstream$/);
  const udpPort = Number(/udp on 127\.0\.0\.1:(\d+)/.exec(await cli.waitLine(/udp on /))?.[1]);
  const socket = await connectTcp(tcpPort);
  const answer = readAll(socket);
  socket.end(Buffer.from([0, 1, 2, 255]));
  t.deepEqual([...(await within(answer, 10000, 'echo'))], [0, 1, 2, 255]);
  await cli.waitLine(/INFO TCPServer::Reception from 127\.0\.0\.1:\d+: /);
  const client = await udpPeer();
  client.socket.send('ping', udpPort, '127.0.0.1');
  t.is((await client.next(10000)).data.toString(), 'udp:ping');
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.is(r.code, 130);
  t.false(r.stderr.includes('WARN'), r.stderr);
});

test('a handler name mona-nc never calls (onDta) gets one WARN naming it; data then goes nowhere, visibly', async (t) => {
  const file = script('typo.lua', `
    local server = mona:createTCPServer()
    function server:onConnection(client)
      function client:onDta(data) self:send(data) end
    end
    function server:onConect() end
    server:start('127.0.0.1', 0)
  `);
  const cli = startCli(['run', file]);
  const port = await cli.port(15000);
  for (let i = 0; i < 2; i++) {
    const s = await connectTcp(port);
    const done = readAll(s);
    s.end('x');
    await within(done, 10000, 'close');
  }
  cli.child.kill('SIGINT');
  const r = await cli.done();
  const warns = lines(r.stderr).filter((l) => l.startsWith('WARN'));
  t.deepEqual(warns, [
    'WARN TCPServer.onConect is not an event mona-nc calls: it will never run (TCPServer events: onConnection, onError)',
    'WARN TCPClient.onDta is not an event mona-nc calls: it will never run (TCPClient events: onData, onDisconnection, onReception)',
  ]);
});

test('in a TS script too: a misspelt handler gets one WARN when its event finds no handler', async (t) => {
  const file = script('typo.ts', `
    const server = mona.createTCPServer();
    server.onConnection = (client) => { (client as unknown as Record<string, unknown>).onDta = () => undefined; };
    await server.startAsync('127.0.0.1', 0);
    NOTE('tcp on ', server.address);
    const udp = mona.createUDPSocket();
    (udp as unknown as Record<string, unknown>).onPackett = () => undefined;
    await udp.bindAsync('127.0.0.1', 0);
    NOTE('udp on ', udp.address);
  `);
  const cli = startCli(['run', file]);
  const port = Number(/tcp on 127\.0\.0\.1:(\d+)/.exec(await cli.waitLine(/tcp on /, 15000))?.[1]);
  const udpPort = Number(/udp on 127\.0\.0\.1:(\d+)/.exec(await cli.waitLine(/udp on /))?.[1]);
  const s = await connectTcp(port);
  s.write('one');
  await delay(100);
  s.end('two');
  const sender = await udpPeer();
  sender.socket.send('x', udpPort, '127.0.0.1');
  sender.socket.send('y', udpPort, '127.0.0.1');
  await cli.waitLine(/UDPSocket\.onPackett/);
  await delay(200);
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.deepEqual(lines(r.stderr).filter((l) => l.startsWith('WARN')).sort(), [
    'WARN TCPClient.onDta is not an event mona-nc calls: it will never run (TCPClient events: onData, onDisconnection, onFlush, onEnd)',
    'WARN UDPSocket.onPackett is not an event mona-nc calls: it will never run (UDPSocket events: onPacket, onError, onFlush)',
  ]);
});

test('a client that re-targets itself with disconnect() + connect() on each message: every message reaches its server', async (t) => {
  const got: string[][] = [[], []];
  const peers = await Promise.all([0, 1].map((i) => tcpPeer((s) => {
    s.on('data', (d: Buffer) => got[i]?.push(d.toString()));
    s.on('end', () => s.end());
  })));
  // MonaServer's websocket-to-TCP demo: on each message, `if socket.connected then socket:disconnect() end`,
  // connect, send. Here the messages come from a UDP socket and alternate between two servers.
  const file = script('retarget.lua', `
    socket = mona:createTCPClient()
    function socket:onDisconnection() NOTE('disconnection ', self.connected) end
    local ports = {${peers[0]?.port}, ${peers[1]?.port}}
    local n = 0
    udp = mona:createUDPSocket()
    function udp:onPacket(data, address)
      n = n + 1
      socket:send(data .. '-tail')
      if socket.connected then socket:disconnect() end
      local ok = socket:connect('127.0.0.1', ports[n % 2 + 1])
      NOTE('connect ', ok)
      socket:send(data)
    end
    udp:bind('127.0.0.1', 0)
    NOTE('udp on ', udp.address)
  `);
  const cli = startCli(['run', file]);
  const udpPort = Number(/udp on 127\.0\.0\.1:(\d+)/.exec(await cli.waitLine(/udp on /, 15000))?.[1]);
  const sender = await udpPeer();
  for (const m of ['m1', 'm2', 'm3', 'm4']) {
    sender.socket.send(m, udpPort, '127.0.0.1');
    await delay(150);
  }
  await delay(300);
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.is(r.code, 130, r.stderr);
  t.deepEqual(r.errors, []);
  // m1 went to server 1 (index 1), m2 to server 0, ...; each tail ('m2-tail') went out on the old connection first.
  t.deepEqual([got[1]?.join(''), got[0]?.join('')], ['m1m2-tailm3m4-tail', 'm2m3-tailm4']);
  t.is(lines(r.stderr).filter((l) => l === 'NOTE connect (true)').length, 4);
  t.is(lines(r.stderr).filter((l) => l === 'NOTE disconnection (false)').length, 3, 'one onDisconnection per replaced connection');
});

test('connect() on a connection never disconnected keeps its answer: false and one ERROR', async (t) => {
  const peer = await tcpPeer((s) => s.on('end', () => s.end()));
  const file = script('twice.lua', `
    local c = mona:createTCPClient()
    NOTE('first ', c:connect('127.0.0.1', ${peer.port}))
    NOTE('second ', c:connect('127.0.0.1', ${peer.port}))
    c:disconnect()
  `);
  const r = await runCli(['run', file]);
  t.is(r.code, 0, r.stderr);
  t.true(lines(r.stderr).includes('NOTE first (true)'));
  t.true(lines(r.stderr).includes('NOTE second (false)'));
  t.deepEqual(r.errors.map((l) => l.replace(/^\S+ /, '')), ["ERROR (method 'connect') Socket is already connected"]);
});

test('reconnecting from onDisconnection still works (the reconnect pattern of MonaServer\'s tests)', async (t) => {
  let accepted = 0;
  const peer = await tcpPeer((s) => {
    accepted++;
    s.end(`bye ${accepted}`);
  });
  const file = script('reconnect.lua', `
    local tries = 0
    socket = mona:createTCPClient()
    function socket:onData(data) INFO('got ', data) end
    function socket:onDisconnection(peer, err)
      tries = tries + 1
      if tries < 3 then socket:connect('127.0.0.1', ${peer.port}) end
    end
    socket:connect('127.0.0.1', ${peer.port})
  `);
  const r = await runCli(['run', file]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(lines(r.stderr).filter((l) => l.startsWith('INFO got')), ['INFO got bye 1', 'INFO got bye 2', 'INFO got bye 3']);
});

test('modules beside the script: require("utilTests"), MonaServer\'s require("utilTests.lua"), dofile, loadfile; path is ""', async (t) => {
  const main = script('app.lua', `
    local util = require('utilTests')
    local again = require('utilTests')
    INFO('require: ', util.double(21), ' cached ', util == again, ' loads ', UTIL_LOADS)
    local twice = require('utilTests.lua')
    INFO('.lua form: ', twice.double(2), ' loads ', UTIL_LOADS)
    INFO('dofile: ', dofile('data.lua').name, ' loadfile: ', loadfile('data.lua')().name)
    INFO('missing: ', pcall(require, 'nowhere'))
    INFO('path [', path, ']')
    function onStart(p) INFO('onStart [', p, ']') end
  `);
  const dir = dirname(main);
  writeFileSync(join(dir, 'utilTests.lua'), 'UTIL_LOADS = (UTIL_LOADS or 0) + 1\nlocal M = {}\nfunction M.double(x) return x * 2 end\nreturn M\n');
  writeFileSync(join(dir, 'data.lua'), 'return { name = "beside" }\n');
  // Run from elsewhere: the modules are found beside the script, not in the current directory.
  const r = await runCli(['run', main], { cwd: '/' });
  t.is(r.code, 0, r.stderr);
  const out = lines(r.stderr);
  t.true(out.includes('INFO require: 42 cached (true) loads 1'), r.stderr);
  t.true(out.includes('INFO .lua form: 4 loads 2'), r.stderr);
  t.true(out.includes('INFO dofile: beside loadfile: beside'), r.stderr);
  t.true(out.some((l) => /^INFO missing: \(false\)module 'nowhere' not found:/.test(l)), r.stderr);
  t.true(out.includes('INFO path []'));
  t.true(out.includes('INFO onStart []'));
});

test('a UDP receiver parsing binary headers with data:byte (an RTP stream, as the GStreamer receiver does)', async (t) => {
  const file = script('rtp.lua', `
    local receiver = mona:createUDPSocket()
    function receiver:onPacket(data, address)
      local b1, b2 = data:byte(1, 2)
      local version, marker, ptype = bit.rshift(b1, 6), bit.rshift(b2, 7), bit.band(b2, 0x7f)
      local seq = data:byte(3) * 256 + data:byte(4)
      local ts = ((data:byte(5) * 256 + data:byte(6)) * 256 + data:byte(7)) * 256 + data:byte(8)
      INFO('v', version, ' m', marker, ' pt', ptype, ' seq ', seq, ' ts ', ts, ' payload ', #data - 12)
    end
    receiver:bind('127.0.0.1', 0)
  `);
  const cli = startCli(['run', file]);
  const port = await cli.port(15000);
  const sender = await udpPeer();
  const header = (seq: number, marker: boolean): Buffer => {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | 96;
    h.writeUInt16BE(seq, 2);
    h.writeUInt32BE(0xfffffff0 + (seq & 1), 4);
    h.writeUInt32BE(0x12345678, 8);
    return h;
  };
  sender.socket.send(Buffer.concat([header(65534, false), Buffer.alloc(100, 0xff)]), port, '127.0.0.1');
  sender.socket.send(Buffer.concat([header(65535, true), Buffer.alloc(3)]), port, '127.0.0.1');
  await cli.waitLine(/seq 65535/);
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.deepEqual(lines(r.stderr).filter((l) => l.startsWith('INFO v')), [
    'INFO v2 m0 pt96 seq 65534 ts 4294967280 payload 100',
    'INFO v2 m1 pt96 seq 65535 ts 4294967281 payload 3',
  ]);
});

test('a server logging payloads with INFO: shown by default under run; mona-nc\'s lifecycle lines only with -v', async (t) => {
  const file = script('info.lua', `
    local server = mona:createTCPServer()
    function server:onConnection(client)
      function client:onData(data) INFO('payload: ', data); DEBUG('debug: ', data); NOTE('seen') end
    end
    server:start('127.0.0.1', 0)
  `);
  const drive = async (args: string[]): Promise<string[]> => {
    const cli = startCli(['run', ...args, file]);
    const s = await connectTcp(await cli.port(15000));
    s.write('hello');
    await cli.waitLine(/NOTE seen/);
    s.destroy();
    cli.child.kill('SIGINT');
    return lines((await cli.done()).stderr);
  };
  const plain = await drive([]);
  t.true(plain.includes('INFO payload: hello'));
  t.false(plain.some((l) => l.startsWith('DEBUG')));
  t.false(plain.some((l) => /^INFO exit|^INFO accepted/.test(l)), plain.join('\n'));
  const quiet = await drive(['--log-level', 'note']);
  t.false(quiet.includes('INFO payload: hello'), 'a level chosen by a flag holds for the script too');
  const debug = await drive(['-vv']);
  t.true(debug.includes('DEBUG debug: hello'));
});

test('after SIGINT and onStop, sockets close silently: no onDisconnection, no onData (Lua and TS)', async (t) => {
  const lua = script('stop.lua', `
    local server = mona:createTCPServer()
    function server:onConnection(client)
      function client:onData(data) NOTE('data ', data) end
      function client:onDisconnection() NOTE('disconnection') end
    end
    server:start('127.0.0.1', 0)
    function onStop() NOTE('onStop') end
  `);
  const ts = script('stop.ts', `
    const server = mona.createTCPServer();
    server.onConnection = (client) => {
      client.onData = (data: Buffer) => { NOTE('data ', data.toString()); };
      client.onDisconnection = () => { NOTE('disconnection'); };
    };
    server.start('127.0.0.1', 0);
    export function onStop(): void { NOTE('onStop'); }
  `);
  for (const file of [lua, ts]) {
    const cli = startCli(['run', file]);
    const s: net.Socket = await connectTcp(await cli.port(15000));
    s.write('before');
    await cli.waitLine(/NOTE data before/);
    // The peer keeps talking and closes during the shutdown.
    s.on('error', () => undefined);
    s.on('end', () => { s.write('late'); s.end(); });
    cli.child.kill('SIGINT');
    const r = await cli.done();
    t.is(r.code, 130, r.stderr);
    const after = lines(r.stderr).slice(lines(r.stderr).indexOf('NOTE onStop'));
    t.deepEqual(after, ['NOTE onStop'], `${file}: ${r.stderr}`);
  }
});

test('mona:toJSON/fromJSON with MonaServer\'s mapping: the functional tests\' tables round-trip, arrays and nil', async (t) => {
  const file = script('json.lua', `
    -- MonaServer's FunctionalTests tabSerialize
    local tabSerialize = {
      {10,10,100,100}, {x=10,y=10,width=100,height=100}, {x=10,y=10,100,100}, {x={10,10,10,10}},
      {x={width=100,height=100,100,100}}, {x={100,100,width=100,height=100}}, {a=1,b=2,3,4,x={{{1,2,3}}}},
    }
    for i, value in ipairs(tabSerialize) do
      local result = mona:toJSON(value)
      NOTE(i, ' ', result, ' ', mona:toJSON(mona:fromJSON(result)) == result)
    end
    NOTE('args ', mona:toJSON(1, 'two', nil, true, 2.5))
    local a, b, c, d = mona:fromJSON('[1, "two", null, {"k": [true, false]}]')
    NOTE('from ', a, ' ', b, ' ', c, ' ', d.k[1], ' ', d.k[2])
    NOTE('object ', mona:fromJSON('{"name":"x","n":3}').name)
    NOTE('escapes ', mona:toJSON('q"b\\\\n\\n\\1'), ' ', mona:fromJSON('["\\\\u00e9\\\\n"]') == '\\195\\169\\n')
    NOTE('bytes ', mona:toJSON({__raw = '\\0\\1\\2'}), ' ', mona:fromJSON('[{"__raw":"AAEC"}]').__raw == '\\0\\1\\2')
    NOTE('date ', mona:toJSON({__time = 1400000000123}), ' ', mona:fromJSON('["2014-05-13T16:53:20.123Z"]').__time)
  `);
  const r = await runCli(['run', file]);
  t.is(r.code, 0, r.stderr);
  const out = lines(r.stderr).filter((l) => l.startsWith('NOTE'));
  t.deepEqual(out.slice(0, 7), [
    'NOTE 1 [[10,10,100,100]] (true)',
    'NOTE 2 [{"height":100,"width":100,"x":10,"y":10}] (true)',
    'NOTE 3 [[{"x":10,"y":10},100,100]] (true)',
    'NOTE 4 [{"x":[10,10,10,10]}] (true)',
    'NOTE 5 [{"x":[{"height":100,"width":100},100,100]}] (true)',
    'NOTE 6 [{"x":[{"height":100,"width":100},100,100]}] (true)',
    'NOTE 7 [[{"a":1,"b":2,"x":[[[1,2,3]]]},3,4]] (true)',
  ]);
  t.true(out.includes('NOTE args [1,"two",null,true,2.5]'));
  t.true(out.includes('NOTE from 1 two (null) (true) (false)'));
  t.true(out.includes('NOTE object x'));
  t.true(out.includes('NOTE escapes ["q\\"b\\\\n\\n\\u0001"] (true)'), out.join('\n'));
  t.true(out.includes('NOTE bytes [{"__raw":"AAEC"}] (true)'));
  t.true(out.includes('NOTE date ["2014-05-13T16:53:20.123Z"] 1400000000123'));
});

test('mona:fromJSON of malformed text: an ERROR and nothing, the handler goes on', async (t) => {
  const r = await runCli(['run', script('badjson.lua', "NOTE('got ', select('#', mona:fromJSON('{\"a\":')), ' after')")]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.errors.map((l) => l.replace(/^\S+ /, '')), ["ERROR (method 'fromJSON') JSON malformed, a value expected, the text ends at byte 6"]);
  t.true(lines(r.stderr).includes('NOTE got 0 after'));
});

test('mona:toXML/fromXML (MonaServer\'s LUAXML mapping), md5/sha256 raw bytes, time in ms', async (t) => {
  const file = script('xml.lua', `
    local doc = mona:fromXML('<?xml version="1.0"?>\\n<document>\\n  <article>\\n    <p>This is the first paragraph.</p>\\n    <h2 class=\\'opt\\'>Title with opt style</h2>\\n  </article>\\n  <article><p>Some <b>important</b> text.</p><br/></article>\\n</document>')
    NOTE('version ', doc.xml.version, ' first ', doc.document.article.p.__value, ' same ', doc[1][1][1][1])
    NOTE('class ', doc.document.article.h2.class, ' second ', doc.document[2].p[1], '|', doc.document[2].p.b.__value, '|', doc.document[2].p[3])
    NOTE(mona:toXML({xml = {version = '1.0'}, {__name = 'root', id = 7, 'text', {__name = 'leaf'}}}))
    NOTE('bad ', pcall(mona.fromXML, mona, '<a><b></a>'))
    local md5, sha = mona:md5('abc'), mona:sha256('abc')
    NOTE('md5 ', #md5, ' ', (md5:gsub('.', function(c) return string.format('%02x', c:byte()) end)))
    NOTE('sha256 ', (sha:gsub('.', function(c) return string.format('%02x', c:byte()) end)))
    local t0 = mona:time()
    NOTE('time ', math.type(t0), ' ', math.abs(t0 - os.time() * 1000) < 2000)
  `);
  const r = await runCli(['run', file]);
  t.is(r.code, 0, r.stderr);
  const out = lines(r.stderr);
  t.true(out.includes('NOTE version 1.0 first This is the first paragraph. same This is the first paragraph.'), r.stderr);
  t.true(out.includes('NOTE class opt second Some|important|text.'), r.stderr);
  t.true(out.includes('NOTE <?xml version="1.0" ?><root id="7" >text<leaf /></root>'), r.stderr);
  t.true(out.some((l) => /^NOTE bad \(false\).*XML end element is not the 'b' expected/.test(l)), r.stderr);
  t.true(out.includes(`NOTE md5 16 ${createHash('md5').update('abc').digest('hex')}`));
  t.true(out.includes(`NOTE sha256 ${createHash('sha256').update('abc').digest('hex')}`));
  t.true(out.includes('NOTE time integer (true)'));
});

test('bind() and UDP send() results: nil or the message by default; true/false (and an ERROR) under --on-data consumed', async (t) => {
  const taken = await udpPeer();
  const file = script('bind.lua', `
    local a = mona:createUDPSocket()
    NOTE('bind ', a:bind('127.0.0.1', 0))
    local b = mona:createUDPSocket()
    NOTE('bind in use ', b:bind('127.0.0.1', ${taken.port}))
    NOTE('send ', a:send('x', '127.0.0.1', ${taken.port}), ' unconnected send ', a:send('x'))
    a:close()
  `);
  const page = await runCli(['run', file]);
  t.is(page.code, 0, page.stderr);
  const p = lines(page.stderr);
  t.true(p.includes('NOTE bind (null)'), page.stderr);
  t.true(p.includes(`NOTE bind in use Unable to bind to 127.0.0.1:${taken.port} (address in use)`));
  t.true(p.includes('NOTE send (null) unconnected send Socket not connected: send() needs an address'));
  t.deepEqual(page.errors, []);
  const legacy = await runCli(['run', '--on-data', 'consumed', file]);
  t.is(legacy.code, 0, legacy.stderr);
  const l = lines(legacy.stderr);
  t.true(l.includes('NOTE bind (true)'), legacy.stderr);
  t.true(l.includes('NOTE bind in use (false)'));
  t.true(l.includes('NOTE send (true) unconnected send (false)'));
  t.deepEqual(legacy.errors.map((e) => e.replace(/^\S+ /, '')), [
    `ERROR (method 'bind') Unable to bind to 127.0.0.1:${taken.port} (address in use)`,
    "ERROR (method 'send') Socket not connected: send() needs an address",
  ]);
});
