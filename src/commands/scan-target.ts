// What tcp-client -z and udp connect -z share: the target read as HOST PORTS, the host resolved once, then the scan
// mode with the row's connect (so each probe is a connection of that transport, events included).
import type { Outcome } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import type { Transport } from '../transports/contract.js';
import { checkFamily, checkSource, connectFamily, parseScanTarget, resolveHost } from '../transports/inet.js';
import type { Settings } from './flags.js';

export async function scanPorts(session: Session, transport: Transport, target: string, port: string | undefined, s: Settings): Promise<Outcome> {
  const { host, ports } = parseScanTarget(target, port);
  checkFamily(host, s.family);
  checkSource(host, s.source);
  const address = await resolveHost(host, connectFamily(s));
  const { scan } = await import('../modes/scan.js');
  return scan(session, {
    host,
    ports,
    datagram: transport.datagram,
    connect: (port) => transport.connect(session, { kind: 'inet', host: address, port }, s),
  }, s);
}
