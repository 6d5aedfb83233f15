// A Lua 5.4 state on wasmoon's raw C exports: bytes cross as bytes (wasmoon's own API decodes UTF-8 and stops at NUL).
import type { LuaWasm } from 'wasmoon';
import { assetPath, loadVendor } from '../assets.js';

export const LUA_OK = 0;
export const LUA_YIELD = 1;
const LUA_REGISTRYINDEX = -1_000_000 - 1000;
export const enum LuaType { None = -1, Nil = 0, Boolean = 1, LightUserdata = 2, Number = 3, String = 4, Table = 5, Function = 6, Userdata = 7, Thread = 8 }

/** The raw exports of wasmoon's emscripten module that we use (pointers are numbers, lua_Integer is a bigint). */
interface RawModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  addFunction(fn: (L: number) => number, signature: string): number;
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
  _lua_setglobal(L: number, name: number): void;
  _lua_callk(L: number, nargs: number, nresults: number, ctx: number, k: number): void;
  _lua_pcallk(L: number, nargs: number, nresults: number, errfunc: number, ctx: number, k: number): number;
}

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
  #payload: { ptr: number; length: number; buffer: Buffer } | undefined;

  static async create(): Promise<LuaState> {
    modulePromise ??= loadVendor<{ LuaWasm: typeof LuaWasm }>('wasmoon')
      .then(({ LuaWasm: wasm }) => wasm.initialize(assetPath('glue.wasm')))
      .then((w) => w.module as unknown as RawModule);
    return new LuaState(await modulePromise);
  }

  private constructor(m: RawModule) {
    this.#m = m;
    this.L = m._luaL_newstate();
    m._luaL_openlibs(this.L);
    this.#lenPtr = m._malloc(8);
  }

  /** Copy bytes into the WASM heap (a reused scratch area) and return their address. */
  #stage(bytes: Uint8Array): number {
    if (bytes.length + 1 > this.#scratchSize) {
      if (this.#scratch) this.#m._free(this.#scratch);
      this.#scratchSize = Math.max(64 * 1024, bytes.length + 1);
      this.#scratch = this.#m._malloc(this.#scratchSize);
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
   * Push an event's payload and remember it until forgetPayload(): Lua strings are immutable and this one stays on
   * the handler's stack meanwhile, so the same address and length read back are the same bytes.
   */
  pushPayload(L: number, buffer: Buffer): void {
    this.pushBytes(L, buffer);
    this.#payload = { ptr: this.#m._lua_tolstring(L, -1, this.#lenPtr), length: buffer.length, buffer };
  }

  forgetPayload(): void { this.#payload = undefined; }

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
    const name = Buffer.from(`${chunkname}\0`, 'utf8');
    const namePtr = m._malloc(name.length);
    m.HEAPU8.set(name, namePtr);
    const status = m._luaL_loadbufferx(L, this.#stage(code), code.length, namePtr, 0);
    m._free(namePtr);
    return status;
  }

  /** Call the function under `nargs` arguments unprotected (only for our own prelude). */
  call(L: number, nargs: number, nresults: number): void {
    this.#m._lua_callk(L, nargs, nresults, 0, 0);
  }

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
    const msg = Buffer.from(`${message}\0`, 'utf8');
    const ptr = this.#m._malloc(msg.length);
    this.#m.HEAPU8.set(msg, ptr);
    this.#m._luaL_traceback(this.L, co, ptr, 0);
    this.#m._free(ptr);
    const full = this.text(this.L, -1);
    this.setTop(this.L, -2);
    return full;
  }

  typeName(L: number, idx: number): string {
    return ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'][this.type(L, idx)] ?? 'no';
  }

  setGlobal(L: number, name: string): void {
    const bytes = Buffer.from(`${name}\0`, 'utf8');
    const ptr = this.#m._malloc(bytes.length);
    this.#m.HEAPU8.set(bytes, ptr);
    this.#m._lua_setglobal(L, ptr);
    this.#m._free(ptr);
  }
}
