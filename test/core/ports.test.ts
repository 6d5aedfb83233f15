// -z's port lists (parsePorts) and targets (parseScanTarget): forms, order, and the usage errors.
import test from 'ava';
import { parsePorts } from '../../src/core/parse.js';
import { UsageError } from '../../src/core/outcome.js';
import { parseScanTarget } from '../../src/transports/inet.js';

test('a port, a range, a comma list: in the order given, each port once', (t) => {
  t.deepEqual(parsePorts('80'), [80]);
  t.deepEqual(parsePorts('8000-8003'), [8000, 8001, 8002, 8003]);
  t.deepEqual(parsePorts('22,80,8000-8002,22'), [22, 80, 8000, 8001, 8002]);
  t.deepEqual(parsePorts('5-5'), [5]);
  t.is(parsePorts('1-65535').length, 65535);
});

for (const bad of ['', 'x', '80,', ',80', '1-x', '0', '0-5', '70000', '10-5', '1--5', ' 80', '80 ', '1,2-']) {
  test(`a bad port list ${JSON.stringify(bad)} is a usage error`, (t) => {
    t.throws(() => parsePorts(bad), { instanceOf: UsageError });
  });
}

test('a scan target: HOST PORTS, host:PORTS, [v6]:PORTS', (t) => {
  t.deepEqual(parseScanTarget('127.0.0.1', '22,80'), { host: '127.0.0.1', ports: [22, 80] });
  t.deepEqual(parseScanTarget('localhost:1-3', undefined), { host: 'localhost', ports: [1, 2, 3] });
  t.deepEqual(parseScanTarget('[::1]:443', undefined), { host: '::1', ports: [443] });
  t.throws(() => parseScanTarget('localhost', undefined), { instanceOf: UsageError, message: /missing ports/ });
  t.throws(() => parseScanTarget('127.0.0.1:80', '81'), { instanceOf: UsageError });
});
