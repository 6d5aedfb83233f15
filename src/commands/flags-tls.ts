// TLS flags (tcp-client, tcp-server): every --ssl-* flag and --insecure imply --ssl (transports/index.ts
// streamTransport()); -U conflicts with them (flags-unix.ts). Files are read when the command connects or listens.
import { normalizeFingerprint } from '../mona/fingerprint.js';
import { UsageError } from '../core/outcome.js';
import { bool, row, TCP, text } from './flag-row.js';

const fingerprint = (raw: unknown, name: string): string | undefined => {
  const value = text(raw);
  if (value === undefined) return undefined;
  try {
    return normalizeFingerprint(value);
  } catch {
    throw new UsageError(`${name} ${value}: not a SHA-256 fingerprint (64 hex digits, colons optional)`);
  }
};

const alpn = (raw: unknown, name: string): string[] | undefined => {
  const value = text(raw);
  if (value === undefined) return undefined;
  const list = value.split(',').map((p) => p.trim());
  if (list.some((p) => p === '' || Buffer.byteLength(p) > 255)) throw new UsageError(`${name} ${value}: not a comma-separated list of protocol names (h2,http/1.1)`);
  return list;
};

export const TLS_FLAGS = [
  row({ key: 'ssl', long: 'ssl', kind: 'boolean', commands: TCP, describe: 'TLS: the client verifies the server (system CAs, host name); the server uses --ssl-cert/--ssl-key or an ephemeral certificate', parse: bool }),
  row({ key: 'sslTrustfile', long: 'ssl-trustfile', kind: 'value', value: 'FILE', commands: TCP, describe: 'PEM CA certificates to trust instead of the system\'s (server: the CAs of client certificates)', parse: text }),
  row({ key: 'sslServername', long: 'ssl-servername', kind: 'value', value: 'NAME', commands: ['tcp-client'], describe: 'the name sent as SNI and checked against the certificate (default: the target host)', parse: text }),
  row({ key: 'sslAlpn', long: 'ssl-alpn', kind: 'value', value: 'LIST', commands: TCP, describe: 'ALPN protocols, comma-separated (h2,http/1.1)', parse: alpn }),
  row({ key: 'sslCert', long: 'ssl-cert', kind: 'value', value: 'FILE', commands: TCP, describe: 'PEM certificate (server: ours; client: a client certificate for mutual TLS)', parse: text }),
  row({ key: 'sslKey', long: 'ssl-key', kind: 'value', value: 'FILE', commands: TCP, describe: 'PEM private key of --ssl-cert (default: the key inside --ssl-cert\'s file)', parse: text }),
  row({ key: 'sslFingerprint', long: 'ssl-fingerprint', kind: 'value', value: 'SHA256', commands: ['tcp-client'], conflicts: ['insecure', 'sslTrustfile'], describe: 'accept exactly the certificate with this SHA-256 fingerprint (as a server logs it) instead of verifying', parse: fingerprint }),
  row({ key: 'sslVerifyClient', long: 'ssl-verify-client', kind: 'boolean', commands: ['tcp-server'], describe: 'require a client certificate signed by a CA of --ssl-trustfile (mutual TLS)', parse: bool }),
  row({ key: 'sslVerify', long: 'ssl-verify', kind: 'boolean', commands: ['tcp-client'], conflicts: ['insecure'], describe: 'ncat\'s flag, accepted: verification is on by default', parse: bool }),
  row({ key: 'insecure', long: 'insecure', kind: 'boolean', commands: ['tcp-client'], conflicts: ['sslTrustfile'], describe: 'TLS without verifying the server\'s certificate (a WARN says so)', parse: bool }),
] as const;
