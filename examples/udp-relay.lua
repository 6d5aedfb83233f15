-- A UDP relay: datagrams to the listen port go to the target from a socket per sender, and the target's replies go
-- back to that sender. Usage: mona-nc run examples/udp-relay.lua <listen port> <target host:port>
local listenPort, target = tonumber(arg[1]), arg[2]
if not listenPort or not target then error('usage: udp-relay.lua <listen port> <target host:port>') end

local front = mona:createUDPSocket()
local backs = {} -- sender "ip:port" -> socket connected to the target

function front:onPacket(data, sender)
  local back = backs[sender]
  if not back then
    back = mona:createUDPSocket()
    function back:onPacket(reply) front:send(reply, sender) end
    local err = back:connect(target)
    if err then ERROR('relay to ', target, ': ', err) return end
    backs[sender] = back
    INFO('relaying ', sender, ' through ', back.address)
  end
  back:send(data)
end

local err = front:bind(listenPort)
if err then error(err) end
NOTE('relaying ', front.address, ' to ', target)
