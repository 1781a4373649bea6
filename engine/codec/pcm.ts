// 16-bit PCM frame helpers: saturating mixing (two frames, or N parties with everyone-but-self), gain, stereo interleave/de-interleave and down-mix (no RFC; the sample format of RFC 3551 §4.5.11 L16, host byte order).
//
// All functions write into arrays the caller owns, allocate nothing, take an optional sample count `n` (default: the
// first array's length) and throw RangeError when an array is too short. "Saturating" means a result outside
// −32768…32767 is clamped to the nearest end instead of wrapping around as an Int16Array store would.
import { checkCount } from './args.ts';

const MAX = 32767;
const MIN = -32768;

/**
 * dst[i] = saturate(a[i] + b[i]). `dst` may be `a` or `b` (in place).
 * @param n samples; default `a.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds any array's length or is not a non-negative integer
 */
export function mixAddSaturate(a: Int16Array, b: Int16Array, dst: Int16Array, n: number = a.length): number {
  checkCount(n, Math.min(a.length, b.length), dst.length);
  for (let i = 0; i < n; i++) {
    const s = a[i] + b[i];
    dst[i] = s > MAX ? MAX : s < MIN ? MIN : s;
  }
  return n;
}

/**
 * acc[i] += src[i], in 32-bit: the first step of an N-party mix (sum everyone once, then subtract each listener's own
 * voice with {@link saturateMinus}). An Int32Array sum of up to 65,536 frames cannot overflow.
 * @param n samples; default `src.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds either array's length or is not a non-negative integer
 */
export function accumulate(acc: Int32Array, src: Int16Array, n: number = src.length): number {
  checkCount(n, src.length, acc.length);
  for (let i = 0; i < n; i++) acc[i] += src[i];
  return n;
}

/**
 * dst[i] = saturate(acc[i]): the mix of everyone, for a listener who is not a party (a recorder, a supervisor).
 * @param n samples; default `acc.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds either array's length or is not a non-negative integer
 */
export function saturate(acc: Int32Array, dst: Int16Array, n: number = acc.length): number {
  checkCount(n, acc.length, dst.length);
  for (let i = 0; i < n; i++) {
    const s = acc[i];
    dst[i] = s > MAX ? MAX : s < MIN ? MIN : s;
  }
  return n;
}

/**
 * dst[i] = saturate(acc[i] − self[i]): everyone but `self`, when `acc` holds the sum of all parties (self included).
 * Equals saturating the sum of the other parties exactly, since `acc` never saturated. `dst` may be `self`.
 * @param n samples; default `self.length`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds any array's length or is not a non-negative integer
 */
export function saturateMinus(acc: Int32Array, self: Int16Array, dst: Int16Array, n: number = self.length): number {
  checkCount(n, Math.min(acc.length, self.length), dst.length);
  for (let i = 0; i < n; i++) {
    const s = acc[i] - self[i];
    dst[i] = s > MAX ? MAX : s < MIN ? MIN : s;
  }
  return n;
}

/**
 * dst[i] = saturate(round(src[i] · gain)) (Math.round: halves toward +∞). `dst` may be `src` (in place).
 * @param gain a finite linear factor (see {@link dbToGain}); 1 copies, 0 silences
 * @param n samples; default `src.length`
 * @returns `n`
 * @throws {RangeError} when `gain` is not finite, or `n` exceeds either array's length or is not a non-negative integer
 */
export function applyGain(src: Int16Array, dst: Int16Array, gain: number, n: number = src.length): number {
  if (!Number.isFinite(gain)) throw new RangeError(`gain must be a finite number, got ${gain}`);
  checkCount(n, src.length, dst.length);
  for (let i = 0; i < n; i++) {
    const s = Math.round(src[i] * gain);
    dst[i] = s > MAX ? MAX : s < MIN ? MIN : s;
  }
  return n;
}

/** Linear amplitude factor of a gain in decibels: 10^(dB/20) (−6.02 dB ≈ 0.5). */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/**
 * Interleaves two mono frames into one stereo frame: dst[2i] = left[i], dst[2i + 1] = right[i]
 * (the recorder's layout: caller left, agent right).
 * @param n frames (sample pairs); default `left.length`
 * @returns samples written, `2 · n`
 * @throws {RangeError} when `n` exceeds `left.length`, `right.length` or `dst.length / 2`, or is not a non-negative integer
 */
export function interleaveStereo(left: Int16Array, right: Int16Array, dst: Int16Array, n: number = left.length): number {
  checkCount(n, Math.min(left.length, right.length), dst.length >>> 1);
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    dst[j] = left[i];
    dst[j + 1] = right[i];
  }
  return n << 1;
}

/**
 * Splits a stereo frame into two mono frames: left[i] = src[2i], right[i] = src[2i + 1].
 * @param n frames (sample pairs); default `floor(src.length / 2)`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds `src.length / 2`, `left.length` or `right.length`, or is not a non-negative integer
 */
export function deinterleaveStereo(src: Int16Array, left: Int16Array, right: Int16Array, n: number = src.length >>> 1): number {
  checkCount(n, src.length >>> 1, Math.min(left.length, right.length));
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    left[i] = src[j];
    right[i] = src[j + 1];
  }
  return n;
}

/**
 * Down-mixes an interleaved stereo frame to mono: dst[i] = floor((src[2i] + src[2i + 1]) / 2) — the average, which
 * cannot overflow. `dst` may be `src` (in place: the mono samples land in the first half).
 * @param n frames (sample pairs); default `floor(src.length / 2)`
 * @returns `n`
 * @throws {RangeError} when `n` exceeds `src.length / 2` or `dst.length`, or is not a non-negative integer
 */
export function downmixStereo(src: Int16Array, dst: Int16Array, n: number = src.length >>> 1): number {
  checkCount(n, src.length >>> 1, dst.length);
  for (let i = 0, j = 0; i < n; i++, j += 2) dst[i] = (src[j] + src[j + 1]) >> 1;
  return n;
}
