// `mona-nc run app.lua`: the seed's Lua samples verbatim (port changed) with peers that are not mona-nc, and the
// MonaServer semantics scripts rely on.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { runCli, startCli } from '../helpers/cli.js';
import { closeAllPeers, connectTcp, delay, readAll, sha256, tcpPeer, udpPeer, within } from '../helpers/net.js';
import { script, withPort } from '../helpers/scripts.js';

test.after.always(closeAllPeers);

const lines = (stderr: string): string[] => stderr.split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, ''));

test('the seed TCP client sample: echoes the server, sees the disconnection, exits 0', async (t) => {
  const echoed: Buffer[] = [];
  const peer = await tcpPeer((s) => {
    s.write('hello mona');
    s.on('data', (d: Buffer) => { echoed.push(d); if (Buffer.concat(echoed).length >= 10) s.end(); });
  });
  const r = await runCli(['run', withPort('seed-tcp-client.lua', peer.port)]);
  t.is(r.code, 0, r.stderr);
  t.is(Buffer.concat(echoed).toString(), 'hello mona');
  const out = lines(r.stderr);
  t.true(out.some((l) => new RegExp(`^NOTE Reception from 127\\.0\\.0\\.1:${peer.port} to 127\\.0\\.0\\.1:\\d+$`).test(l)), r.stderr);
  t.true(out.includes('NOTE TCP disconnection'));
  // The page's sample tests `if err then` on connect()'s true/false: it logs this on success (docs/mona-api.md).
  t.true(out.includes(`ERROR Unable to connect to localhost:${peer.port}`));
});

test('the seed TCP server sample: echoes every byte value, NOTEs each reception', async (t) => {
  const cli = startCli(['run', withPort('seed-tcp-server.lua', 0)]);
  const port = await cli.port(15000);
  const payload = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(64 * 1024)]);
  const socket = await connectTcp(port);
  const answer = readAll(socket);
  socket.end(payload);
  t.is(sha256(await within(answer, 10000, 'echo')), sha256(payload));
  await cli.waitLine(/NOTE TCP client disconnection/);
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.is(r.code, 130);
  t.true(lines(r.stderr).some((l) => /^NOTE Reception from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+$/.test(l)));
  t.true(lines(r.stderr).some((l) => /^NOTE listening on (\[::\]|0\.0\.0\.0):\d+$/.test(l)));
});

