// Cutting stdin into datagrams.
import test from 'ava';
import { datagramCutter, framing } from '../../src/core/framing.js';

test('reads: one datagram each (reads are bounded to the datagram size upstream)', (t) => {
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

test('--datagram-size: a read longer than the size is cut in pieces of that size, never lost', (t) => {
  const cutter = datagramCutter(false, 4);
  t.deepEqual(cutter.cut(Buffer.from('abcdefghij')).map(String), ['abcd', 'efgh', 'ij']);
  t.deepEqual(cutter.cut(Buffer.from('abcd')).map(String), ['abcd']);
});

test('framing: the default datagram is MAX_DATAGRAM; --lines keeps lines up to it whatever the size', (t) => {
  t.deepEqual(framing(true, false), { datagrams: { max: 65507, lines: false } });
  t.deepEqual(framing(true, false, 8192), { datagrams: { max: 8192, lines: false } });
  t.deepEqual(framing(true, true, 8192), { datagrams: { max: 65507, lines: true } });
  t.deepEqual(framing(false, false, 8192), {});
});
