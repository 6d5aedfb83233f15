// The rest rule of spec section 4, with its worked examples, on the pure function.
import test from 'ava';
import { applyRest, toCount } from '../../src/mona/rest.js';

const hooks = (log: string[] = []) => ({
  error: (err: unknown) => { log.push(`error:${(err as Error).message}`); },
  warn: (m: string) => { log.push(`warn:${m}`); },
  closed: () => false,
});

/** Feed receptions through a handler that returns the next scripted values; record what it saw. */
function run(receptions: string[], returns: unknown[], mode: 'rest' | 'consumed' = 'rest') {
  const seen: string[] = [];
  const log: string[] = [];
  let rest: Buffer | undefined;
  let i = 0;
  for (const r of receptions) {
    const data = rest ? Buffer.concat([rest, Buffer.from(r)]) : Buffer.from(r);
    rest = applyRest(data, (d) => { seen.push(d.toString()); return returns[i++]; }, mode, hooks(log));
  }
  return { seen, rest: rest?.toString(), log };
}

test('0 consumes everything: "ABC","DE" arrive as they are', (t) => {
  t.deepEqual(run(['ABC', 'DE'], [0, 0]).seen, ['ABC', 'DE']);
});

test('returning #data keeps it: the next call gets "ABCDE"', (t) => {
  t.deepEqual(run(['ABC', 'DE'], [3, 0]).seen, ['ABC', 'ABCDE']);
});

test('nothing returned drops the data, with no WARN', (t) => {
  const r = run(['ABC', 'DE'], [undefined, undefined]);
  t.deepEqual(r.seen, ['ABC', 'DE']);
  t.deepEqual(r.log, []);
});

test('"ABCDEF" returning 2 re-calls at once with "EF"; 2 again waits; "G" gives "EFG"', (t) => {
  t.deepEqual(run(['ABCDEF', 'G'], [2, 2, 0]).seen, ['ABCDEF', 'EF', 'EFG']);
});

test('re-calls while the rest shrinks', (t) => {
  t.deepEqual(run(['ABCDEF'], [4, 2, 1, 0]).seen, ['ABCDEF', 'CDEF', 'EF', 'F']);
});

test('9 on 6 bytes keeps all; "GH" gives "ABCDEFGH"', (t) => {
  t.deepEqual(run(['ABCDEF', 'GH'], [9, 0]).seen, ['ABCDEF', 'ABCDEFGH']);
});

test('a negative rest keeps all, with a WARN', (t) => {
  const r = run(['ABCDEF', 'G'], [-1, 0]);
  t.deepEqual(r.seen, ['ABCDEF', 'ABCDEFG']);
  t.is(r.log.length, 1);
  t.regex(r.log[0] ?? '', /^warn:.*negative/);
});

test('numeric strings count, fractions truncate, other types are 0', (t) => {
  t.is(toCount('2'), 2);
  t.is(toCount(' 3 '), 3);
  t.is(toCount(2.9), 2);
  t.is(toCount(-2.9), -2);
  t.is(toCount('abc'), 0);
  t.is(toCount(true), 0);
  t.is(toCount({}), 0);
  t.is(toCount(null), 0);
  t.is(toCount(Number.NaN), 0);
  t.deepEqual(run(['ABCDEF', 'G'], ['2', 0]).seen, ['ABCDEF', 'EF', 'G']);
});

test('a handler that throws drops its data and reports the error', (t) => {
  const r = run(['ABC', 'DE'], [undefined, 0]);
  t.deepEqual(r.seen, ['ABC', 'DE']);
  const thrown = applyRest(Buffer.from('X'), () => { throw new Error('boom'); }, 'rest', hooks(r.log));
  t.is(thrown, undefined);
  t.true(r.log.includes('error:boom'));
});

test('stops re-calling once the socket closed inside the handler', (t) => {
  let calls = 0;
  const kept = applyRest(Buffer.from('ABCDEF'), () => { calls++; return 2; }, 'rest', { ...hooks(), closed: () => true });
  t.is(calls, 1);
  t.is(kept, undefined);
});

test('consumed (MonaServer 1.x): 0 keeps all, k drops the first k and re-calls, >= n drops all', (t) => {
  t.deepEqual(run(['ABC', 'DE'], [0, 5], 'consumed').seen, ['ABC', 'ABCDE']);
  t.deepEqual(run(['ABCDEF'], [2, 4], 'consumed').seen, ['ABCDEF', 'CDEF']);
  const r = run(['ABC'], [undefined], 'consumed');
  t.is(r.rest, undefined);
  t.regex(r.log[0] ?? '', /missing arguments/);
});
