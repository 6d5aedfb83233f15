// MonaServer's utility functions on `mona` that real scripts call: toJSON/fromJSON and toXML/fromXML with MonaServer's
// mapping of Lua tables (MonaServer/sources/ScriptReader.cpp, ScriptWriter.cpp, LUAXML.cpp), time, md5, sha256.
import { HOST } from './lua-io.js';

export const UTIL_PRELUDE = String.raw`
local host = ...
local ERROR, WARN = ERROR, WARN
local type, pairs, select, tostring, tonumber, rawget, rawset, rawlen, error, setmetatable =
  type, pairs, select, tostring, tonumber, rawget, rawset, rawlen, error, setmetatable
local concat, format, char, byte = table.concat, string.format, string.char, string.byte
local util = {}

---------------------------------------------------------------- JSON
-- toJSON(a, b, ...) is one array of all its arguments, "[a,b]", and fromJSON("[a,b]") returns a, b: MonaServer's
-- writer and reader, so that toJSON(fromJSON(toJSON(x))) == toJSON(x).
local ESC = {['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t'}
local function quote(s) return '"' .. s:gsub('[%c"\\]', function(c) return ESC[c] or format('\\u%04x', byte(c)) end) .. '"' end
local function number(n)
  if math.type(n) == 'integer' then return format('%d', n) end
  if n ~= n or n == math.huge or n == -math.huge then return 'null' end
  return format('%.16g', n)
end
local function iso(ms)
  local s = ms // 1000
  return os.date('!%Y-%m-%dT%H:%M:%S', s) .. format('.%03dZ', ms - s * 1000)
end

local encode
local function encodeTable(t, out, seen)
  if seen[t] then error('toJSON: a table that contains itself cannot be written', 0) end
  seen[t] = true
  local raw, time = rawget(t, '__raw'), rawget(t, '__time')
  if type(raw) == 'string' then
    out[#out + 1] = '{"__raw":"' .. host(${HOST.base64}, raw) .. '"}'
  elseif type(time) == 'number' then
    out[#out + 1] = quote(iso(math.floor(time)))
  else
    local n = rawlen(t)
    local kind = rawget(t, '__type')
    local strings = {}
    for k in pairs(t) do if type(k) == 'string' and k ~= '__size' and k ~= '__type' then strings[#strings + 1] = k end end
    table.sort(strings)
    local function props(first)
      for _, k in ipairs(strings) do
        if not first then out[#out + 1] = ',' end
        first = false
        out[#out + 1] = quote(k) .. ':'
        encode(rawget(t, k), out, seen)
      end
      return first
    end
    if type(kind) == 'string' then
      -- A typed object: {"__type":"Cat",...}
      out[#out + 1] = '{"__type":' .. quote(kind)
      props(false)
      out[#out + 1] = '}'
    elseif n > 0 then
      -- An array; a mixed table writes its named fields first, as one object: [{"x":1},10,20].
      out[#out + 1] = '['
      local first = true
      if #strings > 0 then
        out[#out + 1] = '{'
        props(true)
        out[#out + 1] = '}'
        first = false
      end
      for i = 1, n do
        if not first then out[#out + 1] = ',' end
        first = false
        encode(rawget(t, i), out, seen)
      end
      out[#out + 1] = ']'
    else
      local numbers = {}
      for k in pairs(t) do
        if type(k) == 'number' then numbers[#numbers + 1] = k
        elseif type(k) ~= 'string' then WARN('Impossible to encode the key of type ', type(k), ' in an acceptable object format') end
      end
      if #strings == 0 and #numbers == 0 then
        out[#out + 1] = '[]'
      else
        -- An object: number keys become property names, as MonaServer formats them (%.16g).
        table.sort(numbers)
        out[#out + 1] = '{'
        local first = props(true)
        for _, k in ipairs(numbers) do
          if not first then out[#out + 1] = ',' end
          first = false
          out[#out + 1] = quote(number(k)) .. ':'
          encode(rawget(t, k), out, seen)
        end
        out[#out + 1] = '}'
      end
    end
  end
  seen[t] = nil
end
encode = function(v, out, seen)
  local t = type(v)
  if t == 'string' then out[#out + 1] = quote(v)
  elseif t == 'number' then out[#out + 1] = number(v)
  elseif t == 'boolean' then out[#out + 1] = v and 'true' or 'false'
  elseif t == 'table' then encodeTable(v, out, seen)
  else out[#out + 1] = 'null' end
end
function util.toJSON(...)
  local out = {'['}
  for i = 1, select('#', ...) do
    if i > 1 then out[#out + 1] = ',' end
    encode((select(i, ...)), out, {})
  end
  out[#out + 1] = ']'
  return concat(out)
end

-- A date string as MonaServer's reader turns it into a date table (ISO 8601, UTC or with an offset).
local function date(s)
  local y, mo, d, h, mi, sec, frac, zone = s:match('^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)(%.?%d*)(.*)$')
  if not y then return nil end
  local offset = 0
  if zone ~= 'Z' and zone ~= '' then
    local sign, zh, zm = zone:match('^([%+%-])(%d%d):?(%d%d)$')
    if not sign then return nil end
    offset = (tonumber(zh) * 60 + tonumber(zm)) * (sign == '+' and 1 or -1)
  end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  -- Days from the civil date (Howard Hinnant's algorithm): no dependence on the local time zone.
  local yy = mo <= 2 and y - 1 or y
  local era = (yy >= 0 and yy or yy - 399) // 400
  local yoe = yy - era * 400
  local doy = (153 * (mo + (mo > 2 and -3 or 9)) + 2) // 5 + d - 1
  local days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
  local ms = #frac > 1 and math.floor(tonumber('0' .. frac) * 1000 + 0.5) or 0
  local time = ((days * 24 + tonumber(h)) * 60 + tonumber(mi) - offset) * 60000 + tonumber(sec) * 1000 + ms
  local t = os.date('*t', time // 1000)
  t.__time, t.msec = time, time % 1000
  return t
end

local function decoder(s)
  local i = 1
  local function fail(what) error({json = what .. ' at byte ' .. i}, 0) end
  local function skip() i = s:find('[^ \t\r\n]', i) or #s + 1 end
  local value
  local function str()
    local parts, from = {}, i + 1
    while true do
      local j = s:find('["\\]', from)
      if not j then fail('a string without its closing quote') end
      parts[#parts + 1] = s:sub(from, j - 1)
      if s:sub(j, j) == '"' then i = j + 1; return concat(parts) end
      local e = s:sub(j + 1, j + 1)
      if e == 'u' then
        local hex = s:match('^%x%x%x%x', j + 2)
        if not hex then i = j; fail('a bad \\u escape') end
        local cp = tonumber(hex, 16)
        from = j + 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          local low = s:match('^\\u(%x%x%x%x)', from)
          if low and tonumber(low, 16) >= 0xDC00 and tonumber(low, 16) <= 0xDFFF then
            cp = 0x10000 + (cp - 0xD800) * 0x400 + (tonumber(low, 16) - 0xDC00)
            from = from + 6
          end
        end
        parts[#parts + 1] = utf8.char(cp)
      else
        local c = ({['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t'})[e]
        if not c then i = j; fail('a bad escape') end
        parts[#parts + 1] = c
        from = j + 2
      end
    end
  end
  local function list()
    local t, n = {}, 0
    i = i + 1
    skip()
    if s:sub(i, i) == ']' then i = i + 1; return t, 0 end
    while true do
      n = n + 1
      t[n] = value()
      skip()
      local c = s:sub(i, i)
      i = i + 1
      if c == ']' then return t, n end
      if c ~= ',' then i = i - 1; fail("',' or ']' expected") end
    end
  end
  local function object()
    local t = {}
    i = i + 1
    skip()
    if s:sub(i, i) == '}' then i = i + 1; return t end
    while true do
      skip()
      if s:sub(i, i) ~= '"' then fail('a property name expected') end
      local k = str()
      skip()
      if s:sub(i, i) ~= ':' then fail("':' expected") end
      i = i + 1
      local v = value()
      -- {"__raw":"base64"} is bytes, as MonaServer writes them.
      if k == '__raw' and type(v) == 'string' then v = host(${HOST.unbase64}, v) end
      t[k] = v
      skip()
      local c = s:sub(i, i)
      i = i + 1
      if c == '}' then return t end
      if c ~= ',' then i = i - 1; fail("',' or '}' expected") end
    end
  end
  value = function()
    skip()
    local c = s:sub(i, i)
    if c == '{' then return object() end
    if c == '[' then return (list()) end
    if c == '"' then local v = str(); return date(v) or v end
    if s:find('^true', i) then i = i + 4; return true end
    if s:find('^false', i) then i = i + 5; return false end
    if s:find('^null', i) then i = i + 4; return nil end
    local num = s:match('^-?%d+%.?%d*[eE]?[%+%-]?%d*', i)
    if num and num ~= '' and num ~= '-' then
      i = i + #num
      local v = tonumber(num)
      if v == nil then fail('a malformed number') end
      return math.tointeger(v) and not num:find('[%.eE]') and math.tointeger(v) or v + 0.0
    end
    if c == '' then fail('a value expected, the text ends') end
    fail("unexpected '" .. c .. "'")
  end
  return function()
    skip()
    local top, n
    if s:sub(i, i) == '[' then top, n = list() else top = value() end
    skip()
    if i <= #s then fail('text after the value') end
    if n then return top, n end
    return {top}, 1
  end
end
function util.fromJSON(text)
  if type(text) ~= 'string' then ERROR("(method 'fromJSON') JSON text expected, got ", type(text)); return end
  local ok, values, n = pcall(decoder(text))
  if not ok then
    if type(values) == 'table' and values.json then ERROR("(method 'fromJSON') JSON malformed, ", values.json); return end
    error(values, 0)
  end
  return table.unpack(values, 1, n)
end

---------------------------------------------------------------- XML
-- fromXML gives {xml = {version = '1.0'}, {__name = 'root', attr = 'v', 'text', {__name = 'child'}}}; an element
-- indexed by a child's name gives that child, by __value its first text. toXML writes such tables back.
local DOM = {__metatable = 'change metatable of XML DOM object is prohibited'}
DOM.__index = function(t, key)
  if key == '__value' then return rawget(t, 1) end
  for i = 1, rawlen(t) do
    local child = rawget(t, i)
    if type(child) == 'table' and rawget(child, '__name') == key then return child end
  end
end
DOM.__newindex = function(t, key, value)
  if key == '__value' then rawset(t, 1, value) else rawset(t, key, value) end
end

function util.fromXML(text)
  if type(text) ~= 'string' then error('fromXML: XML text expected, got ' .. type(text), 2) end
  local doc = {}
  local stack = {doc}
  local i, n = 1, #text
  local function fail(what) error('XML ' .. what, 3) end
  local function name()
    local nm = text:match('^[%a_][%w_:%.%-]*', i)
    if not nm then fail('name must start with an alphabetic character') end
    i = i + #nm
    return nm
  end
  local function attributes(t, close)
    while true do
      i = text:find('[^ \t\r\n]', i) or n + 1
      if i > n then fail("element without termination") end
      if text:sub(i, i + #close - 1) == close then i = i + #close; return true end
      if close == '>' and text:sub(i, i + 1) == '/>' then i = i + 2; return false end
      local key = name()
      local v, stop = text:match('^[ \t\r\n]*=[ \t\r\n]*(["\'])', i), nil
      if not v then fail("attribute '" .. key .. "' without value") end
      local start = text:find(v, i, true) + 1
      stop = text:find(v, start, true)
      if not stop then fail("attribute '" .. key .. "' with malformed value") end
      t[key] = text:sub(start, stop - 1)
      i = stop + 1
    end
  end
  local function inner(s)
    s = s:match('^[ \t\r\n]*(.-)[ \t\r\n]*$')
    if s ~= '' then
      local top = stack[#stack]
      if top == doc then fail('inner value without a parent element') end
      top[#top + 1] = s
    end
  end
  while i <= n do
    local lt = text:find('<', i, true)
    inner(text:sub(i, (lt or n + 1) - 1))
    if not lt then break end
    i = lt + 1
    if text:sub(i, i + 7) == '![CDATA[' then
      local stop = text:find(']]>', i + 8, true)
      if not stop then fail('CDATA without ]]> termination') end
      local top = stack[#stack]
      if top == doc then fail('CDATA without a parent element') end
      top[#top + 1] = text:sub(i + 8, stop - 1)
      i = stop + 3
    elseif text:sub(i, i + 2) == '!--' then
      local stop = text:find('-->', i + 3, true)
      if not stop then fail('comment without --> termination') end
      i = stop + 3
    elseif text:sub(i, i) == '!' then
      local stop = text:find('>', i, true)
      if not stop then fail('declaration without > termination') end
      i = stop + 1
    elseif text:sub(i, i) == '?' then
      i = i + 1
      local info = {}
      doc[name()] = info
      attributes(info, '?>')
    elseif text:sub(i, i) == '/' then
      i = i + 1
      local top = stack[#stack]
      if top == doc then fail('end element without starting before') end
      local nm = name()
      if nm ~= top.__name then fail("end element is not the '" .. top.__name .. "' expected") end
      i = text:find('[^ \t\r\n]', i) or n + 1
      if text:sub(i, i) ~= '>' then fail("end '" .. nm .. "' element without > termination") end
      i = i + 1
      stack[#stack] = nil
      local parent = stack[#stack]
      parent[#parent + 1] = setmetatable(top, DOM)
    else
      local e = {__name = name()}
      if attributes(e, '>') then stack[#stack + 1] = e
      else
        local parent = stack[#stack]
        parent[#parent + 1] = setmetatable(e, DOM)
      end
    end
  end
  if #stack > 1 then fail("end '" .. stack[#stack].__name .. "' element missing") end
  return setmetatable(doc, DOM)
end

local function scalar(v) return type(v) == 'string' or type(v) == 'number' end
local function element(e, out)
  local nm = rawget(e, '__name')
  if type(nm) ~= 'string' then error('toXML: an XML element without name (__name)', 0) end
  out[#out + 1] = '<' .. nm .. ' '
  local keys = {}
  for k, v in pairs(e) do if type(k) == 'string' and k ~= '__name' and scalar(v) then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do out[#out + 1] = k .. '="' .. tostring(rawget(e, k)) .. '" ' end
  local count = rawlen(e)
  if count == 0 then out[#out + 1] = '/>'; return end
  out[#out + 1] = '>'
  for i = 1, count do
    local v = rawget(e, i)
    if type(v) == 'table' then element(v, out)
    elseif scalar(v) then out[#out + 1] = tostring(v)
    else WARN('toXML: a value of type ', type(v), ' in ', nm, ' cannot be XML') end
  end
  out[#out + 1] = '</' .. nm .. '>'
end
function util.toXML(doc)
  if type(doc) ~= 'table' then error('toXML: just a Lua table can be converted to XML', 2) end
  local out, roots = {}, 0
  local infos = {}
  for k, v in pairs(doc) do if type(k) == 'string' then infos[#infos + 1] = k end end
  table.sort(infos)
  for _, k in ipairs(infos) do
    local v = rawget(doc, k)
    if type(v) ~= 'table' then error('toXML: bad ' .. k .. ' XML information, value must be a table', 2) end
    out[#out + 1] = '<?' .. k .. ' '
    local keys = {}
    for a in pairs(v) do keys[#keys + 1] = a end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, a in ipairs(keys) do
      if type(a) ~= 'string' or not scalar(v[a]) then error('toXML: bad ' .. k .. ' XML attribute, key must be string and value convertible to string', 2) end
      out[#out + 1] = a .. '="' .. tostring(v[a]) .. '" '
    end
    out[#out + 1] = '?>'
  end
  for i = 1, rawlen(doc) do
    local v = rawget(doc, i)
    if type(v) ~= 'table' then error('toXML: impossible to write inner XML data on the top of XML level', 2) end
    local ok, err = pcall(element, v, out)
    if not ok then error(err, 2) end
    roots = roots + 1
  end
  if roots == 0 then error('toXML: no XML element to write', 2) end
  return concat(out)
end

---------------------------------------------------------------- time and digests
function util.time() return host(${HOST.time}) end
local function digest(op, what)
  return function(...)
    local out, n = {}, select('#', ...)
    for i = 1, n do
      local v = select(i, ...)
      if type(v) == 'string' or type(v) == 'number' then out[i] = host(op, tostring(v))
      else ERROR('Input ', what, ' value have to be a string expression') end
    end
    return table.unpack(out, 1, n)
  end
end
util.md5 = digest(${HOST.md5}, 'MD5')
util.sha256 = digest(${HOST.sha256}, 'SHA256')

return util
`;
