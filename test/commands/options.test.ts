// The argv parsers in-process: ports, targets, listen addresses, durations, log flags.
import test from 'ava';
import { check, logOptions } from '../../src/commands/flags.js';
import { parsePort, parseSeconds } from '../../src/core/parse.js';
import { parseListen, parseTarget } from '../../src/transports/inet.js';

test('ports: 0..65535, 1..65535 for a target, one message shape', (t) => {
  t.is(parsePort('0', { allowZero: true }), 0);
  t.is(parsePort('65535', { allowZero: false }), 65535);
  t.throws(() => parsePort('70000', { allowZero: true }), { message: 'port 70000: too large' });
  t.throws(() => parsePort('0', { allowZero: false }), { message: /port 0: too small/ });
  t.throws(() => parsePort('-1', { allowZero: true }), { message: 'port -1: not a number' });
  t.throws(() => parsePort('1e3', { allowZero: true }), { message: 'port 1e3: not a number' });
});

test('targets: host:port, [v6]:port, host port', (t) => {
  t.deepEqual(parseTarget('127.0.0.1:80', undefined), { host: '127.0.0.1', port: 80 });
  t.deepEqual(parseTarget('[::1]:80', undefined), { host: '::1', port: 80 });
  t.deepEqual(parseTarget('example.test', '8080'), { host: 'example.test', port: 8080 });
  t.deepEqual(parseTarget('::1', '22'), { host: '::1', port: 22 });
  t.throws(() => parseTarget('127.0.0.1', undefined), { message: /missing port/ });
  t.throws(() => parseTarget(':80', undefined), { message: /not a host/ });
  t.throws(() => parseTarget('a b:80', undefined), { message: /not a host/ });
  t.throws(() => parseTarget('127.0.0.1:80', '81'), { message: /give host:port or host port, not both/ });
  t.deepEqual(parseTarget('[::1]', '81'), { host: '::1', port: 81 });
});

test('listen addresses: port alone is every interface', (t) => {
  t.deepEqual(parseListen('1234', undefined), { host: undefined, port: 1234 });
  t.deepEqual(parseListen('127.0.0.1:0', undefined), { host: '127.0.0.1', port: 0 });
  t.deepEqual(parseListen('[::1]:9', undefined), { host: '::1', port: 9 });
  t.deepEqual(parseListen('127.0.0.1', '9'), { host: '127.0.0.1', port: 9 });
  t.deepEqual(parseListen(':9', undefined), { host: undefined, port: 9 });
  t.throws(() => parseListen('localhost', undefined), { message: /missing port/ });
});

test('durations: seconds by default, ms/s/m/h suffixes', (t) => {
  t.is(parseSeconds('-q', '2'), 2000);
  t.is(parseSeconds('-q', '0.5'), 500);
  t.is(parseSeconds('-q', '250ms'), 250);
  t.is(parseSeconds('-q', '1m'), 60000);
  t.is(parseSeconds('-q', undefined), undefined);
  t.throws(() => parseSeconds('-q', '-1'), { message: /-q -1: not a duration/ });
});

test('log flags: levels, formats, conflicts', (t) => {
  t.like(logOptions({}), { level: 'NOTE', format: 'text' });
  t.like(logOptions({ quiet: true }), { level: 'ERROR' });
  t.like(logOptions({ verbose: 1 }), { level: 'INFO' });
  t.like(logOptions({ verbose: 2 }), { level: 'DEBUG' });
  t.like(logOptions({ verbose: 5 }), { level: 'TRACE', stacks: true });
  t.like(logOptions({ logLevel: 'warn', logFormat: 'json' }), { level: 'WARN', format: 'json' });
  t.throws(() => check('tcp-client', { quiet: true, verbose: 1 }), { message: 'cannot use --quiet and -v' });
  t.throws(() => logOptions({ logLevel: 'x' }), { message: /not one of/ });
});
