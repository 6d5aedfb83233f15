// src/assets.ts, the run-time files hook: node_modules paths outside the binary, private temporary copies inside it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASSETS, assetPath, resolveAsset } from '../src/assets.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('an installed package file is found as Node finds packages', (t) => {
  const path = resolveAsset({ package: 'chalk', file: 'package.json' });
  t.true(path.endsWith('/node_modules/chalk/package.json'), path);
  t.true(existsSync(path));
});

test('a missing package or an unknown name is a clear error', (t) => {
  t.throws(() => resolveAsset({ package: 'no-such-package-here', file: 'x.wasm' }), { message: /no-such-package-here\/x\.wasm is not installed/ });
  t.throws(() => assetPath('nothing.bin'), { message: 'unknown asset nothing.bin' });
});

test('every asset is where the table says, and the build copied it beside the bundle (what npm ships and the binary embeds)', (t) => {
  t.true(Object.keys(ASSETS).length > 0);
  for (const [name, asset] of Object.entries(ASSETS)) {
    const installed = assetPath(name);
    t.is(installed, resolveAsset(asset), name);
    t.true(readFileSync(installed).equals(readFileSync(`${ROOT}dist/vendor/${name}`)), `dist/vendor/${name}`);
  }
});

test('extractAsset writes the bytes to a private temporary file, removed when the process exits', (t) => {
  const url = new URL('../src/assets.js', import.meta.url).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { statSync, readFileSync } from 'node:fs';
    import { dirname } from 'node:path';
    const { extractAsset } = await import(${JSON.stringify(url)});
    const path = extractAsset('glue.wasm', new Uint8Array([0, 97, 115, 109, 255]));
    console.log(JSON.stringify({ path, bytes: [...readFileSync(path)], mode: statSync(dirname(path)).mode & 0o777 }));
  `], { encoding: 'utf8', timeout: 10000 });
  t.is(r.status, 0, r.stderr);
  const { path, bytes, mode } = JSON.parse(r.stdout) as { path: string; bytes: number[]; mode: number };
  t.deepEqual(bytes, [0, 97, 115, 109, 255]);
  t.is(mode, 0o700, 'mkdtemp: only this user can read or replace it');
  t.false(existsSync(path), 'gone after exit');
});
