// Runs a MonaServer Lua script: the main chunk and every handler run as coroutines, so that start(), bind() and
// UDP connect() can wait for Node's answer and return MonaServer's exact result; other events wait their turn.
import { mona, MonaError, type OnDataReturn, type SocketAddress, type TCPClient, type TCPServer, type UDPSocket } from '../mona/index.js';
import { handlerFailed } from '../mona/handler.js';
import { LEVELS, levelNumber, logger } from '../log.js';
import { LuaState, LUA_OK, LUA_YIELD, LuaType, type LuaValue } from './lua-state.js';
import { EVENT, KINDS, OP, PRELUDE, PROPS, type EventName, type Kind } from './lua-prelude.js';
import { closeAll, type Script } from './script.js';
import { readSource } from './source.js';

export interface LuaOptions {
  /** How onData's return value reads: the documented rest, or MonaServer 1.x's bytes consumed. */
  onDataReturn: OnDataReturn;
  /** Extra command-line arguments: `arg[1..n]` and the main chunk's `...`. */
  args: readonly string[];
  /** Lua tracebacks in error logs (-vvv). */
  tracebacks: boolean;
}

type Socket = TCPClient | TCPServer | UDPSocket;
interface Entry { kind: Kind; socket: Socket }
interface Thread { co: number; ref: number }
type Result = { state: 'done'; ran: boolean; value: LuaValue } | { state: 'failed'; message: string } | { state: 'waiting' };

const str = (v: LuaValue): unknown => (Buffer.isBuffer(v) ? v.toString('utf8') : v);
const plain = (v: unknown): LuaValue => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'value' in v) return (v as SocketAddress).value;
  return v as LuaValue;
};

export async function loadLua(file: string, options: LuaOptions): Promise<Script> {
  const code = readSource(file);
  const lua = await LuaState.create();
  return new LuaScript(lua, file, code, options);
}

class LuaScript implements Script {
  readonly #lua: LuaState;
  readonly #file: string;
  readonly #code: Buffer;
  readonly #options: LuaOptions;
  readonly #entries = new Map<number, Entry>();
  #nextHandle = 1;
  #dispatchRef = 0;
  readonly #idle: Thread[] = [];
  // While a coroutine waits for Node, other events queue here (run-to-completion, as in MonaServer).
  #busy = false;
  readonly #queue: Array<() => void> = [];
  readonly #waiting = new Map<number, { thread: Thread; done: (r: Result) => void }>();
  #nextOp = 1;
  #manage: NodeJS.Timeout | undefined;

