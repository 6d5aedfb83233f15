// The seed's UDP echo server sample in TypeScript.
const socket = mona.createUDPSocket();
socket.onPacket = function (data, address) {
  NOTE('Reception from ' + address);
  this.send(data, address); // echo sample
};
const err = socket.bind('0.0.0.0:1234'); // start the server
if (err) ERROR(err);
