// Bad input, generated: the address parser and the CLI's option parsers take thousands of arbitrary inputs and
// either answer or refuse with their own error; then a few hundred random command lines run as real processes.
import test from 'ava';
import fc from 'fast-check';
import net from 'node:net';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { formatAddress, MonaError, parseAddress, SocketAddress } from '../../src/mona/index.js';
import { logOptions, readSettings, withFlags } from '../../src/commands/flags.js';
import { UsageError } from '../../src/core/outcome.js';
import { parsePort, parseSeconds } from '../../src/core/parse.js';
import { checkFamily, parseListen, parseTarget } from '../../src/transports/inet.js';
import { tcpClient } from '../../src/commands/tcp-client.js';
import { tcpServer } from '../../src/commands/tcp-server.js';
import { runCli } from '../helpers/cli.js';
import { closedPort, tcpPeer } from '../helpers/net.js';

/** Run `fn`; true if it returned, false if it threw `Expected`, and rethrow anything else (the property fails). */
function answersOrRefuses(fn: () => unknown, expected: new (...args: never[]) => Error): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof expected) return false;
    throw err;
  }
}

// ---------------------------------------------------------------- the address parser (src/mona/address.ts)

const role = fc.constantFrom<'listen' | 'connect'>('listen', 'connect');

test('parseAddress on anything: an endpoint with a port in range, or a MonaError, never another exception', (t) => {
  const arg = fc.oneof(fc.anything({ withNullPrototype: true, withBigInt: true }), fc.string(), fc.integer(), fc.double(), fc.constant(undefined));
  fc.assert(fc.property(fc.array(arg, { maxLength: 3 }), role, (args, r) => {
    let endpoint: { host: string; port: number } | undefined;
    if (!answersOrRefuses(() => { endpoint = parseAddress(args, r); }, MonaError)) return;
    t.is(typeof endpoint?.host, 'string');
    t.true(Number.isInteger(endpoint?.port) && (endpoint?.port ?? -1) >= (r === 'connect' ? 1 : 0) && (endpoint?.port ?? 70000) <= 65535);
  }), { numRuns: 5000 });
});

test('parseAddress on address-shaped strings ("host:port", "[v6]:port", ports, junk around them)', (t) => {
  const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain(), fc.constant(''), fc.string({ maxLength: 8 }));
  const port = fc.oneof(fc.integer({ min: -5, max: 70000 }).map(String), fc.string({ maxLength: 6 }), fc.constantFrom('http', ' 80 ', '0x50', '1e3', ''));
  const text = fc.tuple(host, port, fc.constantFrom('plain', 'bracket', 'space')).map(([h, p, form]) => (form === 'bracket' ? `[${h}]:${p}` : form === 'space' ? `${h} :${p}` : `${h}:${p}`));
  fc.assert(fc.property(fc.oneof(text, host, port), role, (s, r) => {
    t.true(answersOrRefuses(() => parseAddress([s], r), MonaError) || true);
  }), { numRuns: 5000 });
});

test('formatAddress and parseAddress round-trip every IP literal and port, in every Mona form', (t) => {
  fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 1, max: 65535 }), (host, port) => {
    const want = { host, port };
    t.deepEqual(parseAddress([formatAddress(host, port)], 'connect'), want);
    t.deepEqual(parseAddress([host, port], 'connect'), want);
    t.deepEqual(parseAddress([host, String(port)], 'listen'), want);
    t.deepEqual(parseAddress([new SocketAddress(host, port)], 'connect'), want);
  }), { numRuns: 3000 });
});

test('a port alone: all interfaces to listen, loopback to dial', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), fc.boolean(), (port, asText) => {
    const p = asText ? String(port) : port;
    t.deepEqual(parseAddress([p], 'listen'), { host: '0.0.0.0', port });
    t.deepEqual(parseAddress([p], 'connect'), { host: '127.0.0.1', port });
  }), { numRuns: 1000 });
});

// ---------------------------------------------------------------- the CLI's parsers (src/commands/options.ts)

const junk = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('0', '1', '65535', '65536', '-1', ' 8 ', '1.5', '0x10', '[::1]', '[::1]:80', '::1', 'a:b:c', ':', '[]:1', '[', ']:80', '500ms', '.5', '2m', '1h', 'inf', 'NaN', ''));

