// One table of failure causes: the words we print, the exit status and the JSON exit reason.

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, SIGINT: 130, SIGTERM: 143 } as const;

export type ExitReason =
  | 'done' | 'refused' | 'unreachable' | 'timeout' | 'dns' | 'in-use' | 'denied' | 'reset' | 'usage' | 'script' | 'signal' | 'io' | 'mismatch'
  | 'tls';

/** The words of a cause: fixed, or made from the error (a TLS name mismatch names the certificate's names). */
interface Cause { readonly text: string | ((err: object) => string); readonly reason: ExitReason }

// errno (or our own) code -> cause. describeError() is the only place errno text is produced.
const CAUSES: Readonly<Record<string, Cause>> = {
  ECONNREFUSED: { text: 'connection refused', reason: 'refused' },
  ECONNRESET: { text: 'connection reset by peer', reason: 'reset' },
  EPIPE: { text: 'broken pipe', reason: 'reset' },
  ECONNABORTED: { text: 'connection aborted', reason: 'reset' },
  ETIMEDOUT: { text: 'timed out', reason: 'timeout' },
  EHOSTUNREACH: { text: 'host unreachable', reason: 'unreachable' },
  ENETUNREACH: { text: 'network unreachable', reason: 'unreachable' },
  EHOSTDOWN: { text: 'host is down', reason: 'unreachable' },
  ENETDOWN: { text: 'network is down', reason: 'unreachable' },
  EADDRNOTAVAIL: { text: 'address not available', reason: 'unreachable' },
  EAFNOSUPPORT: { text: 'address family not supported', reason: 'unreachable' },
  ENOTFOUND: { text: 'unknown host', reason: 'dns' },
  EAI_AGAIN: { text: 'name resolution failed, try again', reason: 'dns' },
  EAI_FAIL: { text: 'name resolution failed', reason: 'dns' },
  ENODATA: { text: 'unknown host', reason: 'dns' },
  EADDRINUSE: { text: 'address in use', reason: 'in-use' },
  EACCES: { text: 'permission denied', reason: 'denied' },
  EPERM: { text: 'operation not permitted', reason: 'denied' },
  EMSGSIZE: { text: 'message too long', reason: 'unreachable' },
  ENOBUFS: { text: 'no buffer space available', reason: 'unreachable' },
  EMFILE: { text: 'too many open files', reason: 'denied' },
  ENOSPC: { text: 'no space left on device', reason: 'io' },
  EIO: { text: 'input/output error', reason: 'io' },
  EISDIR: { text: 'is a directory', reason: 'io' },
  EFBIG: { text: 'file too large', reason: 'io' },
  EDQUOT: { text: 'disk quota exceeded', reason: 'io' },
  ENOTDIR: { text: 'not a directory', reason: 'io' },
  EROFS: { text: 'read-only file system', reason: 'io' },
  ERR_REST_OVERFLOW: { text: 'rest buffer over its cap', reason: 'script' },
  ERR_SEND_OVERFLOW: { text: 'send queue over its cap', reason: 'script' },
  ERR_SOCKET_DGRAM_NOT_RUNNING: { text: 'socket closed', reason: 'reset' },
  // A Unix socket path with nobody behind it.
  ENOENT: { text: 'no such file or directory', reason: 'refused' },
  ENOTSOCK: { text: 'not a socket', reason: 'refused' },
  // TLS: the certificate checks (OpenSSL's verify codes, as Node names them) and the handshake's alerts.
  CERT_HAS_EXPIRED: { text: 'certificate has expired', reason: 'tls' },
  CERT_NOT_YET_VALID: { text: 'certificate is not yet valid', reason: 'tls' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { text: 'self-signed certificate', reason: 'tls' },
  SELF_SIGNED_CERT_IN_CHAIN: { text: 'self-signed certificate in the chain (an untrusted root)', reason: 'tls' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { text: 'unknown issuer (not signed by a trusted CA)', reason: 'tls' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { text: 'unknown issuer (not signed by a trusted CA)', reason: 'tls' },
  UNABLE_TO_GET_ISSUER_CERT: { text: 'unknown issuer (not signed by a trusted CA)', reason: 'tls' },
  CERT_REVOKED: { text: 'certificate revoked', reason: 'tls' },
  CERT_SIGNATURE_FAILURE: { text: 'bad certificate signature', reason: 'tls' },
  CERT_UNTRUSTED: { text: 'certificate not trusted', reason: 'tls' },
  INVALID_CA: { text: 'invalid CA certificate', reason: 'tls' },
  ERR_TLS_CERT_ALTNAME_INVALID: { text: (err) => hostMismatch(err), reason: 'tls' },
  ERR_TLS_FINGERPRINT: { text: (err) => messageOf(err), reason: 'tls' },
  ERR_TLS_HANDSHAKE_CLOSED: { text: 'the peer closed the connection during the TLS handshake', reason: 'tls' },
  ERR_SSL_WRONG_VERSION_NUMBER: { text: 'the peer does not speak TLS (wrong version number)', reason: 'tls' },
  ERR_SSL_PACKET_LENGTH_TOO_LONG: { text: 'the peer does not speak TLS', reason: 'tls' },
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: { text: 'the server requires a client certificate', reason: 'tls' },
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: { text: 'the client sent no certificate', reason: 'tls' },
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: { text: 'the peer does not trust our certificate (unknown CA)', reason: 'tls' },
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: { text: 'the peer refused our certificate', reason: 'tls' },
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: { text: 'no ALPN protocol in common with the server', reason: 'tls' },
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: { text: 'handshake failure (no protocol or cipher in common)', reason: 'tls' },
  ERR_SSL_NO_SHARED_CIPHER: { text: 'no cipher in common', reason: 'tls' },
};

const messageOf = (err: object): string => (err instanceof Error ? err.message : String(err));

/** "host name mismatch: 127.0.0.2 is not among the certificate's names (DNS:localhost, IP Address:127.0.0.1)". */
function hostMismatch(err: object): string {
  const { host, cert } = err as { host?: string; cert?: { subjectaltname?: string; subject?: { CN?: string } } };
  const names = cert?.subjectaltname ?? (cert?.subject?.CN ? `CN=${cert.subject.CN}` : 'none');
  return `host name mismatch: ${host ?? 'the host'} is not among the certificate's names (${names})`;
}

/** An error with a code and, where one is involved, the address: Node's ExceptionWithHostPort, our words. */
export class MonaError extends Error {
  readonly code: string;
  readonly address: string | undefined;
  constructor(message: string, code: string, address?: string) {
    super(message);
    this.name = 'MonaError';
    this.code = code;
    this.address = address;
  }
}

const codeOf = (err: unknown): string => {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return 'EUNKNOWN';
};

/** The short cause of an error, e.g. "connection refused", as it goes between parentheses. */
export function causeOf(err: unknown): string {
  const code = codeOf(err);
  const known = CAUSES[code];
  if (known) return typeof known.text === 'string' ? known.text : known.text(err as object);
  // Other OpenSSL failures: their code in words ("ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC": "sslv3 alert bad record mac").
  if (code.startsWith('ERR_SSL_')) return `TLS handshake failed: ${code.slice(8).toLowerCase().replace(/_/g, ' ')}`;
  if (err instanceof Error) return err.message.replace(/^[A-Z_]+: /, '');
  return String(err);
}

/** The JSON exit reason for an error (falls back to `fallback` for causes we do not classify). */
export function reasonOf(err: unknown, fallback: ExitReason = 'unreachable'): ExitReason {
  const code = codeOf(err);
  return CAUSES[code]?.reason ?? (/^ERR_(SSL|TLS)_/.test(code) ? 'tls' : fallback);
}

/** Why a connection closed, for the `closed` event: a clean end (no error code), a reset, a timeout, or an error. */
export function closeReasonOf(code: string | undefined): 'eof' | 'reset' | 'timeout' | 'error' {
  if (!code) return 'eof';
  const reason = CAUSES[code]?.reason;
  return reason === 'reset' || reason === 'timeout' ? reason : 'error';
}

/** "Unable to connect to 127.0.0.1:9 (connection refused)": one sentence naming the address and the cause. */
export function describeError(what: string, address: string, err: unknown): MonaError {
  const code = codeOf(err);
  return new MonaError(`${what} ${address} (${causeOf(err)})`, code, address);
}

export { codeOf };
