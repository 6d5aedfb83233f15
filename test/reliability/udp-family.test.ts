// Issue 10 #17: `udp bind -6 PORT` hears IPv6 senders only (IPV6_V6ONLY, as tcp-server -6 already did), and
// `udp bind -4 PORT` IPv4 senders only. Without -4/-6 a port alone hears both (dual-stack).
import dgram from 'node:dgram';
import { startCli, type Running } from '../helpers/cli.js';
import { delay } from '../helpers/net.js';
import { noIPv6Loopback, testUnless } from '../helpers/skip.js';

const v6Test = testUnless(noIPv6Loopback());

/** Send `text` to `host`:`port` from a fresh socket of that family; resolves once handed to the system. */
async function sendFrom(host: string, port: number, text: string): Promise<void> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => undefined); // an ICMP refusal of a datagram nobody hears
  try {
    await new Promise<void>((resolve, reject) => socket.send(text, port, host, (err) => (err ? reject(err) : resolve())));
  } finally {
    socket.close();
  }
}

/** `udp bind FLAGS 0 -k`, one datagram over IPv4 then one over IPv6; what reached stdout. */
async function heard(flags: string[]): Promise<{ stdout: string; listening: string }> {
  const cli: Running = startCli(['udp', 'bind', ...flags, '0', '-k'], { stdin: 'pipe' });
  try {
    const listening = await cli.waitLine(/listening on /);
    const port = await cli.port();
    await sendFrom('127.0.0.1', port, '[v4]');
    await sendFrom('::1', port, '[v6]');
    // Loopback delivers at once; give stdout a moment, then stop.
    await delay(300);
    cli.child.kill('SIGTERM');
    const r = await cli.done();
    return { stdout: r.stdout.toString(), listening };
  } finally {
    cli.child.kill('SIGKILL');
  }
}

v6Test('issue 10 #17: udp bind -6 PORT hears IPv6 senders only', async (t) => {
  const { stdout, listening } = await heard(['-6']);
  t.regex(listening, /listening on \[::\]:\d+$/);
  t.is(stdout, '[v6]');
});

v6Test('issue 10 #17: udp bind -4 PORT hears IPv4 senders only; no flag hears both', async (t) => {
  const four = await heard(['-4']);
  t.regex(four.listening, /listening on 0\.0\.0\.0:\d+$/);
  t.is(four.stdout, '[v4]');
  const both = await heard([]);
  t.regex(both.listening, /listening on \[::\]:\d+$/);
  t.is(both.stdout, '[v4][v6]');
});
