import test from 'ava';
import { createLogger, joinArgs } from '../src/log.js';
import { SocketAddress } from '../src/mona/index.js';

const sink = (isTTY = false) => {
  const lines: string[] = [];
  return { lines, isTTY, write: (l: string) => { lines.push(l); } };
};

test('joins arguments as MonaServer: no separator, (null), (true), %.14g', (t) => {
  t.is(joinArgs(['a', 1, null, true, new SocketAddress('127.0.0.1', 5)]), 'a1(null)(true)127.0.0.1:5');
  t.is(joinArgs([undefined, false, 0.1 + 0.2, ' ', 1e21, ' ', 2.5]), '(null)(false)0.3 1e+21 2.5');
  t.is(joinArgs([1e14, ' ', 0.00001, ' ', 1e-7, ' ', 12345678901234, ' ', 2 ** 53, ' ', 0.0001]), '1e+14 1e-05 1e-07 12345678901234 9.007199254741e+15 0.0001');
});

test('text lines: time, level, message; levels below the threshold are hidden', (t) => {
  const s = sink();
  const log = createLogger({ sink: s, level: 'NOTE' });
  log.log('NOTE', 'shown');
  log.log('INFO', 'hidden');
  log.log('ERROR', 'bad ', 42);
  t.is(s.lines.length, 2);
  t.regex(s.lines[0] ?? '', /^\d\d:\d\d:\d\d\.\d{3} NOTE shown\n$/);
  t.regex(s.lines[1] ?? '', /^\d\d:\d\d:\d\d\.\d{3} ERROR bad 42\n$/);
});

test('JSON lines carry time, level, message, and events their fields', (t) => {
  const s = sink();
  const log = createLogger({ sink: s, format: 'json', level: 'ERROR' });
  log.log('NOTE', 'hidden by level');
  log.event('listening', { address: '127.0.0.1:5', transport: 'tcp' }, 'listening on 127.0.0.1:5');
  t.is(s.lines.length, 1);
  const line = JSON.parse(s.lines[0] ?? '') as Record<string, unknown>;
  t.is(line.event, 'listening');
  t.is(line.address, '127.0.0.1:5');
  t.is(line.level, 'NOTE');
  t.true(!Number.isNaN(Date.parse(String(line.time))));
});

test('colour only on a TTY and never with NO_COLOR', (t) => {
  const saved = process.env.NO_COLOR;
  try {
    delete process.env.NO_COLOR;
    const tty = sink(true);
    createLogger({ sink: tty }).log('ERROR', 'x');
    t.true((tty.lines[0] ?? '').includes('\u001b['));
    const pipe = sink(false);
    createLogger({ sink: pipe }).log('ERROR', 'x');
    t.false((pipe.lines[0] ?? '').includes('\u001b['));
    process.env.NO_COLOR = '1';
    const noColor = sink(true);
    createLogger({ sink: noColor }).log('ERROR', 'x');
    t.false((noColor.lines[0] ?? '').includes('\u001b['));
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR; else process.env.NO_COLOR = saved;
  }
});
