// The seed's TCP server sample in TypeScript.
const server = mona.createTCPServer();
server.onConnection = function (client) {
  // Here we have a TCPClient object, same usage as TCPClient
  client.onData = function (data) {
    NOTE('Reception from ' + this.peerAddress + ' to ' + this.address);
    this.send(data); // echo sample
    return 0; // return rest (all has been consumed here)
  };
  client.onDisconnection = function () {
    NOTE('TCP client disconnection');
  };
};
server.start(1234); // start the server on the port 1234
