// Bugs the reliability suite found, one test each, so that they stay fixed.
import test from 'ava';
import { MonaError, parseAddress, SocketAddress } from '../../src/mona/index.js';

test('parseAddress with an object that has no prototype: a MonaError, not a TypeError from String()', (t) => {
  const bare = Object.create(null) as object;
  t.throws(() => parseAddress([bare, ''], 'listen'), { instanceOf: MonaError, message: 'Invalid host [object Object]' });
  t.throws(() => parseAddress(['127.0.0.1', bare], 'connect'), { instanceOf: MonaError, message: 'Invalid port [object Object]' });
  t.false(new SocketAddress('127.0.0.1', 80).equals(bare));
});
