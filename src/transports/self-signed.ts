// The ephemeral certificate of `tcp-server --ssl` without --ssl-cert: an EC P-256 key and a self-signed X.509 v3
// certificate made with Node's crypto (key, SubjectPublicKeyInfo, ECDSA signature) and ~40 lines of DER here. Why not a
// package: selfsigned 5 pulls @peculiar/x509 + pkijs (~25 packages, a Reflect polyfill), node-forge is 1.6 MB of JS
// crypto; Node already does every cryptographic step, and no openssl binary is needed.
import { generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

/** DER: a tag, the definite length, the contents. */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const seq = (...parts: Buffer[]): Buffer => der(0x30, ...parts);
const oid = (bytes: number[]): Buffer => der(0x06, Buffer.from(bytes));
const ECDSA_SHA256 = seq(oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]));
const COMMON_NAME = oid([0x55, 0x04, 0x03]);
const SUBJECT_ALT_NAME = oid([0x55, 0x1d, 0x11]);
const BASIC_CONSTRAINTS = oid([0x55, 0x1d, 0x13]);

/** UTCTime "YYMMDDHHMMSSZ" (dates from 1950 to 2049). */
const utcTime = (d: Date): Buffer => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));
const name = (cn: string): Buffer => seq(der(0x31, seq(COMMON_NAME, der(0x0c, Buffer.from(cn)))));

/** SAN entries: DNS names and IPv4/IPv6 literals. */
function altNames(names: readonly string[]): Buffer {
  const entries = names.map((n) => (isIP(n) ? der(0x87, ipBytes(n)) : der(0x82, Buffer.from(n))));
  return seq(SUBJECT_ALT_NAME, der(0x04, seq(...entries)));
}

/** An IP literal's 4 or 16 bytes ("::" expanded). */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (part: string): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = ip.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return Buffer.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

export interface CertificateSpec {
  /** The subject's common name. */
  commonName: string;
  /** DNS names and IP addresses (SAN). */
  names?: readonly string[];
  notBefore: Date;
  notAfter: Date;
  /** A CA certificate (basicConstraints CA:TRUE). */
  ca?: boolean;
  /** The issuer: its common name and key (default: self-signed). */
  issuer?: { commonName: string; key: KeyObject };
}

export interface Certificate {
  cert: string;
  key: string;
  keyObject: KeyObject;
  /** SHA-256, "AB:CD:..." as Node and openssl print it. */
  fingerprint: string;
}

/** A fresh EC P-256 key and an X.509 v3 certificate for it (tests make their CAs with this too). */
export function makeCertificate(spec: CertificateSpec): Certificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // A positive INTEGER in minimal DER: the first byte neither 0 (a redundant leading zero) nor over 0x7f (negative).
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const extensions = [
    ...(spec.names?.length ? [altNames(spec.names)] : []),
    ...(spec.ca ? [seq(BASIC_CONSTRAINTS, der(0x01, Buffer.from([0xff])), der(0x04, seq(der(0x01, Buffer.from([0xff])))))] : []),
  ];
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ECDSA_SHA256,
    name(spec.issuer?.commonName ?? spec.commonName),
    seq(utcTime(spec.notBefore), utcTime(spec.notAfter)),
    name(spec.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    ...(extensions.length ? [der(0xa3, seq(...extensions))] : []),
  );
  const signature = sign('sha256', tbs, spec.issuer?.key ?? privateKey);
  const x509 = new X509Certificate(seq(tbs, ECDSA_SHA256, der(0x03, Buffer.from([0]), signature)));
  return { cert: x509.toString(), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyObject: privateKey, fingerprint: x509.fingerprint256 };
}

/** The ephemeral certificate: self-signed, for localhost, this host's name, 127.0.0.1 and ::1, valid 30 days. */
export function ephemeralCertificate(now = new Date()): Certificate {
  const names = [...new Set(['localhost', hostname()])].filter((h) => /^[\w.-]+$/.test(h));
  return makeCertificate({ commonName: 'mona-nc ephemeral', names: [...names, '127.0.0.1', '::1'], notBefore: new Date(now.getTime() - 3600_000), notAfter: new Date(now.getTime() + 30 * 86400_000) });
}
