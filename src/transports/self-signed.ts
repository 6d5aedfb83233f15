// The ephemeral certificate of `tcp-server --ssl` without --ssl-cert: an EC P-256 key and a self-signed X.509 v3
// certificate made with Node's crypto (key, SubjectPublicKeyInfo, ECDSA signature) and ~40 lines of DER here. Why not a
// package: selfsigned 5 pulls @peculiar/x509 + pkijs (~25 packages, a Reflect polyfill), node-forge is 1.6 MB of JS
// crypto; Node already does every cryptographic step, and no openssl binary is needed.
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
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

/** UTCTime "YYMMDDHHMMSSZ" (dates before 2050). */
const utcTime = (d: Date): Buffer => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));
const name = (cn: string): Buffer => seq(der(0x31, seq(COMMON_NAME, der(0x0c, Buffer.from(cn)))));

/** SAN: DNS:localhost and this host's name, IP:127.0.0.1 and ::1 (so a client that verifies names can trust it). */
function altNames(): Buffer {
  const dns = [...new Set(['localhost', hostname()])].filter((h) => /^[\w.-]+$/.test(h)).map((h) => der(0x82, Buffer.from(h)));
  const ips = [Buffer.from([127, 0, 0, 1]), Buffer.from([...Array(15).fill(0), 1])].map((ip) => der(0x87, ip));
  return seq(SUBJECT_ALT_NAME, der(0x04, seq(...dns, ...ips)));
}

export interface Ephemeral {
  cert: string;
  key: string;
  /** SHA-256, "AB:CD:..." as Node and openssl print it. */
  fingerprint: string;
}

/** A fresh key and a self-signed certificate for it, valid from an hour ago for 30 days. */
export function ephemeralCertificate(now = new Date()): Ephemeral {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const subject = name('mona-nc ephemeral');
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ECDSA_SHA256,
    subject,
    seq(utcTime(new Date(now.getTime() - 3600_000)), utcTime(new Date(now.getTime() + 30 * 86400_000))),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(altNames())),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = seq(tbs, ECDSA_SHA256, der(0x03, Buffer.from([0]), signature));
  const x509 = new X509Certificate(certificate);
  return { cert: x509.toString(), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), fingerprint: x509.fingerprint256 };
}
