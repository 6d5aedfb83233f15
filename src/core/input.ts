// How stdin is read, whatever reads it (a file, a pipe, a terminal, the shaping of --crlf/--delay): the reader's
// callbacks and its handle. Apart from stdio.ts, which shape.ts wraps.

export interface InputHandlers {
  data(chunk: Buffer): void;
  end(): void;
  /** stdin cannot be read (a directory, an I/O error): the session fails. */
  error(err: Error): void;
}

export interface Input {
  pause(): void;
  resume(): void;
  /** Stop reading for good (the session is over or lingered out). */
  stop(): void;
}
