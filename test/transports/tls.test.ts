// TLS with real peers: a Node tls server on a test CA made in the test, openssl s_server/s_client where installed,
// and mona-nc's own TLS server. Verification on by default, each failure in words (exit reason tls), pins, mTLS.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { parseJsonLines, runCli, startCli as start, type CliOptions, type Running } from '../helpers/cli.js';
import { readAll, sha256, within } from '../helpers/net.js';
import { makePki, tlsPeer, type TlsPeer } from '../helpers/tls.js';

const pki = makePki();
const caFile = pki.file('ca.pem', pki.ca.cert);
const clientCert = pki.file('client.pem', pki.client.cert);
const clientKey = pki.file('client.key', pki.client.key);
const serverCert = pki.file('server.pem', pki.server.cert);
const serverKey = pki.file('server.key', pki.server.key);
const peers: TlsPeer[] = [];
const running: Running[] = [];
/** A CLI that is killed after the tests even when one fails half-way. */
const startCli = (args: readonly string[], options?: CliOptions): Running => {
  const cli = start(args, options);
  running.push(cli);
  return cli;
};
test.after.always(async () => {
  for (const cli of running) cli.child.kill('SIGKILL');
  await Promise.all(peers.map((p) => p.close()));
  pki.remove();
});

/** A tls echo server with `cert` (and any other options). */
async function echoPeer(options: tls.TlsOptions): Promise<TlsPeer> {
  const peer = await tlsPeer(options, (s) => s.pipe(s));
  peers.push(peer);
  return peer;
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const withOpenssl = hasOpenssl ? test : test.skip;
if (!hasOpenssl) test('openssl s_server/s_client as peers', (t) => { t.log('skipped: openssl is not installed'); t.pass(); });

test('--ssl verifies the chain and the name against --ssl-trustfile: 1 MiB round trip', async (t) => {
  const peer = await echoPeer({ cert: pki.server.cert, key: pki.server.key });
  const data = randomBytes(1024 * 1024);
  const r = await runCli(['tcp-client', `localhost:${peer.port}`, '--ssl', '--ssl-trustfile', caFile], { stdin: data });
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(data));
  t.deepEqual(r.errors, []);
  t.deepEqual(peer.servernames, ['localhost'], 'SNI names the host');
});

test('--ssl-trustfile alone implies --ssl; an IP target is checked against the IP names, with no SNI', async (t) => {
  const peer = await echoPeer({ cert: pki.server.cert, key: pki.server.key });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--ssl-trustfile', caFile], { stdin: 'ping' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'ping');
  t.deepEqual(peer.servernames, [undefined]);
});

const refused = test.macro(async (t, cert: 'expired' | 'selfSigned' | 'unknownIssuer' | 'wrongName', words: RegExp, extra: string[] = []) => {
  const peer = await echoPeer({ cert: pki[cert].cert, key: pki[cert].key });
  const r = await runCli(['tcp-client', `localhost:${peer.port}`, '--ssl-trustfile', caFile, '--log-format', 'json', ...extra], { stdin: 'x' });
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', words);
  t.regex(r.errors[0] ?? '', new RegExp(`Unable to connect to localhost:${peer.port} \\(`));
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.reason, 'tls');
  t.is(r.stdout.length, 0);
  t.false(/\n\s+at /.test(r.stderr), 'no stack trace');
});

