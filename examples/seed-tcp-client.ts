// The seed's TCP client sample in TypeScript (run: mona-nc run examples/seed-tcp-client.ts).
const socket = mona.createTCPClient();
socket.onData = function (data) {
  NOTE('Reception from ' + this.peerAddress + ' to ' + this.address);
  this.send(data); // echo sample
  return 0; // return rest (all has been consumed here)
};
socket.onDisconnection = function () {
  if (this.error) ERROR(this.error); // error? or normal disconnection?
  NOTE('TCP disconnection');
};
if (!socket.connect('localhost', 1234)) ERROR('Unable to connect to localhost:1234');
