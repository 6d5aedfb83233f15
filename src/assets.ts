// Files the CLI needs at run time beside its code (wasmoon's glue.wasm): from node_modules normally, from the SEA
// blob inside the standalone binary (scripts/binary.mjs embeds every entry of ASSETS whose package is a dependency).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAsset, isSea } from 'node:sea';

/** A file of an installed package. */
export interface Asset { package: string; file: string }

/**
 * Every run-time file, by name. Adding one is one line here; the binary build picks it up once its package is in
 * package.json's dependencies. Then call `assetPath(name)` where the library wants a path.
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

/** The path of a run-time file: in the standalone binary, a temporary copy of the embedded one (made once). */
export function assetPath(name: string): string {
  const asset = ASSETS[name];
  if (!asset) throw new Error(`unknown asset ${name}`);
  if (!isSea()) return resolveAsset(asset);
  let path = extracted.get(name);
  if (!path) {
    path = extractAsset(name, getAsset(name));
    extracted.set(name, path);
  }
  return path;
}
