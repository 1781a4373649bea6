// Resampler properties: any chunking of a stream gives exactly the one-shot output and length; reset starts afresh (band-limited rational resampling).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Resampler, resample } from './resample.ts';
import type { PcmArray } from './resample.ts';

const conversion = fc.constantFrom<[number, number]>([48000, 8000], [44100, 8000], [22050, 8000], [16000, 8000], [8000, 16000], [11025, 8000]);

/** A signal of random length (up to ~1 s at 16 kHz) and the cut points of random chunks, some larger than the internal block. */
const signal = fc
  .record({
    length: fc.integer({ min: 0, max: 16000 }),
    seed: fc.integer(),
    cuts: fc.array(fc.integer({ min: 0, max: 9000 }), { maxLength: 30 }),
  })
  .map(({ length, seed, cuts }) => {
    const x = new Float32Array(length);
    let s = seed >>> 0;
    for (let i = 0; i < length; i++) {
      s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
      x[i] = 0.6 * Math.sin(i * 0.05) + 0.3 * (s / 2 ** 32 - 0.5);
    }
    const sizes: number[] = [];
    let left = length;
    for (const c of cuts) {
      const size = Math.min(c, left);
      sizes.push(size);
      left -= size;
    }
    if (left > 0) sizes.push(left);
    return { x, sizes };
  });

function streamed(r: Resampler, x: PcmArray, sizes: number[], out: PcmArray): number[] {
  const got: number[] = [];
  let at = 0;
  for (const size of sizes) {
    const n = r.process(x.subarray(at, at + size), out);
    for (let i = 0; i < n; i++) got.push(out[i]);
    at += size;
  }
  const n = r.flush(out);
  for (let i = 0; i < n; i++) got.push(out[i]);
  return got;
}

describe('streaming resampler', () => {
  it('any chunking (incl. empty and > block-sized chunks) equals the one-shot output bit for bit (Float32)', () => {
    fc.assert(
      fc.property(conversion, signal, ([fin, fout], { x, sizes }) => {
        const r = new Resampler(fin, fout);
        const out = new Float32Array(r.maxOutputLength(Math.max(9000, x.length)) + r.latency);
        const got = streamed(r, x, sizes, out);
        const want = resample(x, fin, fout);
        expect(got.length).toBe(r.outputLengthFor(x.length));
        expect(Float32Array.from(got)).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });

  it('any chunking equals the one-shot output (Int16), and a reset resampler behaves like a new one', () => {
    fc.assert(
      fc.property(conversion, signal, ([fin, fout], { x, sizes }) => {
        const pcm = Int16Array.from(x, (v) => Math.round(v * 32767));
        const r = new Resampler(fin, fout);
        const out = new Int16Array(r.maxOutputLength(Math.max(9000, pcm.length)) + r.latency);
        // Leave the resampler mid-stream, then reset: the next signal must not see the old history.
        r.process(pcm.subarray(0, Math.min(777, pcm.length)), out);
        r.reset();
        const got = streamed(r, pcm, sizes, out);
        expect(Int16Array.from(got)).toEqual(resample(pcm, fin, fout));
      }),
      { numRuns: 30 },
    );
  });
});
