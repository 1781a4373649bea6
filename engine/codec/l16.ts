// L16: 16-bit linear PCM in network byte order (big-endian), two's complement (RFC 3551 §4.5.11), to and from Int16Array.
import { checkCount } from './args.ts';

/**
 * Writes `n` samples as big-endian 16-bit words: sample i → bytes `2i` (high) and `2i + 1` (low).
 * `dst` may be a byte view of `src`'s own memory starting at the same byte (in-place byte swap).
 * @param n samples; default `src.length`
 * @returns bytes written, `2 · n`
 * @throws {RangeError} when `n` exceeds `src.length` or `dst.length / 2`, or is not a non-negative integer
 */
export function l16Encode(src: Int16Array, dst: Uint8Array, n: number = src.length): number {
  checkCount(n, src.length, dst.length >>> 1);
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const s = src[i];
    dst[j] = (s >> 8) & 0xff;
    dst[j + 1] = s & 0xff;
  }
  return n << 1;
}

/**
 * Reads `n` big-endian 16-bit samples. A trailing odd byte is ignored by the default count.
 * `dst` may be an Int16 view of `src`'s own memory starting at the same byte (in-place byte swap).
 * @param n samples; default `floor(src.length / 2)`
 * @returns samples read, `n`
 * @throws {RangeError} when `n` exceeds `src.length / 2` or `dst.length`, or is not a non-negative integer
 */
export function l16Decode(src: Uint8Array, dst: Int16Array, n: number = src.length >>> 1): number {
  checkCount(n, src.length >>> 1, dst.length);
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const hi = src[j];
    const lo = src[j + 1];
    dst[i] = (hi << 8) | lo;
  }
  return n;
}
