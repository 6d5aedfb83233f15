#!/usr/bin/env node
// build/mona-nc: a Node Single Executable Application (README, "Standalone binary"): the bundle dist/mona-nc.cjs and the
// run-time assets, injected with postject into a copy of the node running this script. Offline: nothing is fetched.
// Usage: npm run build:binary (it runs npm run build first). Exit 3: this node cannot make one (the reason on stderr).
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'postject';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(ROOT, 'dist', 'mona-nc.cjs');
const OUT_DIR = join(ROOT, 'build');
export const BINARY = join(OUT_DIR, process.platform === 'win32' ? 'mona-nc.exe' : 'mona-nc');
/** What the binary was built from: a binary whose manifest differs from `manifest()` is stale. */
export const MANIFEST = join(OUT_DIR, 'mona-nc.json');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? `exit ${r.status}`}`);
};
const has = (cmd) => !spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error;

/** The assets to embed: every entry of src/assets.ts (copied to dist/vendor by the build), and the vendor bundles. */
async function assets() {
  const { ASSETS, VENDORS } = await import('../dist/src/assets.js');
  const found = {};
  for (const name of Object.keys(ASSETS)) found[name] = join(ROOT, 'dist', 'vendor', name);
  for (const name of VENDORS) found[`vendor/${name}.cjs`] = join(ROOT, 'dist', 'vendor', `${name}.cjs`);
  // The CLI itself and its code cache: scripts/sea-main.cjs compiles them as bin/mona-nc.js does.
  found['mona-nc.cjs'] = BUNDLE;
  found['mona-nc.cjs.cache'] = `${BUNDLE}.cache`;
  return found;
}

/** The facts a binary depends on: the bundle, the assets, the node it was cut from. */
export async function manifest() {
  const embedded = await assets();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    bundle: sha256(BUNDLE),
    assets: Object.fromEntries(Object.entries(embedded).map(([name, path]) => [name, sha256(path)])),
  };
}

/** Why this node cannot make a SEA, or undefined. */
export function cannotBuild() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 12)) return `node ${process.version} has no SEA assets (20.12 or later needed)`;
  // Distribution builds that link a shared libnode (Debian's nodejs) keep the fuse in the library, not the executable.
  if (!readFileSync(process.execPath).includes(FUSE)) return `${process.execPath} has no SEA fuse (a node built with a shared libnode?); use an official build from nodejs.org`;
  return undefined;
}

export async function buildBinary() {
  if (!existsSync(BUNDLE)) throw new Error(`${relative(ROOT, BUNDLE)} is missing: run npm run build first`);
  mkdirSync(OUT_DIR, { recursive: true });
  const embedded = await assets();
  const config = join(OUT_DIR, 'sea-config.json');
  const blob = join(OUT_DIR, 'mona-nc.blob');
  // The code cache is our own (scripts/sea-main.cjs), not useCodeCache: Node's prints "Code cache data rejected" at
  // every start when NODE_OPTIONS sets V8 flags, ours is rejected silently. No useSnapshot (V8 aborts on it).
  writeFileSync(config, JSON.stringify({ main: join(ROOT, 'scripts', 'sea-main.cjs'), output: blob, disableExperimentalSEAWarning: true, assets: embedded }, null, 2));
  run(process.execPath, ['--experimental-sea-config', config]);

  const tmp = `${BINARY}.tmp`;
  rmSync(tmp, { force: true });
  // Symbols are 12 MB of the 99 MB node and nothing at run time; macOS and Windows need the signature removed first.
  if (process.platform === 'linux' && has('strip')) run('strip', ['-o', tmp, process.execPath]);
  else copyFileSync(process.execPath, tmp);
  chmodSync(tmp, 0o755);
  if (process.platform === 'darwin') run('codesign', ['--remove-signature', tmp]);
  await inject(tmp, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: FUSE,
    ...(process.platform === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
  });
  if (process.platform === 'darwin') run('codesign', ['--sign', '-', tmp]);
  renameSync(tmp, BINARY);
  rmSync(blob, { force: true });
  writeFileSync(MANIFEST, `${JSON.stringify(await manifest(), null, 2)}\n`);
  return statSync(BINARY).size;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = cannotBuild();
  if (reason) {
    process.stderr.write(`mona-nc: cannot build a standalone binary here: ${reason}\n`);
    process.exit(3);
  }
  const size = await buildBinary();
  process.stdout.write(`${relative(process.cwd(), BINARY)}: ${size} bytes (node ${process.version}, ${process.platform}-${process.arch})\n`);
}
