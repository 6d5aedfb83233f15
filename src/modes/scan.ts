// -z: a port scan of one host, as nc -z. TCP: connect, then close at once. UDP: one NUL byte (as ncat), open unless
// the system answers "port unreachable" within the wait. "HOST PORT open" lines on stdout in the order the ports
// were given; -v lists closed ports on stderr; exit 0 if any port is open, 1 if none. Probes run N at a time.
import type { Endpoint, EndpointEvents } from '../core/endpoint.js';
import { DONE, outcomeOf, type Outcome } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import { causeOf, codeOf, reasonOf } from '../mona/errors.js';

/** Ports tried at once by default: a 1-1024 scan of loopback in a fraction of a second, far below `ulimit -n`. */
export const SCAN_CONCURRENCY = 100;
/** How long a UDP probe waits for "port unreachable" without -w. */
export const UDP_WAIT_MS = 1000;

export interface ScanTarget {
  /** The host as the user wrote it (the lines name it so). */
  readonly host: string;
  readonly ports: readonly number[];
  /** UDP: probe with a datagram. */
  readonly datagram: boolean;
  /** Connect to one port of the resolved host (the transport's connect: lifecycle events included). */
  connect(port: number): Promise<Endpoint>;
}

export interface ScanSettings {
  readonly wait?: number | undefined;
  readonly scanConcurrency?: number | undefined;
}

type Result = { open: true } | { open: false; why: string };

const OPEN: Result = { open: true };
const IGNORE: EndpointEvents = { data: () => undefined, end: () => undefined, drain: () => undefined, closed: () => undefined };

// Failures that are not about the port: the scan cannot go on (a name that does not resolve, -s/-p unusable, no fds).
const FATAL_REASONS = new Set(['dns', 'in-use', 'denied', 'usage']);
const isFatal = (err: unknown): boolean => FATAL_REASONS.has(reasonOf(err)) || codeOf(err) === 'EADDRNOTAVAIL';

export function scan(session: Session, target: ScanTarget, s: ScanSettings): Promise<Outcome> {
  const { host, ports } = target;
  const results: Array<Result | undefined> = [];
  let next = 0;
  let shown = 0;
  let open = 0;
  let stop: Outcome | undefined;
  const probe = target.datagram ? (port: number) => probeDatagram(target, port, s.wait ?? UDP_WAIT_MS) : (port: number) => probeStream(target, port);

  // Lines in the order the ports were given, each as soon as every port before it is decided.
  const show = (): void => {
    for (let r = results[shown]; r && shown < ports.length; r = results[++shown]) {
      const port = ports[shown] ?? 0;
      if (r.open) {
        open++;
        session.stdio.write(Buffer.from(`${host} ${port} open\n`));
      } else {
        session.log.log('INFO', `${host} ${port} closed (${r.why})`);
      }
    }
  };
  const worker = async (): Promise<void> => {
    while (!stop && next < ports.length) {
      const i = next++;
      try {
        results[i] = await probe(ports[i] ?? 0);
      } catch (err) {
        stop ??= outcomeOf(err);
        return;
      }
      show();
    }
  };
  session.onSignal((outcome) => { stop ??= outcome; });
  // stdout's reader left (`| head -1`): nothing more to say.
  session.stdio.onClosed((err) => { stop ??= err ? { reason: 'io', error: `stdout: ${causeOf(err)}` } : DONE; });
  const workers = Math.min(s.scanConcurrency ?? SCAN_CONCURRENCY, ports.length);
  return Promise.all(Array.from({ length: workers }, worker)).then(() => {
    if (stop) return stop;
    if (open > 0) return DONE;
    const what = ports.length === 1 ? `port ${ports[0] ?? 0} is` : `none of ${ports.length} ports is`;
    return { reason: 'refused', error: `${host}: ${what} open` };
  });
}

/** TCP: a connect that succeeds is an open port; the connection is closed at once. */
async function probeStream(target: ScanTarget, port: number): Promise<Result> {
  let peer: Endpoint;
  try {
    peer = await target.connect(port);
  } catch (err) {
    if (isFatal(err)) throw err;
    return { open: false, why: causeOf(err) };
  }
  // Closed before the next probe starts, its `closed` event written: the concurrency bounds open sockets too.
  await new Promise<void>((resolve) => {
    peer.attach({ ...IGNORE, closed: () => resolve() });
    peer.close('local', false);
  });
  return OPEN;
}

/** UDP: one NUL byte; "port unreachable" within `wait` means closed, a reply or silence means open. */
async function probeDatagram(target: ScanTarget, port: number, wait: number): Promise<Result> {
  const peer = await target.connect(port);
  return new Promise((resolve) => {
    let over = false;
    const finish = (result: Result): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      peer.close('local', false);
      resolve(result);
    };
    const timer = setTimeout(() => finish(OPEN), wait);
    peer.attach({
      ...IGNORE,
      data: () => finish(OPEN),
      closed: (failure) => finish(failure ? { open: false, why: failure.reason === 'refused' ? 'port unreachable' : failure.message } : OPEN),
    });
    peer.resume();
    peer.write(Buffer.alloc(1));
  });
}