test('parsePort, parseSeconds, parseTarget, parseListen: a value in range or a UsageError', (t) => {
  fc.assert(fc.property(junk, fc.option(junk, { nil: undefined }), fc.boolean(), (a, b, allowZero) => {
    let port = -1;
    if (answersOrRefuses(() => { port = parsePort(a, { allowZero }); }, UsageError)) {
      t.true(Number.isInteger(port) && port >= (allowZero ? 0 : 1) && port <= 65535, `parsePort(${JSON.stringify(a)}) = ${port}`);
    }
    let ms: number | undefined;
    if (answersOrRefuses(() => { ms = parseSeconds('-w', a); }, UsageError)) t.true(ms !== undefined && Number.isFinite(ms) && ms >= 0, `parseSeconds(${JSON.stringify(a)}) = ${String(ms)}`);
    let target: { host: string; port: number } | undefined;
    if (answersOrRefuses(() => { target = parseTarget(a, b); }, UsageError)) {
      t.true((target?.host.length ?? 0) > 0 && (target?.port ?? 0) >= 1 && (target?.port ?? 70000) <= 65535);
    }
    let listen: { host: string | undefined; port: number } | undefined;
    if (answersOrRefuses(() => { listen = parseListen(a, b); }, UsageError)) {
      t.true(listen?.host !== '' && (listen?.port ?? -1) >= 0 && (listen?.port ?? 70000) <= 65535);
    }
  }), { numRuns: 5000 });
});

test('readSettings and logOptions on any flag combination: settings or a UsageError', (t) => {
  const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
  fc.assert(fc.property(
    fc.record({ verbose: maybe(fc.nat(5)), quiet: maybe(fc.boolean()), logLevel: maybe(fc.oneof(junk, fc.constantFrom('trace', 'ERROR', 'note', 'Warn'))), logFormat: maybe(fc.constantFrom('text', 'json')) }),
    fc.record({ 4: maybe(fc.boolean()), 6: maybe(fc.boolean()) }),
    fc.record({ shutdown: maybe(fc.boolean()), quitAfter: maybe(junk), linger: maybe(junk), idleTimeout: maybe(junk) }),
    (logArgs, family, session) => {
      let settings: ReturnType<typeof readSettings> | undefined;
      if (answersOrRefuses(() => { settings = readSettings('tcp-client', { ...logArgs, ...family, ...session }); }, UsageError)) {
        t.true((settings?.linger ?? -1) >= 0);
        answersOrRefuses(() => logOptions(settings ?? {}), UsageError);
      }
    },
  ), { numRuns: 3000 });
});

// ---------------------------------------------------------------- argv: the yargs layer in-process, then real runs

interface Safe { closed: number; inUse: number }

/**
 * Random command lines that can never wait on the network: every endpoint fails fast (a closed port, a port held by
 * the test, an address this machine does not have), and extra tokens are flags or a flag and its value, never
 * another positional.
 */
function argvs(safe: Safe, { helpFlags }: { helpFlags: boolean }): fc.Arbitrary<string[]> {
  const { closed, inUse } = safe;
  const base = fc.constantFrom(
    ['tcp-client', `127.0.0.1:${closed}`], ['connect', '127.0.0.1', String(closed)], ['tcp-client', `[::1]:${closed}`],
    ['tcp-client', `127.0.0.1:${inUse}`], ['tcp-client', 'localhost:0'], ['tcp-client', '127.0.0.1'], ['tcp-client'],
    ['tcp-server', `127.0.0.1:${inUse}`], ['listen', '127.0.0.1', String(inUse)], ['tcp-server', '192.0.2.1:5'], ['tcp-server', '127.0.0.1:70000'],
    ['tcp-server'], ['udp', 'connect', `127.0.0.1:${closed}`, '-q', '0.2'], ['udp', 'bind', '192.0.2.1:5'], ['udp'], ['udp', 'nope'],
    ['nope', '127.0.0.1:1'], [],
  );
  const value = fc.oneof(junk.filter((v) => v !== '--'), fc.constantFrom('0', '0.1', '1', 'json', 'text', 'TRACE', 'nope', '-1'));
  const valueFlag = fc.constantFrom('-w', '--wait', '-i', '--idle-timeout', '-q', '--quit-after', '--linger', '--log-level', '--log-format');
  const flag = fc.constantFrom(
    '-4', '-6', '-k', '--keep-open', '--echo', '--no-shutdown', '--shutdown', '--quiet', '-v', '-vv', '--lines', '-b', '--broadcast',
    '--exec', '-x', '--nope', '-Z', '--verbose', ...(helpFlags ? ['--help', '-h', '--version'] : []),
  );
  const extra = fc.oneof(flag.map((f) => [f]), fc.tuple(valueFlag, value).map(([f, v]) => [f, v]), fc.tuple(valueFlag, value).map(([f, v]) => [`${f}=${v}`]));
  return fc.tuple(base, fc.array(extra, { maxLength: 4 })).map(([b, extras]) => [...b, ...extras.flat()]);
}

