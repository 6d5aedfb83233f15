// Runs a JS/TS script on the same `mona` API. sucrase strips types and turns imports into require() in pure JS, so
// one loader works from npm and inside the standalone binary (where esbuild's native executable cannot run).
import { existsSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import * as api from '../index.js';
import { MonaError } from '../mona/errors.js';
import { invoke } from '../mona/handler.js';
import { logger } from '../log.js';
import { loadVendor } from '../assets.js';
import { UsageError } from '../core/outcome.js';
import { closeAll, type AnySocket, type EngineOptions, type Script } from './engine.js';
import { readSource } from './source.js';

type Transform = (code: string, options: { transforms: Array<'typescript' | 'imports'>; filePath: string }) => { code: string };
interface Module { exports: Record<string, unknown> }
type Wrapper = (exports: Module['exports'], require: (id: string) => unknown, module: Module, filename: string, dirname: string, meta: object) => unknown;

const isTs = (file: string): boolean => /\.[mc]?ts$/i.test(file);
const BUILTINS = new Set(builtinModules);

/** A local import: as written, with a script extension, as a directory index; "./x.js" may name "./x.ts" (TS habit). */
function resolveLocal(from: string, id: string): string {
  const base = resolve(dirname(from), id);
  const tries = [base, `${base}.ts`, `${base}.js`, `${base}.mjs`, `${base}.mts`, `${base}/index.ts`, `${base}/index.js`, base.replace(/\.([mc]?)js$/, '.$1ts')];
  const found = tries.find((p) => existsSync(p) && statSync(p).isFile());
  if (!found) throw new MonaError(`Cannot find module '${id}' imported from ${relative(process.cwd(), from)}`, 'ERR_MODULE_NOT_FOUND');
  return found;
}

/** "app.ts:4:9: message" from the first stack frame in one of the script's files. */
function located(err: unknown, files: Set<string>): string {
  const message = err instanceof Error ? err.message : String(err);
  const stack = err instanceof Error ? err.stack ?? '' : '';
  for (const m of stack.matchAll(/\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):(\d+)\)?$/gm)) {
    if (m[1] && files.has(m[1])) return `${relative(process.cwd(), m[1])}:${m[2]}:${m[3]}: ${message}`;
  }
  return message;
}

/** After onStop a script hears nothing more: every handler of its sockets is taken away before they close. */
const HANDLERS = ['onData', 'onDisconnection', 'onFlush', 'onEnd', 'onConnection', 'onError', 'onPacket'] as const;
function silence(socket: AnySocket): void {
  const s = socket as unknown as Record<string, unknown>;
  for (const name of HANDLERS) if (name in s) s[name] = undefined;
}

