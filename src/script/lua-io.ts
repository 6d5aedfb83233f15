// The host side of Lua's io and os libraries: the real file system, environment and shell (wasmoon's own are an
// in-memory file system that vanishes, invented variables and a system() that throws), stdout as exact bytes.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fstatSync, openSync, readSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LuaValue } from './lua-state.js';
import { readSource } from './source.js';

/** Operations the Lua side asks of the host through host(op, ...); results are returned values, never raised. */
export const HOST = {
  stdout: 1, open: 2, read: 3, write: 4, seek: 5, close: 6, flush: 7,
  getenv: 8, execute: 9, exit: 10, remove: 11, rename: 12, tmpname: 13, tmpfile: 14, popen: 15,
  readFile: 16, readable: 17,
  base64: 18, unbase64: 19, time: 20, md5: 21, sha256: 22,
} as const;

export interface HostOutput {
  /** Bytes for stdout, in order with everything else the script prints. */
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** os.exit(code): the runner ends with this code once the running handler has stopped. */
  exit(code: number): void;
}

// strerror() of the codes scripts meet, the words Lua prints ("x.txt: No such file or directory").
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory', ENOTDIR: 'Not a directory',
  EEXIST: 'File exists', EMFILE: 'Too many open files', ENFILE: 'Too many open files in system', ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system', EBADF: 'Bad file descriptor', ESPIPE: 'Illegal seek', EPIPE: 'Broken pipe',
  EINVAL: 'Invalid argument', EPERM: 'Operation not permitted', ENOTEMPTY: 'Directory not empty', EIO: 'Input/output error',
  EXDEV: 'Invalid cross-device link', EBUSY: 'Device or resource busy', ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long', EFBIG: 'File too large', EAGAIN: 'Resource temporarily unavailable',
};

/** Lua's failure triple: nil, "prefix: message", errno. */
function failure(err: unknown, prefix?: string): LuaValue[] {
  const code = (err as { code?: string }).code ?? '';
  const text = STRERROR[code] ?? (err as Error).message.replace(/^[A-Z]+: /, '').replace(/, \w+.*$/, '');
  const errno = (osConstants.errno as Record<string, number>)[code] ?? 0;
  return [undefined, prefix === undefined ? text : `${prefix}: ${text}`, errno];
}

interface Handle {
  fd: number | undefined;
  seekable: boolean;
  /** Logical position: where the next read or write happens (bytes read ahead are in `ahead`). */
  pos: number;
  ahead: Buffer;
  eof: boolean;
  readable: boolean;
  writable: boolean;
  append: boolean;
  /** io.popen: the command, and what its 'w' side collected (run at close). */
  command?: { line: string; written: Buffer[] | undefined; result: LuaValue[] | undefined };
}

const EMPTY = Buffer.alloc(0);
const MODES: Record<string, string> = { r: 'r', w: 'w', a: 'a', 'r+': 'r+', 'w+': 'w+', 'a+': 'a+' };
// Output of a command run by os.execute/io.popen, captured to keep its order with what the script printed before.
const COMMAND_OUTPUT_CAP = 64 * 1024 * 1024;

/** Sleep without spinning while a non-blocking stdin has nothing yet (io.read() is synchronous, as in C). */
const nap = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };

export class LuaHost {
  readonly #out: HostOutput;
  readonly #handles = new Map<number, Handle>();
  #next = 3;

  constructor(out: HostOutput) {
    this.#out = out;
    const std = (fd: number, readable: boolean): Handle => ({ fd, seekable: false, pos: 0, ahead: EMPTY, eof: false, readable, writable: !readable, append: false });
    this.#handles.set(0, std(0, true));
    this.#handles.set(1, std(1, false));
    this.#handles.set(2, std(2, false));
  }

