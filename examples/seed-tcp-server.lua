server = mona:createTCPServer()
function server:onConnection(client)
-- Here we have a TCPClient object, same usage than TCPClient
function client:onData(data)
NOTE("Reception from "..self.peerAddress.." to "..self.address)
self:send(data) -- echo sample
return 0 -- return rest (all has been consumed here)
end
function client:onDisconnection()
NOTE("TCP client disconnection")
end
end
server:start(1234); -- start the server on the port 1234
