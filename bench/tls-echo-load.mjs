// A TLS ping-pong load generator (the C loadgen speaks plain TCP only): CONNS TLS connections each send SIZE bytes and
// wait for all of them back, for SECONDS after a 0.5 s warm-up. One JSON line: rate, p50/p99 µs, round trips.
// It is Node, on the same 2 cores as the server it measures: read the ratios between servers, not the absolute rates.
// Usage: node bench/tls-echo-load.mjs PORT CONNS SECONDS [SIZE=64]
import tls from 'node:tls';

const [port, conns, seconds, size = 64] = process.argv.slice(2).map(Number);
const payload = Buffer.alloc(size, 0x61);
const latencies = [];
let measuring = false;
let stopped = false;
let rtts = 0;

function client() {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      let got = 0;
      let sent = process.hrtime.bigint();
      const send = () => {
        got = 0;
        sent = process.hrtime.bigint();
        socket.write(payload);
      };
      socket.on('data', (chunk) => {
        got += chunk.length;
        if (got < size) return;
        if (measuring) {
          rtts++;
          latencies.push(Number(process.hrtime.bigint() - sent) / 1000);
        }
        if (stopped) return resolve(socket.destroy());
        send();
      });
      send();
    });
    socket.setNoDelay(true);
    socket.on('error', reject);
  });
}

const all = Promise.all(Array.from({ length: conns }, client));
await new Promise((r) => setTimeout(r, 500));
measuring = true;
const t0 = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
stopped = true;
await Promise.race([all, new Promise((r) => setTimeout(r, 2000))]);
latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
console.log(JSON.stringify({ rate: rtts / elapsed, p50_us: at(0.5), p99_us: at(0.99), rtts }));
process.exit(0);
