// A test PKI made at run time (no key is committed): a CA, server certificates good and bad, a client certificate,
// written to a private temporary directory; and a Node tls server peer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { makeCertificate, type Certificate } from '../../src/transports/self-signed.js';

const DAY = 86400_000;

export interface Pki {
  dir: string;
  ca: Certificate;
  /** Signed by the CA for localhost and 127.0.0.1. */
  server: Certificate;
  expired: Certificate;
  /** Signed by the CA for example.com only. */
  wrongName: Certificate;
  selfSigned: Certificate;
  /** Signed by a CA nobody trusts. */
  unknownIssuer: Certificate;
  /** A client certificate signed by the CA. */
  client: Certificate;
  /** The path of a PEM file written in `dir`. */
  file(name: string, text: string): string;
  remove(): void;
}

export function makePki(): Pki {
  const now = Date.now();
  const valid = { notBefore: new Date(now - DAY), notAfter: new Date(now + DAY) };
  const ca = makeCertificate({ commonName: 'mona-nc test CA', ca: true, ...valid });
  const other = makeCertificate({ commonName: 'untrusted CA', ca: true, ...valid });
  const by = (issuer: Certificate, commonName: string) => ({ issuer: { commonName, key: issuer.keyObject } });
  const dir = mkdtempSync(join(tmpdir(), 'mona-nc-pki-'));
  // Keys never outlive the test process, even one that ends without its after.always hooks.
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  return {
    dir,
    ca,
    server: makeCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], ...valid, ...by(ca, 'mona-nc test CA') }),
    expired: makeCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], notBefore: new Date(now - 3 * DAY), notAfter: new Date(now - 2 * DAY), ...by(ca, 'mona-nc test CA') }),
    wrongName: makeCertificate({ commonName: 'example.com', names: ['example.com', 'www.example.com'], ...valid, ...by(ca, 'mona-nc test CA') }),
    selfSigned: makeCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], ...valid }),
    unknownIssuer: makeCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], ...valid, ...by(other, 'untrusted CA') }),
    client: makeCertificate({ commonName: 'test client', ...valid, ...by(ca, 'mona-nc test CA') }),
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    },
    remove,
  };
}

export interface TlsPeer {
  port: number;
  /** The SNI names clients sent. */
  servernames: Array<string | undefined>;
  close(): Promise<void>;
}

/** A Node tls server on 127.0.0.1:0 running `onSocket` for each secure connection. */
export async function tlsPeer(options: tls.TlsOptions, onSocket: (socket: tls.TLSSocket) => void): Promise<TlsPeer> {
  const servernames: Array<string | undefined> = [];
  const sockets = new Set<{ destroy(): void }>();
  const server = tls.createServer({ allowHalfOpen: true, ...options } as tls.TlsOptions, (socket) => {
    sockets.add(socket);
    servernames.push((socket as tls.TLSSocket & { servername?: string | false }).servername || undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  server.on('tlsClientError', () => undefined);
  // Connections still in their handshake too, so that close() never waits for one.
  server.on('connection', (raw: import('node:net').Socket) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    servernames,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
