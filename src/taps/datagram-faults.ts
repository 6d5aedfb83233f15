// UDP fault injection (--drop, --dup, --reorder with --seed, --fault-dir): each datagram draws three numbers from a
// seeded generator of its direction (drop? duplicate? hold back?), so the same seed gives the same faults to the same
// sequence of datagrams, whatever the timing of the other direction.
import type { Logger } from '../log.js';
import { forwarding, QUEUE_LIMIT, type Endpoint, type EndpointEvents } from '../core/endpoint.js';

export interface DatagramFaultOptions {
  readonly drop?: number | undefined;
  readonly dup?: number | undefined;
  readonly reorder?: number | undefined;
  readonly faultDir?: 'in' | 'out' | 'both' | undefined;
}

/** How long a datagram held back waits for one to pass it before it goes anyway (ms). */
const HOLD_MS = 200;

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Counts { dropped: number; duplicated: number; reordered: number }

/** One direction's faults: `pass` each datagram, `send` is where the survivors go. */
function direction(random: () => number, o: DatagramFaultOptions, send: (d: Buffer) => void) {
  const counts: Counts = { dropped: 0, duplicated: 0, reordered: 0 };
  let held: Buffer[] | undefined;
  let timer: NodeJS.Timeout | undefined;
  const release = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const out = held;
    held = undefined;
    for (const d of out ?? []) send(d);
  };
  return {
    counts,
    pass(datagram: Buffer): void {
      // Always three draws, whatever the outcome: the sequence stays the same from run to run.
      const [drop, dup, reorder] = [random(), random(), random()];
      if (drop < (o.drop ?? 0)) {
        counts.dropped++;
        return;
      }
      const copies = dup < (o.dup ?? 0) ? [datagram, datagram] : [datagram];
      if (copies.length === 2) counts.duplicated++;
      if (reorder < (o.reorder ?? 0) && !held) {
        counts.reordered++;
        held = copies;
        timer = setTimeout(release, HOLD_MS);
        return;
      }
      for (const d of copies) send(d);
      if (held) release();
    },
    release,
  };
}

export function datagramFaultTap(inner: Endpoint, log: Logger, o: DatagramFaultOptions, seed: number): Endpoint {
  const dir = o.faultDir ?? 'out';
  let on: EndpointEvents | undefined;
  let writeOk = true;
  const out = dir === 'in' ? undefined : direction(generator(seed), o, (d) => { writeOk = inner.write(d); });
  // The other direction has a generator of its own, from the same seed.
  const inn = dir === 'out' ? undefined : direction(generator(seed ^ 0x5bd1e995), o, (d) => on?.data(d));
  const report = (side: string, c: Counts | undefined): string => (c ? `${side} ${c.dropped} dropped, ${c.duplicated} duplicated, ${c.reordered} held back` : '');
  return forwarding(inner, {
    attach(events) {
      on = events;
      inner.attach({
        ...events,
        data: (d) => (inn ? inn.pass(d) : events.data(d)),
        closed(failure) {
          inn?.release();
          log.log('INFO', `faults ${inner.label}: ${[report('out', out?.counts), report('in', inn?.counts)].filter(Boolean).join('; ')}`);
          events.closed(failure);
        },
      });
    },
    write(chunk) {
      if (!out) return inner.write(chunk);
      writeOk = inner.queued < QUEUE_LIMIT;
      out.pass(chunk);
      return writeOk;
    },
    close(reason, flush) {
      out?.release();
      inner.close(reason, flush);
    },
  });
}
