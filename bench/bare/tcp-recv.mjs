// Bare Node reference, receiving side: listen on 127.0.0.1:PORT, pipe one client to stdout.
import net from 'node:net';

const server = net.createServer((socket) => {
  server.close();
  socket.pipe(process.stdout);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stderr.write(`listening on 127.0.0.1:${server.address().port}\n`);
});
