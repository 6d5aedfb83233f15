// Cutting stdin into datagrams.
import test from 'ava';
import { datagramCutter } from '../../src/core/framing.js';

test('reads: one datagram each (reads are bounded to a datagram upstream)', (t) => {
  const cutter = datagramCutter(false);
  t.deepEqual(cutter.cut(Buffer.from('abc')).map(String), ['abc']);
  t.deepEqual(cutter.rest(), []);
});

test('--lines: one datagram per line across reads, the last partial line at EOF', (t) => {
  const cutter = datagramCutter(true);
  t.deepEqual(cutter.cut(Buffer.from('a\nb')).map(String), ['a\n']);
  t.deepEqual(cutter.cut(Buffer.from('c\n\nd')).map(String), ['bc\n', '\n']);
  t.deepEqual(cutter.rest().map(String), ['d']);
});

test('--lines: a line longer than a datagram is an error', (t) => {
  const cutter = datagramCutter(true);
  t.throws(() => cutter.cut(Buffer.alloc(65508, 97)), { message: /65507/ });
});