  call(op: number, a: LuaValue[]): LuaValue[] {
    const text = (v: LuaValue): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v ?? ''));
    const bytes = (v: LuaValue): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(String(v ?? '')));
    switch (op) {
      case HOST.stdout: this.#out.stdout(bytes(a[0])); return [];
      case HOST.open: return this.#open(text(a[0]), text(a[1]));
      case HOST.read: return this.#read(Number(a[0]), a[1]);
      case HOST.write: return this.#write(Number(a[0]), bytes(a[1]));
      case HOST.seek: return this.#seek(Number(a[0]), text(a[1]), Number(a[2]));
      case HOST.close: return this.#close(Number(a[0]));
      case HOST.flush: return [true];
      case HOST.getenv: return [process.env[text(a[0])]];
      case HOST.execute: return a[0] === undefined ? [true] : execute(text(a[0]), undefined, (out) => this.#out.stdout(out)).result;
      case HOST.exit: this.#out.exit(exitCode(a[0])); return [];
      case HOST.remove: return remove(text(a[0]));
      case HOST.rename: return attempt(() => renameSync(text(a[0]), text(a[1])), text(a[0]));
      case HOST.tmpname: return attempt(() => temporary(false));
      case HOST.tmpfile: return this.#tmpfile();
      case HOST.popen: return this.#popen(text(a[0]), text(a[1]));
      case HOST.readFile: return readFile(a[0] === undefined ? undefined : text(a[0]), () => this.#read(0, Buffer.from('a'))[0]);
      case HOST.readable: return [readable(text(a[0]))];
      case HOST.base64: return [bytes(a[0]).toString('base64')];
      case HOST.unbase64: return [Buffer.from(text(a[0]), 'base64')];
      case HOST.time: return [Date.now()];
      case HOST.md5: return [createHash('md5').update(bytes(a[0])).digest()];
      case HOST.sha256: return [createHash('sha256').update(bytes(a[0])).digest()];
      default: return [];
    }
  }

  /** Close every file the script left open (at the end of the run). */
  closeAll(): void {
    for (const id of [...this.#handles.keys()]) if (id > 2) this.#close(id);
  }

  #add(handle: Handle): number {
    const id = this.#next++;
    this.#handles.set(id, handle);
    return id;
  }

  #open(path: string, mode: string): LuaValue[] {
    const flags = MODES[mode.replace(/b+$/, '')];
    if (!flags) return [undefined, `invalid mode '${mode}'`];
    try {
      const fd = openSync(path, flags, 0o666);
      const st = fstatSync(fd);
      return [this.#add({
        fd, seekable: st.isFile(), pos: flags.startsWith('a') && st.isFile() ? st.size : 0, ahead: EMPTY, eof: false,
        readable: flags.startsWith('r') || flags.includes('+'), writable: !flags.startsWith('r') || flags.includes('+'), append: flags.startsWith('a'),
      })];
    } catch (err) {
      return failure(err, path);
    }
  }

  #tmpfile(): LuaValue[] {
    try {
      const path = temporary(true);
      const fd = openSync(path, 'w+', 0o600);
      unlinkSync(path);
      return [this.#add({ fd, seekable: true, pos: 0, ahead: EMPTY, eof: false, readable: true, writable: true, append: false })];
    } catch (err) {
      return failure(err);
    }
  }

  #popen(line: string, mode: string): LuaValue[] {
    const m = mode.replace(/b+$/, '');
    if (m !== 'r' && m !== 'w') return [undefined, `invalid mode '${mode}'`];
    const handle: Handle = { fd: undefined, seekable: false, pos: 0, ahead: EMPTY, eof: m === 'r', readable: m === 'r', writable: m === 'w', append: false };
    handle.command = { line, written: m === 'w' ? [] : undefined, result: undefined };
    if (m === 'r') {
      // Run now and read its output as a file: io.popen(cmd):read('a') is what scripts do with it.
      const run = execute(line, undefined, undefined);
      handle.ahead = run.output;
      handle.command.result = run.result;
    }
    return [this.#add(handle)];
  }

  #read(id: number, format: LuaValue): LuaValue[] {
    const h = this.#handles.get(id);
    if (!h?.readable) return failure({ code: 'EBADF' });
    try {
      if (typeof format === 'number') return [this.#take(h, format)];
      const f = Buffer.isBuffer(format) ? format.toString('latin1') : String(format);
      if (f === 'a') return [this.#rest(h)];
      if (f === 'l' || f === 'L') return [this.#line(h, f === 'L')];
      if (f === 'n') return [this.#numeral(h)];
      return [undefined, 'invalid format'];
    } catch (err) {
      return failure(err);
    }
  }

  // Read one more chunk after what is ahead; false at end of file.
  #fill(h: Handle, want = 0): boolean {
    if (h.eof || h.fd === undefined) return false;
    const chunk = Buffer.allocUnsafe(Math.max(64 * 1024, want));
    for (;;) {
      try {
        const n = readSync(h.fd, chunk, 0, chunk.length, h.seekable ? h.pos + h.ahead.length : null);
        if (n === 0) {
          h.eof = true;
          return false;
        }
        h.ahead = h.ahead.length ? Buffer.concat([h.ahead, chunk.subarray(0, n)]) : chunk.subarray(0, n);
        return true;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EAGAIN') throw err;
        nap(10);
      }
    }
  }

  #consume(h: Handle, n: number): Buffer {
    const out = h.ahead.subarray(0, n);
    h.ahead = h.ahead.subarray(n);
    h.pos += n;
    return Buffer.from(out);
  }

  #take(h: Handle, n: number): Buffer | undefined {
    while (h.ahead.length < Math.max(n, 1) && this.#fill(h, n - h.ahead.length));
    if (n === 0) return h.ahead.length ? EMPTY : undefined;
    if (!h.ahead.length) return undefined;
    return this.#consume(h, Math.min(n, h.ahead.length));
  }

  #rest(h: Handle): Buffer {
    while (this.#fill(h));
    return this.#consume(h, h.ahead.length);
  }

  #line(h: Handle, keep: boolean): Buffer | undefined {
    let from = 0;
    for (;;) {
      const nl = h.ahead.indexOf(10, from);
      if (nl >= 0) {
        const line = this.#consume(h, nl + 1);
        return keep ? line : line.subarray(0, nl);
      }
      from = h.ahead.length;
      if (!this.#fill(h)) break;
    }
    return h.ahead.length ? this.#consume(h, h.ahead.length) : undefined;
  }

  // A numeral as Lua's read('n') takes it (sign, hex, fraction, exponent); Lua then converts or fails.
  #numeral(h: Handle): string | undefined {
    const peek = (): number | undefined => (h.ahead.length || this.#fill(h) ? h.ahead[0] : undefined);
    const test = (set: string): boolean => {
      const c = peek();
      if (c === undefined || !set.includes(String.fromCharCode(c))) return false;
      text += String.fromCharCode(c);
      this.#consume(h, 1);
      return true;
    };
    let text = '';
    for (let c = peek(); c !== undefined && (c === 32 || (c >= 9 && c <= 13)); c = peek()) this.#consume(h, 1);
    test('+-');
    let digits = '0123456789';
    let exponent = 'eE';
    if (test('0') && test('xX')) { digits = '0123456789abcdefABCDEF'; exponent = 'pP'; }
    while (text.length < 200 && test(digits));
    if (test('.')) while (text.length < 200 && test(digits));
    if (test(exponent)) {
      test('+-');
      while (text.length < 200 && test('0123456789'));
    }
    return text;
  }

  #write(id: number, data: Buffer): LuaValue[] {
    const h = this.#handles.get(id);
    if (!h?.writable) return failure({ code: 'EBADF' });
    if (id === 1) this.#out.stdout(data);
    else if (id === 2) this.#out.stderr(data);
    else if (h.command?.written) h.command.written.push(Buffer.from(data));
    else if (h.fd !== undefined) {
      try {
        // Bytes read ahead are given back: the write goes where the script's position is.
        h.ahead = EMPTY;
        h.eof = false;
        let done = 0;
        while (done < data.length) done += writeSync(h.fd, data, done, data.length - done, h.seekable && !h.append ? h.pos + done : null);
        h.pos = h.append && h.seekable ? fstatSync(h.fd).size : h.pos + done;
      } catch (err) {
        return failure(err);
      }
    }
    return [true];
  }

  #seek(id: number, whence: string, offset: number): LuaValue[] {
    const h = this.#handles.get(id);
    if (!h || h.fd === undefined || !h.seekable) return failure({ code: 'ESPIPE' });
    try {
      const base = whence === 'set' ? 0 : whence === 'end' ? fstatSync(h.fd).size : h.pos;
      const pos = base + offset;
      if (pos < 0) return failure({ code: 'EINVAL' });
      h.pos = pos;
      h.ahead = EMPTY;
      h.eof = false;
      return [pos];
    } catch (err) {
      return failure(err);
    }
  }

  #close(id: number): LuaValue[] {
    const h = this.#handles.get(id);
    if (!h || id <= 2) return [undefined, 'cannot close standard file'];
    this.#handles.delete(id);
    if (h.command) {
      if (h.command.written) return execute(h.command.line, Buffer.concat(h.command.written), (out) => this.#out.stdout(out)).result;
      return h.command.result ?? [true];
    }
    try {
      if (h.fd !== undefined) closeSync(h.fd);
      return [true];
    } catch (err) {
      return failure(err);
    }
  }
}

