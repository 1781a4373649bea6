// Exhaustive checks of the G.711 μ-law/A-law tables (ITU-T G.711 Tables 1a/2a) against a reference written here from the ITU-T G.191 formulation, and a cross-check with the `g711` npm package.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import {
  alawCodeToUlaw,
  alawDecode,
  alawEncode,
  alawToLinear,
  alawToUlaw,
  clearG711ViewCache,
  linearToAlaw,
  linearToUlaw,
  ulawCodeToAlaw,
  ulawDecode,
  ulawEncode,
  ulawToAlaw,
  ulawToLinear,
} from './g711.ts';

// The baseline package is CommonJS (a Parcel bundle whose exports are getters Node's ESM named-import detection
// cannot see), so it is loaded with require. Its decoders return an Int16Array when asked for 16 bits.
const g711pkg = createRequire(import.meta.url)('g711') as typeof import('g711');

// ---------------------------------------------------------------------------------------------------------------
// Reference, written from the spec as plainly as possible (ITU-T G.711 Tables 1a/2a for 16-bit input, as the ITU-T
// G.191 software library applies them: a negative sample is ones'-complemented, then its 14 (μ-law) or 12 (A-law)
// most significant magnitude bits are quantized; the segment is found by searching the segment end points).

/** μ-law code of a 16-bit sample: bias 33 (= 0x84 in 16-bit units), clip at 0x1FFF, segment search, inverted bits. */
function refUlawEncode(x: number): number {
  const magnitude = x < 0 ? (-x - 1) >> 2 : x >> 2; // −x−1 is the ones' complement of a negative x
  let biased = magnitude + 33;
  if (biased > 0x1fff) biased = 0x1fff;
  let segment = 0;
  while (segment < 7 && biased >= 64 << segment) segment++; // segment s holds biased values in [32·2^s, 64·2^s)
  const mantissa = (biased >> (segment + 1)) & 0x0f;
  const code = 0x7f - ((segment << 4) | mantissa); // all bits inverted (the sign bit is added below)
  return x >= 0 ? code | 0x80 : code;
}

/** Linear value of a μ-law code: the midpoint of its decision interval, unbiased, in 16-bit units. */
function refUlawDecode(code: number): number {
  const inverted = 0xff - code;
  const segment = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const low = (16 + mantissa) * 2 ** (segment + 1); // interval of biased 14-bit values: [low, low + width)
  const width = 2 ** (segment + 1);
  const magnitude = (low + width / 2 - 33) * 4;
  return inverted & 0x80 ? -magnitude : magnitude;
}

/** A-law code of a 16-bit sample: 12-bit magnitude, segment search, even bits inverted (XOR 0x55). */
function refAlawEncode(x: number): number {
  let magnitude = x < 0 ? (-x - 1) >> 4 : x >> 4;
  let segment = 0;
  if (magnitude >= 16) {
    segment = 1;
    while (magnitude >= 32) {
      magnitude >>= 1;
      segment++;
    }
    magnitude -= 16;
  }
  const code = (segment << 4) | magnitude | (x >= 0 ? 0x80 : 0);
  return code ^ 0x55;
}

/** Linear value of an A-law code: the midpoint of its decision interval, in 16-bit units. */
function refAlawDecode(code: number): number {
  const c = code ^ 0x55;
  const segment = (c >> 4) & 0x07;
  const mantissa = c & 0x0f;
  const low = segment === 0 ? mantissa : (16 + mantissa) * 2 ** (segment - 1); // 12-bit interval [low, low + width)
  const width = segment === 0 ? 1 : 2 ** (segment - 1);
  const magnitude = (low + width / 2) * 16;
  return c & 0x80 ? magnitude : -magnitude;
}

/**
 * Every 16-bit sample exactly once, in a scrambled order (i·40503 mod 2^16 is a bijection), so that neighbouring
 * positions hold unrelated samples and a bulk kernel that misplaces a sample cannot go unnoticed.
 */
function allSamples(): Int16Array {
  const a = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) a[i] = ((i * 40503) & 0xffff) - 32768;
  return a;
}

