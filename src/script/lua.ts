// Runs a MonaServer Lua script: the main chunk and every handler run as coroutines, so that start(), bind() and
// UDP connect() can wait for Node's answer and return MonaServer's exact result; other events wait their turn.
import { dirname } from 'node:path';
import { mona, MonaError, type OnDataReturn, type SocketAddress, type TCPClient, type TCPServer, type UDPSocket } from '../mona/index.js';
import { handlerFailed } from '../mona/handler.js';
import { LEVELS, levelNumber, type Logger } from '../log.js';
import { LuaPanic, LuaState, LUA_ERRMEM, LUA_OK, LUA_YIELD, LuaType, type LuaValue } from './lua-state.js';
import { EVENT, KINDS, OP, PRELUDE, PROPS, type EventName, type Kind } from './lua-prelude.js';
import { IO_PRELUDE } from './lua-io-prelude.js';
import { UTIL_PRELUDE } from './lua-util-prelude.js';
import { LuaHost } from './lua-io.js';
import { closeAll, type Script, type ScriptOutput } from './engine.js';
import { readSource } from './source.js';
import { signalsSeen } from './watchdog.js';

export interface LuaOptions {
  /** How onData's return value reads: the documented rest, or MonaServer 1.x's bytes consumed. */
  onDataReturn: OnDataReturn;
  /** Extra command-line arguments: `arg[1..n]` and the main chunk's `...`. */
  args: readonly string[];
  /** Lua tracebacks in error logs (-vvv). */
  tracebacks: boolean;
  /** Milliseconds a handler (or the main chunk) may run before it is stopped; 0: no limit. */
  handlerTimeout: number;
  /** Bytes of memory the Lua runtime may grow to. */
  memoryCap: number;
  /** Client options of every TCP socket the script makes or accepts (send queue limits). */
  client: { sendCap?: number | undefined; sendHighWater?: number | undefined };
  /** The script's own log functions (INFO shown by default under `run`). */
  log: Logger;
  output: ScriptOutput;
}

type Socket = TCPClient | TCPServer | UDPSocket;
interface Entry { kind: Kind; socket: Socket }
interface Thread { co: number; ref: number }
type Result = { state: 'done'; ran: boolean; value: LuaValue } | { state: 'failed'; message: string } | { state: 'waiting' } | { state: 'ended' };
/** The handler running now: what the watchdog hook checks. */
interface Running { name: string; since: number; signals: number; stopped?: string | undefined }

// The watchdog's hook runs every this many VM instructions (a few milliseconds of Lua): no measurable cost.
const HOOK_EVERY = 100_000;
const MiB = 1024 * 1024;

const str = (v: LuaValue): unknown => (Buffer.isBuffer(v) ? v.toString('utf8') : v);
const plain = (v: unknown): LuaValue => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'value' in v) return (v as SocketAddress).value;
  return v as LuaValue;
};
const seconds = (ms: number): string => `${ms / 1000} s`;

export async function loadLua(file: string, options: LuaOptions): Promise<Script> {
  const code = readSource(file);
  const lua = await LuaState.create(options.memoryCap);
  return new LuaScript(lua, file, code, options);
}

class LuaScript implements Script {
  readonly #lua: LuaState;
  readonly #file: string;
  readonly #code: Buffer;
  readonly #options: LuaOptions;
  readonly #host: LuaHost;
  readonly #entries = new Map<number, Entry>();
  #nextHandle = 1;
  #dispatchRef = 0;
  #collectRef = 0;
  readonly #idle: Thread[] = [];
  // While a coroutine waits for Node, other events queue here (run-to-completion, as in MonaServer).
  #busy = false;
  // Why TCP sockets are paused now: a coroutine waits for Node ('busy'), stdout's reader is behind ('stdout').
  readonly #holds = new Set<'busy' | 'stdout'>();
  readonly #queue: Array<() => void> = [];
  readonly #waiting = new Map<number, { thread: Thread; name: string; done: (r: Result) => void }>();
  #nextOp = 1;
  #manage: NodeJS.Timeout | undefined;
  #running: Running | undefined;
  // After onStop or os.exit: sockets close silently, no event reaches the script any more.
  #stopped = false;
  #exitCode: number | undefined;