test('an expired certificate: one ERROR "certificate has expired", exit 1, reason tls', refused, 'expired', /certificate has expired/);
test('a self-signed certificate: "self-signed certificate", reason tls', refused, 'selfSigned', /self-signed certificate/);
test('a certificate from an unknown CA: "unknown issuer", reason tls', refused, 'unknownIssuer', /unknown issuer/);
test('a host name mismatch names the certificate\'s names', refused, 'wrongName', /host name mismatch: localhost is not among the certificate's names \(DNS:example\.com, DNS:www\.example\.com\)/);

test('ncat\'s --ssl-verify is accepted (verification is already on), and implies --ssl', async (t) => {
  const peer = await echoPeer({ cert: pki.server.cert, key: pki.server.key });
  const ok = await runCli(['tcp-client', `localhost:${peer.port}`, '--ssl-verify', '--ssl-trustfile', caFile], { stdin: 'verify' });
  t.is(ok.stdout.toString(), 'verify', ok.stderr);
  const conflict = await runCli(['tcp-client', `localhost:${peer.port}`, '--ssl-verify', '--insecure']);
  t.is(conflict.code, 2);
  t.regex(conflict.errors[0] ?? '', /cannot use --ssl-verify and --insecure|cannot use --insecure and --ssl-verify/);
});

test('without --ssl-trustfile the system store is used: a test-CA certificate is an unknown issuer', async (t) => {
  const peer = await echoPeer({ cert: pki.server.cert, key: pki.server.key });
  const r = await runCli(['tcp-client', `localhost:${peer.port}`, '--ssl'], { stdin: 'x' });
  t.is(r.code, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /unknown issuer/);
});

test('--insecure: one WARN, and the data flows from a self-signed server', async (t) => {
  const peer = await echoPeer({ cert: pki.selfSigned.cert, key: pki.selfSigned.key });
  const r = await runCli(['tcp-client', `localhost:${peer.port}`, '--insecure'], { stdin: 'hello' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'hello');
  t.is(r.stderrLines.filter((l) => / WARN /.test(l)).length, 1, r.stderr);
  t.regex(r.stderr, /WARN --insecure: the server's certificate is not verified/);
});

test('--ssl-servername: the SNI sent and the name checked', async (t) => {
  const peer = await echoPeer({ cert: pki.wrongName.cert, key: pki.wrongName.key });
  const r = await runCli(['tcp-client', `127.0.0.1:${peer.port}`, '--ssl-trustfile', caFile, '--ssl-servername', 'www.example.com'], { stdin: 'sni' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'sni');
  t.deepEqual(peer.servernames, ['www.example.com']);
});

test('--ssl-alpn and -v: one INFO line with protocol, cipher, subject, SHA-256 fingerprint and the ALPN result', async (t) => {
  const peer = await echoPeer({ cert: pki.server.cert, key: pki.server.key, ALPNProtocols: ['h2', 'http/1.1'] });
  const r = await runCli(['tcp-client', `localhost:${peer.port}`, '--ssl-trustfile', caFile, '--ssl-alpn', 'x-unknown,http/1.1', '-v'], { stdin: 'a' });
  t.is(r.code, 0, r.stderr);
  const line = r.stderrLines.find((l) => / INFO TLS with /.test(l)) ?? '';
  t.regex(line, /TLSv1\.[23] \S+, certificate CN=localhost, SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}, ALPN http\/1\.1, verified/);
  t.true(line.includes(pki.server.fingerprint), line);
});

test('an ALPN list the server does not share: one ERROR, reason tls', async (t) => {
  const peer = await echoPeer({ cert: pki.server.cert, key: pki.server.key, ALPNProtocols: ['h2'] });
  const r = await runCli(['tcp-client', `localhost:${peer.port}`, '--ssl-trustfile', caFile, '--ssl-alpn', 'x-other', '--log-format', 'json'], { stdin: 'a' });
  t.is(r.code, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /ALPN/);
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.reason, 'tls');
});

test('a plain TCP server: "does not speak TLS" or a closed handshake, reason tls', async (t) => {
  const { tcpPeer } = await import('../helpers/net.js');
  const plain = await tcpPeer((s) => s.end('HTTP/1.0 400 Bad Request\r\n\r\n'));
  const r = await runCli(['tcp-client', `127.0.0.1:${plain.port}`, '--ssl', '--log-format', 'json']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /does not speak TLS|during the TLS handshake/);
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.reason, 'tls');
  await plain.close();
});

/** A mona-nc TLS server; its port and the fingerprint from its NOTE. */
async function monaServer(args: string[]): Promise<{ cli: ReturnType<typeof startCli>; port: number; note: string }> {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--ssl', ...args]);
  const port = await cli.port();
  return { cli, port, note: cli.child.spawnargs.join(' ') };
}

test('the ephemeral certificate: its fingerprint NOTE equals what the client sees, and --ssl-fingerprint accepts the logged string verbatim', async (t) => {
  const { cli, port } = await monaServer(['--echo']);
  const note = await cli.waitLine(/ephemeral certificate, SHA-256/);
  const fingerprint = /SHA-256 (\S+)/.exec(note)?.[1] ?? '';
  t.regex(fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  // What a Node client sees.
  const seen = await new Promise<string>((resolve, reject) => {
    const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => { resolve(s.getPeerCertificate().fingerprint256); s.destroy(); });
    s.on('error', reject);
  });
  t.is(seen, fingerprint);
  const r = await runCli(['tcp-client', `127.0.0.1:${port}`, '--ssl-fingerprint', fingerprint, '-v'], { stdin: 'pinned' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), 'pinned');
  t.true(r.stderr.includes(`SHA-256 ${fingerprint}`));
  // 64 hex digits without colons, lower case: the same pin.
  const bare = await runCli(['tcp-client', `127.0.0.1:${port}`, '--ssl-fingerprint', fingerprint.replace(/:/g, '').toLowerCase()], { stdin: 'bare' });
  t.is(bare.stdout.toString(), 'bare', bare.stderr);
  // Without the pin, the self-signed certificate is refused.
  const unpinned = await runCli(['tcp-client', `127.0.0.1:${port}`, '--ssl'], { stdin: 'x' });
  t.is(unpinned.code, 1);
  t.regex(unpinned.errors[0] ?? '', /self-signed certificate/);
  cli.child.kill('SIGTERM');
  await cli.done();
});

test('--ssl-fingerprint of another certificate: exit 1, reason tls, both fingerprints named', async (t) => {
  const peer = await echoPeer({ cert: pki.server.cert, key: pki.server.key });
  const wrong = pki.selfSigned.fingerprint;
  const r = await runCli(['tcp-client', `localhost:${peer.port}`, '--ssl-fingerprint', wrong, '--log-format', 'json'], { stdin: 'x' });
  t.is(r.code, 1, r.stderr);
  t.true((r.errors[0] ?? '').includes(pki.server.fingerprint) && (r.errors[0] ?? '').includes(wrong), r.errors[0]);
  t.is(parseJsonLines(r.stderr).find((e) => e.event === 'exit')?.reason, 'tls');
});

test('a bad --ssl-fingerprint is a usage error (exit 2)', async (t) => {
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--ssl-fingerprint', 'AB:CD']);
  t.is(r.code, 2);
  t.regex(r.errors[0] ?? '', /--ssl-fingerprint AB:CD: not a SHA-256 fingerprint/);
});

test('mutual TLS: --ssl-verify-client accepts a client certificate of the CA and refuses a client without one', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--ssl-cert', serverCert, '--ssl-key', serverKey, '--ssl-verify-client', '--ssl-trustfile', caFile, '--echo', '-v']);
  const port = await cli.port();
  const ok = await runCli(['tcp-client', `localhost:${port}`, '--ssl-trustfile', caFile, '--ssl-cert', clientCert, '--ssl-key', clientKey], { stdin: 'mutual' });
  t.is(ok.code, 0, ok.stderr);
  t.is(ok.stdout.toString(), 'mutual');
  await cli.waitLine(/INFO TLS with #1: .*certificate CN=test client/);
  // TLS 1.3 refuses a client certificate after the handshake: the client learns it at its next read (stdin open).
  const bareCli = startCli(['tcp-client', `localhost:${port}`, '--ssl-trustfile', caFile, '--log-format', 'json'], { stdin: 'pipe' });
  const bare = await bareCli.done(8000);
  bareCli.child.stdin?.destroy();
  t.is(bare.code, 1, bare.stderr);
  t.regex(bare.errors[0] ?? '', /the server requires a client certificate/);
  t.is(parseJsonLines(bare.stderr).find((e) => e.event === 'exit')?.reason, 'tls');
  await cli.waitLine(/WARN TLS handshake failed with 127\.0\.0\.1:\d+ \(the client sent no certificate\)/);
  // The server goes on.
  const again = await runCli(['tcp-client', `localhost:${port}`, '--ssl-trustfile', caFile, '--ssl-cert', clientCert, '--ssl-key', clientKey], { stdin: 'again' });
  t.is(again.stdout.toString(), 'again', again.stderr);
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

test('tcp-server --ssl-alpn: the server picks from its list (a Node client offers two)', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--ssl', '--ssl-alpn', 'h2,http/1.1', '--echo', '-v']);
  const port = await cli.port();
  const agreed = await within(new Promise<string | false>((resolve, reject) => {
    // It waits for its echo before closing: a client gone during the server's half of the handshake is never a peer.
    const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['x-other', 'http/1.1'] }, () => s.end('x'));
    s.on('data', () => resolve(s.alpnProtocol ?? false));
    s.on('error', reject);
  }), 5000, 'handshake');
  t.is(agreed, 'http/1.1');
  await cli.waitLine(/INFO TLS with #1: .*ALPN http\/1\.1/);
  cli.child.kill('SIGTERM');
  await cli.done();
});

test('--ssl-verify-client without --ssl-trustfile: usage error', async (t) => {
  const r = await runCli(['tcp-server', '127.0.0.1:0', '--ssl-verify-client']);
  t.is(r.code, 2);
  t.regex(r.errors[0] ?? '', /--ssl-verify-client without --ssl-trustfile/);
});

test('an unreadable --ssl-trustfile: usage error naming it', async (t) => {
  const r = await runCli(['tcp-client', '127.0.0.1:9', '--ssl-trustfile', '/nonexistent/ca.pem']);
  t.is(r.code, 2);
  t.regex(r.errors[0] ?? '', /--ssl-trustfile \/nonexistent\/ca.pem: no such file or directory/);
});

test('TLS server, single client (pipe): a Node tls client sends 1 MiB and half-closes, then reads the reply from stdin', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--ssl-cert', serverCert, '--ssl-key', serverKey], { stdin: 'reply after your EOF' });
  const port = await cli.port();
  const data = randomBytes(1024 * 1024);
  const socket = tls.connect({ port, host: '127.0.0.1', ca: pki.ca.cert, servername: 'localhost', allowHalfOpen: true } as tls.ConnectionOptions);
  const reply = readAll(socket);
  socket.end(data);
  t.is((await within(reply, 8000, 'reply')).toString(), 'reply after your EOF');
  const r = await cli.done();
  t.is(r.code, 0, r.stderr);
  t.is(sha256(r.stdout), sha256(data));
});