/** All 256 codes, scrambled the same way (i·167 mod 256). */
function allCodes(): Uint8Array {
  const a = new Uint8Array(256);
  for (let i = 0; i < 256; i++) a[i] = (i * 167) & 0xff;
  return a;
}

/** Indices where two sequences differ (the first few are enough to diagnose). */
function mismatches(n: number, got: (i: number) => number, want: (i: number) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (got(i) !== want(i)) out.push(i);
  return out;
}

afterEach(() => clearG711ViewCache());

describe('the reference itself (ITU-T G.711 Tables 1a/2a end points)', () => {
  it('spans the published ranges: μ-law ±32124 with +0/−0, A-law ±8 … ±32256', () => {
    expect(refUlawDecode(0x80)).toBe(32124);
    expect(refUlawDecode(0x00)).toBe(-32124);
    expect(refUlawDecode(0xff)).toBe(0);
    expect(refUlawDecode(0x7f)).toBe(-0);
    expect(refAlawDecode(0xd5)).toBe(8);
    expect(refAlawDecode(0x55)).toBe(-8);
    expect(refAlawDecode(0xaa)).toBe(32256);
    expect(refAlawDecode(0x2a)).toBe(-32256);
  });

  it('encodes the overload and zero points as G.711 specifies', () => {
    expect(refUlawEncode(32767)).toBe(0x80);
    expect(refUlawEncode(-32768)).toBe(0x00);
    expect(refUlawEncode(0)).toBe(0xff);
    expect(refUlawEncode(-1)).toBe(0x7f); // G.191: −1 is ones'-complemented to magnitude 0: "negative zero"
    expect(refAlawEncode(0)).toBe(0xd5);
    expect(refAlawEncode(-1)).toBe(0x55);
    expect(refAlawEncode(32767)).toBe(0xaa);
    expect(refAlawEncode(-32768)).toBe(0x2a);
  });
});

describe('μ-law (ITU-T G.711 Table 2a)', () => {
  it('encodes all 65,536 linear inputs exactly as the reference, one at a time and in bulk', () => {
    const x = allSamples();
    expect(mismatches(65536, (i) => linearToUlaw(x[i]), (i) => refUlawEncode(x[i]))).toEqual([]);
    const out = new Uint8Array(65536);
    for (let pass = 0; pass < 3; pass++) {
      // pass 0 runs sample by sample; later passes take the word path once the buffers are known
      out.fill(0);
      expect(ulawEncode(x, out)).toBe(65536);
      expect(mismatches(65536, (i) => out[i], (i) => refUlawEncode(x[i]))).toEqual([]);
    }
  });

  it('decodes all 256 codes exactly as the reference, one at a time and in bulk', () => {
    const codes = allCodes();
    expect(mismatches(256, (c) => ulawToLinear(c), (c) => refUlawDecode(c))).toEqual([]);
    const out = new Int16Array(256);
    for (let pass = 0; pass < 3; pass++) {
      out.fill(0x5555);
      expect(ulawDecode(codes, out)).toBe(256);
      expect(mismatches(256, (i) => out[i], (i) => refUlawDecode(codes[i]))).toEqual([]);
    }
  });
});

describe('A-law (ITU-T G.711 Table 1a)', () => {
  it('encodes all 65,536 linear inputs exactly as the reference, one at a time and in bulk', () => {
    const x = allSamples();
    expect(mismatches(65536, (i) => linearToAlaw(x[i]), (i) => refAlawEncode(x[i]))).toEqual([]);
    const out = new Uint8Array(65536);
    for (let pass = 0; pass < 3; pass++) {
      out.fill(0);
      expect(alawEncode(x, out)).toBe(65536);
      expect(mismatches(65536, (i) => out[i], (i) => refAlawEncode(x[i]))).toEqual([]);
    }
  });

  it('decodes all 256 codes exactly as the reference, one at a time and in bulk', () => {
    const codes = allCodes();
    expect(mismatches(256, (c) => alawToLinear(c), (c) => refAlawDecode(c))).toEqual([]);
    const out = new Int16Array(256);
    for (let pass = 0; pass < 3; pass++) {
      out.fill(0x5555);
      expect(alawDecode(codes, out)).toBe(256);
      expect(mismatches(256, (i) => out[i], (i) => refAlawDecode(codes[i]))).toEqual([]);
    }
  });
});

