socket = mona:createTCPClient()
function socket:onData(data)
NOTE("Reception from "..self.peerAddress.." to "..self.address)
self:send(data) -- echo sample
return 0 -- return rest (all has been consumed here)
end
function socket:onDisconnection()
if self.error then -- error? or normal disconnection?
ERROR(self.error)
end
NOTE("TCP disconnection")
end
local err = socket:connect("localhost",1234)
if err then ERROR("Unable to connect to localhost:1234") end
