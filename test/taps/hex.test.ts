// -x's lines: hexdump -C's, with the direction marker and the offset of that direction.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hexLines } from '../../src/taps/hex.js';
import { needs } from '../helpers/tools.js';

/** What `hexdump -Cv` prints for `data`, without its last line (the total length), each line after `marker `. */
const hexdump = (data: Buffer, marker: string): string => {
  const out = spawnSync('hexdump', ['-Cv'], { input: data, encoding: 'latin1' }).stdout;
  return out.split('\n').slice(0, -2).map((l) => `${marker} ${l}\n`).join('');
};

needs('hexdump')('the lines are hexdump -Cv\'s after the marker, for every length 0..40 and random bytes', (t) => {
  for (let n = 0; n <= 40; n++) {
    const data = randomBytes(n);
    t.is(hexLines('>', 0, data).toString('latin1'), hexdump(data, '>'), `${n} bytes`);
  }
  const big = randomBytes(4099);
  t.is(hexLines('<', 0, big).toString('latin1'), hexdump(big, '<'));
});

test('the offset goes on from where the direction was; past 4 GiB it takes more digits', (t) => {
  t.is(hexLines('<', 0x20, Buffer.from('hi')).toString(), '< 00000020  68 69                                             |hi|\n');
  t.is(hexLines('>', 2 ** 32, Buffer.from('A')).toString(), '> 100000000  41                                                |A|\n');
  t.is(hexLines('>', 0, Buffer.alloc(0)).length, 0);
});

test('bytes outside printable ASCII show as dots', (t) => {
  t.is(hexLines('>', 0, Buffer.from([0, 0x1f, 0x20, 0x7e, 0x7f, 0xff])).toString(), '> 00000000  00 1f 20 7e 7f ff                                 |.. ~..|\n');
});
