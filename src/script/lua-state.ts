// A Lua 5.4 state on wasmoon's raw C exports: bytes cross as bytes (wasmoon's own API decodes UTF-8 and stops at NUL).
import type { LuaWasm } from 'wasmoon';
import { assetPath, loadVendor } from '../assets.js';
import { logger } from '../log.js';

export const LUA_OK = 0;
export const LUA_YIELD = 1;
export const LUA_ERRMEM = 4;
const LUA_MASKCOUNT = 8;
const LUA_REGISTRYINDEX = -1_000_000 - 1000;
export const enum LuaType { None = -1, Nil = 0, Boolean = 1, LightUserdata = 2, Number = 3, String = 4, Table = 5, Function = 6, Userdata = 7, Thread = 8 }

/** The raw exports of wasmoon's emscripten module that we use (pointers are numbers, lua_Integer is a bigint). */
interface RawModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  addFunction(fn: (L: number) => number | undefined, signature: string): number;
  _luaL_newstate(): number;
  _luaL_openlibs(L: number): void;
  _luaL_loadbufferx(L: number, buf: number, size: number, name: number, mode: number): number;
  _luaL_ref(L: number, t: number): number;
  _luaL_unref(L: number, t: number, ref: number): void;
  _luaL_traceback(L: number, L1: number, msg: number, level: number): void;
  _lua_newthread(L: number): number;
  _lua_resume(L: number, from: number, nargs: number, nresults: number): number;
  _lua_resetthread(L: number): number;
  _lua_gettop(L: number): number;
  _lua_settop(L: number, idx: number): void;
  _lua_type(L: number, idx: number): number;
  _lua_toboolean(L: number, idx: number): number;
  _lua_isinteger(L: number, idx: number): number;
  _lua_tointegerx(L: number, idx: number, isnum: number): bigint;
  _lua_tonumberx(L: number, idx: number, isnum: number): number;
  _lua_tolstring(L: number, idx: number, len: number): number;
  _lua_pushnil(L: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushlstring(L: number, s: number, len: number): number;
  _lua_pushcclosure(L: number, fn: number, n: number): void;
  _lua_rawgeti(L: number, idx: number, n: bigint): number;
  _lua_callk(L: number, nargs: number, nresults: number, ctx: number, k: number): void;
  _lua_pcallk(L: number, nargs: number, nresults: number, errfunc: number, ctx: number, k: number): number;
  _lua_sethook(L: number, hook: number, mask: number, count: number): void;
  _lua_yieldk(L: number, nresults: number, ctx: number, k: number): number;
  _lua_isyieldable(L: number): number;
  _luaL_where(L: number, level: number): void;
  _lua_error(L: number): number;
  _lua_atpanic(L: number, panic: number): number;
  _lua_pushvalue(L: number, idx: number): void;
}

/** An error raised outside any protected call (pushing an event's data with the heap full): Lua's panic, as a throw. */
export class LuaPanic extends Error {
  override name = 'LuaPanic';
}

const PAGE = 65536;
let memory: WebAssembly.Memory | undefined;
let memoryCap = Infinity;

/**
 * Load wasmoon's module once. Its glue binds console.log/console.error at load for its own messages ("Cannot enlarge
 * memory", unflushed stdio): they go to DEBUG lines instead of stderr. Its WebAssembly memory is remembered, so that
 * its growth can be capped (a failed growth is a NULL malloc: Lua's "not enough memory", which a handler survives).
 */
async function loadModule(): Promise<RawModule> {
  type Instantiate = (...args: unknown[]) => Promise<unknown>;
  const api = WebAssembly as unknown as { instantiate: Instantiate };
  const instantiate = api.instantiate;
  api.instantiate = async (...args) => {
    const result = await instantiate.apply(WebAssembly, args);
    const instance = (result as { instance?: WebAssembly.Instance }).instance ?? (result as WebAssembly.Instance);
    for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) memory = value;
    return result;
  };
  // The glue binds console.log/console.error when it loads: these stand in for them until it has.
  const { log, error } = console;
  const say = (...args: unknown[]): void => {
    const text = args.map(String).join(' ');
    // Growth refused at the --script-memory cap is expected: the ERROR of the failed handler says it once.
    if (!/grow(Memory| the heap)|Cannot enlarge memory/.test(text)) logger().log('DEBUG', 'Lua runtime: ', text);
  };
  console.log = say;
  console.error = say;
  try {
    const { LuaWasm: wasm } = await loadVendor<{ LuaWasm: typeof LuaWasm }>('wasmoon');
    return (await wasm.initialize(assetPath('glue.wasm'))).module as unknown as RawModule;
  } finally {
    console.log = log;
    console.error = error;
    api.instantiate = instantiate;
  }
}

/** Cap the memory Lua's heap lives in: growth past `bytes` fails (malloc returns NULL), it never reaches the system. */
function capMemory(bytes: number): void {
  memoryCap = bytes;
  const mem = memory;
  if (!mem || Object.hasOwn(mem, 'grow')) return;
  const grow = WebAssembly.Memory.prototype.grow;
  mem.grow = (delta: number): number => {
    if (mem.buffer.byteLength + delta * PAGE > memoryCap) throw new RangeError(`over the ${memoryCap}-byte cap`);
    return grow.call(mem, delta);
  };
}


