socket = mona:createUDPSocket()
function socket:onPacket(data,address)
NOTE("Reception from "..address)
self:send(data,address) -- echo sample
end
err = socket:bind("0.0.0.0:1234") -- start the server
if err then ERROR(err) end
