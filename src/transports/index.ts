// The transport table, as socat's addressnames[]: the only place transports are registered. A command picks a row;
// modes see only the endpoints and listeners a row makes. A proxy is a way for the tcp and tls rows to connect.
import type { Address, Transport, TransportOptions } from './contract.js';
import { checkFamily, checkSource, parseListen, parseTarget } from './inet.js';
import { unixPath } from './unix.js';

const inetTarget = (text: string, port: string | undefined, options: TransportOptions): Address => {
  const { host, port: p } = parseTarget(text, port);
  checkFamily(host, options.family);
  checkSource(host, options.source);
  return { kind: 'inet', host, port: p };
};
const inetListen = (text: string, port: string | undefined, options: TransportOptions): Address => {
  const { host, port: p } = parseListen(text, port);
  checkFamily(host, options.family);
  return { kind: 'inet', host, port: p };
};

// Each row loads its sockets on first use: --help, --version and usage errors load none.
export const TRANSPORTS: Readonly<Record<Transport['name'], Transport>> = {
  tcp: {
    name: 'tcp',
    datagram: false,
    target: inetTarget,
    listenAddress: inetListen,
    connect: async (session, target, options) => (await import('./tcp.js')).connect(session, target, options),
    listen: async (session, address, options) => (await import('./tcp.js')).listen(session, address, options),
  },
  tls: {
    name: 'tls',
    datagram: false,
    target: inetTarget,
    listenAddress: inetListen,
    connect: async (session, target, options) => (await import('./tls.js')).connect(session, target, options),
    listen: async (session, address, options) => (await import('./tls.js')).listen(session, address, options),
  },
  unix: {
    name: 'unix',
    datagram: false,
    target: unixPath,
    listenAddress: unixPath,
    connect: async (session, target, options) => (await import('./tcp.js')).connect(session, target, options),
    listen: async (session, address, options) => (await import('./tcp.js')).serve(session, address, options, 'unix'),
  },
  udp: {
    name: 'udp',
    datagram: true,
    target: inetTarget,
    listenAddress: inetListen,
    connect: async (session, target, options) => (await import('./udp.js')).connect(session, target, options),
    listen: async (session, address, options) => (await import('./udp.js')).listen(session, address, options),
  },
};
