// Argument checks shared by the bulk PCM/codec functions of engine/codec (no RFC).

/**
 * Validates a sample count against the two lengths it indexes.
 * @throws {RangeError} naming `n` when it is not an integer in 0…min(srcLimit, dstLimit)
 */
export function checkCount(n: number, srcLimit: number, dstLimit: number): void {
  if (!(Number.isInteger(n) && n >= 0 && n <= srcLimit && n <= dstLimit)) {
    throw new RangeError(`n must be an integer in 0…${Math.min(srcLimit, dstLimit)} for these arrays, got ${n}`);
  }
}
