// Bare Node reference, TLS sending side: stdin to 127.0.0.1:PORT, verifying against CA. Usage: PORT CA
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [port, ca] = process.argv.slice(2);
const socket = tls.connect({ port: Number(port), host: '127.0.0.1', ca: readFileSync(ca) }, () => process.stdin.pipe(socket));
socket.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
socket.resume();
