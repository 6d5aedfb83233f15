// tls: TCP with TLS on top. The client verifies the chain and the host name against the system's CAs unless told
// otherwise (--ssl-trustfile, --ssl-fingerprint, --insecure); the server uses --ssl-cert/--ssl-key or an ephemeral
// self-signed certificate whose fingerprint it logs, for clients to pin.
import { readFileSync } from 'node:fs';
import type { Endpoint, Listener } from '../core/endpoint.js';
import { UsageError } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import { causeOf } from '../mona/errors.js';
import type { TLSClientOptions, TLSServerOptions } from '../mona/index.js';
import type { Address, TransportOptions } from './contract.js';
import { clientEndpoint, dial, serve } from './tcp.js';

export async function connect(session: Session, target: Address, options: TransportOptions): Promise<Endpoint> {
  const tls = clientOptions(options);
  if (options.insecure) session.log.log('WARN', '--insecure: the server\'s certificate is not verified (anyone in the path can read and change the data)');
  return clientEndpoint(session.log, await dial(session, target, options, tls), 1);
}

export async function listen(session: Session, address: Address, options: TransportOptions): Promise<Listener> {
  return serve(session, address, options, 'tls', await serverOptions(session, options));
}

/** A PEM file's text; a file that cannot be read is a usage error naming the flag. */
function pem(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${path}: ${causeOf(err)}`);
  }
}

/** Our certificate and key: --ssl-cert's file, and --ssl-key's (or the key inside --ssl-cert's file). */
function identity(options: TransportOptions): { cert?: string; key?: string } {
  if (options.sslCert === undefined) {
    if (options.sslKey !== undefined) throw new UsageError('cannot use --ssl-key without --ssl-cert');
    return {};
  }
  const cert = pem('--ssl-cert', options.sslCert);
  const key = options.sslKey === undefined ? cert : pem('--ssl-key', options.sslKey);
  if (!/-----BEGIN (\w+ )?PRIVATE KEY-----/.test(key)) throw new UsageError(`--ssl-cert ${options.sslCert}: no private key in it (give --ssl-key)`);
  return { cert, key };
}

function clientOptions(options: TransportOptions): TLSClientOptions {
  return {
    ...identity(options),
    ...(options.sslTrustfile !== undefined ? { ca: pem('--ssl-trustfile', options.sslTrustfile) } : {}),
    ...(options.sslServername !== undefined ? { servername: options.sslServername } : {}),
    ...(options.sslAlpn ? { ALPNProtocols: [...options.sslAlpn] } : {}),
    ...(options.sslFingerprint !== undefined ? { fingerprint: options.sslFingerprint } : {}),
    ...(options.insecure ? { rejectUnauthorized: false } : {}),
  };
}

async function serverOptions(session: Session, options: TransportOptions): Promise<TLSServerOptions> {
  if (options.sslVerifyClient && options.sslTrustfile === undefined) throw new UsageError('cannot use --ssl-verify-client without --ssl-trustfile (the CAs that sign client certificates)');
  if (options.sslTrustfile !== undefined && !options.sslVerifyClient) throw new UsageError('cannot use --ssl-trustfile on tcp-server without --ssl-verify-client');
  let own = identity(options);
  if (!own.cert) {
    const ephemeral = (await import('./self-signed.js')).ephemeralCertificate();
    session.log.log('NOTE', `ephemeral certificate, SHA-256 ${ephemeral.fingerprint} (pin it: --ssl-fingerprint ${ephemeral.fingerprint})`);
    own = ephemeral;
  }
  return {
    ...own,
    ...(options.sslAlpn ? { ALPNProtocols: [...options.sslAlpn] } : {}),
    ...(options.sslVerifyClient ? { requestCert: true, rejectUnauthorized: true, ca: pem('--ssl-trustfile', options.sslTrustfile ?? '') } : {}),
  };
}
