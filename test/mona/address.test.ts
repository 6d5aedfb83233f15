import test from 'ava';
import { formatAddress, parseAddress, SocketAddress, type Endpoint } from '../../src/mona/index.js';
import { splitHostPort } from '../../src/mona/address.js';

const parses = test.macro({
  exec(t, args: unknown[], role: 'listen' | 'connect', expected: Endpoint) {
    t.deepEqual(parseAddress(args, role), expected);
  },
  title: (_, args: unknown[], role) => `${role} ${JSON.stringify(args)}`,
});

test(parses, [1234], 'listen', { host: '::', port: 1234, any: true });
test(parses, [1234], 'connect', { host: '127.0.0.1', port: 1234 });
test(parses, ['1234'], 'listen', { host: '::', port: 1234, any: true });
test(parses, ['', 1234], 'listen', { host: '::', port: 1234, any: true });
test(parses, ['0.0.0.0', 1234], 'listen', { host: '0.0.0.0', port: 1234 });
test(parses, ['[::]:1234'], 'listen', { host: '::', port: 1234 });
test(parses, ['127.0.0.1:80'], 'connect', { host: '127.0.0.1', port: 80 });
test(parses, ['[::1]:80'], 'connect', { host: '::1', port: 80 });
test(parses, ['localhost', 80], 'connect', { host: 'localhost', port: 80 });
test(parses, ['localhost', '80'], 'connect', { host: 'localhost', port: 80 });
test(parses, ['[::1]', 8080], 'connect', { host: '::1', port: 8080 });
test(parses, ['::1', 8080], 'connect', { host: '::1', port: 8080 });
test(parses, [':0'], 'listen', { host: '::', port: 0, any: true });
test(parses, [new SocketAddress('10.0.0.1', 9)], 'connect', { host: '10.0.0.1', port: 9 });

const fails = test.macro({
  exec(t, args: unknown[], role: 'listen' | 'connect', message: string) {
    t.throws(() => parseAddress(args, role), { message });
  },
  title: (_, args: unknown[], role) => `${role} ${JSON.stringify(args)} fails`,
});

test(fails, [], 'connect', 'No valid SocketAddress available to read');
test(fails, ['127.0.0.1'], 'connect', 'Missing port number in 127.0.0.1');
test(fails, ['::1'], 'connect', 'Missing port number in ::1');
test(fails, ['127.0.0.1:99999'], 'connect', 'Invalid port 99999');
test(fails, ['127.0.0.1', 0], 'connect', 'Invalid port 0');
test(fails, ['127.0.0.1', -1], 'listen', 'Invalid port -1');
test(fails, ['127.0.0.1', 1.5], 'listen', 'Invalid port 1.5');
test(fails, ['127.0.0.1', 'no-such-service-name'], 'listen', 'Invalid port no-such-service-name');
test(fails, [{}], 'connect', 'No valid SocketAddress available to read');

test('formats IPv6 in brackets', (t) => {
  t.is(formatAddress('::1', 80), '[::1]:80');
  t.is(formatAddress('127.0.0.1', 80), '127.0.0.1:80');
});

test('SocketAddress prints, concatenates and compares as its value', (t) => {
  const a = new SocketAddress('::1', 5);
  t.is(String(a), '[::1]:5');
  t.is(`at ${a}`, 'at [::1]:5');
  t.is('at ' + a, 'at [::1]:5');
  t.true(a.isIPv6);
  t.is(a.value, '[::1]:5');
  t.true(a.equals(new SocketAddress('::1', 5)));
  t.true(a.equals('[::1]:5'));
  t.false(a.equals(new SocketAddress('::1', 6)));
  t.is(JSON.stringify({ a }), '{"a":"[::1]:5"}');
});

test('splits at the last colon', (t) => {
  t.deepEqual(splitHostPort('a:b:1'), { host: 'a:b', port: '1' });
  t.deepEqual(splitHostPort('[fe80::1]:7'), { host: 'fe80::1', port: '7' });
  t.deepEqual(splitHostPort('host'), { host: 'host', port: undefined });
});