describe('μ-law ⇄ A-law transcoding (defined as encode(decode(c)) in the other law)', () => {
  it('maps all 256 μ-law codes to refAlawEncode(refUlawDecode(c)), one at a time and in bulk', () => {
    const codes = allCodes();
    const want = (c: number): number => refAlawEncode(refUlawDecode(c));
    expect(mismatches(256, (c) => ulawCodeToAlaw(c), want)).toEqual([]);
    const out = new Uint8Array(256);
    for (let pass = 0; pass < 3; pass++) {
      expect(ulawToAlaw(codes, out)).toBe(256);
      expect(mismatches(256, (i) => out[i], (i) => want(codes[i]))).toEqual([]);
    }
  });

  it('maps all 256 A-law codes to refUlawEncode(refAlawDecode(c)), one at a time and in bulk', () => {
    const codes = allCodes();
    const want = (c: number): number => refUlawEncode(refAlawDecode(c));
    expect(mismatches(256, (c) => alawCodeToUlaw(c), want)).toEqual([]);
    const out = new Uint8Array(256);
    for (let pass = 0; pass < 3; pass++) {
      expect(alawToUlaw(codes, out)).toBe(256);
      expect(mismatches(256, (i) => out[i], (i) => want(codes[i]))).toEqual([]);
    }
  });
});

describe('cross-check with the g711 npm package', () => {
  it('agrees with its μ-law and A-law decoders on all 256 codes', () => {
    const codes = allCodes();
    const theirsU = g711pkg.ulawToPCM(codes, 16);
    const theirsA = g711pkg.alawToPCM(codes, 16);
    expect(theirsU).toBeInstanceOf(Int16Array);
    expect(mismatches(256, (i) => ulawToLinear(codes[i]), (i) => theirsU[i])).toEqual([]);
    expect(mismatches(256, (i) => alawToLinear(codes[i]), (i) => theirsA[i])).toEqual([]);
  });

  // Its encoders are the original Sun g711.c: they take the magnitude of a negative sample by negation (μ-law: −x, then
  // bias 0x84 in 16-bit units; A-law: −x − 8) where G.191 takes the ones' complement (−x − 1) and truncates. Positive
  // inputs always agree. Measured over all 65,536 inputs:
  //  - μ-law: 127 inputs differ — exactly the negative multiples of 4 that sit on one of the 127 decision thresholds
  //    (−4·t): G.191 puts them one level lower in magnitude, the package one level higher.
  //  - A-law: 896 inputs differ — for each of the 127 thresholds T (16-bit magnitude), the 7 inputs −(T+1)…−(T+7) that
  //    G.191 puts on the upper level and the package on the lower; plus −1…−7, which the package (−x − 8 < 0) sends to
  //    seg 0, mantissa 15 (≈ −248) instead of the smallest negative level (−8).
  // The figure "381 μ-law differences" quoted earlier for this package comes from a reference that truncates first and
  // then negates (x >> 2, then −): that variant is neither the package nor G.191 (it differs from G.191 on 508 inputs;
  // see the last test). If our encoder drifts, these counts change and this test fails.
  it('differs from its μ-law encoder on exactly 127 inputs (negative multiples of 4 on a decision threshold)', () => {
    const x = allSamples();
    const theirs = g711pkg.ulawFromPCM(x);
    const differ = mismatches(65536, (i) => linearToUlaw(x[i]), (i) => theirs[i]);
    expect(differ.length).toBe(127);
    for (const i of differ) {
      expect(x[i]).toBeLessThan(0);
      expect(x[i] % 4).toBe(-0);
      // adjacent levels: the package's code has the next larger magnitude (μ-law codes count down as magnitude grows)
      expect(linearToUlaw(x[i]) - theirs[i]).toBe(1);
    }
  });

  it('differs from its A-law encoder on exactly 896 inputs (7 per threshold, plus −1…−7)', () => {
    const x = allSamples();
    const theirs = g711pkg.alawFromPCM(x);
    const differ = mismatches(65536, (i) => linearToAlaw(x[i]), (i) => theirs[i]);
    expect(differ.length).toBe(896);
    const nearZero: number[] = [];
    for (const i of differ) {
      expect(x[i]).toBeLessThan(0);
      const ours = linearToAlaw(x[i]) ^ 0x55;
      const pkg = theirs[i] ^ 0x55;
      if (x[i] >= -7) {
        nearZero.push(x[i]);
        expect([ours, pkg]).toEqual([0, 15]);
      } else {
        expect(ours - pkg).toBe(1); // G.191 one level higher in magnitude
      }
    }
    expect(nearZero.sort((a, b) => a - b)).toEqual([-7, -6, -5, -4, -3, -2, -1]);
  });

  it('the shift-then-negate variant accounts for the "381" figure (differs from the package on 381, from G.191 on 508)', () => {
    // x >> 2 (rounds toward −∞), then negate: the magnitude of a negative x becomes ⌈|x|/4⌉ instead of G.191's ⌊(|x|−1)/4⌋
    const shiftThenNegate = (x: number): number => {
      const p = x >> 2;
      return p < 0 ? muFromMagnitude(-p) & 0x7f : muFromMagnitude(p);
    };
    const x = allSamples();
    const theirs = g711pkg.ulawFromPCM(x);
    expect(mismatches(65536, (i) => shiftThenNegate(x[i]), (i) => theirs[i]).length).toBe(381);
    expect(mismatches(65536, (i) => shiftThenNegate(x[i]), (i) => refUlawEncode(x[i])).length).toBe(508);
  });
});