  constructor(lua: LuaState, file: string, code: Buffer, options: LuaOptions) {
    this.#lua = lua;
    this.#file = file;
    // A first line starting with '#' (#!/usr/bin/env lua) is skipped, as lua does; line numbers stay.
    this.#code = code[0] === 0x23 ? Buffer.concat([Buffer.from('--'), code]) : code;
    this.#options = options;
    this.#host = new LuaHost({
      stdout: (chunk) => this.#stdout(chunk),
      stderr: (chunk) => options.output.stderr(chunk),
      exit: (code) => { this.#exitCode ??= code; },
    });
    this.#installPrelude();
    if (options.handlerTimeout > 0) lua.setHook((L) => this.#watch(L), HOOK_EVERY);
  }

  /** Run the main chunk, then onStart; rejects with the script's error (file:line). */
  main(): Promise<void> {
    const lua = this.#lua;
    if (lua.load(lua.L, this.#code, `@${this.#file}`) !== LUA_OK) {
      const message = lua.text(lua.L, -1);
      lua.setTop(lua.L, 0);
      return Promise.reject(new MonaError(message, 'ERR_SCRIPT'));
    }
    const chunk = lua.ref(lua.L);
    return new Promise((resolve, reject) => {
      const thread = this.#thread();
      lua.pushRef(thread.co, chunk);
      for (const a of this.#options.args) lua.push(thread.co, a);
      this.#drive(thread, this.#options.args.length, 'main chunk', (r) => {
        lua.unref(lua.L, chunk);
        if (r.state === 'failed') return reject(new MonaError(r.message, 'ERR_SCRIPT'));
        if (r.state === 'ended') return resolve();
        this.#event(0, 'onStart', ['']);
        this.#manage = setInterval(() => { if (!this.#busy) this.#event(0, 'onManage', []); }, 2000).unref();
        resolve();
      });
    });
  }

