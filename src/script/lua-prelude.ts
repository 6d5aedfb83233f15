// The Lua half of the bridge: MonaServer's globals (mona, NOTE...), the socket classes, Lua 5.1 compatibility.

/** Operations the Lua side asks of JS through call(handle, op, ...). */
export const OP = {
  new: 1, get: 2, drop: 3, addresses: 14,
  connect: 4, send: 5, disconnect: 6,
  start: 7, stop: 8,
  bind: 9, udpConnect: 10, udpSend: 11, udpDisconnect: 12, udpClose: 13,
} as const;

/** Events JS dispatches into Lua, by code (1-based, as the Lua table below). */
export const EVENTS = ['onData', 'onDisconnection', 'onConnection', 'onPacket', 'onError', 'onStart', 'onManage', 'onStop'] as const;
export type EventName = (typeof EVENTS)[number];
export const EVENT = Object.fromEntries(EVENTS.map((name, i) => [name, i + 1])) as Record<EventName, number>;

/** Properties, by code (1-based). */
export const PROPS = ['connected', 'address', 'peerAddress', 'idleTime', 'error', 'running'] as const;

export const KINDS = ['TCPClient', 'TCPServer', 'UDPSocket'] as const;
export type Kind = (typeof KINDS)[number];

const prop = (name: (typeof PROPS)[number]): number => PROPS.indexOf(name) + 1;

/** Handlers mona-nc calls, by class: another `on...` function set on a socket gets one WARN. */
const HANDLERS = {
  TCPClient: ['onData', 'onReception', 'onDisconnection'],
  TCPServer: ['onConnection', 'onError'],
  UDPSocket: ['onPacket', 'onReception', 'onError'],
};
const known = (kind: Kind): string => HANDLERS[kind].map((h) => `${h} = true`).join(', ');

