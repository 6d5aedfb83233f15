// tcp-client --proxy: connect to the proxy, open a tunnel to the target (HTTP CONNECT, SOCKS4/4a, SOCKS5), then TLS
// over it if asked; the tunnel becomes an ordinary TCPClient whose peer is the target as given. A refusal is one
// error in the proxy's own words; -w bounds the whole of it.
import net from 'node:net';
import type { Credentials } from '../core/http.js';
import type { Session } from '../core/session.js';
import { causeOf, codeOf, MonaError } from '../mona/errors.js';
import { formatAddress, SocketAddress, type TCPClient, type TLSClientOptions } from '../mona/index.js';
import { adoptSocket } from '../mona/tcp-client.js';
import { secureSocket } from '../mona/tls.js';
import type { TransportOptions } from './contract.js';
import { inFamily, parseTarget } from './inet.js';
import { ProxyRefusal } from './proxy-refusal.js';

const DEFAULT_PORT = { http: 3128, socks4: 1080, socks5: 1080 } as const;

/** --proxy HOST[:PORT] (default port by type). */
function proxyAddress(text: string, type: keyof typeof DEFAULT_PORT): { host: string; port: number } {
  const bare = /^\[.*\]$|^[^:]*$/.test(text) || net.isIPv6(text);
  return parseTarget(text, bare ? String(DEFAULT_PORT[type]) : undefined);
}

export async function throughProxy(session: Session, { host: targetHost, port }: { host: string | undefined; port: number }, options: TransportOptions, tls: TLSClientOptions | undefined): Promise<TCPClient> {
  // A target always has a host (a port alone is a listen address).
  const target = { host: targetHost ?? '127.0.0.1', port };
  const type = options.proxyType ?? 'http';
  const proxy = proxyAddress(options.proxy ?? '', type);
  const label = formatAddress(target.host, target.port);
  const via = `the ${type} proxy ${formatAddress(proxy.host, proxy.port)}`;
  const sockets = new Set<net.Socket>();
  // -w: the proxy's connect, its handshake and TLS, all within the deadline.
  const deadline = options.wait ? setTimeout(() => {
    for (const s of sockets) s.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
  }, options.wait) : undefined;
  const open = async (): Promise<net.Socket> => {
    const socket = await openProxy(proxy, options.family).catch((err: unknown) => {
      throw new MonaError(`Unable to connect to ${via} (${causeOf(err)})`, codeOf(err), label);
    });
    sockets.add(socket);
    return socket;
  };
  try {
    // socks4 has no names of its own (socks4a has): local by default there, remote for the others.
    const local = options.proxyDns === 'local' || (options.proxyDns === undefined && type === 'socks4');
    const host = local ? await inFamily(target.host, target.port, options.family) : target.host;
    session.log.log('DEBUG', `connecting to ${label} through ${via}${local ? ` (resolved here: ${host})` : ''}`);
    let socket = type === 'http'
      ? await (await import('./http-connect.js')).httpConnect(open, formatAddress(host, target.port), options.proxyAuth)
      : await (await import('./socks.js')).socksConnect(await open(), proxy, type === 'socks4' ? 4 : 5, { host, port: target.port }, socksCredentials(type, options.proxyAuth));
    if (tls) {
      sockets.add(socket);
      socket = await secureSocket(socket, target.host, tls);
    }
    return adoptSocket(socket, { keepAlive: options.keepAlive }, new SocketAddress(target.host, target.port));
  } catch (err) {
    for (const s of sockets) s.destroy();
    if (err instanceof MonaError) throw err;
    const cause = err instanceof ProxyRefusal ? `the proxy says: ${err.message}` : causeOf(err);
    throw new MonaError(`Unable to connect to ${label} through ${via} (${cause})`, codeOf(err), label);
  } finally {
    clearTimeout(deadline);
  }
}

/** SOCKS4 sends a user id only; SOCKS5 user/password. */
const socksCredentials = (type: 'socks4' | 'socks5', c: Credentials | undefined): Credentials | undefined => (c && type === 'socks4' ? { user: c.user, pass: '' } : c);

function openProxy(proxy: { host: string; port: number }, family: 4 | 6 | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port, allowHalfOpen: true, ...(family ? { family } : { autoSelectFamily: true }) });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
