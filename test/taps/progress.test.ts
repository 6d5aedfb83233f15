// The --progress line on its own: number formats, one draw per change, log lines replace it, stop erases it.
import test from 'ava';
import { formatBytes, formatElapsed, formatLine, startProgress } from '../../src/taps/progress.js';

test('byte counts: bytes, then three significant digits in binary units', (t) => {
  t.deepEqual([0, 999, 1023, 1024, 1536, 10 * 1024, 300 * 1024, 1024 ** 2 * 12.34, 1024 ** 3].map(formatBytes),
    ['0 B', '999 B', '1023 B', '1.00 KiB', '1.50 KiB', '10.0 KiB', '300 KiB', '12.3 MiB', '1.00 GiB']);
});

test('elapsed time: m:ss, then h:mm:ss', (t) => {
  t.deepEqual([0, 7_999, 754_000, 3_723_000].map(formatElapsed), ['0:00', '0:07', '12:34', '1:02:03']);
});

test('the line: in, out, rate, elapsed', (t) => {
  t.is(formatLine({ received: 2048, sent: 10 }, 1024 * 1024, 61_000), 'in 2.00 KiB  out 10 B  1.00 MiB/s  1:01');
});

/** A terminal stderr that records writes. */
const fakeTerminal = (columns = 80): { stream: NodeJS.WriteStream; writes: string[] } => {
  const writes: string[] = [];
  return { stream: { columns, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream, writes };
};

test('drawn at once, erased before a log line, erased by stop, silent after', (t) => {
  const { stream, writes } = fakeTerminal();
  const counters = { received: 0, sent: 0 };
  const progress = startProgress(stream, counters, () => 0);
  t.deepEqual(writes, ['\r\u001b[Kin 0 B  out 0 B  0 B/s  0:00']);
  progress.sink.write('NOTE hello\n');
  t.is(writes[1], '\r\u001b[KNOTE hello\n');
  progress.stop();
  t.is(writes.length, 2, 'nothing to erase: the log line replaced it');
  progress.sink.write('ERROR late\n');
  t.deepEqual(writes.slice(2), ['ERROR late\n']);
  t.true(progress.sink.isTTY);
});

test('stop erases a shown line; never wider than the terminal', (t) => {
  const { stream, writes } = fakeTerminal(12);
  const progress = startProgress(stream, { received: 5, sent: 0 }, () => 0);
  t.is(writes[0], '\r\u001b[Kin 5 B  out');
  progress.stop();
  t.deepEqual(writes.slice(1), ['\r\u001b[K']);
});