  /** onStop, then every socket closes silently: a signal, or the end of the script's work. */
  stop(): Promise<void> {
    clearInterval(this.#manage);
    this.#event(0, 'onStop', [''], undefined, true);
    this.#stopped = true;
    this.#host.closeAll();
    return closeAll([...this.#entries.values()].map((e) => e.socket));
  }

  #installPrelude(): void {
    const lua = this.#lua;
    const L = lua.L;
    const run = (chunk: string, name: string, push: () => number, results: number): void => {
      if (lua.load(L, Buffer.from(chunk), name) !== LUA_OK) throw new Error(`${name}: ${lua.text(L, -1)}`);
      lua.call(L, push(), results);
    };
    const log = this.#options.log;
    run(PRELUDE, '=mona-nc', () => {
      lua.pushCFunction(L, lua.cfunction((S) => this.#call(S)));
      lua.pushCFunction(L, lua.cfunction((S) => {
        log.log(LEVELS[Number(lua.get(S, 1)) - 1] ?? 'INFO', lua.text(S, 2));
        return 0;
      }));
      // The log level never changes during a run: Lua skips formatting what would not be written.
      lua.push(L, levelNumber(log.level));
      lua.push(L, this.#options.onDataReturn === 'consumed');
      return 4;
    }, 2);
    const register = lua.ref(L);
    this.#dispatchRef = lua.ref(L);
    const host = lua.cfunction((S) => {
      const args: LuaValue[] = [];
      for (let i = 2, n = lua.top(S); i <= n; i++) args.push(lua.get(S, i));
      const results = this.#host.call(lua.number(S, 1), args);
      for (const r of results) lua.push(S, r);
      return results.length;
    });
    run(IO_PRELUDE, '=mona-nc io', () => {
      lua.pushCFunction(L, host);
      lua.push(L, dirname(this.#file));
      return 2;
    }, 0);
    run(UTIL_PRELUDE, '=mona-nc util', () => {
      lua.pushCFunction(L, host);
      return 1;
    }, 1);
    // register(name, fn) for each utility: a little Lua is the shortest way to walk a table.
    run('local register, util = ...; for name, fn in pairs(util) do register(name, fn) end', '=mona-nc register', () => {
      lua.pushRef(L, register);
      lua.pushValue(L, -3);
      return 2;
    }, 0);
    lua.setTop(L, 0);
    lua.unref(L, register);
    run('return function() collectgarbage() end', '=mona-nc gc', () => 0, 1);
    this.#collectRef = lua.ref(L);
    const args = this.#options.args;
    // arg: the script's path at 0 and its arguments from 1, as the lua command does.
    run(`local a = {...}; arg = {[0] = a[1]}; for i = 2, #a do arg[i - 1] = a[i] end`, '=arg', () => {
      for (const a of [this.#file, ...args]) lua.push(L, a);
      return args.length + 1;
    }, 0);
  }

  // The watchdog: a handler past --handler-timeout, or a signal while it runs, stops it where it is.
  #watch(L: number): void {
    const running = this.#running;
    if (!running) return;
    const now = performance.now();
    if (!running.stopped) {
      if (signalsSeen() !== running.signals) running.stopped = 'signal';
      else if (now - running.since > this.#options.handlerTimeout) running.stopped = 'timeout';
      else return;
      running.stopped += ` ${this.#lua.where(L, 0).replace(/: $/, '')}`;
    }
    // A yield leaves through any pcall the script has; where Lua cannot yield, an error (raised again each time).
    if (this.#lua.isYieldable(L)) this.#lua.yieldFromHook(L);
    else this.#lua.raise(L, `${running.name} stopped`);
  }

  #stdout(chunk: Buffer): void {
    if (this.#options.output.stdout(chunk) || this.#holds.has('stdout')) return;
    // stdout's reader is behind: stop reading the sockets until it catches up (memory stays bounded).
    this.#hold('stdout', true);
    this.#options.output.onDrain(() => this.#hold('stdout', false));
  }

  // call(handle, op, ...): what the Lua side asks of the JS sockets. Never raises: errors are returned values.
  #call(S: number): number {
    const lua = this.#lua;
    const args: LuaValue[] = [];
    for (let i = 3, n = lua.top(S); i <= n; i++) args.push(lua.get(S, i));
    const results = this.#op(lua.number(S, 1), lua.number(S, 2), args);
    for (const r of results) lua.push(S, r);
    return results.length;
  }

  #op(h: number, op: number, a: LuaValue[]): LuaValue[] {
    if (op === OP.new) return [this.#create(KINDS[Number(a[0]) - 1] ?? 'TCPClient', a[1] === true)];
    const entry = this.#entries.get(h);
    if (!entry) return [];
    const s = entry.socket;
    const legacy = this.#options.onDataReturn === 'consumed';
    switch (op) {
      case OP.get: return [plain((s as unknown as Record<string, unknown>)[PROPS[Number(a[0]) - 1] ?? ''])];
      case OP.addresses: return [plain((s as TCPClient).address), plain((s as TCPClient).peerAddress)];
      case OP.drop: this.#drop(h, entry); return [];
      case OP.connect: return [(s as TCPClient).connect(str(a[0]), str(a[1]))];
      case OP.send: return [(s as TCPClient).send(a[0])];
      case OP.disconnect: (s as TCPClient).disconnect(); return [];
      case OP.start: return [this.#pending(h, 'start', (s as TCPServer).startAsync(str(a[0]), str(a[1])), () => true, () => false)];
      case OP.stop: (s as TCPServer).stop(); return [];
      // MonaServer 1.x releases answered bind and send with true, or false and an ERROR; the page, nil or the message.
      case OP.bind: return [this.#pending(h, 'bind', (s as UDPSocket).bindAsync(str(a[0]), str(a[1])), () => (legacy ? true : undefined), (m) => (legacy ? false : m))];
      case OP.udpConnect: return [this.#pending(h, 'connect', (s as UDPSocket).connectAsync(str(a[0]), str(a[1])), () => undefined, (m) => m)];
      case OP.udpSend: {
        const error = (s as UDPSocket).send(a[0], str(a[1]), str(a[2]));
        if (!legacy) return [error];
        if (error !== undefined) this.#options.log.log('ERROR', "(method 'send') ", error);
        return [error === undefined];
      }
      case OP.udpDisconnect: (s as UDPSocket).disconnect(); return [];
      case OP.udpClose: (s as UDPSocket).close(); return [];
      default: return [];
    }
  }

  #create(kind: Kind, allowBroadcast: boolean): number {
    const client = { onDataReturn: this.#options.onDataReturn, ...this.#options.client };
    if (kind === 'TCPClient') return this.#adopt(mona.createTCPClient(client));
    const h = this.#nextHandle++;
    if (kind === 'TCPServer') {
      const server = mona.createTCPServer({ client });
      server.onConnection = (c) => {
        if (this.#stopped) return c.close();
        const ch = this.#adopt(c);
        if (this.#holds.size) c.pause();
        // No onConnection: the connection is closed at once, and no Lua object ever stands for it.
        this.#event(h, 'onConnection', [ch], (ran) => {
          if (ran) return;
          this.#entries.delete(ch);
          c.close();
        });
      };
      server.onError = (message) => this.#event(h, 'onError', [message]);
      this.#entries.set(h, { kind, socket: server });
    } else {
      const socket = mona.createUDPSocket(allowBroadcast);
      socket.onPacket = (data, address) => this.#event(h, 'onPacket', [data, address]);
      socket.onError = (message) => this.#event(h, 'onError', [message]);
      this.#entries.set(h, { kind, socket });
    }
    return h;
  }

  #adopt(client: TCPClient): number {
    const h = this.#nextHandle++;
    client.onData = (data) => this.#onData(h, data);
    client.onDisconnection = (peer, error) => this.#event(h, 'onDisconnection', [peer, error]);
    this.#entries.set(h, { kind: 'TCPClient', socket: client });
    return h;
  }

  // MonaServer closes an unreferenced socket at some GC; only inactive objects reach here (active ones are pinned).
  #drop(h: number, entry: Entry): void {
    this.#entries.delete(h);
    const s = entry.socket;
    if ('close' in s) s.close();
    else s.stop();
  }

  // A Node operation the Lua caller waits for (start, bind, UDP connect): its id, resolved later with Mona's result.
  #pending(h: number, method: string, work: Promise<unknown>, ok: () => LuaValue, failed: (message: string) => LuaValue): number {
    const id = this.#nextOp++;
    const legacy = this.#options.onDataReturn === 'consumed';
    work.then(
      () => this.#settle(id, ok()),
      (err: Error) => {
        // start() logs its failure, as the page says (and 1.x's bind); bind()/connect() return it. Nobody waiting
        // (called where Lua cannot yield): an ERROR and an onError event, as in TypeScript.
        const awaited = this.#waiting.has(id);
        if (method === 'start' || (legacy && method === 'bind') || !awaited) this.#options.log.log('ERROR', `(method '${method}') `, err.message);
        if (!awaited) this.#event(h, 'onError', [err.message]);
        this.#settle(id, failed(err.message));
      },
    );
    return id;
  }

  #settle(id: number, value: LuaValue): void {
    const waiter = this.#waiting.get(id);
    if (!waiter) return;
    this.#waiting.delete(id);
    this.#lua.push(waiter.thread.co, value);
    this.#drive(waiter.thread, 1, waiter.name, waiter.done);
  }

  // onData needs its return value now: it runs at once (the sockets are paused while another handler waits).
  #onData(h: number, data: Buffer): unknown {
    const consumeAll = this.#options.onDataReturn === 'consumed' ? Number.MAX_SAFE_INTEGER : 0;
    if (this.#busy || this.#stopped) return consumeAll;
    const r = this.#dispatch(h, 'onData', [data], () => undefined);
    // A handler that waited for Node (a bind inside onData) has its data consumed.
    if (r.state !== 'done' || !r.ran) return consumeAll;
    return Buffer.isBuffer(r.value) ? r.value.toString('latin1') : r.value;
  }

  /** Dispatch an event to its handler now, or after the coroutine that waits for Node (onStop: even once stopped). */
  #event(h: number, name: EventName, args: LuaValue[], then?: (ran: boolean) => void, last = false): void {
    if (this.#stopped && !last) return then?.(true);
    if (this.#busy) {
      this.#queue.push(() => this.#event(h, name, args, then, last));
      return;
    }
    const r = this.#dispatch(h, name, args, (late) => then?.(late.state === 'done' && late.ran));
    if (r.state !== 'waiting') then?.(r.state === 'done' && r.ran);
  }

  // Run dispatch(h, event, ...args) in a coroutine. Returns its result, or 'waiting' (then `later` gets it).
  #dispatch(h: number, name: EventName, args: LuaValue[], later: (r: Result) => void): Result {
    const lua = this.#lua;
    let thread: Thread;
    const outer = lua.payload();
    try {
      thread = this.#thread();
      lua.pushRef(thread.co, this.#dispatchRef);
      lua.pushNumber(thread.co, h);
      lua.pushNumber(thread.co, EVENT[name]);
      for (const a of args) {
        if (Buffer.isBuffer(a)) lua.pushPayload(thread.co, a);
        else lua.push(thread.co, a);
      }
    } catch (err) {
      // The heap is full even for the event's data: that event is lost, loudly; the script goes on.
      if (!(err instanceof LuaPanic)) throw err;
      lua.restorePayload(outer);
      this.#collect();
      this.#options.log.log('ERROR', `${name} dropped: ${this.#memoryMessage()}`);
      return { state: 'done', ran: false, value: undefined };
    }
    let result: Result = { state: 'waiting' };
    let sync = true;
    this.#drive(thread, 2 + args.length, name, (r) => {
      if (r.state === 'failed') handlerFailed(name, r.message);
      if (sync) result = r;
      else later(r);
    });
    sync = false;
    lua.restorePayload(outer);
    return result;
  }

  // Resume a coroutine; a wait for Node (yield PENDING, id) marks us busy until its answer resumes it.
  #drive(thread: Thread, nargs: number, name: string, done: (r: Result) => void): void {
    const lua = this.#lua;
    const { co } = thread;
    const outer = this.#running;
    const running: Running = { name, since: performance.now(), signals: signalsSeen() };
    this.#running = running;
    const { status, results } = lua.resume(co, nargs);
    this.#running = outer;
    if (this.#exitCode !== undefined) return this.#exit(thread, done);
    if (running.stopped) return this.#stopHandler(thread, running, done);
    if (status === LUA_YIELD) {
      const id = results === 2 && lua.type(co, -2) === LuaType.Table ? lua.get(co, -1) : undefined;
      lua.setTop(co, 0);
      if (typeof id !== 'number') {
        lua.reset(co);
        this.#idle.push(thread);
        return done({ state: 'failed', message: 'a handler yielded outside of a coroutine of its own' });
      }
      this.#setBusy(true);
      this.#waiting.set(id, { thread, name, done: (r) => { this.#setBusy(false); done(r); this.#drain(); } });
      return;
    }
    if (status === LUA_OK) {
      const ran = results > 0 && lua.get(co, -results) === true;
      const value = results > 1 ? lua.get(co, -results + 1) : undefined;
      lua.setTop(co, 0);
      this.#idle.push(thread);
      return done({ state: 'done', ran, value });
    }
    const message = status === LUA_ERRMEM ? this.#memoryMessage() : lua.errorMessage(co, this.#options.tracebacks);
    lua.setTop(co, 0);
    lua.reset(co);
    this.#idle.push(thread);
    if (status === LUA_ERRMEM) this.#collect();
    done({ state: 'failed', message });
  }

  // The watchdog stopped this handler: a timeout is one ERROR naming it and where it was; a signal, a WARN.
  #stopHandler(thread: Thread, running: Running, done: (r: Result) => void): void {
    const lua = this.#lua;
    lua.setTop(thread.co, 0);
    lua.reset(thread.co);
    lua.setTop(thread.co, 0);
    this.#idle.push(thread);
    const [why = '', ...at] = (running.stopped ?? '').split(' ');
    const where = at.join(' ') || this.#file;
    if (why === 'signal') {
      this.#options.log.log('WARN', `${running.name} interrupted by the signal at ${where}`);
      return done({ state: 'ended' });
    }
    const message = `${running.name} ran longer than ${seconds(this.#options.handlerTimeout)} (--handler-timeout): stopped at ${where}`;
    if (running.name === 'main chunk') return done({ state: 'failed', message });
    this.#options.log.log('ERROR', message);
    done({ state: 'done', ran: false, value: undefined });
  }

  // os.exit(): the handler that called it ends here, and so does the script (the runner ends the process).
  #exit(thread: Thread, done: (r: Result) => void): void {
    this.#lua.setTop(thread.co, 0);
    this.#lua.reset(thread.co);
    this.#lua.setTop(thread.co, 0);
    if (!this.#stopped) {
      this.#stopped = true;
      clearInterval(this.#manage);
      this.#host.closeAll();
      const code = this.#exitCode ?? 0;
      queueMicrotask(() => this.#options.output.exit(code));
    }
    done({ state: 'ended' });
  }

  #memoryMessage(): string {
    return `not enough memory: the Lua heap reached its ${Math.round(this.#options.memoryCap / MiB)} MiB cap (--script-memory)`;
  }

  // A full collection after a memory error, so that what the failed handler built is free for the next one.
  #collect(): void {
    const lua = this.#lua;
    lua.pushRef(lua.L, this.#collectRef);
    if (lua.pcall(lua.L, 0, 0) !== LUA_OK) lua.setTop(lua.L, 0);
  }

  // Busy: TCP data waits in the system's buffers (paused sockets), so onData always runs with a return value to give.
  #setBusy(busy: boolean): void {
    this.#busy = busy;
    this.#hold('busy', busy);
  }

  #hold(why: 'busy' | 'stdout', on: boolean): void {
    const before = this.#holds.size > 0;
    if (on) this.#holds.add(why);
    else this.#holds.delete(why);
    const after = this.#holds.size > 0;
    if (before === after) return;
    for (const { kind, socket } of this.#entries.values()) {
      if (kind !== 'TCPClient') continue;
      if (after) (socket as TCPClient).pause();
      else (socket as TCPClient).resume();
    }
  }

  #drain(): void {
    while (!this.#busy && this.#queue.length) this.#queue.shift()?.();
  }

  #thread(): Thread {
    return this.#idle.pop() ?? this.#lua.newThread();
  }
}
