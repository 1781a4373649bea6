// PCM helper examples: saturation at the 16-bit ends, N-party everyone-but-self, gain, stereo layout (L16 samples, RFC 3551 §4.5.11).
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  applyGain,
  dbToGain,
  deinterleaveStereo,
  downmixStereo,
  interleaveStereo,
  mixAddSaturate,
  saturate,
  saturateMinus,
} from './pcm.ts';

describe('saturating mix', () => {
  it('adds and clamps at 32767 / −32768 instead of wrapping', () => {
    const a = new Int16Array([1000, 30000, -30000, 32767, -32768, 5]);
    const b = new Int16Array([-400, 10000, -10000, 1, -1, -5]);
    const dst = new Int16Array(6);
    expect(mixAddSaturate(a, b, dst)).toBe(6);
    expect(Array.from(dst)).toEqual([600, 32767, -32768, 32767, -32768, 0]);
  });

  it('mixes in place into either input', () => {
    const a = new Int16Array([1, 2, 3]);
    const b = new Int16Array([10, 20, 30]);
    mixAddSaturate(a, b, a);
    expect(Array.from(a)).toEqual([11, 22, 33]);
  });

  it('three-way call: each party hears the other two, a recorder hears all three', () => {
    const parties = [new Int16Array([100, 20000, -5]), new Int16Array([200, 20000, 0]), new Int16Array([300, -1000, 5])];
    const acc = new Int32Array(3);
    for (const p of parties) accumulate(acc, p);
    const heard = parties.map((self) => {
      const out = new Int16Array(3);
      saturateMinus(acc, self, out);
      return Array.from(out);
    });
    expect(heard).toEqual([
      [500, 19000, 5],
      [400, 19000, 0],
      [300, 32767, -5],
    ]);
    const all = new Int16Array(3);
    saturate(acc, all);
    expect(Array.from(all)).toEqual([600, 32767, 0]);
  });
});

describe('gain', () => {
  it('scales with rounding and saturation; 1 copies and 0 silences', () => {
    const src = new Int16Array([100, -100, 3, 20000, -20000]);
    const dst = new Int16Array(5);
    applyGain(src, dst, 0.5);
    expect(Array.from(dst)).toEqual([50, -50, 2, 10000, -10000]);
    applyGain(src, dst, 2);
    expect(Array.from(dst)).toEqual([200, -200, 6, 32767, -32768]);
    applyGain(src, dst, 1);
    expect(dst).toEqual(src);
    applyGain(src, dst, 0);
    expect(Array.from(dst)).toEqual([0, 0, 0, 0, 0]);
  });

  it('converts decibels to a linear factor', () => {
    expect(dbToGain(0)).toBe(1);
    expect(dbToGain(20)).toBeCloseTo(10, 12);
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 4);
  });

  it('refuses a non-finite gain', () => {
    expect(() => applyGain(new Int16Array(1), new Int16Array(1), Number.NaN)).toThrow(RangeError);
    expect(() => applyGain(new Int16Array(1), new Int16Array(1), Infinity)).toThrow(RangeError);
  });
});

describe('stereo', () => {
  it('interleaves caller left, agent right', () => {
    const dst = new Int16Array(6);
    expect(interleaveStereo(new Int16Array([1, 2, 3]), new Int16Array([-1, -2, -3]), dst)).toBe(6);
    expect(Array.from(dst)).toEqual([1, -1, 2, -2, 3, -3]);
  });

  it('splits a stereo frame back, and averages it to mono (floor)', () => {
    const st = new Int16Array([1, -1, 2, 5, 32767, 32767, -32768, -32767]);
    const l = new Int16Array(4);
    const r = new Int16Array(4);
    expect(deinterleaveStereo(st, l, r)).toBe(4);
    expect([Array.from(l), Array.from(r)]).toEqual([[1, 2, 32767, -32768], [-1, 5, 32767, -32767]]);
    const mono = new Int16Array(4);
    downmixStereo(st, mono);
    expect(Array.from(mono)).toEqual([0, 3, 32767, -32768]);
  });

  it('throws RangeError when the stereo buffer is too short', () => {
    expect(() => interleaveStereo(new Int16Array(3), new Int16Array(3), new Int16Array(5))).toThrow(RangeError);
    expect(() => deinterleaveStereo(new Int16Array(8), new Int16Array(3), new Int16Array(4))).toThrow(RangeError);
    expect(() => mixAddSaturate(new Int16Array(3), new Int16Array(2), new Int16Array(3))).toThrow(RangeError);
  });
});
