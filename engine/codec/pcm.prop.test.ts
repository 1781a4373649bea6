// PCM helper properties: mixer linearity and saturation, everyone-but-self ≡ mixing the others, gain, stereo round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accumulate, applyGain, deinterleaveStereo, downmixStereo, interleaveStereo, mixAddSaturate, saturate, saturateMinus } from './pcm.ts';

const clamp = (v: number): number => Math.max(-32768, Math.min(32767, v));
const frame = (len: number, max = 32767) => fc.array(fc.integer({ min: -max - 1, max }), { minLength: len, maxLength: len });
const lengthed = <T>(build: (len: number) => fc.Arbitrary<T>) => fc.integer({ min: 0, max: 200 }).chain(build);

describe('mixing', () => {
  it('mixAddSaturate = clamp(a + b) sample by sample, and is commutative', () => {
    fc.assert(
      fc.property(lengthed((n) => fc.tuple(frame(n), frame(n))), ([a, b]) => {
        const A = Int16Array.from(a);
        const B = Int16Array.from(b);
        const ab = new Int16Array(a.length);
        const ba = new Int16Array(a.length);
        mixAddSaturate(A, B, ab);
        mixAddSaturate(B, A, ba);
        expect(ab).toEqual(ba);
        return a.every((v, i) => ab[i] === clamp(v + b[i]));
      }),
      { numRuns: 200 },
    );
  });

  it('is linear while nothing saturates: mix(a, mix(b, c)) = mix(mix(a, b), c) = a + b + c', () => {
    fc.assert(
      fc.property(lengthed((n) => fc.tuple(frame(n, 10000), frame(n, 10000), frame(n, 10000))), ([a, b, c]) => {
        const [A, B, C] = [a, b, c].map((x) => Int16Array.from(x));
        const left = new Int16Array(a.length);
        const right = new Int16Array(a.length);
        mixAddSaturate(B, C, left);
        mixAddSaturate(A, left, left);
        mixAddSaturate(A, B, right);
        mixAddSaturate(right, C, right);
        expect(left).toEqual(right);
        return a.every((v, i) => left[i] === v + b[i] + c[i]);
      }),
      { numRuns: 200 },
    );
  });

  it('everyone-but-self from one 32-bit sum equals saturating the sum of the other parties', () => {
    const parties = fc.integer({ min: 1, max: 8 }).chain((count) => lengthed((n) => fc.array(frame(n), { minLength: count, maxLength: count })));
    fc.assert(
      fc.property(parties, (ps) => {
        const len = ps[0].length;
        const frames = ps.map((p) => Int16Array.from(p));
        const acc = new Int32Array(len);
        for (const f of frames) accumulate(acc, f);
        const out = new Int16Array(len);
        for (let p = 0; p < frames.length; p++) {
          saturateMinus(acc, frames[p], out);
          for (let i = 0; i < len; i++) {
            let others = 0;
            for (let q = 0; q < frames.length; q++) if (q !== p) others += frames[q][i];
            if (out[i] !== clamp(others)) return false;
          }
        }
        saturate(acc, out);
        return out.every((v, i) => v === clamp(frames.reduce((s, f) => s + f[i], 0)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('gain and stereo', () => {
  it('applyGain = clamp(round(x · g)), also in place', () => {
    fc.assert(
      fc.property(lengthed((n) => frame(n)), fc.double({ min: -4, max: 4, noNaN: true }), (x, g) => {
        const src = Int16Array.from(x);
        const dst = new Int16Array(x.length);
        applyGain(src, dst, g);
        applyGain(src, src, g);
        expect(src).toEqual(dst);
        return x.every((v, i) => dst[i] === clamp(Math.round(v * g)));
      }),
      { numRuns: 200 },
    );
  });

  it('deinterleave(interleave(l, r)) = (l, r), and the down-mix of (x, x) is x', () => {
    fc.assert(
      fc.property(lengthed((n) => fc.tuple(frame(n), frame(n))), ([l, r]) => {
        const L = Int16Array.from(l);
        const R = Int16Array.from(r);
        const st = new Int16Array(2 * l.length);
        expect(interleaveStereo(L, R, st)).toBe(2 * l.length);
        const l2 = new Int16Array(l.length);
        const r2 = new Int16Array(l.length);
        deinterleaveStereo(st, l2, r2);
        expect([l2, r2]).toEqual([L, R]);
        interleaveStereo(L, L, st);
        const mono = new Int16Array(l.length);
        downmixStereo(st, mono);
        expect(mono).toEqual(L);
        downmixStereo(st, st);
        return L.every((v, i) => st[i] === v);
      }),
      { numRuns: 200 },
    );
  });
});
