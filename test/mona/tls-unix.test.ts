// The library's TLS and Unix sockets: createTCPClient({ tls }), createTCPServer({ tls }), connect('/path.sock'),
// against each other and Node peers; and a JS script (mona-nc run) using them.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { mona, MonaError, type TCPClient, type TCPServer } from '../../src/mona/index.js';
import { runCli } from '../helpers/cli.js';
import { captureLog } from '../helpers/log.js';
import { readAll, within } from '../helpers/net.js';
import { script } from '../helpers/scripts.js';
import { makePki } from '../helpers/tls.js';

captureLog();
const pki = makePki();
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-lib-'));
const servers: TCPServer[] = [];
test.after.always(() => {
  for (const s of servers) s.stop();
  pki.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** An echo server of the library itself. */
function echoServer(options: Parameters<typeof mona.createTCPServer>[0]): TCPServer {
  const server = mona.createTCPServer(options);
  server.onConnection = (client) => {
    client.onData = function (data) {
      this.send(data);
      return 0;
    };
  };
  servers.push(server);
  return server;
}

/** Send `text`, resolve with the echo. */
function ask(client: TCPClient, text: string): Promise<string> {
  return within(new Promise((resolve) => {
    client.onData = (data) => { resolve(data.toString()); return 0; };
    client.send(text);
  }), 5000, 'echo');
}

test('createTCPServer({ tls }) and createTCPClient({ tls: { ca } }): verified, the echo comes back, client.tls tells what was negotiated', async (t) => {
  const server = echoServer({ tls: { cert: pki.server.cert, key: pki.server.key } });
  const { port } = await server.startAsync('127.0.0.1', 0);
  const client = mona.createTCPClient({ tls: { ca: pki.ca.cert } });
  await client.connectAsync('localhost', port);
  t.is(await ask(client, 'secure hello'), 'secure hello');
  t.is(client.tls?.protocol, 'TLSv1.3');
  t.is(client.tls?.subject, 'CN=localhost');
  t.is(client.tls?.fingerprint, pki.server.fingerprint);
  t.true(client.tls?.authorized);
  client.close();
});

test('createTCPClient({ tls: true }) refuses a self-signed server: connectAsync rejects with the reason in words', async (t) => {
  const server = echoServer({ tls: { cert: pki.selfSigned.cert, key: pki.selfSigned.key } });
  const { port } = await server.startAsync('127.0.0.1', 0);
  const client = mona.createTCPClient({ tls: true });
  const err = await t.throwsAsync(client.connectAsync('localhost', port), { instanceOf: MonaError });
  t.is(err?.message, `Unable to connect to localhost:${port} (self-signed certificate)`);
  t.is(err?.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
});

test('tls: { fingerprint } accepts exactly that certificate; connect() reports a mismatch through onDisconnection', async (t) => {
  const server = echoServer({ tls: { cert: pki.selfSigned.cert, key: pki.selfSigned.key } });
  const { port } = await server.startAsync('127.0.0.1', 0);
  const pinned = mona.createTCPClient({ tls: { fingerprint: pki.selfSigned.fingerprint.replace(/:/g, '') } });
  await pinned.connectAsync('127.0.0.1', port);
  t.is(await ask(pinned, 'pinned'), 'pinned');
  t.false(pinned.tls?.authorized, 'a pin is not a chain verification');
  pinned.close();
  const wrong = mona.createTCPClient({ tls: { fingerprint: pki.server.fingerprint } });
  const gone = within(new Promise<string | undefined>((resolve) => { wrong.onDisconnection = (_p, error) => resolve(error); }), 5000, 'onDisconnection');
  t.true(wrong.connect('127.0.0.1', port));
  t.regex((await gone) ?? '', /certificate fingerprint .* is not the pinned/);
  t.is(wrong.errorCode, 'ERR_TLS_FINGERPRINT');
});

test('a Unix socket path: TCPServer.startAsync(path) and TCPClient.connect(path); both addresses are the path', async (t) => {
  const path = join(dir, 'lib.sock');
  const server = echoServer({});
  const address = await server.startAsync(path);
  t.is(address.value, path);
  const client = mona.createTCPClient();
  await client.connectAsync(path);
  t.is(String(client.peerAddress), path);
  t.is(String(client.address), path);
  t.is(await ask(client, 'over unix'), 'over unix');
  client.close();
  // A Node peer on the same socket.
  const raw = net.connect({ path, allowHalfOpen: true });
  const back = readAll(raw);
  raw.end('node peer');
  t.is((await back).toString(), 'node peer');
});

test('a TLS server of the library with a Node tls client that sends no certificate while one is required: a WARN, the server goes on', async (t) => {
  const server = echoServer({ tls: { cert: pki.server.cert, key: pki.server.key, requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert } });
  const { port } = await server.startAsync('127.0.0.1', 0);
  const failed = await new Promise<string>((resolve) => {
    const s = tls.connect({ port, host: '127.0.0.1', ca: pki.ca.cert, servername: 'localhost' });
    s.on('error', (e: Error & { code?: string }) => resolve(e.code ?? ''));
    s.on('secureConnect', () => s.write('x'));
  });
  t.is(failed, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  const ok = mona.createTCPClient({ tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key } });
  await ok.connectAsync('localhost', port);
  t.is(await ask(ok, 'with a certificate'), 'with a certificate');
  ok.close();
});

test('a JS script (mona-nc run) uses createTCPClient({ tls }) and a Unix path', async (t) => {
  const path = join(dir, 'script.sock');
  const tlsServer = echoServer({ tls: { cert: pki.server.cert, key: pki.server.key } });
  const { port } = await tlsServer.startAsync('127.0.0.1', 0);
  const unixServer = echoServer({});
  await unixServer.startAsync(path);
  const file = script('tls-unix.mjs', `
    const ca = ${JSON.stringify(pki.ca.cert)};
    const ask = (client, text) => new Promise((resolve) => { client.onData = (d) => { resolve(d.toString()); client.close(); return 0; }; client.send(text); });
    const secure = mona.createTCPClient({ tls: { ca } });
    await secure.connectAsync('localhost', ${port});
    const protocol = secure.tls.protocol;
    const local = mona.createTCPClient();
    await local.connectAsync(${JSON.stringify(path)});
    process.stdout.write(await ask(secure, 'tls ') + await ask(local, 'unix') + ' ' + protocol);
  `);
  const r = await runCli(['run', file]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'tls unix TLSv1.3');
});