export const PRELUDE = String.raw`
local call, log, threshold, legacy = ...
local PENDING = setmetatable({}, {__name = 'mona-nc.pending'})
local yield, isyieldable = coroutine.yield, coroutine.isyieldable
local type, select, rawget, rawset, tostring, tonumber = type, select, rawget, rawset, tostring, tonumber
local setmetatable, getmetatable, error, pairs = setmetatable, getmetatable, error, pairs

-- Log functions: arguments joined with no separator, as MonaServer does.
local Address
local function text(v)
  local t = type(v)
  if v == nil then return '(null)' end
  if t == 'boolean' then return v and '(true)' or '(false)' end
  if t == 'number' then
    if math.type(v) == 'integer' then return tostring(v) end
    return string.format('%.14g', v)
  end
  if t == 'string' then return v end
  local mt = getmetatable(v)
  if mt and mt.__tostring then return tostring(v) end
  return t .. '_' .. (tostring(v):match('0x%x+') or '?')
end
local function logger(level)
  return function(...)
    if level > threshold then return end
    local parts = {}
    for i = 1, select('#', ...) do parts[i] = text((select(i, ...))) end
    log(level, table.concat(parts))
  end
end
ERROR, WARN, NOTE, INFO, DEBUG, TRACE = logger(3), logger(4), logger(5), logger(6), logger(7), logger(8)

-- Addresses: "ip:port" strings become objects that print, concatenate and compare as their value.
Address = {__name = 'SocketAddress'}
Address.__tostring = function(a) return a.value end
local function part(v)
  if getmetatable(v) == Address then return v.value end
  local t = type(v)
  if t == 'string' or t == 'number' then return v end
  error('attempt to concatenate a ' .. t .. ' value', 3)
end
Address.__concat = function(a, b) return part(a) .. part(b) end
Address.__eq = function(a, b) return a.value == b.value end
local addresses = setmetatable({}, {__mode = 'v'}) -- "ip:port" -> its object, while someone holds it
local function address(s)
  if s == nil then return nil end
  local a = addresses[s]
  if a then return a end
  local host, port = s:match('^%[(.*)%]:(%d+)$')
  local v6 = host ~= nil
  if not host then host, port = s:match('^(.*):(%d+)$') end
  a = setmetatable({value = s, host = host or s, port = tonumber(port) or 0, isIPv6 = v6}, Address)
  addresses[s] = a
  return a
end
local function plain(v) if getmetatable(v) == Address then return v.value end return v end

-- Socket objects: handles[object] is the JS handle; objects[handle] pins an object while its socket is active.
local objects, handles, classes = {}, setmetatable({}, {__mode = 'k'}), {}
local function pin(self) objects[handles[self]] = self end
local function unpin(self) objects[handles[self]] = nil end
local function wrap(h, kind)
  local self = setmetatable({}, classes[kind])
  handles[self] = h
  return self
end

-- Start a Node operation and wait for its result when the caller can wait (a coroutine); else be optimistic.
local function await(h, op, optimistic, ...)
  local id = call(h, op, ...)
  if not isyieldable() then return optimistic end
  return yield(PENDING, id)
end

-- A TCP connection's two addresses, fetched together once both are known (then they cannot change until it ends).
local connection = setmetatable({}, {__mode = 'k'})
local function addresses(self)
  local c = connection[self]
  if c then return c end
  local l, p = call(handles[self], ${OP.addresses})
  c = {address = address(l), peerAddress = address(p)}
  if l and p then connection[self] = c end
  return c
end

-- A handler-like name mona-nc never calls (onDta, onMessage): one WARN per class and name, not a silent nothing.
local HANDLERS = {TCPClient = {${known('TCPClient')}}, TCPServer = {${known('TCPServer')}}, UDPSocket = {${known('UDPSocket')}}}
local warned = {}
local function unknownHandler(kind, key, value)
  if type(key) ~= 'string' or type(value) ~= 'function' or not key:match('^on%u') or HANDLERS[kind][key] then return end
  local id = kind .. '.' .. key
  if warned[id] then return end
  warned[id] = true
  local names = {}
  for name in pairs(HANDLERS[kind]) do names[#names + 1] = name end
  table.sort(names)
  WARN(id, ' is not an event mona-nc calls: it will never run (', kind, ' events: ', table.concat(names, ', '), ')')
end

local function define(kind, methods, props)
  local mt = {__name = kind}
  local bound = {}
  for name, fn in pairs(methods) do
    bound[name] = function(self, ...)
      if getmetatable(self) ~= mt then
        ERROR("(method '", name, "') call it with ':', as in object:", name, '(...)')
        return
      end
      return fn(self, handles[self], ...)
    end
  end
  mt.__index = function(self, key)
    local m = bound[key]
    if m then return m end
    local p = props[key]
    if p then
      if p[3] then return addresses(self)[key] end
      local v = call(handles[self], ${OP.get}, p[1])
      if p[2] then return address(v) end
      return v
    end
  end
  mt.__newindex = function(self, key, value)
    if bound[key] or props[key] then
      WARN(kind, '.', key, ' is read-only: assignment ignored')
      return
    end
    unknownHandler(kind, key, value)
    rawset(self, key, value)
  end
  -- An unreferenced, inactive object is collected: its JS side goes too (an active one is pinned).
  mt.__gc = function(self) local h = handles[self]; if h then call(h, ${OP.drop}) end end
  classes[kind] = mt
end

define('TCPClient', {
  connect = function(self, h, host, port)
    connection[self] = nil
    -- After disconnect(), connect() ends the old connection for the script (its onDisconnection runs in this call,
    -- as MonaServer 1's disconnect() ran it) and starts the new one: pin once the call is over.
    local ok = call(h, ${OP.connect}, plain(host), plain(port))
    if ok or call(h, ${OP.get}, ${prop('connected')}) then pin(self) else unpin(self) end
    return ok
  end,
  send = function(self, h, data) return call(h, ${OP.send}, data) end,
  disconnect = function(self, h) call(h, ${OP.disconnect}) end,
}, {
  connected = {${prop('connected')}}, address = {${prop('address')}, true, true}, peerAddress = {${prop('peerAddress')}, true, true},
  idleTime = {${prop('idleTime')}}, error = {${prop('error')}},
})

define('TCPServer', {
  start = function(self, h, addr, port)
    pin(self)
    local ok = await(h, ${OP.start}, true, plain(addr), plain(port))
    if not ok then unpin(self) end
    return ok
  end,
  stop = function(self, h) call(h, ${OP.stop}); unpin(self) end,
}, {
  address = {${prop('address')}, true}, running = {${prop('running')}},
})

define('UDPSocket', {
  bind = function(self, h, addr, port)
    pin(self)
    -- The page's nil or error message; MonaServer 1.x releases (--on-data consumed): true, or false and an ERROR.
    return await(h, ${OP.bind}, legacy or nil, plain(addr), plain(port))
  end,
  connect = function(self, h, addr, port)
    pin(self)
    return await(h, ${OP.udpConnect}, nil, plain(addr), plain(port))
  end,
  send = function(self, h, data, addr, port)
    pin(self)
    return call(h, ${OP.udpSend}, data, plain(addr), plain(port))
  end,
  disconnect = function(self, h) call(h, ${OP.udpDisconnect}) end,
  close = function(self, h) call(h, ${OP.udpClose}); unpin(self) end,
}, {
  address = {${prop('address')}, true}, peerAddress = {${prop('peerAddress')}, true},
})

-- mona: the three factories and the utilities (registered by the utility prelude); anything else MonaServer had is
-- refused by name.
local factories
factories = {
  createTCPClient = function() return wrap(call(0, ${OP.new}, 1), 'TCPClient') end,
  createTCPServer = function() return wrap(call(0, ${OP.new}, 2), 'TCPServer') end,
  createUDPSocket = function(allowBroadcast) return wrap(call(0, ${OP.new}, 3, allowBroadcast and true or false), 'UDPSocket') end,
}
mona = setmetatable({}, {
  __index = function(t, key)
    local f = factories[key]
    if f then
      return function(first, ...)
        if first == t then return f(...) end
        return f(first, ...)
      end
    end
    error('mona.' .. tostring(key) .. ' is not supported by mona-nc (see docs/scripts.md for what mona offers)', 2)
  end,
})
local function register(name, fn) factories[name] = fn end
-- The application's path: "" for MonaServer's root application.
path = ''

-- Events from JS: handler found -> true, its results; no handler -> false.
local EVENTS = {${EVENTS.map((e) => `'${e}'`).join(', ')}}
local function dispatch(h, code, a, b)
  local name = EVENTS[code]
  local self, fn
  if h == 0 then
    fn = rawget(_G, name)
  else
    self = objects[h]
    if self == nil then return false end
    -- A connection is over: unpin first, so that a handler that reconnects pins it again.
    if name == 'onDisconnection' then
      objects[h] = nil
      connection[self] = nil
    end
    fn = rawget(self, name)
    -- MonaServer's 2014 name for onData (TCP) and onPacket (UDP).
    if fn == nil and (name == 'onData' or name == 'onPacket') then fn = rawget(self, 'onReception') end
  end
  if type(fn) ~= 'function' then return false end
  if name == 'onConnection' then
    local client = wrap(a, 'TCPClient')
    objects[a] = client
    a = client
  end
  if self == nil then return true, fn(a, b) end
  return true, fn(self, a, b)
end

-- A script's own coroutines pass our waits up to the driver and feed the results back down.
local resume, wrapco, create = coroutine.resume, coroutine.wrap, coroutine.create
coroutine.resume = function(co, ...)
  local r = table.pack(resume(co, ...))
  while r[1] and r[2] == PENDING and coroutine.status(co) == 'suspended' do
    r = table.pack(resume(co, yield(PENDING, r[3])))
  end
  return table.unpack(r, 1, r.n)
end
coroutine.wrap = function(fn)
  local co = create(fn)
  return function(...)
    local r = table.pack(coroutine.resume(co, ...))
    if not r[1] then error(r[2], 2) end
    return table.unpack(r, 2, r.n)
  end
end

-- What MonaServer's LuaJIT (Lua 5.1) scripts use and Lua 5.4 lacks.
unpack = unpack or table.unpack
loadstring = loadstring or load
table.getn = table.getn or function(t) return #t end
table.maxn = table.maxn or function(t)
  local n = 0
  for k in pairs(t) do if type(k) == 'number' and k > n then n = k end end
  return n
end
math.pow = math.pow or function(a, b) return a ^ b end
math.mod = math.mod or math.fmod
math.log10 = math.log10 or function(x) return math.log(x, 10) end
math.ldexp = math.ldexp or function(m, e) return m * 2.0 ^ e end
math.atan2 = math.atan2 or math.atan
string.gfind = string.gfind or string.gmatch
local function envIndex(f)
  local i = 1
  while true do
    local name = debug.getupvalue(f, i)
    if name == '_ENV' then return i end
    if name == nil then return nil end
    i = i + 1
  end
end
local function fn(f) if type(f) == 'number' then return debug.getinfo(f + 2, 'f').func end return f end
getfenv = getfenv or function(f)
  f = fn(f or 1)
  local i = envIndex(f)
  if i then local _, env = debug.getupvalue(f, i); return env end
  return _G
end
setfenv = setfenv or function(f, t)
  f = fn(f)
  local i = envIndex(f)
  if i then debug.upvaluejoin(f, i, function() return t end, 1) end
  return f
end
-- LuaJIT's bit library, on 5.4's integer operators (results are signed 32-bit, as LuaJIT's).
local function tobit(x)
  x = math.tointeger(x) or math.floor(x)
  x = x & 0xFFFFFFFF
  if x >= 0x80000000 then x = x - 0x100000000 end
  return x
end
local function fold(op) return function(a, ...) for i = 1, select('#', ...) do a = op(a, (select(i, ...))) end return tobit(a) end end
bit = bit or {
  tobit = tobit,
  band = fold(function(a, b) return a & b end),
  bor = fold(function(a, b) return a | b end),
  bxor = fold(function(a, b) return a ~ b end),
  bnot = function(x) return tobit(~x) end,
  lshift = function(x, n) return tobit(x << (n & 31)) end,
  rshift = function(x, n) return tobit((x & 0xFFFFFFFF) >> (n & 31)) end,
  arshift = function(x, n) return tobit(tobit(x) >> (n & 31) | (tobit(x) < 0 and ~(0xFFFFFFFF >> (n & 31)) or 0)) end,
  rol = function(x, n) n = n & 31; x = x & 0xFFFFFFFF; return tobit((x << n) | (x >> (32 - n))) end,
  ror = function(x, n) n = n & 31; x = x & 0xFFFFFFFF; return tobit((x >> n) | (x << (32 - n))) end,
  bswap = function(x) x = x & 0xFFFFFFFF; return tobit(((x & 0xFF) << 24) | ((x & 0xFF00) << 8) | ((x >> 8) & 0xFF00) | (x >> 24)) end,
  tohex = function(x, n)
    n = n or 8
    local upper = n < 0
    n = math.abs(n)
    return string.format('%0' .. n .. (upper and 'X' or 'x'), x & ((1 << (n * 4)) - 1))
  end,
}

return dispatch, register
`;
