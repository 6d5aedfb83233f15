// -U: the target or listen address is a Unix socket path (stream). Not with TLS, a proxy, or an IP family.
import { bool, row, TCP } from './flag-row.js';

export const UNIX_FLAGS = [
  row({
    key: 'unixsock', long: 'unixsock', short: 'U', kind: 'boolean', commands: TCP,
    conflicts: ['4', '6', 'ssl', 'sslTrustfile', 'sslServername', 'sslAlpn', 'sslCert', 'sslKey', 'sslFingerprint', 'sslVerifyClient', 'sslVerify', 'insecure', 'proxy', 'proxyType'],
    describe: 'a Unix socket: the target or listen address is a path (@name: Linux abstract)', parse: bool,
  }),
] as const;
