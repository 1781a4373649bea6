// G.711 μ-law and A-law codecs (ITU-T G.711; bit-exact with the ITU-T G.191 reference encoder/decoder on 16-bit input; RFC 3551 §4.5.14 PCMU/PCMA): single samples, bulk frames and direct μ-law⇄A-law transcoding, all by table lookup.
//
// Bulk functions write into arrays the caller owns and never allocate on the steady path. When the source and the
// destination start on 4-byte boundaries of buffers the codec has met before (see word-views.ts), they move whole
// 32-bit words; otherwise they go sample by sample. Both paths give identical output (g711.prop.test.ts).
import {
  ALAW_DECODE,
  ALAW_DECODE_PAIRS,
  ALAW_ENCODE,
  ALAW_TO_ULAW,
  ALAW_TO_ULAW_PAIRS,
  LITTLE_ENDIAN,
  ULAW_DECODE,
  ULAW_DECODE_PAIRS,
  ULAW_ENCODE,
  ULAW_TO_ALAW,
  ULAW_TO_ALAW_PAIRS,
} from './g711-tables.ts';
import { checkCount } from './args.ts';
import { wordViews } from './word-views.ts';

/** Frames shorter than this go sample by sample (the word path's setup would not pay off). */
const WORD_PATH_MIN = 16;

// ---------------------------------------------------------------------------------------------------------------
// Single samples

/** Clamps to the 16-bit range, truncating toward zero (NaN → 0). */
function toInt16(s: number): number {
  return s >= 32767 ? 32767 : s <= -32768 ? -32768 : s | 0;
}

/**
 * Encodes one linear sample to a μ-law code (G.711 Table 2a, G.191 formulation).
 * @param s a 16-bit linear sample; values outside −32768…32767 are clamped, fractions truncated toward zero
 * @returns the code, 0…255
 */
export function linearToUlaw(s: number): number {
  return ULAW_ENCODE[toInt16(s) & 0xffff];
}

/**
 * Decodes one μ-law code to 16-bit linear (−32124…32124; codes 0x7F and 0xFF both decode to 0).
 * @param code only the low 8 bits are used
 */
export function ulawToLinear(code: number): number {
  return ULAW_DECODE[code & 0xff];
}

/**
 * Encodes one linear sample to an A-law code (G.711 Table 1a, G.191 formulation).
 * @param s a 16-bit linear sample; values outside −32768…32767 are clamped, fractions truncated toward zero
 * @returns the code, 0…255
 */
export function linearToAlaw(s: number): number {
  return ALAW_ENCODE[toInt16(s) & 0xffff];
}

/**
 * Decodes one A-law code to 16-bit linear (±8…±32256; A-law has no zero).
 * @param code only the low 8 bits are used
 */
export function alawToLinear(code: number): number {
  return ALAW_DECODE[code & 0xff];
}

/** Transcodes one μ-law code to A-law, defined as `linearToAlaw(ulawToLinear(code))`. */
export function ulawCodeToAlaw(code: number): number {
  return ULAW_TO_ALAW[code & 0xff];
}

/** Transcodes one A-law code to μ-law, defined as `linearToUlaw(alawToLinear(code))`. */
export function alawCodeToUlaw(code: number): number {
  return ALAW_TO_ULAW[code & 0xff];
}

// ---------------------------------------------------------------------------------------------------------------
// Bulk

function encodeInto(table: Uint8Array, src: Int16Array, dst: Uint8Array, n: number): void {
  let i = 0;
  if (n >= WORD_PATH_MIN && LITTLE_ENDIAN && ((src.byteOffset | dst.byteOffset) & 3) === 0) {
    const sv = wordViews.lookup(src.buffer);
    const dv = sv === null ? null : wordViews.lookup(dst.buffer);
    if (sv !== null && dv !== null) {
      const quads = n >>> 2;
      let si = src.byteOffset >>> 2;
      let di = dst.byteOffset >>> 2;
      if (si + 2 * quads <= sv.length && di + quads <= dv.length) {
        // Each source word holds two samples (low half first on a little-endian host); four codes make one word.
        for (let q = 0; q < quads; q++, si += 2, di++) {
          const a = sv[si];
          const b = sv[si + 1];
          dv[di] = table[a & 0xffff] | (table[a >>> 16] << 8) | (table[b & 0xffff] << 16) | (table[b >>> 16] << 24);
        }
        i = quads << 2;
      }
    }
  }
  for (; i < n; i++) dst[i] = table[src[i] & 0xffff];
}

function decodeInto(table: Int16Array, pairs: Uint32Array, src: Uint8Array, dst: Int16Array, n: number): void {
  let i = 0;
  if (n >= WORD_PATH_MIN && LITTLE_ENDIAN && (dst.byteOffset & 3) === 0) {
    const dv = wordViews.lookup(dst.buffer);
    if (dv !== null) {
      const quads = n >>> 2;
      let di = dst.byteOffset >>> 2;
      if (di + 2 * quads <= dv.length) {
        const sv = (src.byteOffset & 3) === 0 ? wordViews.lookup(src.buffer) : null;
        let si = src.byteOffset >>> 2;
        if (sv !== null && si + quads <= sv.length) {
          // Four codes per source word; each pair of codes is one table entry holding both samples.
          for (let q = 0; q < quads; q++, si++, di += 2) {
            const w = sv[si];
            dv[di] = pairs[w & 0xffff];
            dv[di + 1] = pairs[w >>> 16];
          }
        } else {
          for (let q = 0, j = 0; q < quads; q++, j += 4, di += 2) {
            dv[di] = pairs[src[j] | (src[j + 1] << 8)];
            dv[di + 1] = pairs[src[j + 2] | (src[j + 3] << 8)];
          }
        }
        i = quads << 2;
      }
    }
  }
  for (; i < n; i++) dst[i] = table[src[i]];
}

