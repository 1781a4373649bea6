// Framing SIP messages on stream transports by Content-Length, with CRLF keep-alives (RFC 3261 §18.3, §7.5; RFC 5626 §3.5.1).
import { SipParseError } from './errors.ts';
import type { SipMessage } from './message.ts';
import { DEFAULT_MAX_SIZE, parseHead, type ParsedHead } from './parser.ts';

/** What a chunk of stream bytes produced. */
export type StreamEvent =
  | { kind: 'message'; message: SipMessage }
  /** A CRLFCRLF keep-alive ping: a server answers with one CRLF (RFC 5626 §3.5.1). */
  | { kind: 'ping' }
  /** A single CRLF: the pong answering our ping. */
  | { kind: 'pong' };

/** Options of {@link StreamFramer}. */
export interface StreamFramerOptions {
  /** Largest message (headers + body) accepted; default 64 KiB. Exceeding it is fatal (513). */
  maxSize?: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

/**
 * Splits a TCP/TLS byte stream into SIP messages. Feed chunks with {@link push}; it returns the complete
 * messages (and keep-alives) they completed. Content-Length is mandatory on streams (RFC 3261 §18.3).
 * Any framing error is fatal for the connection: `push` throws a {@link SipParseError} now and on every later
 * call — close the connection (after answering `error.partial` with `error.status` if you wish).
 * Message bodies are copied out of the chunks, so chunk buffers may be reused by the caller.
 */
export class StreamFramer {
  #buf: Buffer = EMPTY;
  #head: ParsedHead | undefined;
  #loneCrlf = false;
  #failed: SipParseError | undefined;
  readonly #maxSize: number;

  constructor(opts?: StreamFramerOptions) {
    this.#maxSize = opts?.maxSize ?? DEFAULT_MAX_SIZE;
  }

  /** Bytes held while waiting for the rest of a message. */
  get buffered(): number {
    return this.#buf.length;
  }

  /** The fatal error, once one happened. */
  get failed(): SipParseError | undefined {
    return this.#failed;
  }

  /**
   * Adds bytes and returns what they completed, in order.
   * @throws SipParseError on a framing error (bad start line or header, missing or bad Content-Length,
   *   message larger than `maxSize` → status 513); the framer stays failed afterwards.
   */
  push(chunk: Uint8Array): StreamEvent[] {
    if (this.#failed) throw this.#failed;
    try {
      return this.#push(chunk);
    } catch (e) {
      this.#failed =
        e instanceof SipParseError ? e : new SipParseError('bad-header', 'Unframeable stream data', { status: 400, cause: e });
      this.#buf = EMPTY;
      this.#head = undefined;
      throw this.#failed;
    }
  }

  #push(chunk: Uint8Array): StreamEvent[] {
    const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buf = this.#buf.length === 0 ? c : Buffer.concat([this.#buf, c]);
    const out: StreamEvent[] = [];
    const len = buf.length;
    let pos = 0;
    for (;;) {
      if (this.#head === undefined) {
        // Keep-alives between messages.
        let waiting = false;
        while (pos < len && buf[pos] === 13) {
          if (pos + 1 >= len) {
            waiting = true;
            break;
          }
          if (buf[pos + 1] !== 10) break;
          if (this.#loneCrlf) {
            // The second half of a ping split over two chunks.
            this.#loneCrlf = false;
            out.push({ kind: 'ping' });
            pos += 2;
          } else if (pos + 3 < len && buf[pos + 2] === 13 && buf[pos + 3] === 10) {
            out.push({ kind: 'ping' });
            pos += 4;
          } else if (pos + 2 >= len || buf[pos + 2] !== 13) {
            out.push({ kind: 'pong' });
            this.#loneCrlf = pos + 2 >= len;
            pos += 2;
          } else if (pos + 3 >= len) {
            waiting = true; // "\r\n\r" — wait for the next byte
            break;
          } else break;
        }
        if (waiting || pos >= len) break;
        this.#loneCrlf = false;
        const headEnd = buf.indexOf(CRLFCRLF, pos);
        if (headEnd < 0) {
          if (len - pos > this.#maxSize) throw new SipParseError('too-large', 'Header section exceeds the size limit', { status: 513 });
          break;
        }
        if (headEnd + 4 - pos > this.#maxSize) {
          throw new SipParseError('too-large', 'Header section exceeds the size limit', { status: 513 });
        }
        const parsed = parseHead(buf, pos, headEnd);
        if (parsed.contentLength === undefined) {
          throw new SipParseError('missing-content-length', 'Missing header: Content-Length (required on stream transports)', {
            status: 400,
            header: 'Content-Length',
            partial: parsed.message,
          });
        }
        if (parsed.bodyStart - pos + parsed.contentLength > this.#maxSize) {
          throw new SipParseError('too-large', `Message of ${parsed.bodyStart - pos + parsed.contentLength} bytes exceeds ${this.#maxSize}`, {
            status: 513,
            partial: parsed.message,
          });
        }
        this.#head = parsed;
      }
      const head = this.#head;
      const cl = head.contentLength ?? 0;
      if (head.bodyStart + cl > len) break;
      head.message.body = Buffer.from(buf.subarray(head.bodyStart, head.bodyStart + cl));
      out.push({ kind: 'message', message: head.message });
      pos = head.bodyStart + cl;
      this.#head = undefined;
    }
    // Keep the unconsumed tail; re-base a pending head's body offset.
    if (this.#head) this.#head = { ...this.#head, bodyStart: this.#head.bodyStart - pos };
    this.#buf = pos >= len ? EMPTY : Buffer.from(buf.subarray(pos));
    return out;
  }
}