async function safeEndpoints(): Promise<Safe & { close(): Promise<void> }> {
  const holder = await tcpPeer((s) => s.destroy());
  return { closed: await closedPort(), inUse: holder.port, close: () => holder.close() };
}

/** yargs with the real tcp-client/tcp-server builders and handlers that only parse (the udp handlers cannot be swapped). */
function parseInProcess(args: string[]): { failed?: string; argv?: Record<string, unknown> } {
  const result: { failed?: string; argv?: Record<string, unknown> } = {};
  const stub = (c: CommandModule<object, never>): CommandModule => ({ ...c, handler: (argv: Record<string, unknown>) => { result.argv = argv; } } as unknown as CommandModule);
  (withFlags(yargs(args), 'root') as Argv)
    .command([stub(tcpClient as unknown as CommandModule<object, never>), stub(tcpServer as unknown as CommandModule<object, never>)])
    // As src/cli.ts configures it.
    .strict()
    .parserConfiguration({ 'duplicate-arguments-array': true })
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((message, err) => { result.failed = message || err?.message || 'bad usage'; })
    .parseSync();
  return result;
}

test('600 argv through yargs and the option parsers in-process (a yargs instance costs ~13 ms): parsed or refused, nothing else', async (t) => {
  const safe = await safeEndpoints();
  t.teardown(() => safe.close());
  let parsed = 0;
  let refused = 0;
  fc.assert(fc.property(argvs(safe, { helpFlags: false }).filter((a) => a[0] !== 'udp'), (args) => {
    const r = parseInProcess(args);
    if (r.failed !== undefined || !r.argv) {
      refused++;
      return;
    }
    const argv = r.argv as Record<string, unknown> & { address?: string; target?: string; port?: string };
    const ok = answersOrRefuses(() => {
      const server = argv.address !== undefined;
      const settings = readSettings(server ? 'tcp-server' : 'tcp-client', argv);
      logOptions(settings);
      const endpoint = server ? parseListen(String(argv.address), argv.port) : parseTarget(String(argv.target), argv.port);
      checkFamily(endpoint.host, settings.family);
    }, UsageError);
    if (ok) parsed++;
    else refused++;
  }), { numRuns: 600 });
  t.log(`${parsed} parsed, ${refused} refused`);
  t.true(parsed > 0 && refused > 0);
});

test('200 random command lines as real processes: exit 0, 1 or 2, at most one ERROR line, never a stack trace', async (t) => {
  t.timeout(120_000);
  const safe = await safeEndpoints();
  t.teardown(() => safe.close());
  const samples = fc.sample(argvs(safe, { helpFlags: true }), { numRuns: 200, seed: 20261125 });
  const codes = new Map<number | null, number>();
  const bad: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < samples.length; i = next++) {
      const args = samples[i] ?? [];
      const r = await runCli(args, { stdin: 'ignore', timeoutMs: 10_000 });
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      const verbose = args.filter((a) => /^-v+$/.test(a)).reduce((n, a) => n + a.length - 1, 0) + args.filter((a) => a === '--verbose').length;
      const problems = [
        ![0, 1, 2].includes(r.code ?? -1) && `exit ${String(r.code)} (${String(r.signal)})`,
        r.errors.length > 1 && `${r.errors.length} ERROR lines`,
        verbose < 3 && /\n\s+at |^\s+at /m.test(r.stderr) && 'a stack trace',
      ].filter(Boolean);
      if (problems.length) bad.push(`${JSON.stringify(args)}: ${problems.join(', ')}\n${r.stderr}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  t.log(`exit codes: ${[...codes].map(([c, n]) => `${String(c)}: ${n}`).join(', ')}`);
  t.deepEqual(bad, []);
});

test('the holder port really refuses to serve (sanity check of the generator\'s endpoints)', async (t) => {
  const safe = await safeEndpoints();
  t.teardown(() => safe.close());
  await new Promise<void>((resolve) => {
    const s = net.connect(safe.closed, '127.0.0.1');
    s.on('error', (err: NodeJS.ErrnoException) => { t.is(err.code, 'ECONNREFUSED'); resolve(); });
  });
});
