// TLS for the Mona sockets: a client that verifies by default (or pins one certificate), a server's options, the
// handshake's failures in words (errors.ts), and what a connection negotiated. node:tls loads on first use (~5 ms).
import net from 'node:net';
import type tls from 'node:tls';
import { normalizeFingerprint } from './fingerprint.js';

/** Node's tls.connect options, plus a pin. */
export interface TLSClientOptions extends tls.ConnectionOptions {
  /**
   * Accept exactly the certificate whose SHA-256 fingerprint this is (64 hex digits, colons optional), instead of
   * verifying its chain and host name: what a self-signed or ephemeral certificate needs.
   */
  fingerprint?: string | undefined;
}

/** Node's tls.createServer options (a server without `cert`/`key` cannot start). */
export type TLSServerOptions = tls.TlsOptions;

/** What a TLS connection negotiated, and who the peer's certificate names. */
export interface TLSInfo {
  /** "TLSv1.3". */
  readonly protocol: string;
  /** "TLS_AES_256_GCM_SHA384". */
  readonly cipher: string;
  /** The peer certificate's subject ("CN=localhost, O=Example"), undefined without one. */
  readonly subject: string | undefined;
  /** Its SHA-256 fingerprint, "AB:CD:..." (what a pin compares). */
  readonly fingerprint: string | undefined;
  /** The ALPN protocol agreed on, undefined if none. */
  readonly alpn: string | undefined;
  /** The chain and name were verified (false with a pin, or with verification off). */
  readonly authorized: boolean;
}

export const tlsModule = (): typeof tls => process.getBuiltinModule('node:tls');

/** Node's options for `tls.connect`: SNI names the host (never an IP), a pin replaces the chain and name checks. */
function connectOptions(host: string | undefined, options: TLSClientOptions): tls.ConnectionOptions {
  const { fingerprint, ...rest } = options;
  const servername = rest.servername ?? (host && !net.isIP(host) ? host : undefined);
  return {
    ...rest,
    ...(servername ? { servername } : {}),
    ...(fingerprint !== undefined ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {}),
  };
}

/** Where a TLS client connects: a host and port, a Unix path, or over a connected socket (a proxy's tunnel). */
export type TLSTarget = { host: string; port: number; family?: number; autoSelectFamily?: boolean } | { path: string } | { socket: net.Socket };

/**
 * Start a TLS client over `how` (a host and port, a Unix path, or a connected socket); its 'secureConnect' comes
 * once verified (a pin mismatch destroys it first, with ERR_TLS_FINGERPRINT). Failures keep Node's codes, which
 * errors.ts words; a close during the handshake becomes ERR_TLS_HANDSHAKE_CLOSED.
 */
export function connectTLS(how: TLSTarget, host: string | undefined, options: TLSClientOptions = {}): tls.TLSSocket {
  // allowHalfOpen: our FIN (close_notify) and the peer's are independent, as with TCP.
  const socket = tlsModule().connect({ ...connectOptions(host, options), ...how, ...{ allowHalfOpen: true } });
  const pin = options.fingerprint === undefined ? undefined : normalizeFingerprint(options.fingerprint);
  let secured = false;
  socket.once('secureConnect', () => { secured = true; });
  socket.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'ECONNRESET' && !secured) err.code = 'ERR_TLS_HANDSHAKE_CLOSED';
  });
  if (pin) {
    socket.once('secureConnect', () => {
      const seen = socket.getPeerCertificate().fingerprint256;
      if (seen === pin) return;
      socket.destroy(Object.assign(new Error(`certificate fingerprint ${seen ?? 'none'} is not the pinned ${pin}`), { code: 'ERR_TLS_FINGERPRINT' }));
    });
  }
  return socket;
}

/** A TLS handshake over a connected socket (a proxy's tunnel): the secured socket, or Node's error. */
export function secureSocket(socket: net.Socket, host: string | undefined, options: TLSClientOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secured = connectTLS({ socket }, host, options);
    const failed = (err: Error): void => reject(err);
    secured.once('error', failed);
    // A pin that does not match destroys the socket in an earlier 'secureConnect' listener.
    secured.once('secureConnect', () => {
      if (secured.destroyed) return;
      secured.off('error', failed);
      resolve(secured);
    });
  });
}

/** "CN=localhost, O=Example" from Node's subject object (values may repeat). */
function subjectText(subject: Record<string, string | string[]> | undefined): string | undefined {
  if (!subject) return undefined;
  const parts = Object.entries(subject).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}=${x}`));
  return parts.length ? parts.join(', ') : undefined;
}

/** What a TLS socket negotiated; undefined for a plain one. */
export function tlsInfo(socket: net.Socket | undefined): TLSInfo | undefined {
  if (!socket || !('encrypted' in socket)) return undefined;
  const secure = socket as tls.TLSSocket;
  const cert = secure.getPeerCertificate();
  const known = cert && Object.keys(cert).length > 0;
  return {
    protocol: secure.getProtocol() ?? 'unknown',
    cipher: secure.getCipher()?.name ?? 'unknown',
    subject: known ? subjectText(cert.subject as unknown as Record<string, string | string[]>) : undefined,
    fingerprint: known ? cert.fingerprint256 : undefined,
    alpn: secure.alpnProtocol || undefined,
    authorized: secure.authorized,
  };
}
