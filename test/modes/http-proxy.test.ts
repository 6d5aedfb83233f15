// tcp-server --proxy-type http: curl through it (GET, POST, HEAD, CONNECT tunnels, 407 with Basic and Digest),
// mona-nc's own client through it, and a Node http origin behind it.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { runCli, startCli, type Running } from '../helpers/cli.js';
import { closeAllPeers, sha256, tcpPeer } from '../helpers/net.js';

const curlVersion = spawnSync('curl', ['--version'], { encoding: 'utf8' });
const hasCurl = curlVersion.status === 0;
const withCurl = hasCurl ? test : test.skip;
if (!hasCurl) test('curl through the proxy server', (t) => { t.log('skipped: curl is not installed'); t.pass(); });
const httpsProxy = hasCurl && /HTTPS-proxy/.test(curlVersion.stdout);
const withHttpsProxy = httpsProxy ? test : test.skip;
if (hasCurl && !httpsProxy) test('curl through an HTTPS proxy', (t) => { t.log('skipped: this curl has no HTTPS-proxy feature'); t.pass(); });
const servers: Running[] = [];
let origin: { port: number; server: http.Server };

test.before(async () => {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.setHeader('X-Seen-Proxy-Auth', String(req.headers['proxy-authorization'] ?? 'none'));
      res.end(`${req.method} ${req.url} ${body.length} ${body.length ? sha256(body) : ''}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  origin = { port: (server.address() as net.AddressInfo).port, server };
});
test.after.always(async () => {
  for (const s of servers) s.child.kill('SIGKILL');
  origin.server.closeAllConnections();
  origin.server.close();
  await closeAllPeers();
});

async function proxyServer(args: string[] = []): Promise<{ cli: Running; port: number }> {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--proxy-type', 'http', ...args]);
  servers.push(cli);
  return { cli, port: await cli.port() };
}

/** Run curl; its stdout, stderr and status. */
function curl(args: string[], input?: Buffer): Promise<{ code: number | null; out: Buffer; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['-s', '-S', '--max-time', '10', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code, out: Buffer.concat(out), err }));
  });
}

withCurl('curl GET through the proxy: the origin sees an origin-form request; many requests in a row (-k implied)', async (t) => {
  const { port } = await proxyServer();
  for (let i = 0; i < 3; i++) {
    const r = await curl(['-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${origin.port}/page?n=${i}`]);
    t.is(r.code, 0, r.err);
    t.is(r.out.toString(), `GET /page?n=${i} 0 `);
  }
});

withCurl('curl POST of 2 MiB through the proxy: the body arrives whole', async (t) => {
  const { port } = await proxyServer();
  const body = randomBytes(2 * 1024 * 1024);
  const r = await curl(['-x', `http://127.0.0.1:${port}`, '--data-binary', '@-', '-H', 'Content-Type: application/octet-stream', `http://127.0.0.1:${origin.port}/upload`], body);
  t.is(r.code, 0, r.err);
  t.is(r.out.toString(), `POST /upload ${body.length} ${sha256(body)}`);
});

