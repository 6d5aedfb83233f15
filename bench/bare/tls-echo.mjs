// Bare Node reference TLS echo server: every secure connection piped back to itself. Usage: PORT CERT KEY
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [port, cert, key] = process.argv.slice(2);
const server = tls.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.on('tlsClientError', () => undefined);
server.listen({ port: Number(port), host: '127.0.0.1', backlog: 4096 });
