/**
 * vscode-jsonrpc's stream reader, after a header block it cannot use (no Content-Length, or one that is not a
 * number), stops reading and leaves the bytes it already holds until more arrive: the message right behind the bad
 * header waits for the client's next one, and a client that waits for that answer waits forever. This makes the
 * reader go on with what it holds. Each bad header block is consumed before the error, so this always progresses.
 */
import { StreamMessageReader } from 'vscode-languageserver/node';

export function keepReadingAfterBadHeaders(): void {
  const proto = Object.getPrototypeOf(StreamMessageReader.prototype) as { fireError(error: unknown): void; onData?(data: Buffer): void };
  const fireError = proto.fireError;
  if (typeof fireError !== 'function' || typeof proto.onData !== 'function') return;
  proto.fireError = function (this: typeof proto, error: unknown): void {
    fireError.call(this, error);
    setImmediate(() => this.onData!(Buffer.alloc(0)));
  };
}
