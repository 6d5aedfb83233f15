// Bad usage (unknown flag, bad port, conflicting options): exit 2. Its own file, so the parsers load nothing more.

/** A usage error: exit 2 with one ERROR line and a hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}
