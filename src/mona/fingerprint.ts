// A certificate's SHA-256 fingerprint as people paste it: its own module so that the CLI's flag parsing loads no socket.
import { MonaError } from './errors.js';

/** A fingerprint as Node and openssl print it ("AB:CD:..."), from 64 hex digits with or without colons. */
export function normalizeFingerprint(text: string): string {
  // Also as openssl prints it ("sha256 Fingerprint=AB:CD:...") or with a "sha256:" prefix.
  const hex = (text.trim().split(/[=\s]/).pop() ?? '').replace(/^sha-?256:/i, '').replace(/:/g, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new MonaError(`fingerprint ${text}: not a SHA-256 fingerprint (64 hex digits, colons optional)`, 'ERR_INVALID_FINGERPRINT');
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}
