// Peers that are not mona-nc: plain Node net/dgram on loopback, port 0, every wait bounded.
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Reject after `ms` with a message naming what we waited for. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface TcpPeer { port: number; server: net.Server; close(): Promise<void> }

const openPeers = new Set<{ close(): unknown }>();
/** Close every peer a test left open (use in `test.after.always`), so a failed test cannot keep the file alive. */
export async function closeAllPeers(): Promise<void> {
  await Promise.all([...openPeers].map((p) => p.close()));
}

/** A TCP server on 127.0.0.1:0 running `onSocket` for each connection. */
export async function tcpPeer(onSocket: (socket: net.Socket) => void, host = '127.0.0.1'): Promise<TcpPeer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  const peer: TcpPeer = {
    port,
    server,
    close: () => new Promise((resolve) => {
      openPeers.delete(peer);
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
  openPeers.add(peer);
  return peer;
}

/** Everything a socket receives until the peer's FIN. */
export function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

/** Connect to 127.0.0.1:port (allowHalfOpen, so the test decides when to FIN). */
export function connectTcp(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, allowHalfOpen: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A port nobody listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const peer = await tcpPeer(() => undefined);
  await peer.close();
  return peer.port;
}

export interface UdpPeer { port: number; socket: dgram.Socket; received: Array<{ data: Buffer; address: string; port: number }>; next(ms?: number): Promise<{ data: Buffer; address: string; port: number }>; close(): void }

/** A dgram socket on 127.0.0.1:0 collecting what it receives; `echo` sends each datagram back. */
export async function udpPeer(echo = false, type: 'udp4' | 'udp6' = 'udp4'): Promise<UdpPeer> {
  const socket = dgram.createSocket(type);
  const received: UdpPeer['received'] = [];
  const waiting: Array<() => void> = [];
  socket.on('message', (data, info) => {
    received.push({ data, address: info.address, port: info.port });
    if (echo) socket.send(data, info.port, info.address);
    for (const w of waiting.splice(0)) w();
  });
  await new Promise<void>((resolve) => socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () => resolve()));
  let read = 0;
  let open = true;
  const peer: UdpPeer = {
    port: socket.address().port,
    socket,
    received,
    next(ms = 5000) {
      return within(new Promise((resolve) => {
        const take = (): void => {
          const item = received[read];
          if (item) { read++; resolve(item); } else waiting.push(take);
        };
        take();
      }), ms, 'a datagram');
    },
    close: () => {
      openPeers.delete(peer);
      if (open) socket.close();
      open = false;
    },
  };
  openPeers.add(peer);
  return peer;
}
