// The library over real sockets when onData returns odd things: a rest larger than the data, negative, not a
// number at all; checked against a model written from the spec (section 4), for generated sequences too.
import test from 'ava';
import fc from 'fast-check';
import net from 'node:net';
import { mona, type TCPClient, type TCPServer } from '../../src/mona/index.js';
import { captureLog, until } from '../helpers/log.js';
import { connectTcp, within } from '../helpers/net.js';

const log = captureLog();
// One log for the file: its tests run one at a time, so each counts only its own WARNs.
const warnsSince = (n: number): string[] => log.slice(n).filter((l) => l.startsWith('WARN'));

/** The spec's count: nothing or a non-number is 0; numbers and numeric strings count, truncated toward 0. */
function modelCount(v: unknown): number {
  let n = 0;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) n = Number(v);
  return Number.isNaN(n) ? 0 : Math.trunc(n);
}

/** What onData sees for `pieces` (one reception each) when it returns `returns` in turn; and the WARNs expected. */
function model(pieces: string[], returns: unknown[]): { seen: string[]; warns: number } {
  const seen: string[] = [];
  let kept = '';
  let i = 0;
  let warns = 0;
  for (const piece of pieces) {
    let data = kept + piece;
    kept = '';
    for (;;) {
      seen.push(data);
      const r = modelCount(returns[i++]);
      if (r === 0) break;
      if (r < 0 || r >= data.length) {
        if (r < 0) warns++;
        kept = data;
        break;
      }
      data = data.slice(data.length - r);
    }
  }
  return { seen, warns };
}

interface Session { server: TCPServer; port: number; accepted: Promise<TCPClient> }

async function session(options?: { restCap: number }): Promise<Session> {
  const server = mona.createTCPServer(options ? { client: options } : {});
  let accept: (c: TCPClient) => void = () => undefined;
  const accepted = new Promise<TCPClient>((resolve) => { accept = resolve; });
  server.onConnection = (client) => accept(client);
  const address = await server.startAsync('127.0.0.1', 0);
  return { server, port: address.port, accepted };
}

/** Send `pieces` one reception at a time (each waits until onData has seen it), recording what onData saw. */
async function exchange(pieces: string[], returns: unknown[]): Promise<{ seen: string[]; warns: number }> {
  const s = await session();
  const socket = await connectTcp(s.port);
  const client = await within(s.accepted, 5000, 'accept');
  const seen: string[] = [];
  let call = 0;
  let receptions = 0;
  client.onData = function (data) {
    seen.push(data.toString('latin1'));
    return returns[call++];
  };
  const mark = log.length;
  for (const piece of pieces) {
    const before = seen.length;
    socket.write(Buffer.from(piece, 'latin1'));
    await until(() => seen.length > before, 5000, `onData for piece ${receptions}`);
    receptions++;
  }
  const warns = warnsSince(mark).length;
  socket.destroy();
  s.server.stop();
  return { seen, warns };
}

const odd = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, 0, -0, 1, 2, 3, 100, -1, -7, 2.9, -2.9, Infinity, -Infinity, NaN, '2', ' 1 ', '', 'abc', '1e1', true, false, 2n, [], {}, [3], Symbol('r'), () => 5),
  fc.integer({ min: -3, max: 12 }),
);

test.serial('the spec\'s examples, and odd returns over a real socket: larger than the data, negative, not a number', async (t) => {
  const cases: Array<[string[], unknown[]]> = [
    [['ABCDEF', 'GH'], [9, 0]], // larger than the data: all kept, next reception prepended
    [['ABCDEF', 'G'], [2, 2, 0]], // the spec's 2 then 2: "EF" at once, then "EFG"
    [['ABC', 'DE'], [-1, 0]], // negative: all kept, plus a WARN
    [['ABC', 'DE', 'F'], ['abc', {}, true]], // not numbers: consumed
    [['ABCDEF', 'G'], ['3', 3, 0]], // a numeric string counts
    [['ABCDEF', 'G'], [Infinity, -Infinity, 0]], // +inf keeps all; -inf keeps all with a WARN
    [['ABCDEF', 'G'], [NaN, 2.9, 2, 0]], // NaN is 0; 2.9 truncates to 2
    [['AB', 'CD'], [Symbol('r'), 0]], // a symbol is not a number either
  ];
  for (const [pieces, returns] of cases) {
    const got = await exchange(pieces, returns);
    t.deepEqual(got, model(pieces, returns), `${JSON.stringify(pieces)} returning ${returns.map(String).join(', ')}`);
  }
});

test.serial('generated receptions and return values: onData sees exactly what the spec\'s rest rule says', async (t) => {
  t.timeout(60_000);
  await fc.assert(fc.asyncProperty(
    fc.array(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
    fc.array(odd, { minLength: 40, maxLength: 40 }),
    async (pieces, returns) => {
      const got = await exchange(pieces, returns);
      const want = model(pieces, returns);
      t.deepEqual(got, want);
      return JSON.stringify(got) === JSON.stringify(want);
    },
  ), { numRuns: 60 });
});

test.serial('a rest that grows over its cap: ERROR, the connection is closed with the error, the server goes on', async (t) => {
  const s = await session({ restCap: 1024 });
  const socket = await connectTcp(s.port);
  socket.on('error', () => undefined);
  const client = await within(s.accepted, 5000, 'accept');
  client.onData = (data) => data.length; // keep everything, forever
  const gone = new Promise<string | undefined>((resolve) => { client.onDisconnection = (_peer, error) => resolve(error); });
  const mark = log.length;
  for (let i = 0; i < 8 && !socket.destroyed; i++) socket.write(Buffer.alloc(200, 65));
  const error = await within(gone, 5000, 'the disconnection');
  t.regex(error ?? '', /over its 1024-byte cap/);
  t.true(log.slice(mark).some((l) => l.startsWith('ERROR') && l.includes('1024-byte cap')));
  t.true(s.server.running);
  const again = await new Promise<boolean>((resolve) => {
    const c = net.connect(s.port, '127.0.0.1', () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  });
  t.true(again);
  s.server.stop();
});
