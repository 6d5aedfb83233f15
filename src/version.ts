// The package version: embedded by the bundler (scripts/bundle.mjs defines MONA_NC_VERSION), else read from package.json.
import { readFileSync } from 'node:fs';

declare const MONA_NC_VERSION: string | undefined;

export function version(): string {
  if (typeof MONA_NC_VERSION === 'string') return MONA_NC_VERSION;
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