withCurl('curl HEAD through the proxy (-k given too, as ncat command lines have it)', async (t) => {
  const { port } = await proxyServer(['-k']);
  const r = await curl(['-I', '-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${origin.port}/head`]);
  t.is(r.code, 0, r.err);
  t.regex(r.out.toString(), /^HTTP\/1\.1 200 OK/);
});

withCurl('curl CONNECT tunnel (-p) through the proxy', async (t) => {
  const { port } = await proxyServer();
  const r = await curl(['-p', '-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${origin.port}/tunnelled`]);
  t.is(r.code, 0, r.err);
  t.is(r.out.toString(), 'GET /tunnelled 0 ');
});

withCurl('--proxy-auth: 407 with Digest and Basic challenges without credentials; curl with Digest and with Basic gets through', async (t) => {
  const { port } = await proxyServer(['--proxy-auth', 'carol:pa55']);
  const url = `http://127.0.0.1:${origin.port}/private`;
  const none = await curl(['-i', '-x', `http://127.0.0.1:${port}`, url]);
  t.regex(none.out.toString(), /^HTTP\/1\.1 407 Proxy Authentication Required/);
  t.regex(none.out.toString(), /Proxy-Authenticate: Digest realm="mona-nc", nonce="[^"]+", qop="auth"/);
  t.regex(none.out.toString(), /Proxy-Authenticate: Basic realm="mona-nc"/);
  const wrong = await curl(['-i', '-x', `http://127.0.0.1:${port}`, '--proxy-user', 'carol:nope', '--proxy-basic', url]);
  t.regex(wrong.out.toString(), /^HTTP\/1\.1 407/);
  const basic = await curl(['-x', `http://127.0.0.1:${port}`, '--proxy-user', 'carol:pa55', '--proxy-basic', url]);
  t.is(basic.out.toString(), 'GET /private 0 ', basic.err);
  const digest = await curl(['-x', `http://127.0.0.1:${port}`, '--proxy-user', 'carol:pa55', '--proxy-digest', url]);
  t.is(digest.out.toString(), 'GET /private 0 ', digest.err);
  const tunnel = await curl(['-p', '-x', `http://127.0.0.1:${port}`, '--proxy-user', 'carol:pa55', '--proxy-digest', url]);
  t.is(tunnel.out.toString(), 'GET /private 0 ', tunnel.err);
});

withHttpsProxy('an HTTPS proxy (--ssl on the proxy server): curl --proxy https:// with the ephemeral certificate', async (t) => {
  const { port } = await proxyServer(['--ssl']);
  const r = await curl(['--proxy-insecure', '-x', `https://127.0.0.1:${port}`, `http://127.0.0.1:${origin.port}/over-tls`]);
  t.is(r.code, 0, r.err);
  t.is(r.out.toString(), 'GET /over-tls 0 ');
});

withCurl('the proxy never forwards Proxy-Authorization to the origin', async (t) => {
  const { port } = await proxyServer(['--proxy-auth', 'carol:pa55']);
  const r = await curl(['-i', '-x', `http://127.0.0.1:${port}`, '--proxy-user', 'carol:pa55', '--proxy-basic', `http://127.0.0.1:${origin.port}/x`]);
  t.regex(r.out.toString(), /X-Seen-Proxy-Auth: none/i);
});

test('mona-nc tcp-client --proxy through mona-nc\'s proxy server, with Digest: 1 MiB to an echo server', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const { port } = await proxyServer(['--proxy-auth', 'dave:pw']);
  const data = randomBytes(1024 * 1024);
  const r = await runCli(['tcp-client', `127.0.0.1:${echo.port}`, '--proxy', `127.0.0.1:${port}`, '--proxy-auth', 'dave:pw'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(data));
  const refused = await runCli(['tcp-client', `127.0.0.1:${echo.port}`, '--proxy', `127.0.0.1:${port}`, '--proxy-auth', 'dave:bad']);
  t.is(refused.code, 1);
  t.regex(refused.errors[0] ?? '', /the proxy says: HTTP\/1\.1 407 Proxy Authentication Required/);
});

test('a target nobody listens on: 502 Bad Gateway with the reason, and the proxy goes on', async (t) => {
  const { cli, port } = await proxyServer();
  const dead = await tcpPeer(() => undefined);
  await dead.close();
  const r = await runCli(['tcp-client', `127.0.0.1:${dead.port}`, '--proxy', `127.0.0.1:${port}`]);
  t.is(r.code, 1);
  t.regex(r.errors[0] ?? '', /502 Bad Gateway/);
  await cli.waitLine(/WARN proxy: Unable to connect to 127\.0\.0\.1:\d+ \(connection refused\)/);
  const echo = await tcpPeer((s) => s.pipe(s));
  const ok = await runCli(['tcp-client', `127.0.0.1:${echo.port}`, '--proxy', `127.0.0.1:${port}`], { stdin: 'still up' });
  t.is(ok.stdout.toString(), 'still up', ok.stderr);
});

test('a client refused with 407 that uploads 64 MiB anyway: dropped, the proxy\'s memory stays flat', async (t) => {
  const { cli, port } = await proxyServer(['--proxy-auth', 'a:b']);
  const { connectTcp } = await import('../helpers/net.js');
  const { peakRss } = await import('../helpers/proc.js');
  const socket = await connectTcp(port);
  let reply = '';
  socket.on('data', (c: Buffer) => { reply += c.toString(); });
  socket.write(`POST http://127.0.0.1:${origin.port}/big HTTP/1.1\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 64 && !socket.destroyed; i++) if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
  socket.end();
  await new Promise((r) => socket.once('close', r));
  t.regex(reply, /^HTTP\/1\.1 407/);
  const rss = cli.child.pid === undefined ? undefined : peakRss(cli.child.pid);
  if (rss !== undefined) t.true(rss < 120 * 1024 * 1024, `peak RSS ${rss}`);
});

test('a request that is not a proxy request: 400; an unknown method: 405', async (t) => {
  const { port } = await proxyServer();
  const ask = async (text: string): Promise<string> => (await runCli(['tcp-client', `127.0.0.1:${port}`], { stdin: text })).stdout.toString();
  t.regex(await ask('GET /relative HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request/);
  t.regex(await ask('DELETE http://127.0.0.1:1/ HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 405 Method Not Allowed/);
});

test('--proxy-type socks5 on tcp-server, and --proxy-auth without --proxy-type: usage errors', async (t) => {
  const socks = await runCli(['tcp-server', '0', '--proxy-type', 'socks5']);
  t.is(socks.code, 2);
  t.regex(socks.errors[0] ?? '', /a server can only be an http proxy/);
  const auth = await runCli(['tcp-server', '0', '--proxy-auth', 'a:b']);
  t.is(auth.code, 2);
  t.regex(auth.errors[0] ?? '', /cannot use --proxy-auth without --proxy-type http/);
  const echo = await runCli(['tcp-server', '0', '--proxy-type', 'http', '--echo']);
  t.is(echo.code, 2);
  t.regex(echo.errors[0] ?? '', /cannot use --proxy-type and --echo/);
  const linger = await runCli(['tcp-server', '0', '--proxy-type', 'http', '--linger', '1']);
  t.is(linger.code, 2);
  t.regex(linger.errors[0] ?? '', /cannot use --proxy-type and --linger/);
});

test('SIGTERM stops the proxy with its tunnels: exit 143', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const { cli, port } = await proxyServer(['-v']);
  const client = startCli(['tcp-client', `127.0.0.1:${echo.port}`, '--proxy', `127.0.0.1:${port}`], { stdin: 'pipe' });
  servers.push(client);
  await cli.waitLine(/accepted #1/);
  await new Promise((r) => setTimeout(r, 200));
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
  client.child.stdin?.end();
  t.is((await client.done()).code, 0);
});
