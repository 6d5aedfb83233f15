// The Lua half of io, os and module loading on the host (src/script/lua-io.ts): real files, print as exact bytes,
// require/dofile/loadfile beside the script as MonaServer finds them in the application's folder.
import { HOST } from './lua-io.js';

export const IO_PRELUDE = String.raw`
local host, dir = ...
-- What os.exit raises or yields to leave the running handler: the host has the code already.
local EXIT = setmetatable({}, {__name = 'mona-nc.exit', __tostring = function() return 'os.exit' end})
local type, select, tostring, tonumber, error, setmetatable, getmetatable = type, select, tostring, tonumber, error, setmetatable, getmetatable
local concat, yield, isyieldable = table.concat, coroutine.yield, coroutine.isyieldable

-- print and io.write: bytes to stdout, in order with everything else, nothing held back.
print = function(...)
  local n = select('#', ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  parts[n + 1] = '\n'
  host(${HOST.stdout}, concat(parts, '\t', 1, n) .. '\n')
end

-- Files: a table per handle, its host id in a weak map (false once closed).
local FILE = {__name = 'FILE*'}
local ids = setmetatable({}, {__mode = 'k'})
local methods = {}
FILE.__index = methods
local function newfile(id) local f = setmetatable({}, FILE); ids[f] = id; return f end
local function idof(f, level)
  local id = ids[f]
  if id == nil then error("bad argument #1 (FILE* expected, got " .. (getmetatable(f) == FILE and 'FILE*' or type(f)) .. ')', level or 3) end
  if id == false then error('attempt to use a closed file', level or 3) end
  return id
end
FILE.__tostring = function(f) if ids[f] then return string.format('file (%p)', f) end return 'file (closed)' end
local function closefile(f)
  local id = idof(f, 4)
  if id <= 2 then return nil, 'cannot close standard file' end
  ids[f] = false
  return host(${HOST.close}, id)
end
FILE.__gc = function(f) if ids[f] then pcall(closefile, f) end end
FILE.__close = FILE.__gc

local function formats(...)
  local n = select('#', ...)
  if n == 0 then return {'l'}, 1 end
  local list = {}
  for i = 1, n do
    local f = select(i, ...)
    if type(f) == 'number' then list[i] = math.tointeger(f) or error("bad argument #" .. i .. " to 'read' (number has no integer representation)", 4)
    elseif type(f) == 'string' then
      local c = f:gsub('^%*', ''):sub(1, 1)
      if c ~= 'n' and c ~= 'l' and c ~= 'L' and c ~= 'a' then error("bad argument #" .. i .. " to 'read' (invalid format)", 4) end
      list[i] = c
    else error("bad argument #" .. i .. " to 'read' (invalid format)", 4) end
  end
  return list, n
end
local function read(id, list, n)
  local out = {}
  for i = 1, n do
    local v, err, code = host(${HOST.read}, id, list[i])
    if list[i] == 'n' and v ~= nil then v = tonumber(v) end
    if v == nil then
      if err then return nil, err, code end
      out[i] = nil
      return table.unpack(out, 1, i)
    end
    out[i] = v
  end
  return table.unpack(out, 1, n)
end
function methods.read(f, ...) local id = idof(f); return read(id, formats(...)) end
function methods.lines(f, ...)
  idof(f)
  local list, n = formats(...)
  return function()
    if not ids[f] then error('file is already closed', 2) end
    return read(ids[f], list, n)
  end
end
local function tobytes(v, i)
  local t = type(v)
  if t == 'string' then return v end
  if t == 'number' then return math.type(v) == 'integer' and string.format('%d', v) or string.format('%.14g', v) end
  error("bad argument #" .. i .. " to 'write' (string expected, got " .. t .. ')', 4)
end
function methods.write(f, ...)
  local id = idof(f)
  local parts = {}
  for i = 1, select('#', ...) do parts[i] = tobytes((select(i, ...)), i) end
  local ok, err, code = host(${HOST.write}, id, concat(parts))
  if not ok then return nil, err, code end
  return f
end
function methods.seek(f, whence, offset)
  local id = idof(f)
  whence = whence or 'cur'
  if whence ~= 'set' and whence ~= 'cur' and whence ~= 'end' then error("bad argument #1 to 'seek' (invalid option '" .. tostring(whence) .. "')", 2) end
  return host(${HOST.seek}, id, whence, math.tointeger(offset or 0) or error("bad argument #2 to 'seek' (number has no integer representation)", 2))
end
function methods.close(f) return closefile(f) end
function methods.flush(f) idof(f); return f end
function methods.setvbuf(f) idof(f); return true end

local stdin, stdout, stderr = newfile(0), newfile(1), newfile(2)
local input, output = stdin, stdout
io.stdin, io.stdout, io.stderr = stdin, stdout, stderr
local function open(name, mode)
  local id, err, code = host(${HOST.open}, name, mode or 'r')
  if id == nil then
    if code == nil and err then error("bad argument #2 to 'open' (" .. err .. ')', 3) end
    return nil, err, code
  end
  return newfile(id)
end
io.open = function(name, mode)
  if type(name) ~= 'string' then error("bad argument #1 to 'open' (string expected, got " .. type(name) .. ')', 2) end
  return open(name, mode)
end
local function default(current, mode, f)
  if f == nil then return current end
  if type(f) == 'string' then
    local file, err = open(f, mode)
    if not file then error(err, 3) end
    return file
  end
  idof(f, 3)
  return f
end
io.input = function(f) input = default(input, 'r', f); return input end
io.output = function(f) output = default(output, 'w', f); return output end
io.read = function(...) return input:read(...) end
io.write = function(...) return output:write(...) end
io.close = function(f) return closefile(f or output) end
io.flush = function() return output:flush() end
io.type = function(f)
  local id = ids[f]
  if id == nil then return nil end
  return id and 'file' or 'closed file'
end
io.lines = function(name, ...)
  if name == nil then return input:lines(...) end
  local f, err = open(name, 'r')
  if not f then error(err, 2) end
  local list, n = formats(...)
  return function()
    if not ids[f] then error('file is already closed', 2) end
    local first = read(ids[f], list, n)
    if first == nil then closefile(f) end
    return first
  end, nil, nil, f
end
io.tmpfile = function() local id, err, code = host(${HOST.tmpfile}); if not id then return nil, err, code end return newfile(id) end
io.popen = function(cmd, mode)
  local id, err = host(${HOST.popen}, cmd, mode or 'r')
  if not id then error("bad argument #2 to 'popen' (" .. err .. ')', 2) end
  return newfile(id)
end

-- os: the real environment and shell; os.exit ends the run with its code (stdout flushed first).
os.getenv = function(name) return host(${HOST.getenv}, name) end
os.execute = function(cmd) return host(${HOST.execute}, cmd) end
os.remove = function(name) return host(${HOST.remove}, name) end
os.rename = function(a, b) return host(${HOST.rename}, a, b) end
os.tmpname = function()
  local name, err = host(${HOST.tmpname})
  if not name then error('unable to generate a unique filename: ' .. err, 2) end
  return name
end
-- A script's own coroutine that calls os.exit does not come back to its resumer: the exit goes on up.
local resume = coroutine.resume
coroutine.resume = function(co, ...)
  local r = table.pack(resume(co, ...))
  if r[1] and r[2] == EXIT and coroutine.status(co) == 'suspended' then
    if isyieldable() then yield(EXIT) end
    error(EXIT, 0)
  end
  return table.unpack(r, 1, r.n)
end
os.exit = function(code)
  host(${HOST.exit}, code)
  -- Leave the running handler at once, whatever pcall surrounds it; where Lua cannot yield, an error does.
  if isyieldable() then yield(EXIT) end
  error(EXIT, 0)
end

-- warn(): Lua 5.4's warnings (off until "@on"), as WARN lines.
local warnings = false
warn = function(first, ...)
  local msg = concat({first, ...})
  if msg == '@on' then warnings = true elseif msg == '@off' then warnings = false
  elseif warnings and msg:sub(1, 1) ~= '@' then WARN('Lua warning: ', msg) end
end

-- Chunks from files: beside the script first (MonaServer's application folder), then as given (the current directory).
local function locate(name)
  if name:sub(1, 1) ~= '/' and dir ~= '' then
    local beside = dir .. '/' .. name
    if host(${HOST.readable}, beside) then return beside end
  end
  return name
end
local function loadchunk(path, chunkname, mode, env, hasenv)
  local code, err = host(${HOST.readFile}, path)
  if not code then return nil, err end
  -- A first line starting with '#' (#!/usr/bin/env lua) is skipped, as lua does; line numbers stay.
  if code:sub(1, 1) == '#' then code = '--' .. code end
  if hasenv then return load(code, chunkname, mode or 'bt', env) end
  return load(code, chunkname, mode or 'bt')
end
loadfile = function(name, mode, ...)
  if name == nil then return loadchunk(nil, '=stdin', mode, ..., select('#', ...) > 0) end
  local path = locate(name)
  return loadchunk(path, '@' .. path, mode, ..., select('#', ...) > 0)
end
dofile = function(name)
  local chunk, err = loadfile(name)
  if not chunk then error(err, 0) end
  return chunk()
end

-- require: modules beside the script, then on package.path, from the real file system; MonaServer's own form
-- require("util.lua") runs that file beside the application (each time, as MonaServer does) and returns its results.
if dir ~= '' then package.path = dir .. '/?.lua;' .. dir .. '/?/init.lua;' .. package.path end
local function searchpath(name, path, sep, rep)
  sep, rep = sep or '.', rep or '/'
  if sep ~= '' then name = name:gsub('%' .. sep, (rep:gsub('%%', '%%%%'))) end
  local tried = {}
  for template in path:gmatch('[^;]+') do
    local file = template:gsub('%?', (name:gsub('%%', '%%%%')))
    if host(${HOST.readable}, file) then return file end
    tried[#tried + 1] = "\n\tno file '" .. file .. "'"
  end
  return nil, concat(tried)
end
package.searchpath = searchpath
local function searcher(name)
  local file, tried = searchpath(name, package.path)
  if not file then return tried end
  local chunk, err = loadchunk(file, '@' .. file)
  if not chunk then error("error loading module '" .. name .. "' from file '" .. file .. "':\n\t" .. err, 3) end
  return chunk, file
end
package.searchers = {package.searchers[1], searcher}
local stdrequire = require
require = function(name)
  if type(name) == 'string' and name:lower():match('%.lua$') then return dofile(name) end
  -- A module that is not found is the caller's error, at the caller's line (not this wrapper's).
  local results = table.pack(pcall(stdrequire, name))
  if not results[1] then
    local err = results[2]
    if type(err) == 'string' then err = err:gsub('^mona%-nc io:%d+: ', '') end
    error(err, 2)
  end
  return table.unpack(results, 2, results.n)
end
`;
