// What tcp-server and udp bind share: listen on the row's address, then run the mode the flags chose. Every listener
// is made here (replay --listen too): its peers tapped, --ready-file/--ready-fd told once it listens.
import type { Listener } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import { announce } from '../core/ready.js';
import type { Session } from '../core/session.js';
import type { Address, Transport } from '../transports/contract.js';
import { TRANSPORTS } from '../transports/index.js';
import type { Positional } from './command.js';
import type { ModeName } from './flag-row.js';
import type { Settings } from './flags.js';
import { tapListener } from './taps.js';

type Serve = (session: Session, listener: Listener, s: Settings) => Promise<Outcome>;

/** The mode's code, loaded before listening: its first peer is taken the moment it comes (a single-client server
 * closes its listener behind it at once). */
async function load(mode: ModeName): Promise<Serve> {
  if (mode === 'echo') return (await import('../modes/echo.js')).echo;
  if (mode === 'http-proxy') {
    const { httpProxy } = await import('../modes/http-proxy.js');
    // Its targets are plain TCP, whatever the listener is.
    return (session, listener, s) => httpProxy(session, listener, s, (host, port) => TRANSPORTS.tcp.connect(session, { kind: 'inet', host, port }, { family: s.family }));
  }
  if (mode === 'fan-out') return (await import('../modes/fan-out.js')).fanOut;
  if (mode === 'exec') return (await import('../modes/exec.js')).execServe;
  if (mode === 'broker') return (await import('../modes/broker.js')).broker;
  if (mode === 'chat') return (await import('../modes/broker.js')).chat;
  return (await import('../modes/pipe.js')).pipeFirst;
}

/** Listen, tap the peers, and say so to whoever waits (a failure to say it closes the listener and throws). */
export async function openListener(session: Session, transport: Transport, where: Address, s: Settings): Promise<Listener> {
  // Access rules are ready (files read, names resolved) before the port opens; refused peers are never tapped.
  const guard = await (await import('./access.js')).accessGuard(s);
  const listener = await transport.listen(session, where, s);
  try {
    announce(listener.label, s);
  } catch (err) {
    listener.close();
    throw err;
  }
  return tapListener(guard ? guard(listener, session) : listener, session, s);
}

/** `[address] <port>`: one word is a port (or host:port), two are a host and a port. */
export const LISTEN_POSITIONALS: readonly Positional[] = [
  { name: 'address', required: false, describe: 'the host to listen on, when a port follows' },
  { name: 'port', required: true, describe: 'PORT (all interfaces), host:port or [ipv6]:port; with -U a path' },
];

export async function serve(session: Session, transport: Transport, args: Readonly<Record<string, string | undefined>>, s: Settings): Promise<Outcome> {
  const where = args.address === undefined ? transport.listenAddress(args.port ?? '', undefined, s) : transport.listenAddress(args.address, args.port, s);
  const mode = await load(s.mode);
  return mode(session, await openListener(session, transport, where, s), s);
}
