// Issue 11 #6: a port alone means one thing everywhere. `mona-nc tcp-server 1234`, `start(1234)`/`bind(1234)` in the
// library and in Lua and TS scripts all listen dual-stack where the system has IPv6: ::1 and 127.0.0.1 clients both.
import test from 'ava';
import dgram from 'node:dgram';
import { mona } from '../../src/mona/index.js';
import { startCli } from '../helpers/cli.js';
import { captureLog } from '../helpers/log.js';
import { closeAllPeers, connectTcp, readAll, within } from '../helpers/net.js';
import { script } from '../helpers/scripts.js';
import { noIPv6Loopback, testUnless } from '../helpers/skip.js';

captureLog();
test.after.always(closeAllPeers);
const dualTest = testUnless(noIPv6Loopback());

/** Send `text` to a TCP port on `host`, half-close, and read the answer until the FIN. */
async function tcpEcho(host: string, port: number, text: string): Promise<string> {
  const socket = await connectTcp(port, host);
  const answer = readAll(socket);
  socket.end(text);
  return (await within(answer, 5000, `answer over ${host}`)).toString();
}

/** One datagram to `host`:`port` from a socket of the matching family; the reply's text. */
async function udpEcho(host: string, port: number, text: string): Promise<string> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
    socket.send(text, port, host);
    return await within(reply, 5000, `UDP reply over ${host}`);
  } finally {
    socket.close();
  }
}

dualTest('library: TCPServer start(port) accepts IPv4 and IPv6 clients', async (t) => {
  const server = mona.createTCPServer();
  server.onConnection = (client) => { client.onData = function (data) { this.send(data); return 0; }; };
  const address = await server.startAsync(0);
  t.teardown(() => server.stop());
  t.is(address.host, '::');
  t.is(await tcpEcho('127.0.0.1', address.port, 'four'), 'four');
  t.is(await tcpEcho('::1', address.port, 'six'), 'six');
});

dualTest('library: TCPServer with ipv6Only and a port alone refuses IPv4 clients', async (t) => {
  const server = mona.createTCPServer({ ipv6Only: true });
  server.onConnection = (client) => { client.onData = function (data) { this.send(data); return 0; }; };
  const { port } = await server.startAsync(0);
  t.teardown(() => server.stop());
  t.is(await tcpEcho('::1', port, 'six'), 'six');
  const refused = connectTcp(port, '127.0.0.1');
  void refused.then((socket) => socket.destroy(), () => undefined);
  await t.throwsAsync(refused, { code: 'ECONNREFUSED' });
});

dualTest('library: UDPSocket bind(port) hears IPv4 and IPv6 senders and answers both', async (t) => {
  const socket = mona.createUDPSocket();
  socket.onPacket = function (data, address) { this.send(data, address); };
  const local = await socket.bindAsync(0);
  t.teardown(() => socket.close());
  t.is(local.host, '::');
  t.is(await udpEcho('127.0.0.1', local.port, 'four'), 'four');
  t.is(await udpEcho('::1', local.port, 'six'), 'six');
  // "0.0.0.0" said explicitly stays IPv4, as MonaServer's samples write it.
  const v4 = mona.createUDPSocket();
  t.teardown(() => v4.close());
  t.is((await v4.bindAsync('0.0.0.0', 0)).host, '0.0.0.0');
});

const LUA = `local server = mona:createTCPServer()
function server:onConnection(client)
  function client:onData(data) self:send(data) return 0 end
end
assert(server:start(0))
`;
const TS = `import { mona } from 'mona-nc';
const socket = mona.createUDPSocket();
socket.onPacket = function (data: Buffer, address: string) { this.send(data, address); };
socket.bind(0);
`;

dualTest('scripts: start(port) in Lua and bind(port) in TS listen dual-stack, like the CLI', async (t) => {
  for (const [file, transport] of [[script('dual.lua', LUA), 'tcp'], [script('dual.ts', TS), 'udp']] as const) {
    const cli = startCli(['run', file]);
    t.teardown(() => { cli.child.kill('SIGKILL'); });
    const line = await cli.waitLine(/listening on /);
    t.regex(line, /listening on \[::\]:\d+$/, file);
    const port = await cli.port();
    const echo = transport === 'tcp' ? tcpEcho : udpEcho;
    t.is(await echo('127.0.0.1', port, 'four'), 'four', transport);
    t.is(await echo('::1', port, 'six'), 'six', transport);
    cli.child.kill('SIGINT');
    t.is((await cli.done()).code, 130);
  }
  // The CLI: the same rule.
  const cli = startCli(['tcp-server', '0', '--echo']);
  t.teardown(() => { cli.child.kill('SIGKILL'); });
  const port = await cli.port();
  t.is(await tcpEcho('127.0.0.1', port, 'four'), 'four');
  t.is(await tcpEcho('::1', port, 'six'), 'six');
  cli.child.kill('SIGTERM');
  await cli.done();
});
