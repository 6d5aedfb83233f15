// Issue 10 #14: out of file descriptors, a listener's refused clients are reported (one WARN per burst, with the
// count and the limit), and service resumes once clients leave. Before, libuv dropped them with nothing logged.
import { existsSync } from 'node:fs';
import type net from 'node:net';
import { CLI, parseJsonLines, startCli } from '../helpers/cli.js';
import { connectTcp, delay, within } from '../helpers/net.js';
import { testUnless } from '../helpers/skip.js';

const LIMIT = 64;
const CLIENTS = 80;

testUnless(existsSync('/proc/self/limits') ? undefined : 'no /proc/self/limits (the cap reads the limit there: Linux only)')(
  'issue 10 #14: clients refused for lack of file descriptors: one WARN per burst with count and limit; service resumes',
  async (t) => {
    t.timeout(60_000);
    // ulimit in sh sets both limits: Node raises its soft limit to the hard one at start.
    const cli = startCli(['-c', `ulimit -n ${LIMIT} && exec "$@"`, 'sh', process.execPath, CLI, 'tcp-server', '127.0.0.1:0', '-k', '--log-format', 'json'], { bin: 'sh', stdin: 'pipe' });
    t.teardown(() => { cli.child.kill('SIGKILL'); });
    let stderr = '';
    cli.child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
    const port = Number(String((await cli.waitEvent('listening')).address).split(':')[1]);
    const clients: net.Socket[] = [];
    t.teardown(() => { for (const c of clients) c.destroy(); });
    for (const settled of await Promise.allSettled(Array.from({ length: CLIENTS }, () => connectTcp(port)))) {
      if (settled.status === 'fulfilled') clients.push(settled.value.on('error', () => undefined));
    }
    const warning = await cli.waitLine(/"level":"WARN".*too many open files/, 5000);
    t.regex(warning, new RegExp(`limit ${LIMIT}: ulimit -n`));
    await delay(1500); // the burst's window closes: any later WARN would be in stderr now
    const lines = parseJsonLines(stderr);
    const warns = lines.filter((l) => l.level === 'WARN' && /too many open files/.test(l.message));
    const refused = warns.reduce((n, w) => n + Number(/refused (\d+) client/.exec(w.message)?.[1] ?? NaN), 0);
    const accepted = lines.filter((l) => l.event === 'accepted').length;
    t.true(refused > 0, stderr);
    t.is(accepted + refused, CLIENTS, stderr);
    t.true(warns.length < refused, `one WARN per burst, not one per client: ${warns.length} for ${refused}`);

    // Everyone leaves; a new client is served, its bytes reach stdout.
    for (const c of clients) c.destroy();
    await within((async () => { while (parseJsonLines(stderr).filter((l) => l.event === 'closed').length < accepted) await delay(50); })(), 10_000, 'the clients closed');
    const late = await connectTcp(port);
    t.teardown(() => late.destroy());
    late.write('after');
    await within((async () => { while (!Buffer.concat(cli.stdoutChunks).toString().includes('after')) await delay(50); })(), 10_000, 'the late client served');
    cli.child.kill('SIGTERM');
    t.is((await cli.done()).code, 143);
  },
);
