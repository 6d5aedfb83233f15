// tcp-client through proxies written in the test (SOCKS5, HTTP CONNECT with Basic and Digest): success with and
// without credentials, a refusal in the proxy's own words, a wrong password, and TLS through the tunnel.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { parseJsonLines, runCli } from '../helpers/cli.js';
import { closeAllPeers, closedPort, sha256, tcpPeer } from '../helpers/net.js';
import { httpConnectProxy, socks4Proxy, socks5Proxy, type ProxyPeer } from '../helpers/proxies.js';
import { makePki, tlsPeer } from '../helpers/tls.js';

const proxies: ProxyPeer[] = [];
const pki = makePki();
test.after.always(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await closeAllPeers();
  pki.remove();
});
const kept = <P extends ProxyPeer>(p: P): P => { proxies.push(p); return p; };
const exitReason = (stderr: string): unknown => parseJsonLines(stderr).find((e) => e.event === 'exit')?.reason;

test('SOCKS5 without credentials: 1 MiB round trip, the proxy resolves the name (remote DNS)', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const proxy = kept(await socks5Proxy());
  const data = randomBytes(1024 * 1024);
  const r = await runCli(['tcp-client', `localhost:${echo.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks5', '--log-format', 'json'], { stdin: data });
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(data));
  t.deepEqual(proxy.asked, [`localhost:${echo.port}`]);
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'connected')?.peer, `localhost:${echo.port}`, 'the peer is the target as given');
});

test('SOCKS5: a target that speaks first (a banner) loses nothing before the relay listens', async (t) => {
  const banner = randomBytes(200_000);
  const server = await tcpPeer((s) => s.end(banner));
  const proxy = kept(await socks5Proxy());
  const r = await runCli(['tcp-client', `127.0.0.1:${server.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks5'], { stdin: '' });
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(banner));
});

test('SOCKS5 --proxy-dns local: the proxy is given the address', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const proxy = kept(await socks5Proxy());
  const r = await runCli(['tcp-client', `localhost:${echo.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks5', '--proxy-dns', 'local', '-4'], { stdin: 'x' });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(proxy.asked, [`127.0.0.1:${echo.port}`]);
});

test('SOCKS5 with user/password', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const proxy = kept(await socks5Proxy({ user: 'alice', pass: 's3cret' }));
  const r = await runCli(['tcp-client', `127.0.0.1:${echo.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks5', '--proxy-auth', 'alice:s3cret'], { stdin: 'auth ok' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'auth ok');
});

test('SOCKS5 with a wrong password: one ERROR "authentication failed", exit 1, reason denied', async (t) => {
  const proxy = kept(await socks5Proxy({ user: 'alice', pass: 's3cret' }));
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks5', '--proxy-auth', 'alice:wrong', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /Unable to connect to 127\.0\.0\.1:9 through the socks5 proxy 127\.0\.0\.1:\d+ \(the proxy says: authentication failed/);
  t.is(exitReason(r.stderr), 'denied');
});

test('SOCKS5 refusal: the reply code in words ("connection refused"), exit 1, reason refused', async (t) => {
  const proxy = kept(await socks5Proxy({ refuse: 5 }));
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks5', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /\(the proxy says: connection refused\)/);
  t.is(exitReason(r.stderr), 'refused');
});

test('SOCKS5 "not allowed by ruleset": reason denied', async (t) => {
  const proxy = kept(await socks5Proxy({ refuse: 2 }));
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks5', '--log-format', 'json']);
  t.regex(r.errors[0] ?? '', /connection not allowed by ruleset/);
  t.is(exitReason(r.stderr), 'denied');
});

test('SOCKS4 resolves the name locally by default; --proxy-dns remote sends it as SOCKS4a; --proxy-auth is the user id', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const proxy = kept(await socks4Proxy());
  const local = await runCli(['tcp-client', `localhost:${echo.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks4', '-4', '--proxy-auth', 'ident:unused'], { stdin: 'four' });
  t.is(local.code, 0, local.stderr);
  t.is(local.stdout.toString(), 'four');
  const remote = await runCli(['tcp-client', `localhost:${echo.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks4', '--proxy-dns', 'remote'], { stdin: 'four-a' });
  t.is(remote.code, 0, remote.stderr);
  t.is(remote.stdout.toString(), 'four-a');
  t.deepEqual(proxy.asked, [`127.0.0.1:${echo.port}`, `localhost:${echo.port}`]);
  t.is(proxy.users[0], 'ident');
});

test('SOCKS4 refusal: "request rejected or failed", reason denied', async (t) => {
  const proxy = kept(await socks4Proxy());
  const port = await closedPort();
  const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks4', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /the proxy says: request rejected or failed/);
  t.is(exitReason(r.stderr), 'denied');
});

test('a proxy nobody listens on: "Unable to connect to the http proxy ... (connection refused)"', async (t) => {
  const port = await closedPort();
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--proxy', `127.0.0.1:${port}`]);
  t.is(r.code, 1);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', new RegExp(`Unable to connect to the http proxy 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
});

test('HTTP CONNECT (the default type) without credentials', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const proxy = kept(await httpConnectProxy());
  const r = await runCli(['tcp-client', `127.0.0.1:${echo.port}`, '--proxy', `127.0.0.1:${proxy.port}`], { stdin: 'through http' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'through http');
  t.deepEqual(proxy.asked, [`127.0.0.1:${echo.port}`]);
});

test('HTTP CONNECT Digest is preferred when the proxy offers Basic and Digest', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const proxy = kept(await httpConnectProxy({ user: 'bob', pass: 'pw', schemes: ['basic', 'digest'] }));
  const r = await runCli(['tcp-client', `127.0.0.1:${echo.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-auth', 'bob:pw'], { stdin: 'digest' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'digest');
  t.is(proxy.authorizations.length, 1);
  t.regex(proxy.authorizations[0] ?? '', /^Digest username="bob"/);
});

test('HTTP CONNECT Basic when only Basic is offered', async (t) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const proxy = kept(await httpConnectProxy({ user: 'bob', pass: 'pw', schemes: ['basic'] }));
  const r = await runCli(['tcp-client', `127.0.0.1:${echo.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'http', '--proxy-auth', 'bob:pw'], { stdin: 'basic' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'basic');
  t.regex(proxy.authorizations[0] ?? '', /^Basic /);
});

test('HTTP CONNECT with a wrong password: the proxy\'s status line, exit 1, reason denied', async (t) => {
  const proxy = kept(await httpConnectProxy({ user: 'bob', pass: 'pw', schemes: ['digest'] }));
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-auth', 'bob:nope', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /\(the proxy says: HTTP\/1\.1 407 Proxy Authentication Required\)/);
  t.is(exitReason(r.stderr), 'denied');
});

test('HTTP CONNECT refused: the status line in the ERROR', async (t) => {
  const proxy = kept(await httpConnectProxy({ status: '403 Forbidden' }));
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--proxy', `127.0.0.1:${proxy.port}`]);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1);
  t.regex(r.errors[0] ?? '', /through the http proxy 127\.0\.0\.1:\d+ \(the proxy says: HTTP\/1\.1 403 Forbidden\)/);
});

test('TLS through a SOCKS5 tunnel: verified against the target\'s name, not the proxy\'s', async (t) => {
  const secure = await tlsPeer({ cert: pki.server.cert, key: pki.server.key }, (s) => s.pipe(s));
  const proxy = kept(await socks5Proxy());
  const ca = pki.file('ca.pem', pki.ca.cert);
  const r = await runCli(['tcp-client', `localhost:${secure.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--proxy-type', 'socks5', '--ssl-trustfile', ca, '-v'], { stdin: 'secret' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'secret');
  t.regex(r.stderr, /INFO TLS with localhost:\d+: TLSv1\.3 .*CN=localhost.*verified/);
  await secure.close();
});

test('TLS through an HTTP tunnel to a self-signed server: refused in words, reason tls', async (t) => {
  const secure = await tlsPeer({ cert: pki.selfSigned.cert, key: pki.selfSigned.key }, (s) => s.pipe(s));
  const proxy = kept(await httpConnectProxy());
  const r = await runCli(['tcp-client', `localhost:${secure.port}`, '--proxy', `127.0.0.1:${proxy.port}`, '--ssl', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /self-signed certificate/);
  t.is(exitReason(r.stderr), 'tls');
  await secure.close();
});

test('--proxy-auth without --proxy on tcp-client: usage error', async (t) => {
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--proxy-auth', 'a:b']);
  t.is(r.code, 2);
  t.regex(r.errors[0] ?? '', /cannot use --proxy-auth without --proxy/);
});