export async function loadJs(file: string, options: EngineOptions): Promise<Script> {
  const { transform } = await loadVendor<{ transform: Transform }>('sucrase');
  const entry = resolve(file);
  const files = new Set<string>();
  const modules = new Map<string, Module>();
  // Sockets the script makes, so a signal can close them (weakly held: a dropped socket is the script's business).
  const sockets = new Set<WeakRef<AnySocket>>();
  const keep = <T extends AnySocket>(socket: T): T => { sockets.add(new WeakRef(socket)); return socket; };
  // A server's accepted clients are the script's too: its onConnection is wrapped so that they are kept.
  const keepAccepted = (server: api.TCPServer): api.TCPServer => {
    let handler: api.TCPServer['onConnection'];
    Object.defineProperty(server, 'onConnection', {
      enumerable: true,
      get: () => handler && function (this: api.TCPServer, client: api.TCPClient) { return handler?.call(this, keep(client)); },
      set: (fn: api.TCPServer['onConnection']) => { handler = fn; },
    });
    return keep(server);
  };
  // The send queue limits of `run` (--send-cap) unless the script gives its own.
  const client = options.client;
  const mona: typeof api.mona = {
    createTCPClient: (o) => keep(api.mona.createTCPClient({ ...client, ...o })),
    createTCPServer: (o) => keepAccepted(api.mona.createTCPServer({ ...o, client: { ...client, ...o?.client } })),
    createUDPSocket: (b) => keep(api.mona.createUDPSocket(b)),
  };
  const log = options.log;
  const logs = Object.fromEntries((['FATAL', 'CRITIC', 'ERROR', 'WARN', 'NOTE', 'INFO', 'DEBUG', 'TRACE'] as const)
    .map((level) => [level, (...args: unknown[]): void => log.log(level, ...args)]));
  const exposed = { ...api, ...logs, mona, args: [...options.args] };

  const compile = (path: string, top: boolean): Wrapper => {
    files.add(path);
    let code: string;
    try {
      code = transform(readSource(path).toString('utf8'), { transforms: isTs(path) ? ['typescript', 'imports'] : ['imports'], filePath: path }).code;
    } catch (err) {
      if (err instanceof UsageError || (err as { code?: string }).code) throw err;
      const loc = (err as { loc?: { line: number; column: number } }).loc;
      const where = loc ? `:${loc.line}:${loc.column + 1}` : '';
      throw new MonaError(`${relative(process.cwd(), path)}${where}: ${(err as Error).message.replace(/^Error transforming [^:]*: /, '').replace(/ \(\d+:\d+\)$/, '')}`, 'ERR_SCRIPT');
    }
    // One line of wrapper, so the script's lines keep their numbers; the entry may use top-level await.
    const source = `(${top ? 'async ' : ''}function (exports, require, module, __filename, __dirname, __importMeta) {${code.replace(/\bimport\.meta\b/g, '__importMeta')}\n})`;
    try {
      return new vm.Script(source, { filename: path }).runInThisContext() as Wrapper;
    } catch (err) {
      throw new MonaError(located(err, files), 'ERR_SCRIPT');
    }
  };
  const run = (path: string, top: boolean): unknown => {
    const module: Module = { exports: {} };
    modules.set(path, module);
    const meta = { url: pathToFileURL(path).href, filename: path, dirname: dirname(path) };
    return compile(path, top).call(module.exports, module.exports, requireFrom(path), module, path, dirname(path), meta);
  };
  const requireFrom = (parent: string): ((id: string) => unknown) => {
    const nodeRequire = createRequire(parent);
    return (id) => {
      if (id === 'mona-nc') return exposed;
      if (id.startsWith('node:') || BUILTINS.has(id)) return nodeRequire(id);
      if (!id.startsWith('.') && !isAbsolute(id)) return nodeRequire(id);
      const path = resolveLocal(parent, id);
      if (!/\.[mc]?[jt]s$/i.test(path)) return nodeRequire(path);
      const known = modules.get(path);
      if (known) return known.exports;
      run(path, false);
      return modules.get(path)?.exports;
    };
  };

  let manage: NodeJS.Timeout | undefined;
  const hooks = (): Module['exports'] => modules.get(entry)?.exports ?? {};
  return {
    async main() {
      Object.assign(globalThis, { mona, args: exposed.args, ...logs });
      if (!existsSync(entry)) throw Object.assign(new Error(`no such file ${file}`), { code: 'ENOENT' });
      // While the top level loads, a timer that throws or a promise that rejects fails the load (one ERROR, exit 1);
      // after it, a script error is logged and the script goes on, as a throwing handler does.
      let loading: ((err: unknown) => void) | undefined;
      const uncaught = (err: unknown): void => {
        if (loading) loading(err);
        else logger().log('ERROR', located(err, files));
      };
      process.on('uncaughtException', uncaught);
      process.on('unhandledRejection', uncaught);
      try {
        await new Promise((resolve, reject) => {
          loading = reject;
          Promise.resolve(run(entry, true)).then(resolve, reject);
        });
      } catch (err) {
        // The load failed: later errors of the same script would only repeat it while the process ends.
        loading = () => undefined;
        throw err instanceof MonaError || err instanceof UsageError ? err : new MonaError(located(err, files), 'ERR_SCRIPT');
      }
      loading = undefined;
      invoke(hooks(), 'onStart', '');
      if (typeof hooks().onManage === 'function') manage = setInterval(() => invoke(hooks(), 'onManage'), 2000).unref();
    },
    stop() {
      clearInterval(manage);
      invoke(hooks(), 'onStop', '');
      const live: AnySocket[] = [];
      for (const ref of sockets) { const s = ref.deref(); if (s) live.push(s); }
      for (const s of live) silence(s);
      return closeAll(live);
    },
  };
}