/** os.exit's argument: true or nothing is success, false is failure, a number is itself. */
function exitCode(v: LuaValue): number {
  if (v === undefined || v === true) return 0;
  if (v === false) return 1;
  const n = Number(Buffer.isBuffer(v) ? v.toString() : v);
  return Number.isInteger(n) ? n & 0xff : 1;
}

function attempt(fn: () => unknown, prefix?: string): LuaValue[] {
  try {
    const value = fn();
    return [typeof value === 'string' ? value : true];
  } catch (err) {
    return failure(err, prefix);
  }
}

// C's remove(): a file, or an empty directory.
function remove(path: string): LuaValue[] {
  try {
    unlinkSync(path);
    return [true];
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'EISDIR' && code !== 'EPERM') return failure(err, path);
    return attempt(() => rmdirSync(path), path);
  }
}

/** A new private file in the temporary directory (0600, created exclusively); its name. */
function temporary(scratch: boolean): string {
  const path = join(tmpdir(), `lua_${scratch ? 'tmp_' : ''}${randomBytes(6).toString('hex')}`);
  closeSync(openSync(path, 'wx', 0o600));
  return path;
}

/**
 * Run `line` with /bin/sh, as C's system() does: stdin and stderr are the process's own; stdout is captured and
 * handed on, so it lands after what the script printed before. Lua 5.4's result: true|nil, "exit"|"signal", code.
 */