function transcodeInto(table: Uint8Array, pairs: Uint16Array, src: Uint8Array, dst: Uint8Array, n: number): void {
  let i = 0;
  if (n >= WORD_PATH_MIN && LITTLE_ENDIAN && (dst.byteOffset & 3) === 0) {
    const dv = wordViews.lookup(dst.buffer);
    if (dv !== null) {
      const quads = n >>> 2;
      let di = dst.byteOffset >>> 2;
      if (di + quads <= dv.length) {
        const sv = (src.byteOffset & 3) === 0 ? wordViews.lookup(src.buffer) : null;
        let si = src.byteOffset >>> 2;
        // Each pair of source codes is one table entry holding both results. In place (src === dst) is safe: a word
        // is read before it is written, and never read again.
        if (sv !== null && si + quads <= sv.length) {
          for (let q = 0; q < quads; q++, si++, di++) {
            const w = sv[si];
            dv[di] = pairs[w & 0xffff] | (pairs[w >>> 16] << 16);
          }
        } else {
          for (let q = 0, j = 0; q < quads; q++, j += 4, di++) {
            dv[di] = pairs[src[j] | (src[j + 1] << 8)] | (pairs[src[j + 2] | (src[j + 3] << 8)] << 16);
          }
        }
        i = quads << 2;
      }
    }
  }
  for (; i < n; i++) dst[i] = table[src[i]];
}

/**
 * Encodes `n` linear samples to μ-law codes. `dst` may be a view of the same memory as `src` starting at the same byte
 * (in-place encode: the codes land in the first half).
 * @param n samples to encode; default `src.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds `src.length` or `dst.length`, or is not a non-negative integer
 */
export function ulawEncode(src: Int16Array, dst: Uint8Array, n: number = src.length): number {
  checkCount(n, src.length, dst.length);
  encodeInto(ULAW_ENCODE, src, dst, n);
  return n;
}

/**
 * Decodes `n` μ-law codes to linear samples. `src` and `dst` must not overlap.
 * @param n codes to decode; default `src.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds `src.length` or `dst.length`, or is not a non-negative integer
 */
export function ulawDecode(src: Uint8Array, dst: Int16Array, n: number = src.length): number {
  checkCount(n, src.length, dst.length);
  decodeInto(ULAW_DECODE, ULAW_DECODE_PAIRS, src, dst, n);
  return n;
}

/**
 * Encodes `n` linear samples to A-law codes. In-place as for {@link ulawEncode}.
 * @param n samples to encode; default `src.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds `src.length` or `dst.length`, or is not a non-negative integer
 */
export function alawEncode(src: Int16Array, dst: Uint8Array, n: number = src.length): number {
  checkCount(n, src.length, dst.length);
  encodeInto(ALAW_ENCODE, src, dst, n);
  return n;
}

/**
 * Decodes `n` A-law codes to linear samples. `src` and `dst` must not overlap.
 * @param n codes to decode; default `src.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds `src.length` or `dst.length`, or is not a non-negative integer
 */
export function alawDecode(src: Uint8Array, dst: Int16Array, n: number = src.length): number {
  checkCount(n, src.length, dst.length);
  decodeInto(ALAW_DECODE, ALAW_DECODE_PAIRS, src, dst, n);
  return n;
}

/**
 * Transcodes `n` μ-law codes to A-law (each code c → `alawEncode(ulawDecode(c))`). `dst` may be `src` (in place).
 * @param n codes; default `src.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds `src.length` or `dst.length`, or is not a non-negative integer
 */
export function ulawToAlaw(src: Uint8Array, dst: Uint8Array, n: number = src.length): number {
  checkCount(n, src.length, dst.length);
  transcodeInto(ULAW_TO_ALAW, ULAW_TO_ALAW_PAIRS, src, dst, n);
  return n;
}

/**
 * Transcodes `n` A-law codes to μ-law (each code c → `ulawEncode(alawDecode(c))`). `dst` may be `src` (in place).
 * @param n codes; default `src.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds `src.length` or `dst.length`, or is not a non-negative integer
 */
export function alawToUlaw(src: Uint8Array, dst: Uint8Array, n: number = src.length): number {
  checkCount(n, src.length, dst.length);
  transcodeInto(ALAW_TO_ULAW, ALAW_TO_ULAW_PAIRS, src, dst, n);
  return n;
}

/**
 * Forgets the word views the bulk functions have cached (they hold strong references to at most 16 buffers).
 * Only tests and memory-conscious shutdown paths need this.
 */
export function clearG711ViewCache(): void {
  wordViews.clear();
}
