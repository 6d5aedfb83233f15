// Bugs the reliability suite found, one test each, so that they stay fixed.
import test from 'ava';
import { MonaError, parseAddress, SocketAddress } from '../../src/mona/index.js';

test('parseAddress with an object that has no prototype: a MonaError, not a TypeError from String()', (t) => {
  const bare = Object.create(null) as object;
  t.throws(() => parseAddress([bare, ''], 'listen'), { instanceOf: MonaError, message: 'Invalid host [object Object]' });
  t.throws(() => parseAddress(['127.0.0.1', bare], 'connect'), { instanceOf: MonaError, message: 'Invalid port [object Object]' });
  t.false(new SocketAddress('127.0.0.1', 80).equals(bare));
});

test('a repeated option takes its last value (getopt style), not an array that crashed the parsers', async (t) => {
  const { runCli } = await import('../helpers/cli.js');
  const { closedPort } = await import('../helpers/net.js');
  const port = await closedPort();
  const twice = await runCli(['tcp-client', `127.0.0.1:${port}`, '--log-level', 'info', '--log-level', 'debug', '-w', 'soon', '-w', '2', '--log-format', 'text', '--log-format', 'json']);
  t.is(twice.code, 1, twice.stderr);
  t.is(twice.errors.length, 1, twice.stderr);
  t.regex(twice.errors[0] ?? '', /Unable to connect to 127\.0\.0\.1:\d+ \(connection refused\)/);
  t.true(twice.stderr.startsWith('{'), 'the last --log-format (json) is in force');
});
