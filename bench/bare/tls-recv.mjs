// Bare Node reference, TLS receiving side: one client on 127.0.0.1:PORT piped to stdout. Usage: PORT CERT KEY
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [port, cert, key] = process.argv.slice(2);
const server = tls.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (socket) => {
  server.close();
  socket.pipe(process.stdout);
});
server.listen(Number(port), '127.0.0.1');