test('the seed UDP echo server sample', async (t) => {
  const cli = startCli(['run', withPort('seed-udp-echo-server.lua', 0)]);
  const port = await cli.port(15000);
  const client = await udpPeer();
  client.socket.send(Buffer.from([0, 1, 2, 255, 0]), port, '127.0.0.1');
  t.deepEqual([...(await client.next(10000)).data], [0, 1, 2, 255, 0]);
  await cli.waitLine(new RegExp(`NOTE Reception from 127\\.0\\.0\\.1:${client.port}$`));
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('the seed UDP client sample: real local and peer addresses, the reply in onPacket', async (t) => {
  const server = await udpPeer(true);
  const cli = startCli(['run', withPort('seed-udp-client.lua', server.port)]);
  const opened = await cli.waitLine(/UDP socket opened on/, 15000);
  t.regex(opened, new RegExp(`NOTE UDP socket opened on 127\\.0\\.0\\.1:\\d+ connected to 127\\.0\\.0\\.1:${server.port}$`));
  await cli.waitLine(new RegExp(`NOTE Reception from 127\\.0\\.0\\.1:${server.port}: hello$`));
  t.is((await server.next()).data.toString(), 'hello');
  cli.child.kill('SIGINT');
  t.is((await cli.done()).code, 130);
});

test('the rest rule in Lua: return #data until a newline arrives', async (t) => {
  const file = script('lines.lua', `
    local server = mona:createTCPServer()
    function server:onConnection(client)
      function client:onData(data)
        local line, rest = data:match('^([^\\n]*)\\n(.*)$')
        if not line then return #data end
        self:send('<' .. line .. '>')
        return #rest
      end
    end
    server:start('127.0.0.1', 0)
  `);
  const cli = startCli(['run', file]);
  const socket = await connectTcp(await cli.port(15000));
  const answer = readAll(socket);
  for (const part of ['hel', 'lo\nwor', 'ld\nx\n']) { socket.write(part); await delay(30); }
  socket.end();
  t.is((await within(answer, 10000, 'lines')).toString(), '<hello><world><x>');
  cli.child.kill('SIGINT');
  await cli.done();
});

test('a throwing handler: ERROR with file and line, that connection and the others go on', async (t) => {
  const file = script('throws.lua', `
    local server = mona:createTCPServer()
    function server:onConnection(client)
      function client:onData(data)
        if data == 'boom' then error('exploded') end
        self:send(data)
      end
    end
    server:start('127.0.0.1:0')
  `);
  const cli = startCli(['run', file]);
  const port = await cli.port(15000);
  const first = await connectTcp(port);
  const firstAnswer = readAll(first);
  first.write('boom');
  const error = await cli.waitLine(/ERROR/);
  t.regex(error, /ERROR onData failed: .*throws\.lua:5: exploded$/);
  first.end('still open');
  const second = await connectTcp(port);
  const secondAnswer = readAll(second);
  second.end('second');
  t.is((await within(firstAnswer, 10000, 'first')).toString(), 'still open');
  t.is((await within(secondAnswer, 10000, 'second')).toString(), 'second');
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.is(r.errors.length, 1);
});

test('start() and bind() on ports in use: false with an ERROR, and the error message', async (t) => {
  const tcp = await tcpPeer(() => undefined);
  const udp = await udpPeer();
  const file = script('inuse.lua', `
    local server = mona:createTCPServer()
    NOTE('start: ', server:start('127.0.0.1', ${tcp.port}), ' running: ', server.running)
    local socket = mona:createUDPSocket()
    NOTE('bind: ', socket:bind('127.0.0.1:${udp.port}'))
    NOTE('bind bad port: ', socket:bind('127.0.0.1:99999'))
  `);
  const r = await runCli(['run', file]);
  t.is(r.code, 0, r.stderr);
  const out = lines(r.stderr);
  t.true(out.includes('NOTE start: (false) running: (false)'), r.stderr);
  t.deepEqual(r.errors.map((l) => l.replace(/^\S+ /, '')), [`ERROR (method 'start') Unable to listen on 127.0.0.1:${tcp.port} (address in use)`]);
  t.true(out.includes(`NOTE bind: Unable to bind to 127.0.0.1:${udp.port} (address in use)`), r.stderr);
  t.true(out.includes('NOTE bind bad port: Invalid port 99999'));
});

test('waits inside handlers and inside a script\'s own coroutine still get exact results', async (t) => {
  const udp = await udpPeer();
  const file = script('nested.lua', `
    local server = mona:createTCPServer()
    coroutine.wrap(function() NOTE('wrapped start: ', server:start('127.0.0.1', 0)) end)()
    function server:onConnection(client)
      function client:onData(data)
        local s = mona:createUDPSocket()
        self:send('bind in handler: ' .. tostring(s:bind('127.0.0.1', ${udp.port})))
        self:disconnect()
      end
    end
  `);
  const cli = startCli(['run', file]);
  t.regex(await cli.waitLine(/wrapped start/, 15000), /NOTE wrapped start: \(true\)$/);
  const socket = await connectTcp(await cli.port());
  const answer = readAll(socket);
  socket.write('go');
  t.is((await within(answer, 10000, 'answer')).toString(), `bind in handler: Unable to bind to 127.0.0.1:${udp.port} (address in use)`);
  socket.end();
  cli.child.kill('SIGINT');
  await cli.done();
});

test('--on-data consumed reads the return value as MonaServer 1.x did', async (t) => {
  const peer = await tcpPeer((s) => { s.write('AB'); setTimeout(() => s.end('CD'), 200); });
  const file = script('consumed.lua', `
    local client = mona:createTCPClient()
    function client:onData(data)
      NOTE('got ', data)
      if data == 'AB' then return 0 end
      if data == 'ABCD' then return 1 end
      return #data
    end
    client:connect('127.0.0.1', ${peer.port})
  `);
  const r = await runCli(['run', '--on-data', 'consumed', file]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(lines(r.stderr).filter((l) => l.startsWith('NOTE got')), ['NOTE got AB', 'NOTE got ABCD', 'NOTE got BCD']);
});

test('onStart after the main chunk, onManage every 2 s, onStop on SIGINT before the sockets close', async (t) => {
  const file = script('app.lua', `
    socket = mona:createUDPSocket()
    socket:bind('127.0.0.1', 0)
    NOTE('main')
    function onStart(path) NOTE('onStart [', path, ']') end
    function onManage() NOTE('onManage') end
    function onStop() NOTE('onStop, socket bound: ', socket.address ~= nil) end
  `);
  const cli = startCli(['run', file]);
  await cli.waitLine(/NOTE onManage/, 10000);
  cli.child.kill('SIGINT');
  const r = await cli.done();
  t.is(r.code, 130);
  const out = lines(r.stderr).filter((l) => /main|onStart|onStop/.test(l));
  t.deepEqual(out, ['NOTE main', 'NOTE onStart []', 'NOTE onStop, socket bound: (true)']);
});

const scriptFails = test.macro({
  async exec(t, text: string, pattern: RegExp) {
    const r = await runCli(['run', script('fails.lua', text)]);
    t.is(r.code, 1, r.stderr);
    t.is(r.errors.length, 1, r.stderr);
    t.regex(r.errors[0] ?? '', pattern);
    t.false(/\n\s+at /.test(r.stderr));
  },
  title: (given) => given ?? 'script error',
});

test('a syntax error: one ERROR with file:line, exit 1', scriptFails, 'local x = = 2', /fails\.lua:1: unexpected symbol near '='$/);
test('an error in the main chunk: one ERROR with file:line, exit 1', scriptFails, 'NOTE("a")\nlocal t\nprint(t.x)', /fails\.lua:3: attempt to index a nil value/);
test('MonaServer globals mona-nc lacks fail by name', scriptFails, 'for _, c in pairs(mona.clients) do end', /fails\.lua:1: mona\.clients is not supported by mona-nc/);

test('a missing script: exit 1; an unknown extension: exit 2', async (t) => {
  const missing = await runCli(['run', 'no-such-script.lua']);
  t.is(missing.code, 1);
  t.regex(missing.errors[0] ?? '', /Unable to read no-such-script\.lua \(no such file\)/);
  t.is((await runCli(['run', 'app.py'])).code, 2);
  t.is((await runCli(['run', '--on-data', 'both', 'a.lua'])).code, 2);
});

test('MonaServer semantics: dot calls, read-only properties, log arguments, addresses', async (t) => {
  const file = script('semantics.lua', `
    local s = mona:createUDPSocket()
    NOTE('dot call returns ', s.bind('127.0.0.1:0'))
    s.address = 'x'
    NOTE('a', 1, nil, true, 1.5, 2^53)
    s:bind('127.0.0.1', 0)
    local a = s.address
    NOTE('host=', a.host, ' port>0=', a.port > 0, ' v6=', a.isIPv6, ' eq=', a == s.address, ' cat=', ('at ' .. a) == ('at ' .. tostring(a)))
    s:close()
  `);
  const r = await runCli(['run', file]);
  t.is(r.code, 0, r.stderr);
  const out = lines(r.stderr);
  t.true(out.includes("ERROR (method 'bind') call it with ':', as in object:bind(...)"), r.stderr);
  t.true(out.includes('NOTE dot call returns '), 'a dot call returns nothing (not even nil)');
  t.true(out.includes('WARN UDPSocket.address is read-only: assignment ignored'));
  t.true(out.includes('NOTE a1(null)(true)1.59.007199254741e+15'));
  t.true(out.includes('NOTE host=127.0.0.1 port>0=(true) v6=(false) eq=(true) cat=(true)'), r.stderr);
});

test('Lua 5.1 compatibility for LuaJIT-era scripts, and arg', async (t) => {
  const file = script('compat.lua', `
    NOTE(unpack({1, 2}), ' ', loadstring('return 3')(), ' ', table.getn({1, 2, 3}), ' ', math.pow(2, 10), ' ', math.mod(7, 3))
    NOTE(bit.band(0xff, 0x0f), ' ', bit.bor(1, 2, 4), ' ', bit.lshift(1, 31), ' ', bit.rshift(-1, 28), ' ', bit.tohex(255), ' ', bit.bxor(5, 1))
    local function f() return x end
    setfenv(f, {x = 'from env'})
    NOTE(f(), ' ', getfenv(f).x)
    NOTE(arg[0]:match('compat.lua$') ~= nil, ' ', arg[1], ' ', arg[2], ' ', select('#', ...))
  `);
  const r = await runCli(['run', file, 'one', '--two']);
  t.is(r.code, 0, r.stderr);
  const out = lines(r.stderr);
  t.true(out.includes('NOTE 1 3 3 1024 1'), r.stderr);
  t.true(out.includes('NOTE 15 7 -2147483648 15 000000ff 4'), r.stderr);
  t.true(out.includes('NOTE from env from env'));
  t.true(out.includes('NOTE (true) one --two 2'));
});
