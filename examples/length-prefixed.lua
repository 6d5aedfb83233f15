-- A length-prefixed framing server: each frame is a 4-byte big-endian length then that many bytes; the reply is
-- the same frame with its payload reversed. Partial frames stay in the rest until complete.
-- Usage: mona-nc run examples/length-prefixed.lua [port]
local port = tonumber(arg[1]) or 7001
local server = mona:createTCPServer()

function server:onConnection(client)
  function client:onData(data)
    if #data < 4 then return #data end -- not even a header: keep everything
    local size = string.unpack('>I4', data)
    if #data < 4 + size then return #data end -- header but not the whole payload yet
    local payload = data:sub(5, 4 + size)
    self:send(string.pack('>I4', size) .. payload:reverse())
    return #data - 4 - size -- what follows this frame: re-called at once while it shrinks
  end
end

if server:start(port) then NOTE('framing server on ', server.address) end
