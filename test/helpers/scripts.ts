// Scripts for `mona-nc run` tests: the repository's examples, or text written to a temporary folder.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'mona-nc-scripts-'));
let n = 0;

export const example = (name: string): string => fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));

/** Write `text` to a fresh file named like `name` (same extension) and return its path. */
export function script(name: string, text: string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, text);
  return path;
}

/** An example with its port changed (the seed samples use 1234), written to a temporary file of the same name. */
export function withPort(name: string, port: number | string): string {
  return script(name, readFileSync(example(name), 'utf8').replaceAll('1234', String(port)));
}
