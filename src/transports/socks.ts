// SOCKS4/4a and SOCKS5 (with user/password) over a connected socket, by the `socks` package (a vendor bundle loaded
// only here); its refusals are put in words with the exit reason they imply.
import type net from 'node:net';
import type { SocksClient } from 'socks';
import { loadVendor } from '../assets.js';
import type { Credentials } from '../core/http.js';
import { ProxyRefusal } from './proxy-refusal.js';

// The reply codes, by the names the package gives them: our words, and the code that makes the exit reason.
const REPLIES: Readonly<Record<string, readonly [string, string]>> = {
  Failure: ['general SOCKS server failure', 'EPROTO'],
  NotAllowed: ['connection not allowed by ruleset', 'EACCES'],
  NetworkUnreachable: ['network unreachable', 'ENETUNREACH'],
  HostUnreachable: ['host unreachable', 'EHOSTUNREACH'],
  ConnectionRefused: ['connection refused', 'ECONNREFUSED'],
  TTLExpired: ['TTL expired', 'ETIMEDOUT'],
  CommandNotSupported: ['command not supported', 'EPROTO'],
  AddressNotSupported: ['address type not supported', 'EPROTO'],
  // SOCKS4's replies 91, 92, 93.
  Failed: ['request rejected or failed', 'EACCES'],
  Rejected: ['request rejected: the proxy cannot reach our identd', 'EACCES'],
  RejectedIdent: ['request rejected: the identd user does not match', 'EACCES'],
};

/** The package's error message in words. */
function refusal(message: string): ProxyRefusal {
  const reply = /rejected[\w ]*? - \(?(\w+)\)?/.exec(message)?.[1];
  const known = reply ? REPLIES[reply] : undefined;
  if (known) return new ProxyRefusal(known[0], known[1]);
  if (/authentication failed/i.test(message)) return new ProxyRefusal('authentication failed (wrong user or password)', 'EACCES');
  if (/no accepted authentication type/i.test(message)) return new ProxyRefusal('no authentication method in common (does it need --proxy-auth?)', 'EACCES');
  if (/closed/i.test(message)) return new ProxyRefusal('the proxy closed the connection', 'ECONNRESET');
  return new ProxyRefusal(message, 'EPROTO');
}

/**
 * The package resumes the socket (and re-emits bytes that came with its reply) in a setImmediate after it resolves:
 * take those bytes, pause the socket, and put them back, so nothing flows before the relay listens.
 */
async function held(socket: net.Socket): Promise<net.Socket> {
  const chunks: Buffer[] = [];
  const hold = (chunk: Buffer): number => chunks.push(chunk);
  socket.on('data', hold);
  await new Promise((resolve) => setImmediate(resolve));
  socket.pause();
  socket.off('data', hold);
  if (chunks.length) socket.unshift(Buffer.concat(chunks));
  return socket;
}

export async function socksConnect(socket: net.Socket, proxy: { host: string; port: number }, version: 4 | 5, target: { host: string; port: number }, credentials: Credentials | undefined): Promise<net.Socket> {
  const { SocksClient: client } = await loadVendor<{ SocksClient: typeof SocksClient }>('socks');
  try {
    const { socket: tunnel } = await client.createConnection({
      proxy: { host: proxy.host, port: proxy.port, type: version, ...(credentials ? { userId: credentials.user, password: credentials.pass } : {}) },
      command: 'connect',
      destination: target,
      existing_socket: socket,
      // Our own deadline (-w) governs; the package's 30 s default would cut a slow but legitimate proxy short.
      timeout: 2 ** 31 - 1,
    });
    return await held(tunnel);
  } catch (err) {
    if (err && typeof err === 'object' && 'code' in err) throw err;
    throw refusal(err instanceof Error ? err.message : String(err));
  }
}