/** The event payload on a handler's stack, and the Buffer it came from. */
type Payload = { ptr: number; length: number; buffer: Buffer } | undefined;

/** A value crossing between JS and Lua: strings arrive in JS as Buffers (Lua strings are bytes). */
export type LuaValue = undefined | boolean | number | Buffer | string;

let modulePromise: Promise<RawModule> | undefined;

/** One Lua state with byte-exact conversions. */
export class LuaState {
  readonly L: number;
  readonly #m: RawModule;
  readonly #lenPtr: number;
  #scratch = 0;
  #scratchSize = 0;
  // The payload of the event being dispatched: the same Lua string read back (an echo) is this Buffer, no copy.
  #payload: Payload;

  /** A new state; `memoryCap` bounds the WebAssembly memory of the whole runtime (one script per process). */
  static async create(memoryCap = Infinity): Promise<LuaState> {
    modulePromise ??= loadModule();
    const m = await modulePromise;
    capMemory(memoryCap);
    return new LuaState(m);
  }

  private constructor(m: RawModule) {
    this.#m = m;
    this.L = m._luaL_newstate();
    m._luaL_openlibs(this.L);
    this.#lenPtr = m._malloc(8);
    // An error outside a protected call would abort() the runtime: throw it to our caller instead (the state is
    // consistent: Lua resets the thread before calling the panic function, its "last chance to jump out").
    m._lua_atpanic(this.L, this.cfunction((L): number => { throw new LuaPanic(this.type(L, -1) === LuaType.String ? this.text(L, -1) : 'unprotected Lua error'); }));
  }

  /** Call `hook(L)` every `count` VM instructions of every thread created from now on (Lua copies it to new threads). */
  setHook(hook: (L: number) => void, count: number): void {
    this.#m._lua_sethook(this.L, this.#m.addFunction((L: number) => { hook(L); return undefined; }, 'vii'), LUA_MASKCOUNT, count);
  }

  isYieldable(L: number): boolean { return this.#m._lua_isyieldable(L) !== 0; }

  /** From a count hook: suspend the running coroutine up to its resume (no pcall can catch this). */
  yieldFromHook(L: number): void { this.#m._lua_yieldk(L, 0, 0, 0); }

  /** Raise `message` as a Lua error in L (a longjmp: nothing after this call runs). */
  raise(L: number, message: string): never {
    this.push(L, message);
    this.#m._lua_error(L);
    throw new Error('lua_error returned');
  }

  /** "file:line: " of the function running `level` levels up in L, or "". */
  where(L: number, level: number): string {
    this.#m._luaL_where(L, level);
    const text = this.text(L, -1);
    this.setTop(L, -2);
    return text;
  }

  /** Copy bytes into the WASM heap (a reused scratch area) and return their address. */
  #stage(bytes: Uint8Array): number {
    if (bytes.length + 1 > this.#scratchSize) {
      if (this.#scratch) this.#m._free(this.#scratch);
      this.#scratchSize = Math.max(64 * 1024, bytes.length + 1);
      this.#scratch = this.#m._malloc(this.#scratchSize);
      if (!this.#scratch) {
        this.#scratchSize = 0;
        throw new LuaPanic('not enough memory');
      }
    }
    this.#m.HEAPU8.set(bytes, this.#scratch);
    this.#m.HEAPU8[this.#scratch + bytes.length] = 0;
    return this.#scratch;
  }

  pushBytes(L: number, bytes: Uint8Array): void {
    this.#m._lua_pushlstring(L, this.#stage(bytes), bytes.length);
  }

  push(L: number, value: LuaValue): void {
    const m = this.#m;
    if (value === undefined) m._lua_pushnil(L);
    else if (typeof value === 'boolean') m._lua_pushboolean(L, value ? 1 : 0);
    else if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) m._lua_pushinteger(L, BigInt(value));
      else m._lua_pushnumber(L, value);
    } else if (typeof value === 'string') this.pushBytes(L, Buffer.from(value, 'utf8'));
    else this.pushBytes(L, value);
  }

  /**
   * Push an event's payload and remember it until restorePayload(): Lua strings are immutable and this one stays on
   * the handler's stack meanwhile, so the same address and length read back are the same bytes.
   */
  pushPayload(L: number, buffer: Buffer): void {
    this.pushBytes(L, buffer);
    this.#payload = { ptr: this.#m._lua_tolstring(L, -1, this.#lenPtr), length: buffer.length, buffer };
  }

