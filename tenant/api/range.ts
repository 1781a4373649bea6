// HTTP byte ranges for recording downloads: parsing a single `Range: bytes=…` request against a size (RFC 9110 §14.1.2, §14.4 Content-Range, §15.5.17 416).
import { RangeNotSatisfiableError } from '../errors.ts';

/** An inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The range a `Range` header asks for in a representation of `size` bytes: `undefined` to send the whole
 * thing (no header, another unit, a syntax we ignore, or several ranges — RFC 9110 §14.2 allows ignoring).
 * @throws {RangeNotSatisfiableError} when the one range asked for lies outside the representation (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    // suffix range: the last N bytes (RFC 9110 §14.1.2)
    const n = Number(b);
    if (n === 0 || size === 0) throw new RangeNotSatisfiableError(size);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) throw new RangeNotSatisfiableError(size);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return undefined; // invalid range-spec: ignore the header
  return { start, end };
}
