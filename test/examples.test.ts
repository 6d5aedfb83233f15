// Issue 11 #4: the examples users copy run as written. Every shell example of README's Tour and of the man page's
// EXAMPLES is extracted and run through sh with `mona-nc` on PATH, in a temporary folder, against real peers on
// loopback; the fixed ports they name (1234, 5514, 8080) become free ones. An example that cannot run here is in
// NOT_RUNNABLE with the reason, and a new example with neither a runner nor a reason fails the first test.
import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, runCli } from './helpers/cli.js';
import { closeAllPeers, closedPort, connectTcp, delay, readAll, tcpPeer, udpPeer, within } from './helpers/net.js';
import { socks5Proxy } from './helpers/proxies.js';
import { missingCommand, testUnless } from './helpers/skip.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-examples-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
test.after.always(closeAllPeers);

// ------------------------------------------------------------------------------------------------- extraction

/** Shell text without a trailing `# comment` (outside quotes: the examples quote no `#`). */
const uncomment = (line: string): string => line.replace(/\s+#\s.*$/, '').trimEnd();

/**
 * README's Tour (from "## Tour" to the next "## "): each ```sh block is one script when a line uses a shell
 * variable ($port), else a list of one-line examples.
 */
export function readmeExamples(readme: string): string[] {
  const start = readme.indexOf('## Tour');
  const tour = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const found: string[] = [];
  for (const [, body = ''] of tour.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = body.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).map(uncomment);
    if (lines.some((l) => /\$[a-z(]/.test(l))) found.push(lines.join('\n'));
    else found.push(...lines);
  }
  return found;
}

/** roff text as a shell reads it: \- is -, \e is \, \. is ., \& is nothing. */
const unroff = (text: string): string => text.replace(/\\-/g, '-').replace(/\\e/g, '\\').replace(/\\\./g, '.').replace(/\\&/g, '');

/** The man page's EXAMPLES: each `.Dl $ command`, and each `.Bd -literal` block of `$ ` lines as one script. */
export function manExamples(page: string): string[] {
  const start = page.indexOf('.Sh EXAMPLES');
  const section = page.slice(start, page.indexOf('\n.Sh ', start + 1));
  const found: string[] = [];
  let block: string[] | undefined;
  for (const line of section.split('\n')) {
    if (line.startsWith('.Bd -literal')) block = [];
    else if (line.startsWith('.Ed') && block) { found.push(block.join('\n')); block = undefined; } else if (block && line.startsWith('$ ')) block.push(unroff(line.slice(2)));
    else if (line.startsWith('.Dl $ ')) found.push(unroff(line.slice(6)));
  }
  return found;
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PAGE = readFileSync(join(ROOT, 'man', 'mona-nc.1'), 'utf8');

// ------------------------------------------------------------------------------------------------- running

/** `mona-nc` on PATH for the examples: the built CLI. */
const shim = join(dir, 'bin');
mkdirSync(shim);
writeFileSync(join(shim, 'mona-nc'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
chmodSync(join(shim, 'mona-nc'), 0o755);

interface Shell {
  child: ChildProcess;
  cwd: string;
  stdout(): Buffer;
  stderr(): string;
  /** Wait until `find` answers from stderr; rejects after `ms` or when the shell's output is closed. */
  waitStderr(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** The exit status of sh; every process of the example is killed after `ms`. */
  done(ms?: number): Promise<number | null>;
  /** Signal every process the example started (sh, mona-nc, jq, backgrounded jobs). */
  kill(signal?: NodeJS.Signals): void;
}

let folders = 0;
/** Run `script` with sh in a fresh folder holding `files`, in its own process group. */
function sh(t: ExecutionContext, script: string, files: Record<string, Buffer | string> = {}, stdin: 'ignore' | 'pipe' = 'ignore'): Shell {
  const cwd = join(dir, `run-${folders++}`);
  mkdirSync(cwd);
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(cwd, name, '..'), { recursive: true });
    writeFileSync(join(cwd, name), data);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${shim}${delimiter}${process.env.PATH ?? ''}`, HOME: cwd };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.FORCE_COLOR;
  const child = spawn('sh', ['-c', script], { cwd, env, detached: true, stdio: [stdin, 'pipe', 'pipe'] });
  child.stdin?.on('error', () => undefined);
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    try { process.kill(-(child.pid ?? 0), signal); } catch { /* already gone */ }
  };
  t.teardown(() => kill('SIGKILL'));
  return {
    child,
    cwd,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    waitStderr: (pattern, ms = 8000) => within((async () => {
      for (;;) {
        const m = pattern.exec(err);
        if (m) return m;
        await delay(20);
      }
    })(), ms, `${String(pattern)} on stderr of: ${script}\n(stderr so far: ${err})`),
    done: async (ms = 15_000) => {
      const timer = setTimeout(() => kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    kill,
  };
}

/** A free port for the fixed ones the examples name (TCP-free; UDP examples bind it too, nothing else here does). */
const freePort = closedPort;
const withPort = (example: string, port: number): string => example.replace(/\b(1234|5514|8080)\b/g, String(port));

/** Everything until `predicate` holds of what `get` returns; bounded. */
async function until<T>(get: () => T, predicate: (v: T) => boolean, what: string, ms = 8000): Promise<T> {
  return within((async () => {
    for (;;) {
      const v = get();
      if (predicate(v)) return v;
      await delay(20);
    }
  })(), ms, what);
}

/** One TCP exchange with a server on 127.0.0.1: send, half-close, everything until its FIN. */
async function exchange(port: number, data: Buffer | string): Promise<Buffer> {
  const socket = await connectTcp(port);
  const answer = readAll(socket);
  socket.end(data);
  return within(answer, 8000, `answer on port ${port}`);
}

/** A UDP socket on 127.0.0.1 that collects what it receives. */
async function udpSender(): Promise<{ socket: dgram.Socket; got: () => string; send: (text: string, port: number) => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  let got = '';
  socket.on('message', (d) => { got += d.toString(); });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    socket,
    got: () => got,
    send: (text, port) => new Promise((resolve, reject) => socket.send(text, port, '127.0.0.1', (e) => (e ? reject(e) : resolve()))),
  };
}

type Runner = (t: ExecutionContext, example: string) => Promise<void>;

type Files = (port: number) => Record<string, Buffer | string>;

/** A server example: wait for its listening line; then `drive` it with its port. */
const server = (drive: (t: ExecutionContext, port: number, run: Shell) => Promise<void>, files: Files = () => ({}), stdin: 'ignore' | 'pipe' = 'ignore'): Runner =>
  async (t, example) => {
    const port = await freePort();
    const run = sh(t, withPort(example, port), files(port), stdin);
    await run.waitStderr(/listening on /);
    await drive(t, port, run);
  };

/** A TCP server example that serves one upload: its bytes must land in `file` and the command exit 0. */
const oneUpload = (file: string): Runner => server(async (t, port, run) => {
  const data = randomBytes(300_000);
  const listening = /listening on \S+:(\d+)/.exec(run.stderr());
  t.is((await exchange(Number(listening?.[1] ?? port), data)).length, 0, 'stdin is /dev/null: nothing sent back');
  t.is(await run.done(), 0, run.stderr());
  t.true(readFileSync(join(run.cwd, file)).equals(data), file);
});

/** An echo server example (TCP or UDP): an exchange comes back, then it ends at SIGTERM. */
const echoes = (transport: 'tcp' | 'udp'): Runner => server(async (t, port, run) => {
  if (transport === 'tcp') t.is((await exchange(port, 'echo me')).toString(), 'echo me');
  else {
    const s = await udpSender();
    t.teardown(() => s.socket.close());
    await s.send('echo me', port);
    t.is(await until(s.got, (g) => g.length >= 7, 'the UDP echo'), 'echo me');
  }
  run.kill();
  await run.done();
});

/** A Unix socket path of this run for the examples' /tmp/app.sock. */
const socketPath = (): string => join(dir, `app-${folders}.sock`);

/** A client example through a SOCKS5 proxy (1080 in the example) to an echo server (8080): request.bin comes back. */
const throughSocks = (credentials: { user: string; pass: string } | undefined): Runner => async (t, example) => {
  const echo = await tcpPeer((s) => s.pipe(s));
  const proxy = await socks5Proxy(credentials);
  t.teardown(() => proxy.close());
  const request = randomBytes(100_000);
  const run = sh(t, withPort(example, echo.port).replace('1080', String(proxy.port)), { 'request.bin': request });
  t.is(await run.done(), 0, run.stderr());
  t.true(run.stdout().equals(request));
  t.deepEqual(proxy.asked, [`127.0.0.1:${echo.port}`]);
};

/** An HTTP proxy server example (3128 in the example): a GET through it reaches an origin; with credentials, a 407 first. */
const httpProxyServer = (credentials: string | undefined): Runner => async (t, example) => {
  const origin = await tcpPeer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\norigin')));
  const port = await freePort();
  const run = sh(t, example.replace('3128', String(port)));
  await run.waitStderr(/listening on /);
  const ask = async (auth: string): Promise<string> => (await exchange(port, `GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`)).toString();
  if (credentials) t.regex(await ask(''), /^HTTP\/1\.1 407 /);
  const answer = await ask(credentials ? `Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n` : '');
  t.regex(answer, /^HTTP\/1\.1 200 OK[\s\S]*origin$/);
  run.kill();
  await run.done();
};

const RUNNERS: Record<string, Runner> = {
  'mona-nc tcp-server -U /tmp/app.sock --echo': async (t, example) => {
    const path = socketPath();
    const run = sh(t, example.replace('/tmp/app.sock', path));
    await run.waitStderr(/listening on /);
    const socket = net.connect({ path, allowHalfOpen: true });
    const answer = readAll(socket);
    socket.end('over unix');
    t.is((await within(answer, 8000, 'the echo')).toString(), 'over unix');
    run.kill();
    await run.done();
    // sh goes at the signal; mona-nc, killed with it, removes its file as it exits.
    t.false(await until(() => existsSync(path), (there) => !there, 'the socket file removed at exit'));
  },
  'mona-nc tcp-client -U /tmp/app.sock < request.bin': async (t, example) => {
    const path = socketPath();
    const server = net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
    await new Promise<void>((resolve) => server.listen(path, () => resolve()));
    t.teardown(() => server.close());
    const request = randomBytes(100_000);
    const run = sh(t, example.replace('/tmp/app.sock', path), { 'request.bin': request });
    t.is(await run.done(), 0, run.stderr());
    t.true(run.stdout().equals(request));
  },
  'mona-nc tcp-client 127.0.0.1:8080 --proxy 127.0.0.1:1080 --proxy-type socks5 --proxy-auth me:pw < request.bin': throughSocks({ user: 'me', pass: 'pw' }),
  'mona-nc tcp-client 127.0.0.1:8080 --proxy 127.0.0.1:1080 --proxy-type socks5 < request.bin': throughSocks(undefined),
  'mona-nc tcp-server 127.0.0.1:3128 --proxy-type http': httpProxyServer(undefined),
  'mona-nc tcp-server 127.0.0.1:3128 --proxy-type http --proxy-auth me:secret': httpProxyServer('me:secret'),
  'mona-nc tcp-server 8443 --ssl --echo': async (t, example) => {
    const port = await freePort();
    const run = sh(t, example.replace('8443', String(port)));
    const note = await run.waitStderr(/ephemeral certificate, SHA-256 (\S+)/);
    await run.waitStderr(/listening on /);
    const seen = await within(new Promise<string>((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => s.end('secure echo'));
      let got = '';
      s.on('data', (d: Buffer) => { got += d.toString(); });
      s.on('end', () => resolve(`${s.getPeerCertificate().fingerprint256 ?? ''} ${got}`));
      s.on('error', reject);
    }), 8000, 'the TLS echo');
    t.is(seen, `${note[1] ?? ''} secure echo`);
    run.kill();
    await run.done();
  },
  'mona-nc connect 127.0.0.1:1234 < request.bin > reply.bin': async (t, example) => {
    const peer = await tcpPeer((s) => s.pipe(s));
    const request = randomBytes(200_000);
    const run = sh(t, withPort(example, peer.port), { 'request.bin': request });
    t.is(await run.done(), 0, run.stderr());
    t.true(readFileSync(join(run.cwd, 'reply.bin')).equals(request));
  },
  'mona-nc tcp-server 127.0.0.1:0 > upload.bin': oneUpload('upload.bin'),
  'mona-nc tcp-server 1234 --progress > upload.bin': oneUpload('upload.bin'),
  'mona-nc listen 1234 < file.bin': server(async (t, port, run) => {
    t.true((await exchange(port, '')).equals(readFileSync(join(run.cwd, 'file.bin'))), 'the client gets file.bin, then FIN');
    t.is(await run.done(), 0, run.stderr());
  }, () => ({ 'file.bin': randomBytes(300_000) })),
  'mona-nc tcp-server 1234 -k': server(async (t, port, run) => {
    const [a, b] = await Promise.all([connectTcp(port), connectTcp(port)]);
    if (!a || !b) throw new Error('no clients');
    t.teardown(() => { a.destroy(); b.destroy(); });
    const got = { a: '', b: '' };
    a.on('data', (d: Buffer) => { got.a += d.toString(); });
    b.on('data', (d: Buffer) => { got.b += d.toString(); });
    a.write('[from a]');
    b.write('[from b]');
    const out = await until(() => run.stdout().toString(), (o) => o.length >= 16, 'both clients on stdout');
    t.deepEqual([out.slice(0, 8), out.slice(8)].sort(), ['[from a]', '[from b]']);
    run.child.stdin?.write('to all');
    await until(() => got, (g) => g.a.length >= 6 && g.b.length >= 6, 'stdin to both clients');
    t.deepEqual(got, { a: 'to all', b: 'to all' });
    run.kill();
    await run.done();
  }, () => ({}), 'pipe'),
  'mona-nc tcp-server 1234 --echo &': echoes('tcp'),
  'mona-nc tcp-server 1234 --echo': echoes('tcp'),
  'mona-nc udp bind 1234 --echo': echoes('udp'),
  'printf ping | mona-nc udp connect 127.0.0.1:1234 -q 1': async (t, example) => {
    const peer = await udpPeer(true);
    const run = sh(t, withPort(example, peer.port));
    t.is(await run.done(), 0, run.stderr());
    t.is(run.stdout().toString(), 'ping');
  },
  'mona-nc udp bind 1234': server(async (t, port, run) => {
    const s = await udpSender();
    t.teardown(() => s.socket.close());
    await s.send('[hi]', port);
    t.is(await until(() => run.stdout().toString(), (o) => o.length >= 4, 'the datagram on stdout'), '[hi]');
    run.child.stdin?.write('back');
    t.is(await until(s.got, (g) => g.length >= 4, 'stdin to the first sender'), 'back');
    run.kill();
    await run.done();
  }, () => ({}), 'pipe'),
  'mona-nc udp bind 1234 -k': server(async (t, port, run) => {
    const [a, b] = await Promise.all([udpSender(), udpSender()]);
    t.teardown(() => { a.socket.close(); b.socket.close(); });
    await a.send('[a]', port);
    await b.send('[b]', port);
    const out = await until(() => run.stdout().toString(), (o) => o.length >= 6, 'both senders on stdout');
    t.deepEqual([out.slice(0, 3), out.slice(3)].sort(), ['[a]', '[b]']);
    run.child.stdin?.write('all');
    await until(() => a.got() + b.got(), (g) => g.length >= 6, 'stdin to every sender');
    t.deepEqual([a.got(), b.got()], ['all', 'all']);
    run.kill();
    await run.done();
  }, () => ({}), 'pipe'),
  'mona-nc udp bind 127.0.0.1:5514 -k > messages.log': server(async (t, port, run) => {
    const [a, b] = await Promise.all([udpSender(), udpSender()]);
    t.teardown(() => { a.socket.close(); b.socket.close(); });
    await a.send('<13>one\n', port);
    await b.send('<13>two\n', port);
    const log = await until(() => readFileSync(join(run.cwd, 'messages.log'), 'utf8'), (l) => l.length >= 16, 'both messages logged');
    t.is(log, '<13>one\n<13>two\n');
    run.kill();
    await run.done();
  }),
  'mona-nc completion >> ~/.bashrc': async (t, example) => {
    const run = sh(t, example);
    t.is(await run.done(), 0, run.stderr());
    t.regex(readFileSync(join(run.cwd, '.bashrc'), 'utf8'), /_mona-nc_yargs_completions/);
  },
  'mona-nc run examples/seed-tcp-server.lua': server(async (t, port, run) => {
    t.is((await exchange(port, 'seed')).toString(), 'seed');
    run.kill();
    await run.done();
  }, examplesWithPort),
  'mona-nc run examples/length-prefixed.lua 8080': server(async (t, port, run) => {
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('abc')]);
    t.deepEqual([...(await exchange(port, frame))], [0, 0, 0, 3, ...Buffer.from('cba')]);
    run.kill();
    await run.done();
  }, examplesWithPort),
};

/** examples/ as shipped, with the seed's fixed port 1234 made the example's free port. */
function examplesWithPort(port: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(join(ROOT, 'examples'))) files[`examples/${name}`] = withPort(readFileSync(join(ROOT, 'examples', name), 'utf8'), port);
  return files;
}

/** Multi-line scripts, keyed by their first line. */
const SCRIPTS: Record<string, { needs?: string; run: Runner }> = {
  // README, "Logs a test can read".
  'mona-nc tcp-server 127.0.0.1:0 --log-format json 2> events.jsonl > got.bin < /dev/null &': {
    needs: 'jq',
    run: async (t, example) => {
      const sent = randomBytes(123_457);
      const run = sh(t, example, { 'sent.bin': sent });
      t.is(await run.done(), 0, run.stderr());
      t.is(run.stdout().toString(), `${sent.length}\n`, 'jq prints bytesIn of the closed event');
      t.true(readFileSync(join(run.cwd, 'got.bin')).equals(sent));
    },
  },
  // man page: receive one upload on a free port.
  'mona-nc tcp-server 127.0.0.1:0 > upload.bin 2> log < /dev/null &': {
    run: async (t, example) => {
      const file = randomBytes(300_000);
      const run = sh(t, example, { 'file.bin': file });
      t.is(await run.done(), 0, run.stderr());
      t.true(readFileSync(join(run.cwd, 'upload.bin')).equals(file));
    },
  },
  // man page: wait for the server with JSON events (it runs until stopped).
  "mona-nc tcp-server 127.0.0.1:0 --echo --log-format json 2>&1 | jq --unbuffered -r 'select(.event==\"listening\").address'": {
    needs: 'jq',
    run: async (t, example) => {
      const run = sh(t, example);
      const address = await until(() => run.stdout().toString(), (o) => o.endsWith('\n'), 'the address from jq');
      t.regex(address, /^127\.0\.0\.1:\d+\n$/);
      t.is((await exchange(Number(address.split(':')[1]), 'json')).toString(), 'json');
      run.kill();
      await run.done();
    },
  },
};

// ncat's modes: a program for each client, a broker.
Object.assign(RUNNERS, {
  "mona-nc tcp-server 1234 -k -e 'grep --line-buffered error'": server(async (t, port, run) => {
    for (const _ of [1, 2]) {
      const c = await connectTcp(port);
      const answer = readAll(c);
      c.end('an error here\nall fine\nanother error\n');
      t.is((await within(answer, 8000, 'grep\'s answer')).toString(), 'an error here\nanother error\n');
    }
    run.kill();
    await run.done();
  }),
  // A chat room for 10.0.0.0/8 only: a loopback client is turned away at once.
  'mona-nc tcp-server 1234 --chat --allow 10.0.0.0/8 --max-conns 20': server(async (t, port, run) => {
    const c = await connectTcp(port);
    t.is((await within(readAll(c), 8000, 'the refusal')).length, 0);
    await run.waitStderr(/WARN .*127\.0\.0\.1/);
    run.kill();
    await run.done();
  }),
  // The same room, open to ::1 too: two loopback clients over IPv6 hear each other with the sender's prefix.
  'mona-nc tcp-server 1234 --chat --allow 10.0.0.0/8 --allow ::1 --max-conns 20': server(async (t, port, run) => {
    const a = await connectTcp(port, '::1');
    const b = await connectTcp(port, '::1');
    let heard = '';
    b.on('data', (d: Buffer) => { heard += d.toString(); });
    await delay(200);
    a.write('hello room\n');
    t.regex(await until(() => heard, (h) => /<user@\[::1\]:\d+> hello room\n/.test(h), 'the chat line'), /<user@\[::1\]:\d+> hello room\n/);
    a.destroy();
    b.destroy();
    run.kill();
    await run.done();
  }),
  'mona-nc tcp-server 1234 --broker': server(async (t, port, run) => {
    const a = await connectTcp(port);
    const b = await connectTcp(port);
    await delay(200);
    const heard = new Promise<string>((resolve) => b.once('data', (d: Buffer) => resolve(d.toString())));
    a.write('to the others');
    t.is(await within(heard, 8000, 'the broker'), 'to the others');
    a.destroy();
    b.destroy();
    run.kill();
    await run.done();
  }),
});

// ncat's habits (issue 13): one-way, CRLF with a hex dump, an output file, a source address, a scan.
Object.assign(RUNNERS, {
  'mona-nc tcp-client 127.0.0.1 1234 --recv-only > file.bin': async (t, example) => {
    const data = randomBytes(300_000);
    const peer = await tcpPeer((s) => s.end(data));
    const run = sh(t, withPort(example, peer.port));
    t.is(await run.done(), 0, run.stderr());
    t.true(readFileSync(join(run.cwd, 'file.bin')).equals(data));
  },
  "printf 'HELO me\\n' | mona-nc tcp-client 127.0.0.1 1234 --crlf -x smtp.hex": async (t, example) => {
    let heard: Promise<Buffer> | undefined;
    const peer = await tcpPeer((s) => {
      s.write('220 hi\r\n');
      heard = readAll(s);
      void heard.then(() => s.end());
    });
    const run = sh(t, withPort(example, peer.port));
    t.is(await run.done(), 0, run.stderr());
    t.is((await (heard ?? Promise.reject(new Error('no connection')))).toString(), 'HELO me\r\n');
    const hex = readFileSync(join(run.cwd, 'smtp.hex'), 'utf8');
    t.regex(hex, /^> 00000000  48 45 4c 4f 20 6d 65 0d  0a +\|HELO me\.\.\|$/m);
    t.regex(hex, /^< 00000000  32 32 30 20 68 69 0d 0a +\|220 hi\.\.\|$/m);
  },
  'mona-nc tcp-server 8080 -k -o traffic.bin': server(async (t, port, run) => {
    for (const text of ['[one]', '[two]']) {
      const c = await connectTcp(port);
      t.teardown(() => c.destroy());
      c.write(text);
      await until(() => run.stdout().toString(), (o) => o.endsWith(text), text);
    }
    run.kill();
    await run.done();
    t.is(readFileSync(join(run.cwd, 'traffic.bin'), 'utf8'), '[one][two]');
  }),
  'mona-nc tcp-client 127.0.0.1 1234 -s 127.0.0.2': async (t, example) => {
    let from: string | undefined;
    const peer = await tcpPeer((s) => {
      from = s.remoteAddress;
      s.end();
    });
    const run = sh(t, withPort(example, peer.port));
    t.is(await run.done(), 0, run.stderr());
    t.is(from, '127.0.0.2');
  },
  'mona-nc tcp-client 127.0.0.1 1234,8000-8010 -z': async (t, example) => {
    const peer = await tcpPeer((s) => s.end());
    const run = sh(t, withPort(example, peer.port));
    t.is(await run.done(), 0, run.stderr());
    t.true(run.stdout().toString().split('\n').includes(`127.0.0.1 ${peer.port} open`), run.stdout().toString());
  },
} satisfies Record<string, Runner>);

const NOT_RUNNABLE: Record<string, string> = {
  'mona-nc tcp-client mail.example.com 25 -e ./smtp-dialog.sh': 'it talks to a mail server on the internet, with a dialog script of the reader\'s own: tests stay on loopback (-e against a loopback peer: test/modes/exec.test.ts)',
  'mona-nc tcp-client localhost 8443 --ssl-fingerprint 5E:0B:...:9A': '5E:0B:...:9A stands for the fingerprint the server logs (the --ssl --echo runner checks that the logged one is the one a client sees)',
  "printf 'HEAD / HTTP/1.0\\r\\n\\r\\n' | mona-nc tcp-client --ssl example.com 443": 'it asks example.com, on the internet: tests stay on loopback',
  "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | mona-nc tcp-client example.com 80": 'it asks example.com, on the internet: tests stay on loopback',
};

const examples = [...new Set([...readmeExamples(README), ...manExamples(PAGE)])];

test('every example of README\'s Tour and the man page\'s EXAMPLES has a runner here, or a reason it cannot run', (t) => {
  t.true(readmeExamples(README).length >= 10, 'README Tour examples found');
  t.true(manExamples(PAGE).length >= 10, 'man page EXAMPLES found');
  const unknown = examples.filter((e) => !(e in RUNNERS) && !((e.split('\n')[0] ?? '') in SCRIPTS) && !(e in NOT_RUNNABLE));
  t.deepEqual(unknown, []);
  for (const example of Object.keys(NOT_RUNNABLE)) t.true(examples.includes(example), `NOT_RUNNABLE lists an example that is gone: ${example}`);
});

for (const example of examples) {
  const first = example.split('\n')[0] ?? '';
  const script = SCRIPTS[first];
  const run = RUNNERS[example] ?? script?.run;
  if (!run) continue;
  testUnless(script?.needs ? missingCommand(script.needs, script.needs) : undefined, { serial: true })(`runs as written: ${example}`, async (t) => {
    t.timeout(30_000);
    await run(t, example);
  });
}

for (const example of Object.keys(NOT_RUNNABLE)) test.skip(`runs as written: ${example} (not run: ${NOT_RUNNABLE[example] ?? ''})`, () => undefined);

test('the examples --help prints name files that exist', async (t) => {
  const named = new Set<string>();
  for (const command of [[], ['tcp-client'], ['tcp-server'], ['udp', 'connect'], ['udp', 'bind'], ['run'], ['completion']]) {
    const r = await runCli([...command, '--help']);
    t.is(r.code, 0, r.stderr);
    for (const [path] of r.stdout.toString().matchAll(/[\w./-]+\.(?:lua|ts|js|mjs)\b/g)) named.add(path);
  }
  t.true(named.size > 0, 'run --help names a script');
  for (const path of named) t.true(existsSync(join(ROOT, path)), `${path} (named in --help) exists in the repository`);
});
