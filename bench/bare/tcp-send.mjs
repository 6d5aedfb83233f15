// Bare Node reference, sending side: connect to 127.0.0.1:PORT, pipe stdin to it.
import net from 'node:net';

const socket = net.connect(Number(process.argv[2]), '127.0.0.1', () => {
  process.stdin.pipe(socket);
});
socket.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
socket.resume();
