// An HTTP proxy's CONNECT tunnel (client side): the request, its reply head, and one retry with credentials when the
// proxy answers 407 (Digest if it offers it, else Basic), on a new connection as ncat does.
import type net from 'node:net';
import { authorization, headerValues, parseChallenges, parseHead, type Credentials, type Head } from '../core/http.js';
import { ProxyRefusal } from './proxy-refusal.js';

const request = (authority: string, auth: string | undefined): string =>
  `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`;

/** Send `text`, read the reply head; the socket is left paused with any bytes after the head put back. */
function exchange(socket: net.Socket, text: string): Promise<Head> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const done = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', reject);
    };
    const onEnd = (): void => {
      done();
      reject(new ProxyRefusal('the proxy closed the connection without a reply', 'ECONNRESET'));
    };
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      let head: Head | undefined;
      try {
        head = parseHead(got);
      } catch (err) {
        done();
        return reject(new ProxyRefusal(`not an HTTP reply (${(err as Error).message})`, 'EPROTO'));
      }
      if (!head) return;
      socket.pause();
      done();
      if (got.length > head.size) socket.unshift(got.subarray(head.size));
      resolve(head);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', reject);
    socket.write(text);
  });
}

const status = (head: Head): number => Number(head.parts[1]);

/** A socket tunnelled to `authority` ("host:port"); `open()` connects to the proxy. */
export async function httpConnect(open: () => Promise<net.Socket>, authority: string, credentials: Credentials | undefined): Promise<net.Socket> {
  let socket = await open();
  let reply = await exchange(socket, request(authority, undefined));
  if (status(reply) === 407 && credentials) {
    const challenge = parseChallenges(headerValues(reply, 'proxy-authenticate'))[0];
    socket.destroy();
    if (!challenge) throw new ProxyRefusal(`${reply.line} (no Basic or Digest challenge)`, 'EACCES');
    socket = await open();
    reply = await exchange(socket, request(authority, authorization(challenge, credentials, 'CONNECT', authority)));
  }
  const code = status(reply);
  if (code >= 200 && code < 300) return socket;
  socket.destroy();
  throw new ProxyRefusal(reply.line, code === 407 || code === 403 ? 'EACCES' : code === 502 || code === 503 || code === 504 ? 'EHOSTUNREACH' : 'EPROTO');
}
