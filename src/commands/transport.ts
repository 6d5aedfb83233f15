// Which row of the transport table a TCP command uses, from its flags: -U a Unix socket, any TLS flag TLS (every
// --ssl-* and --insecure imply --ssl), else TCP. The flags that only make sense with another are checked here too.
import { UsageError } from '../core/outcome.js';
import type { Transport } from '../transports/contract.js';
import { TRANSPORTS } from '../transports/index.js';
import type { Settings } from './flags.js';
import { TLS_FLAGS } from './flags-tls.js';

const PROXY_OPTIONS = [['proxyType', '--proxy-type'], ['proxyAuth', '--proxy-auth'], ['proxyDns', '--proxy-dns']] as const;

export function streamTransport(command: 'tcp-client' | 'tcp-server', s: Settings): Transport {
  if (command === 'tcp-client') {
    for (const [key, name] of PROXY_OPTIONS) if (s[key] !== undefined && s.proxy === undefined) throw new UsageError(`cannot use ${name} without --proxy`);
  } else {
    if (s.proxyType !== undefined && s.proxyType !== 'http') throw new UsageError(`tcp-server --proxy-type ${s.proxyType}: a server can only be an http proxy`);
    if (s.proxyAuth !== undefined && s.mode !== 'http-proxy') throw new UsageError('cannot use --proxy-auth without --proxy-type http');
  }
  if (s.unixsock) return TRANSPORTS.unix;
  const tls = TLS_FLAGS.some((f) => s[f.key] !== undefined && s[f.key] !== false);
  return tls ? TRANSPORTS.tls : TRANSPORTS.tcp;
}
