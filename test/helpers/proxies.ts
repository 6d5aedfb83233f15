// Proxies written here with Node net (not mona-nc's code): a SOCKS5 server (no auth or user/password, a refusal code
// on demand) and an HTTP CONNECT proxy (Basic and/or Digest, written independently of src/core/http.ts).
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

export interface ProxyPeer {
  port: number;
  /** The targets clients asked for ("host:port"). */
  asked: string[];
  close(): Promise<void>;
}

async function serve(onSocket: (socket: net.Socket) => void): Promise<{ server: net.Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    server,
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Read exactly n bytes (bounded by the socket's life). */
function reader(socket: net.Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let want: { n: number; resolve: (b: Buffer) => void } | undefined;
  const feed = (): void => {
    if (!want || buffered.length < want.n) return;
    const out = buffered.subarray(0, want.n);
    buffered = buffered.subarray(want.n);
    const w = want;
    want = undefined;
    w.resolve(out);
  };
  socket.on('data', (c: Buffer) => { buffered = Buffer.concat([buffered, c]); feed(); });
  return (n) => new Promise((resolve) => { want = { n, resolve }; feed(); });
}

/** Connect to the target and splice both ways. */
function splice(client: net.Socket, host: string, port: number, onOk: () => void, onFail: () => void): void {
  const upstream = net.connect({ host, port, allowHalfOpen: true });
  upstream.on('error', () => { if (!upstream.remoteAddress) onFail(); client.destroy(); });
  upstream.once('connect', () => {
    onOk();
    client.removeAllListeners('data');
    client.pipe(upstream);
    upstream.pipe(client);
  });
}

export interface Socks5Options { user?: string; pass?: string; refuse?: number }

export async function socks5Proxy(options: Socks5Options = {}): Promise<ProxyPeer> {
  const asked: string[] = [];
  const s = await serve(async (socket) => {
    const read = reader(socket);
    const [, count = 0] = await read(2);
    const methods = [...await read(count)];
    const method = options.user !== undefined ? 2 : 0;
    if (!methods.includes(method)) return void socket.end(Buffer.from([5, 0xff]));
    socket.write(Buffer.from([5, method]));
    if (method === 2) {
      const [, ulen = 0] = await read(2);
      const user = (await read(ulen)).toString();
      const [plen = 0] = await read(1);
      const pass = (await read(plen)).toString();
      const ok = user === options.user && pass === options.pass;
      socket.write(Buffer.from([1, ok ? 0 : 1]));
      if (!ok) return void socket.end();
    }
    const [, , , atyp] = await read(4);
    let host: string;
    if (atyp === 1) host = [...await read(4)].join('.');
    else if (atyp === 3) host = (await read((await read(1))[0] ?? 0)).toString();
    else host = ((await read(16)).toString('hex').match(/..../g) ?? []).join(':');
    const port = (await read(2)).readUInt16BE(0);
    asked.push(`${host}:${port}`);
    const reply = (code: number): Buffer => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
    if (options.refuse !== undefined) return void socket.end(reply(options.refuse));
    splice(socket, host, port, () => socket.write(reply(0)), () => socket.end(reply(5)));
  });
  return { port: s.port, asked, close: s.close };
}

/** A SOCKS4/4a server: the user id it saw, the target (an IP, or 4a's name). */
export async function socks4Proxy(): Promise<ProxyPeer & { users: string[] }> {
  const asked: string[] = [];
  const users: string[] = [];
  const s = await serve(async (socket) => {
    const read = reader(socket);
    const head = await read(8);
    const port = head.readUInt16BE(2);
    const readString = async (): Promise<string> => {
      const bytes: number[] = [];
      for (let b = (await read(1))[0]; b !== 0 && b !== undefined; b = (await read(1))[0]) bytes.push(b);
      return Buffer.from(bytes).toString();
    };
    users.push(await readString());
    // 0.0.0.x: SOCKS4a, the name follows the user id.
    const host = head[4] === 0 && head[5] === 0 && head[6] === 0 && head[7] !== 0 ? await readString() : [...head.subarray(4, 8)].join('.');
    asked.push(`${host}:${port}`);
    const reply = (code: number): Buffer => Buffer.from([0, code, 0, 0, 0, 0, 0, 0]);
    splice(socket, host, port, () => socket.write(reply(90)), () => socket.end(reply(91)));
  });
  return { port: s.port, asked, users, close: s.close };
}

export interface HttpProxyOptions { user?: string; pass?: string; schemes?: Array<'basic' | 'digest'>; status?: string }

const md5 = (t: string): string => createHash('md5').update(t).digest('hex');

/** An HTTP CONNECT proxy: 407 with the configured challenges until the credentials check, or `status` always. */
export async function httpConnectProxy(options: HttpProxyOptions = {}): Promise<ProxyPeer & { authorizations: string[] }> {
  const asked: string[] = [];
  const authorizations: string[] = [];
  const nonce = randomBytes(8).toString('hex');
  const valid = (auth: string | undefined, uri: string): boolean => {
    if (options.user === undefined) return true;
    if (!auth) return false;
    if (auth.startsWith('Basic ')) return options.schemes?.includes('basic') === true && Buffer.from(auth.slice(6), 'base64').toString() === `${options.user}:${options.pass ?? ''}`;
    const p = Object.fromEntries([...auth.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]));
    const ha1 = md5(`${options.user}:test:${options.pass ?? ''}`);
    const ha2 = md5(`CONNECT:${uri}`);
    const expected = p.qop ? md5(`${ha1}:${nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    return options.schemes?.includes('digest') === true && p.username === options.user && p.uri === uri && p.response === expected;
  };
  const s = await serve((socket) => {
    let head = '';
    const onData = (c: Buffer): void => {
      head += c.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const [line = '', ...headers] = head.slice(0, end).split('\r\n');
      const [, uri = ''] = line.split(' ');
      asked.push(uri);
      const auth = headers.find((h) => /^proxy-authorization:/i.test(h))?.replace(/^[^:]*:\s*/, '');
      if (auth) authorizations.push(auth);
      if (options.status) return void socket.end(`HTTP/1.1 ${options.status}\r\nContent-Length: 0\r\n\r\n`);
      if (!valid(auth, uri)) {
        const challenges = (options.schemes ?? []).map((sc) => (sc === 'basic' ? 'Proxy-Authenticate: Basic realm="test"' : `Proxy-Authenticate: Digest realm="test", nonce="${nonce}", qop="auth", algorithm=MD5`));
        return void socket.end(`HTTP/1.1 407 Proxy Authentication Required\r\n${challenges.map((c) => `${c}\r\n`).join('')}Content-Length: 0\r\nConnection: close\r\n\r\n`);
      }
      const m = /^\[?(.*?)\]?:(\d+)$/.exec(uri);
      splice(socket, m?.[1] ?? '', Number(m?.[2]), () => socket.write('HTTP/1.1 200 Connection established\r\n\r\n'), () => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
    };
    socket.on('data', onData);
  });
  return { port: s.port, asked, authorizations, close: s.close };
}
