-- A line-based request/response server on the rest rule: onData keeps the partial line (return its length).
-- Usage: mona-nc run examples/line-server.lua [port]. Commands: PING, ECHO <text>, TIME, QUIT.
local port = tonumber(arg[1]) or 7000
local server = mona:createTCPServer()

local function answer(client, line)
  local command, rest = line:match('^(%S*)%s?(.*)$')
  command = command:upper()
  if command == 'PING' then client:send('PONG\n')
  elseif command == 'ECHO' then client:send(rest .. '\n')
  elseif command == 'TIME' then client:send(os.date('!%Y-%m-%dT%H:%M:%SZ') .. '\n')
  elseif command == 'QUIT' then client:send('BYE\n'); client:disconnect()
  else client:send('ERR unknown command ' .. command .. '\n') end
end

function server:onConnection(client)
  function client:onData(data)
    local start = 1
    while true do
      local nl = data:find('\n', start, true)
      if not nl then break end
      answer(self, (data:sub(start, nl - 1):gsub('\r$', '')))
      start = nl + 1
    end
    return #data - start + 1 -- the rest: the bytes after the last newline wait for the next reception
  end
end

if server:start(port) then NOTE('line server on ', server.address) end
