// Bench client for --exec cat: connect to 127.0.0.1:PORT, send MIB MiB of zeros, half-close, read the echo until all
// of it is back (not until a FIN: ncat -k --exec never sends one), or nothing came for 5 s. Prints one JSON line:
// {"bytes": N, "seconds": S, "stalled": bool}.
import net from 'node:net';

const [port, mib] = process.argv.slice(2).map(Number);
const total = mib * 1024 * 1024;
const chunk = Buffer.alloc(256 * 1024);
let received = 0;
let started;
const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
  started = process.hrtime.bigint();
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
});
let stall;
const finish = (stalled = false) => {
  clearTimeout(stall);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ bytes: received, seconds, stalled })}\n`);
  socket.destroy();
  process.exitCode = received === total ? 0 : 1;
};
const watch = () => {
  clearTimeout(stall);
  stall = setTimeout(() => finish(true), 5000);
};
socket.on('connect', watch);
socket.on('data', (c) => {
  watch();
  received += c.length;
  if (received >= total) finish();
});
socket.on('end', () => { if (received < total) finish(); });
socket.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
