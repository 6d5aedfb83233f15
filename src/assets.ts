// Files the CLI needs at run time beside its code (wasmoon's glue.wasm): dist/vendor beside the bundle (the build copies
// them there, so the installed package needs no node_modules), node_modules in the unbundled development tree, and
// the SEA blob inside the standalone binary (scripts/binary.mjs embeds every entry of ASSETS).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAsset, isSea } from 'node:sea';
import vm from 'node:vm';

/** A file of an installed package. */
export interface Asset { package: string; file: string }

/**
 * Every run-time file, by name. Adding one is one line here (its package a devDependency: the build copies the file
 * to dist/vendor/NAME and the binary embeds it). Then call `assetPath(name)` where the library wants a path.
 */
export const ASSETS: Readonly<Record<string, Asset>> = {
  'glue.wasm': { package: 'wasmoon', file: 'dist/glue.wasm' },
};

/** Where `asset` is installed, looking up from `from` as Node looks up packages (exports maps do not apply). */
export function resolveAsset(asset: Asset, from: string | URL = import.meta.url): string {
  const dirs = createRequire(from).resolve.paths(asset.package) ?? [];
  for (const dir of dirs) {
    const path = join(dir, asset.package, asset.file);
    if (existsSync(path)) return path;
  }
  throw new Error(`${asset.package}/${asset.file} is not installed (looked in ${dirs.join(', ')})`);
}

// Defined (true) by scripts/bundle.mjs in the CLI bundle; undefined in the unbundled tree.
declare const MONA_NC_BUNDLED: boolean | undefined;

let extractDir: string | undefined;
const extracted = new Map<string, string>();

/** Write `bytes` to a private temporary file named `name`, removed when the process exits. */
export function extractAsset(name: string, bytes: ArrayBuffer | Uint8Array): string {
  if (!extractDir) {
    const dir = mkdtempSync(join(tmpdir(), 'mona-nc-'));
    extractDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const path = join(extractDir, name);
  writeFileSync(path, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  return path;
}

/**
 * The path of a run-time file: dist/vendor/NAME beside the bundle, the package's file in the unbundled tree, and in
 * the standalone binary a temporary copy of the embedded one (made once).
 */
export function assetPath(name: string): string {
  const asset = ASSETS[name];
  if (!asset) throw new Error(`unknown asset ${name}`);
  if (!isSea()) return typeof MONA_NC_BUNDLED === 'undefined' ? resolveAsset(asset) : join(__dirname, 'vendor', name);
  let path = extracted.get(name);
  if (!path) {
    path = extractAsset(name, getAsset(name));
    extracted.set(name, path);
  }
  return path;
}

/**
/**
 * Heavy libraries only some runs need (wasmoon: Lua and sucrase: TypeScript, for `run`; yargs: --help and
 * completion; socks: --proxy-type socks4/socks5, 190 KB). The CLI bundle leaves them out, so that every other run
 * starts without compiling them: scripts/bundle.mjs writes each to dist/vendor/NAME.cjs, and the standalone binary
 * embeds those files as assets.
 */
export const VENDORS = ['wasmoon', 'sucrase', 'yargs', 'socks'] as const;
export type Vendor = (typeof VENDORS)[number];

/** Load a vendor library: from node_modules (the unbundled tree), dist/vendor (the npm bundle), or the binary. */
export async function loadVendor<T>(name: Vendor): Promise<T> {
  if (typeof MONA_NC_BUNDLED === 'undefined') return (await import(name)) as T;
  if (!isSea()) return require(join(__dirname, 'vendor', `${name}.cjs`)) as T;
  // Inside the binary `require` knows only Node's built-ins, which is all a vendor bundle needs.
  const module = { exports: {} };
  const filename = `vendor/${name}.cjs`;
  const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${getAsset(filename, 'utf8')}\n})`, { filename }) as
    (e: object, r: NodeJS.Require, m: { exports: object }, f: string, d: string) => void;
  wrapper(module.exports, require, module, filename, 'vendor');
  return module.exports as T;
}
