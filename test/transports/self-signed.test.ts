// The certificates of src/transports/self-signed.ts (the ephemeral one and the tests' PKI) are valid X.509 every time:
// a random serial number once in 256 made non-minimal DER that OpenSSL refuses.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { ephemeralCertificate, makeCertificate } from '../../src/transports/self-signed.js';

test('2000 fresh certificates all parse, each with its fingerprint', (t) => {
  const now = new Date();
  const fingerprints = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const c = makeCertificate({ commonName: 'x', notBefore: now, notAfter: new Date(now.getTime() + 86400_000) });
    fingerprints.add(new X509Certificate(c.cert).fingerprint256);
  }
  t.is(fingerprints.size, 2000);
});

test('the ephemeral certificate names localhost, 127.0.0.1 and ::1, is self-signed and valid now for 30 days', (t) => {
  const now = new Date();
  const c = ephemeralCertificate(now);
  const x = new X509Certificate(c.cert);
  t.is(x.fingerprint256, c.fingerprint);
  t.true(x.checkHost('localhost') === 'localhost');
  t.is(x.checkIP('127.0.0.1'), '127.0.0.1');
  t.is(x.checkIP('::1'), '::1');
  t.true(x.verify(x.publicKey), 'signed by its own key');
  t.true(x.checkPrivateKey(c.keyObject));
  t.true(new Date(x.validFrom) <= now && new Date(x.validTo).getTime() - now.getTime() >= 29 * 86400_000);
});
