// HTTP/1.1 request and response heads, and proxy authentication (Basic; Digest with MD5 and qop=auth, RFC 7616), for
// the proxy client (transports/http-connect.ts) and the HTTP proxy server (modes/http-proxy.ts).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A parsed head: its first line split in three, and its header lines in order. */
export interface Head {
  readonly line: string;
  readonly parts: readonly [string, string, string];
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Bytes the head took, "\r\n\r\n" included. */
  readonly size: number;
}

/** A head longer than this is refused (ncat's limit is of this order too). */
export const HEAD_LIMIT = 64 * 1024;

export class HeadError extends Error {}

/** The head at the start of `buffer`, or undefined while it is incomplete; a HeadError when malformed or too long. */
export function parseHead(buffer: Buffer): Head | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) {
    if (buffer.length > HEAD_LIMIT) throw new HeadError('head too long');
    return undefined;
  }
  const [line = '', ...rest] = buffer.toString('latin1', 0, end).split('\r\n');
  const m = /^(\S+) (\S+) ?(.*)$/.exec(line);
  if (!m) throw new HeadError(`malformed first line: ${line.slice(0, 80)}`);
  const headers = rest.map((h): [string, string] => {
    const colon = h.indexOf(':');
    if (colon < 1) throw new HeadError(`malformed header: ${h.slice(0, 80)}`);
    return [h.slice(0, colon).trim(), h.slice(colon + 1).trim()];
  });
  return { line, parts: [m[1] ?? '', m[2] ?? '', m[3] ?? ''], headers, size: end + 4 };
}

/** Every value of a header, case-insensitively. */
export const headerValues = (head: Head, name: string): string[] => head.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);

export interface Credentials { readonly user: string; readonly pass: string }
export interface Challenge { readonly scheme: string; readonly params: Readonly<Record<string, string>> }

/** `key=value` and `key="quoted"` pairs of an auth header after its scheme. */
function authParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of text.matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[(m[1] ?? '').toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3] ?? '';
  return params;
}

/** The challenges of Proxy-Authenticate headers; Digest first when offered (as ncat prefers it). */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const all = values.map((v) => {
    const m = /^(\S+)\s*(.*)$/.exec(v.trim());
    return { scheme: (m?.[1] ?? '').toLowerCase(), params: authParams(m?.[2] ?? '') };
  }).filter((c) => c.scheme === 'digest' || c.scheme === 'basic');
  return all.sort((a, b) => Number(b.scheme === 'digest') - Number(a.scheme === 'digest'));
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** Digest's response: MD5(HA1:nonce[:nc:cnonce:qop]:HA2). */
function digestResponse(c: Credentials, p: { realm: string; nonce: string; uri: string; qop?: string | undefined; nc?: string | undefined; cnonce?: string | undefined }, method: string): string {
  const ha1 = md5(`${c.user}:${p.realm}:${c.pass}`);
  const ha2 = md5(`${method}:${p.uri}`);
  return p.qop ? md5(`${ha1}:${p.nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
}

/** The Proxy-Authorization value answering `challenge` for `method uri`. */
export function authorization(challenge: Challenge, c: Credentials, method: string, uri: string): string {
  if (challenge.scheme === 'basic') return `Basic ${Buffer.from(`${c.user}:${c.pass}`).toString('base64')}`;
  const { realm = '', nonce = '', opaque } = challenge.params;
  const qop = (challenge.params.qop ?? '').split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
  const nc = '00000001';
  const cnonce = randomBytes(8).toString('hex');
  const response = digestResponse(c, { realm, nonce, uri, qop, nc, cnonce }, method);
  const fields = [`username="${c.user}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`, `response="${response}"`, 'algorithm=MD5'];
  if (qop) fields.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (opaque !== undefined) fields.push(`opaque="${opaque}"`);
  return `Digest ${fields.join(', ')}`;
}

/** Digest's uri names the request's target: as written, or (curl) the path of an absolute URL. */
function sameResource(digestUri: string, target: string): boolean {
  if (digestUri === target) return true;
  try {
    const url = new URL(target);
    return digestUri === `${url.pathname}${url.search}`;
  } catch {
    return false;
  }
}

/** A proxy server's side: its challenges, and whether a Proxy-Authorization answers one. */
export function proxyAuthenticator(c: Credentials, realm = 'mona-nc'): { challenges(): string[]; accepts(value: string | undefined, method: string, uri: string): boolean } {
  const secret = randomBytes(32);
  // Stateless nonces: a time and its HMAC, so only nonces we issued verify.
  const sign = (t: string): string => createHmac('sha256', secret).update(t).digest('hex').slice(0, 32);
  const same = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  return {
    challenges: () => {
      const t = Date.now().toString(36);
      return [`Digest realm="${realm}", nonce="${t}.${sign(t)}", qop="auth", algorithm=MD5`, `Basic realm="${realm}"`];
    },
    accepts(value, method, uri) {
      const m = /^(\S+)\s+(.*)$/.exec(value?.trim() ?? '');
      const scheme = m?.[1]?.toLowerCase();
      if (scheme === 'basic') return same(Buffer.from(m?.[2] ?? '', 'base64').toString(), `${c.user}:${c.pass}`);
      if (scheme !== 'digest') return false;
      const p = authParams(m?.[2] ?? '');
      const [t = '', mac = ''] = (p.nonce ?? '').split('.');
      if (p.username !== c.user || p.realm !== realm || !sameResource(p.uri ?? '', uri) || !same(mac, sign(t))) return false;
      return same(p.response ?? '', digestResponse(c, { realm, nonce: p.nonce ?? '', uri: p.uri ?? '', qop: p.qop, nc: p.nc, cnonce: p.cnonce }, method));
    },
  };
}
