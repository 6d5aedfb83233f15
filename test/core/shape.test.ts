// --crlf and --delay: what we send, reshaped (src/core/shape.ts), on a fake stdin reader.
import test from 'ava';
import fc from 'fast-check';
import { crlf, shapeInput } from '../../src/core/shape.js';
import type { Input, InputHandlers } from '../../src/core/input.js';

/** LF -> CRLF on a whole input, the reference: each LF not after a CR gets one. */
const reference = (data: Buffer): Buffer => Buffer.from(data.toString('latin1').replace(/(?<!\r)\n/g, '\r\n'), 'latin1');

test('--crlf: LF becomes CRLF, a CRLF stays, other bytes are untouched', (t) => {
  const convert = crlf();
  t.is(convert(Buffer.from('a\nb\r\nc\r\r\n\n')).toString('latin1'), 'a\r\nb\r\nc\r\r\n\r\n');
  const same = Buffer.from('no newline \r here');
  t.is(convert(same), same);
});

test('--crlf: a CRLF split between two reads stays one CRLF', (t) => {
  const convert = crlf();
  t.is(convert(Buffer.from('a\r')).toString(), 'a\r');
  t.is(convert(Buffer.from('\nb\n')).toString(), '\nb\r\n');
});

test('--crlf: however the input is cut into reads, the output is the whole input converted', (t) => {
  const bytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a.map((b) => [10, 13, 97][b % 3] ?? 97)));
  fc.assert(fc.property(bytes, fc.array(fc.nat(200), { maxLength: 6 }), (data, cuts) => {
    const convert = crlf();
    const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let from = 0;
    for (const p of [...points, data.length]) {
      pieces.push(convert(data.subarray(from, p)));
      from = p;
    }
    t.deepEqual(Buffer.concat(pieces), reference(data));
  }));
});

/** A stdin whose reads are given by the test, and the reader's pause state. */
function fakeStdin(): { read: (h: InputHandlers) => Input; push(text: string): void; end(): void; paused: () => boolean } {
  let handlers: InputHandlers | undefined;
  let paused = false;
  return {
    read(h) {
      handlers = h;
      return { pause: () => { paused = true; }, resume: () => { paused = false; }, stop: () => undefined };
    },
    push: (text) => handlers?.data(Buffer.from(text)),
    end: () => handlers?.end(),
    paused: () => paused,
  };
}

test('--delay: one line, then a pause; stdin paused while lines wait; EOF after the last line', async (t) => {
  const stdin = fakeStdin();
  const got: Array<{ text: string; at: number }> = [];
  let endedAt = 0;
  const start = Date.now();
  const input = shapeInput(stdin.read, { delay: 60 })({
    data: (c) => got.push({ text: c.toString(), at: Date.now() - start }),
    end: () => { endedAt = Date.now() - start; },
    error: () => undefined,
  });
  stdin.push('a\nb\nc');
  stdin.end();
  t.deepEqual(got.map((g) => g.text), ['a\n']);
  t.true(stdin.paused());
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.deepEqual(got.map((g) => g.text), ['a\n', 'b\n', 'c']);
  // Timers never fire early: each line at least the delay after the one before (upper bounds are not asserted).
  t.true((got[1]?.at ?? 0) - (got[0]?.at ?? 0) >= 55, JSON.stringify(got));
  t.true((got[2]?.at ?? 0) - (got[1]?.at ?? 0) >= 55, JSON.stringify(got));
  t.true(endedAt >= (got[2]?.at ?? Infinity));
  input.stop();
});

test('--delay: the consumer pausing holds the lines; resuming sends them, and stdin is resumed once they are out', async (t) => {
  const stdin = fakeStdin();
  const got: string[] = [];
  const input = shapeInput(stdin.read, { delay: 10, crlf: true })({ data: (c) => { got.push(c.toString()); }, end: () => undefined, error: () => undefined });
  stdin.push('x\ny\n');
  input.pause();
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.deepEqual(got, ['x\r\n']);
  input.resume();
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.deepEqual(got, ['x\r\n', 'y\r\n']);
  t.false(stdin.paused());
  input.stop();
});