function execute(line: string, input: Buffer | undefined, forward: ((out: Buffer) => void) | undefined): { output: Buffer; result: LuaValue[] } {
  const run = spawnSync('/bin/sh', ['-c', line], { stdio: [input ? 'pipe' : 'inherit', 'pipe', 'inherit'], input, maxBuffer: COMMAND_OUTPUT_CAP });
  const output = run.stdout ?? EMPTY;
  if (forward && output.length) forward(output);
  if (run.error && !run.signal) return { output, result: failure(run.error) };
  if (run.signal) return { output, result: [undefined, 'signal', osConstants.signals[run.signal] ?? 0] };
  return { output, result: [run.status === 0 ? true : undefined, 'exit', run.status ?? 0] };
}

/** A chunk's text for loadfile/dofile/require: a file, or all of stdin. */
function readFile(path: string | undefined, stdin: () => LuaValue): LuaValue[] {
  if (path === undefined) return [stdin() ?? EMPTY];
  try {
    return [readSource(path)];
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code) return [undefined, `cannot open ${path}: ${STRERROR[code] ?? code}`];
    return [undefined, `cannot read ${path}: ${(err as Error).message.replace(/^.*?: /, '')}`];
  }
}

/** What Lua's searchers call readable: a file that opens for reading. */
function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