test('TLS server -k: two clients at once, stdin goes to both', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--ssl', '-k', '-v'], { stdin: 'pipe' });
  const port = await cli.port();
  const connect = (): Promise<tls.TLSSocket> => new Promise((resolve) => { const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(s)); });
  const [a, b] = [await connect(), await connect()];
  await cli.waitLine(/accepted #2/);
  const got = Promise.all([a, b].map((s) => within(new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString()))), 5000, 'broadcast')));
  cli.child.stdin?.write('to all\n');
  t.deepEqual(await got, ['to all\n', 'to all\n']);
  a.write('from a\n');
  await within((async () => { while (!Buffer.concat(cli.stdoutChunks).toString().includes('from a')) await new Promise((r) => setTimeout(r, 20)); })(), 5000, 'stdout');
  a.destroy();
  b.destroy();
  cli.child.kill('SIGTERM');
  t.is((await cli.done()).code, 143);
});

withOpenssl('openssl s_server as the peer: tcp-client --ssl --ssl-trustfile talks to it', async (t) => {
  // openssl picks no free port by itself: try a few random ones.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', serverCert, '-key', serverKey, '-naccept', '1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let out = '';
      server.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      const started = await within(new Promise<boolean>((resolve) => {
        server.stdout.on('data', () => { if (out.includes('ACCEPT')) resolve(true); });
        server.on('exit', () => resolve(false));
      }), 8000, 'openssl s_server to listen');
      if (!started) continue;
      const r = await runCli(['tcp-client', `localhost:${port}`, '--ssl-trustfile', caFile, '-q', '0.5'], { stdin: 'hello openssl\n' });
      t.is(r.code, 0, r.stderr);
      await within((async () => { while (!out.includes('hello openssl')) await new Promise((res) => setTimeout(res, 20)); })(), 5000, 'openssl to print the line');
      t.true(out.includes('hello openssl'));
      return;
    } finally {
      server.kill();
    }
  }
  t.fail('openssl s_server found no free port in 5 tries');
});

withOpenssl('openssl s_client against tcp-server --ssl --echo: the line comes back', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--ssl-cert', serverCert, '--ssl-key', serverKey, '--echo']);
  const port = await cli.port();
  const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', caFile, '-verify_return_error', '-servername', 'localhost', '-quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  client.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  client.stdin.write('hello from s_client\n');
  await within((async () => { while (!out.includes('hello from s_client')) await new Promise((r) => setTimeout(r, 20)); })(), 8000, 'the echo');
  t.true(out.includes('hello from s_client'));
  client.kill();
  cli.child.kill('SIGTERM');
  await cli.done();
});