/** μ-law code (positive sign) of a 14-bit magnitude: the code refUlawEncode gives the positive sample 4·m. */
function muFromMagnitude(magnitude: number): number {
  return refUlawEncode(Math.min(magnitude, 8191) * 4);
}

describe('bulk arguments', () => {
  it('encodes only the first n samples and leaves the rest of dst untouched', () => {
    const src = new Int16Array([1000, -1000, 20000, -20000, 5]);
    const dst = new Uint8Array(5).fill(0xee);
    expect(ulawEncode(src, dst, 3)).toBe(3);
    expect(Array.from(dst)).toEqual([refUlawEncode(1000), refUlawEncode(-1000), refUlawEncode(20000), 0xee, 0xee]);
  });

  it('throws RangeError when n is negative, fractional or longer than either array', () => {
    const pcm = new Int16Array(8);
    const codes = new Uint8Array(4);
    expect(() => ulawEncode(pcm, codes)).toThrow(RangeError); // default n = 8 > dst.length
    expect(() => alawEncode(pcm, codes, -1)).toThrow(RangeError);
    expect(() => ulawDecode(codes, pcm, 2.5)).toThrow(RangeError);
    expect(() => alawDecode(codes, pcm, 5)).toThrow(RangeError);
    expect(() => ulawToAlaw(codes, new Uint8Array(2))).toThrow(RangeError);
    expect(() => alawToUlaw(codes, codes, Number.NaN)).toThrow(RangeError);
    expect(ulawEncode(pcm, codes, 4)).toBe(4);
    expect(ulawEncode(pcm, codes, 0)).toBe(0);
  });

  it('clamps and truncates single samples outside the 16-bit range', () => {
    expect(linearToUlaw(40000)).toBe(refUlawEncode(32767));
    expect(linearToUlaw(-40000)).toBe(refUlawEncode(-32768));
    expect(linearToAlaw(1e9)).toBe(refAlawEncode(32767));
    expect(linearToAlaw(-8.9)).toBe(refAlawEncode(-8));
    expect(linearToUlaw(Number.NaN)).toBe(refUlawEncode(0));
    expect(ulawToLinear(0x1ff)).toBe(refUlawDecode(0xff));
  });
});
