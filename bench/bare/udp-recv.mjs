// Bare Node reference UDP receiver: bind 127.0.0.1:PORT, each datagram to stdout ("count" as 3rd arg: count only).
import dgram from 'node:dgram';

const countOnly = process.argv[3] === 'count';
let count = 0;
const socket = dgram.createSocket('udp4');
socket.on('message', countOnly ? () => { count++; } : (data) => { process.stdout.write(data); });
socket.bind(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stderr.write(`listening on 127.0.0.1:${socket.address().port}\n`);
});
process.on('SIGTERM', () => {
  if (countOnly) process.stdout.write(`${count}\n`);
  process.exit(0);
});
