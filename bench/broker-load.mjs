// Bench client for --broker: RECEIVERS clients and one sender on 127.0.0.1:PORT; the sender writes MIB MiB, and the
// time runs until every receiver has all of it. Prints one JSON line: {"seconds": S, "delivered": bytes in total}.
import net from 'node:net';

const [port, receivers, mib] = process.argv.slice(2).map(Number);
const total = mib * 1024 * 1024;
const connect = () => new Promise((resolve, reject) => {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
  s.once('error', reject);
});
const fail = (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
};

try {
  const readers = [];
  for (let i = 0; i < receivers; i++) readers.push(await connect());
  const sender = await connect();
  // The broker must have taken every client before the first byte (ncat and mona-nc accept at once).
  await new Promise((r) => setTimeout(r, 300));
  let delivered = 0;
  const done = Promise.all(readers.map((s) => new Promise((resolve) => {
    let got = 0;
    s.on('data', (c) => {
      got += c.length;
      delivered += c.length;
      if (got >= total) resolve();
    });
  })));
  const started = process.hrtime.bigint();
  const chunk = Buffer.alloc(256 * 1024);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!sender.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return sender.once('drain', pump);
    }
  };
  pump();
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ seconds, delivered })}\n`);
  for (const s of [...readers, sender]) s.destroy();
} catch (err) {
  fail(err);
}