  /** The payload remembered now, to restore after a nested dispatch (an event fired from inside a handler). */
  payload(): Payload { return this.#payload; }
  restorePayload(payload: Payload): void { this.#payload = payload; }

  /** A number for the bridge's own handles and codes: a float (no BigInt per call); Lua indexes tables by it alike. */
  pushNumber(L: number, n: number): void { this.#m._lua_pushnumber(L, n); }
  number(L: number, idx: number): number { return this.#m._lua_tonumberx(L, idx, 0); }

  /** The bytes of a string (or number, converted by Lua) at `idx`, copied out of the WASM heap. */
  bytes(L: number, idx: number): Buffer {
    const m = this.#m;
    const p = m._lua_tolstring(L, idx, this.#lenPtr);
    if (!p) return Buffer.alloc(0);
    const n = m.HEAP32[this.#lenPtr >> 2] ?? 0;
    const payload = this.#payload;
    if (payload && p === payload.ptr && n === payload.length) return payload.buffer;
    const copy = Buffer.allocUnsafe(n);
    copy.set(m.HEAPU8.subarray(p, p + n));
    return copy;
  }

  text(L: number, idx: number): string {
    return this.bytes(L, idx).toString('utf8');
  }

  type(L: number, idx: number): LuaType { return this.#m._lua_type(L, idx) as LuaType; }

  /** The value at `idx`; tables, functions and other objects read as undefined. */
  get(L: number, idx: number): LuaValue {
    const m = this.#m;
    switch (this.type(L, idx)) {
      case LuaType.Boolean: return m._lua_toboolean(L, idx) !== 0;
      case LuaType.Number: return m._lua_isinteger(L, idx) ? Number(m._lua_tointegerx(L, idx, 0)) : m._lua_tonumberx(L, idx, 0);
      case LuaType.String: return this.bytes(L, idx);
      default: return undefined;
    }
  }

  top(L: number): number { return this.#m._lua_gettop(L); }
  setTop(L: number, idx: number): void { this.#m._lua_settop(L, idx); }

  /** Register a JS function as a Lua C function (it reads its arguments from L and returns how many it pushed). */
  cfunction(fn: (L: number) => number): number {
    return this.#m.addFunction(fn, 'ii');
  }

  pushCFunction(L: number, fnPtr: number): void {
    this.#m._lua_pushcclosure(L, fnPtr, 0);
  }

  /** Compile a chunk; leaves the function (or the error message) on the stack. Returns the status. */
  load(L: number, code: Uint8Array, chunkname: string): number {
    const m = this.#m;
    const namePtr = this.#cstring(chunkname);
    const status = m._luaL_loadbufferx(L, this.#stage(code), code.length, namePtr, 0);
    m._free(namePtr);
    return status;
  }

  /** Call the function under `nargs` arguments unprotected (only for our own prelude). */
  call(L: number, nargs: number, nresults: number): void {
    this.#m._lua_callk(L, nargs, nresults, 0, 0);
  }

  /** Call the function under `nargs` arguments in protected mode; the status (the error stays on the stack). */
  pcall(L: number, nargs: number, nresults: number): number {
    return this.#m._lua_pcallk(L, nargs, nresults, 0, 0, 0);
  }

  pushValue(L: number, idx: number): void { this.#m._lua_pushvalue(L, idx); }

  /** Anchor the value on top of L in the registry (pops it); returns its reference. */
  ref(L: number): number { return this.#m._luaL_ref(L, LUA_REGISTRYINDEX); }
  unref(L: number, ref: number): void { this.#m._luaL_unref(L, LUA_REGISTRYINDEX, ref); }
  pushRef(L: number, ref: number): void { this.#m._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(ref)); }

  /** A new coroutine, anchored in the registry: its state and its reference. */
  newThread(): { co: number; ref: number } {
    const co = this.#m._lua_newthread(this.L);
    return { co, ref: this.ref(this.L) };
  }

  /** Resume `co` with the `nargs` values on its stack: LUA_OK, LUA_YIELD or an error status; results stay on co. */
  resume(co: number, nargs: number): { status: number; results: number } {
    const status = this.#m._lua_resume(co, this.L, nargs, this.#lenPtr);
    return { status, results: this.#m.HEAP32[this.#lenPtr >> 2] ?? 0 };
  }

  /** Reset a thread that died in an error, so it can run again. */
  reset(co: number): void { this.#m._lua_resetthread(co); }

  /** The error on top of `co`, with a traceback when asked. */
  errorMessage(co: number, traceback: boolean): string {
    const message = this.type(co, -1) === LuaType.String ? this.text(co, -1) : `(error object is a ${this.typeName(co, -1)} value)`;
    if (!traceback) return message;
    const ptr = this.#cstring(message);
    this.#m._luaL_traceback(this.L, co, ptr, 0);
    this.#m._free(ptr);
    const full = this.text(this.L, -1);
    this.setTop(this.L, -2);
    return full;
  }

  typeName(L: number, idx: number): string {
    return ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'][this.type(L, idx)] ?? 'no';
  }

  // A NUL-terminated copy of `text` in the WASM heap (free it after use); a LuaPanic if the heap is full.
  #cstring(text: string): number {
    const bytes = Buffer.from(`${text}\0`, 'utf8');
    const ptr = this.#m._malloc(bytes.length);
    if (!ptr) throw new LuaPanic('not enough memory');
    this.#m.HEAPU8.set(bytes, ptr);
    return ptr;
  }
}
