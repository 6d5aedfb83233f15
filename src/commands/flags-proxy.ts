// Proxies: tcp-client through a SOCKS or HTTP proxy; tcp-server --proxy-type http is an HTTP proxy (a mode).
import { UsageError } from '../core/outcome.js';
import { oneOf, row, TCP, text } from './flag-row.js';

const credentials = (raw: unknown, name: string): { user: string; pass: string } | undefined => {
  const value = text(raw);
  if (value === undefined) return undefined;
  const colon = value.indexOf(':');
  if (colon < 1) throw new UsageError(`${name}: give USER:PASS`);
  return { user: value.slice(0, colon), pass: value.slice(colon + 1) };
};

export const PROXY_FLAGS = [
  row({ key: 'proxy', long: 'proxy', kind: 'value', value: 'HOST:PORT', commands: ['tcp-client'], describe: 'connect through this proxy (port default: 1080 SOCKS, 3128 HTTP)', parse: text }),
  row({ key: 'proxyType', long: 'proxy-type', kind: 'value', value: 'TYPE', commands: TCP, selects: 'http-proxy', conflicts: ['echo'], describe: 'client: socks5, socks4 or http (default); tcp-server: http, to serve as an HTTP proxy', parse: (raw) => oneOf('--proxy-type', text(raw), ['socks5', 'socks4', 'http'] as const) }),
  row({ key: 'proxyAuth', long: 'proxy-auth', kind: 'value', value: 'USER:PASS', commands: TCP, describe: 'client: credentials for the proxy (SOCKS5 user/password, HTTP Digest or Basic); server: the ones clients must give', parse: credentials }),
  row({ key: 'proxyDns', long: 'proxy-dns', kind: 'value', value: 'WHERE', commands: ['tcp-client'], describe: 'who resolves the target\'s name: remote (the proxy; default) or local', parse: (raw) => oneOf('--proxy-dns', text(raw), ['local', 'remote'] as const) }),
] as const;
