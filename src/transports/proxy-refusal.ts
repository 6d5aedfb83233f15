// A proxy's "no", in its own words (an HTTP status line, a SOCKS reply in words), with the errno-style code that
// gives the exit reason (refused, unreachable, denied).
export class ProxyRefusal extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'ProxyRefusal';
    this.code = code;
  }
}
