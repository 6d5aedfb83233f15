// The seed's UDP client sample (connected mode) in TypeScript: connect is awaited, so the addresses are real.
const socket = mona.createUDPSocket();
socket.onPacket = function (data, address) {
  NOTE('Reception from ' + address + ': ' + data.toString());
};
await socket.connectAsync('127.0.0.1', 1234);
NOTE('UDP socket opened on ', socket.address, ' connected to ', socket.peerAddress);
socket.send('hello');