  constructor(lua: LuaState, file: string, code: Buffer, options: LuaOptions) {
    this.#lua = lua;
    this.#file = file;
    this.#code = code;
    this.#options = options;
    this.#installPrelude();
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
      this.#drive(thread, this.#options.args.length, (r) => {
        lua.unref(lua.L, chunk);
        if (r.state === 'failed') return reject(new MonaError(r.message, 'ERR_SCRIPT'));
        this.#event(0, 'onStart', ['']);
        this.#manage = setInterval(() => { if (!this.#busy) this.#event(0, 'onManage', []); }, 2000).unref();
        resolve();
      });
    });
  }

  /** onStop, then every socket closes: a signal, or the end of the script's work. */
  stop(): Promise<void> {
    clearInterval(this.#manage);
    this.#event(0, 'onStop', ['']);
    return closeAll([...this.#entries.values()].map((e) => e.socket));
  }

  #installPrelude(): void {
    const lua = this.#lua;
    const L = lua.L;
    if (lua.load(L, Buffer.from(PRELUDE), '=mona-nc') !== LUA_OK) throw new Error(`mona-nc prelude: ${lua.text(L, -1)}`);
    lua.pushCFunction(L, lua.cfunction((S) => this.#call(S)));
    lua.pushCFunction(L, lua.cfunction((S) => {
      const level = LEVELS[Number(lua.get(S, 1)) - 1] ?? 'INFO';
      logger().log(level, lua.text(S, 2));
      return 0;
    }));
    // The log level never changes during a run: Lua skips formatting what would not be written.
    lua.push(L, levelNumber(logger().level));
    lua.call(L, 3, 1);
    this.#dispatchRef = lua.ref(L);
    const args = this.#options.args;
    // arg: the script's path at 0 and its arguments from 1, as the lua command does.
    const table = `local a = {...}; arg = {[0] = a[1]}; for i = 2, #a do arg[i - 1] = a[i] end`;
    lua.load(L, Buffer.from(table), '=arg');
    for (const a of [this.#file, ...args]) lua.push(L, a);
    lua.call(L, args.length + 1, 0);
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
    switch (op) {
      case OP.get: return [plain((s as unknown as Record<string, unknown>)[PROPS[Number(a[0]) - 1] ?? ''])];
      case OP.addresses: return [plain((s as TCPClient).address), plain((s as TCPClient).peerAddress)];
      case OP.drop: this.#drop(h, entry); return [];
      case OP.connect: return [(s as TCPClient).connect(str(a[0]), str(a[1]))];
      case OP.send: return [(s as TCPClient).send(a[0])];
      case OP.disconnect: (s as TCPClient).disconnect(); return [];
      case OP.start: return [this.#pending(h, 'start', (s as TCPServer).startAsync(str(a[0]), str(a[1])), () => true, () => false)];
      case OP.stop: (s as TCPServer).stop(); return [];
      case OP.bind: return [this.#pending(h, 'bind', (s as UDPSocket).bindAsync(str(a[0]), str(a[1])), () => undefined, (m) => m)];
      case OP.udpConnect: return [this.#pending(h, 'connect', (s as UDPSocket).connectAsync(str(a[0]), str(a[1])), () => undefined, (m) => m)];
      case OP.udpSend: return [(s as UDPSocket).send(a[0], str(a[1]), str(a[2]))];
      case OP.udpDisconnect: (s as UDPSocket).disconnect(); return [];
      case OP.udpClose: (s as UDPSocket).close(); return [];
      default: return [];
    }
  }

  #create(kind: Kind, allowBroadcast: boolean): number {
    const client = { onDataReturn: this.#options.onDataReturn };
    if (kind === 'TCPClient') return this.#adopt(mona.createTCPClient(client));
    const h = this.#nextHandle++;
    if (kind === 'TCPServer') {
      const server = mona.createTCPServer({ client });
      server.onConnection = (c) => {
        const ch = this.#adopt(c);
        if (this.#busy) c.pause();
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
    work.then(
      () => this.#settle(id, ok()),
      (err: Error) => {
        // start() logs its failure, as the page says; bind()/connect() return it. Nobody waiting (called where Lua
        // cannot yield): an ERROR and an onError event, as in TypeScript.
        const awaited = this.#waiting.has(id);
        if (method === 'start' || !awaited) logger().log('ERROR', `(method '${method}') `, err.message);
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
    this.#drive(waiter.thread, 1, waiter.done);
  }

  // onData needs its return value now: it runs at once (the sockets are paused while another handler waits).
  #onData(h: number, data: Buffer): unknown {
    const consumeAll = this.#options.onDataReturn === 'consumed' ? Number.MAX_SAFE_INTEGER : 0;
    if (this.#busy) return consumeAll;
    const r = this.#dispatch(h, 'onData', [data], () => undefined);
    // A handler that waited for Node (a bind inside onData) has its data consumed.
    if (r.state !== 'done' || !r.ran) return consumeAll;
    return Buffer.isBuffer(r.value) ? r.value.toString('latin1') : r.value;
  }

  /** Dispatch an event to its handler now, or after the coroutine that waits for Node. */
  #event(h: number, name: EventName, args: LuaValue[], then?: (ran: boolean) => void): void {
    if (this.#busy) {
      this.#queue.push(() => this.#event(h, name, args, then));
      return;
    }
    const r = this.#dispatch(h, name, args, (late) => then?.(late.state === 'done' && late.ran));
    if (r.state !== 'waiting') then?.(r.state === 'done' && r.ran);
  }

  // Run dispatch(h, event, ...args) in a coroutine. Returns its result, or 'waiting' (then `later` gets it).
  #dispatch(h: number, name: EventName, args: LuaValue[], later: (r: Result) => void): Result {
    const thread = this.#thread();
    const lua = this.#lua;
    lua.pushRef(thread.co, this.#dispatchRef);
    lua.pushNumber(thread.co, h);
    lua.pushNumber(thread.co, EVENT[name]);
    for (const a of args) {
      if (Buffer.isBuffer(a)) lua.pushPayload(thread.co, a);
      else lua.push(thread.co, a);
    }
    let result: Result = { state: 'waiting' };
    let sync = true;
    this.#drive(thread, 2 + args.length, (r) => {
      if (r.state === 'failed') handlerFailed(name, r.message);
      if (sync) result = r;
      else later(r);
    });
    sync = false;
    lua.forgetPayload();
    return result;
  }

  // Resume a coroutine; a wait for Node (yield PENDING, id) marks us busy until its answer resumes it.
  #drive(thread: Thread, nargs: number, done: (r: Result) => void): void {
    const lua = this.#lua;
    const { co } = thread;
    const { status, results } = lua.resume(co, nargs);
    if (status === LUA_YIELD) {
      const id = results === 2 && lua.type(co, -2) === LuaType.Table ? lua.get(co, -1) : undefined;
      lua.setTop(co, 0);
      if (typeof id !== 'number') {
        lua.reset(co);
        this.#idle.push(thread);
        return done({ state: 'failed', message: 'a handler yielded outside of a coroutine of its own' });
      }
      this.#setBusy(true);
      this.#waiting.set(id, { thread, done: (r) => { this.#setBusy(false); done(r); this.#drain(); } });
      return;
    }
    if (status === LUA_OK) {
      const ran = results > 0 && lua.get(co, -results) === true;
      const value = results > 1 ? lua.get(co, -results + 1) : undefined;
      lua.setTop(co, 0);
      this.#idle.push(thread);
      return done({ state: 'done', ran, value });
    }
    const message = lua.errorMessage(co, this.#options.tracebacks);
    lua.setTop(co, 0);
    lua.reset(co);
    this.#idle.push(thread);
    done({ state: 'failed', message });
  }

  // Busy: TCP data waits in the system's buffers (paused sockets), so onData always runs with a return value to give.
  #setBusy(busy: boolean): void {
    this.#busy = busy;
    for (const { kind, socket } of this.#entries.values()) {
      if (kind !== 'TCPClient') continue;
      if (busy) (socket as TCPClient).pause();
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

