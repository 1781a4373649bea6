// Properties of the G.711 codec (ITU-T G.711): quantization error bounds, code round trips, transcoding consistency, and bulk ≡ single-sample on random frames.
import fc from 'fast-check';
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

afterEach(() => clearG711ViewCache());

/** Width, in 16-bit units, of the μ-law quantization interval a code stands for (G.711 Table 2a: 8 · 2^segment). */
function ulawStep(code: number): number {
  return 8 << ((~code >> 4) & 0x07);
}

/** Width, in 16-bit units, of the A-law interval (G.711 Table 1a: 16 in segments 0 and 1, then doubling). */
function alawStep(code: number): number {
  const seg = ((code ^ 0x55) >> 4) & 0x07;
  return seg <= 1 ? 16 : 16 << (seg - 1);
}

/** μ-law's overload point in 16-bit units: 8159 (14-bit) · 4 + 3 is the last input inside the top interval. */
const ULAW_OVERLOAD = 32635;

describe('quantization (ITU-T G.711 Tables 1a/2a)', () => {
  it('μ-law: decode(encode(x)) is within half a step of x for every in-range x, and saturates beyond', () => {
    const bad: number[] = [];
    for (let x = -32768; x <= 32767; x++) {
      const code = linearToUlaw(x);
      const err = Math.abs(ulawToLinear(code) - x);
      if (Math.abs(x) <= ULAW_OVERLOAD) {
        if (err > ulawStep(code) / 2) bad.push(x);
      } else if (code !== (x > 0 ? 0x80 : 0x00)) bad.push(x);
    }
    expect(bad).toEqual([]);
  });

  it('A-law: decode(encode(x)) is within half a step of x for every 16-bit x', () => {
    const bad: number[] = [];
    for (let x = -32768; x <= 32767; x++) {
      const code = linearToAlaw(x);
      if (Math.abs(alawToLinear(code) - x) > alawStep(code) / 2) bad.push(x);
    }
    expect(bad).toEqual([]);
  });

  it('both encoders are monotonic: a larger input never decodes smaller', () => {
    let prevU = -Infinity;
    let prevA = -Infinity;
    const bad: number[] = [];
    for (let x = -32768; x <= 32767; x++) {
      const u = ulawToLinear(linearToUlaw(x));
      const a = alawToLinear(linearToAlaw(x));
      if (u < prevU || a < prevA) bad.push(x);
      prevU = u;
      prevA = a;
    }
    expect(bad).toEqual([]);
  });

  it('encode(decode(c)) = c for all 256 A-law codes', () => {
    for (let c = 0; c < 256; c++) expect(linearToAlaw(alawToLinear(c))).toBe(c);
  });

  it('encode(decode(c)) = c for all 256 μ-law codes except negative zero 0x7F, which decodes to 0 and re-encodes as +0 (0xFF)', () => {
    const moved: [number, number][] = [];
    for (let c = 0; c < 256; c++) {
      const back = linearToUlaw(ulawToLinear(c));
      if (back !== c) moved.push([c, back]);
    }
    expect(moved).toEqual([[0x7f, 0xff]]);
  });
});

describe('transcoding tables', () => {
  it('are encode(decode(c)) in the other law, and land within half a step of the source value', () => {
    for (let c = 0; c < 256; c++) {
      const a = ulawCodeToAlaw(c);
      expect(a).toBe(linearToAlaw(ulawToLinear(c)));
      expect(Math.abs(alawToLinear(a) - ulawToLinear(c))).toBeLessThanOrEqual(alawStep(a) / 2);
      const u = alawCodeToUlaw(c);
      expect(u).toBe(linearToUlaw(alawToLinear(c)));
      const overload = Math.abs(alawToLinear(c)) > ULAW_OVERLOAD;
      if (!overload) expect(Math.abs(ulawToLinear(u) - alawToLinear(c))).toBeLessThanOrEqual(ulawStep(u) / 2);
    }
  });

  it('settle after one round trip: μ→A→μ→A gives the same A-law code as μ→A (tandem transcoding does not drift)', () => {
    for (let c = 0; c < 256; c++) {
      const a = ulawCodeToAlaw(c);
      expect(ulawCodeToAlaw(alawCodeToUlaw(a))).toBe(a);
      const u = alawCodeToUlaw(c);
      expect(alawCodeToUlaw(ulawCodeToAlaw(u))).toBe(u);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bulk ≡ single sample. Arrays sit at random offsets inside larger buffers (so 2- and 4-byte alignment both occur) with
// sentinel bytes around them; each call is repeated three times on the same buffers so that the sample-by-sample,
// the mixed and the word-at-a-time paths all run (word-views.ts installs a view on a buffer's second sighting).

const SENTINEL = 0xa5;

interface Placed<T> {
  array: T;
  bytes: Uint8Array; // the whole backing buffer
  start: number; // byte offset of the array
  byteLength: number;
}

function placeInt16(values: number[], offsetSamples: number): Placed<Int16Array> {
  const buf = new ArrayBuffer((offsetSamples + values.length + 3) * 2);
  const bytes = new Uint8Array(buf).fill(SENTINEL);
  const array = new Int16Array(buf, offsetSamples * 2, values.length);
  array.set(values);
  return { array, bytes, start: offsetSamples * 2, byteLength: values.length * 2 };
}

function placeUint8(values: number[] | number, offset: number): Placed<Uint8Array> {
  const length = typeof values === 'number' ? values : values.length;
  const buf = new ArrayBuffer(offset + length + 5);
  const bytes = new Uint8Array(buf).fill(SENTINEL);
  const array = new Uint8Array(buf, offset, length);
  if (typeof values !== 'number') array.set(values);
  return { array, bytes, start: offset, byteLength: length };
}

/** Bytes of the backing buffer outside [start, start + written) must still be sentinels. */
function untouchedOutside(p: Placed<unknown>, writtenBytes: number): boolean {
  for (let i = 0; i < p.bytes.length; i++) {
    if ((i < p.start || i >= p.start + writtenBytes) && p.bytes[i] !== SENTINEL) return false;
  }
  return true;
}

const samples = fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 300, size: 'max' });
const codes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300, size: 'max' });
const offset = fc.integer({ min: 0, max: 7 });
const cut = fc.double({ min: 0, max: 1, noNaN: true });

type Encoder = (src: Int16Array, dst: Uint8Array, n?: number) => number;
type Decoder = (src: Uint8Array, dst: Int16Array, n?: number) => number;
type Transcoder = (src: Uint8Array, dst: Uint8Array, n?: number) => number;

describe('bulk functions equal the single-sample functions on random frames', () => {
  const encoders: [string, Encoder, (s: number) => number][] = [
    ['ulawEncode', ulawEncode, linearToUlaw],
    ['alawEncode', alawEncode, linearToAlaw],
  ];
  for (const [name, bulk, one] of encoders) {
    it(`${name}: any alignment, any n, all paths; nothing outside dst[0, n) is written`, () => {
      fc.assert(
        fc.property(samples, offset, offset, cut, (values, so, dofs, fraction) => {
          const src = placeInt16(values, so);
          const dst = placeUint8(values.length, dofs);
          const n = Math.floor(values.length * fraction);
          for (let pass = 0; pass < 3; pass++) {
            dst.array.fill(0);
            expect(bulk(src.array, dst.array, n)).toBe(n);
            for (let i = 0; i < n; i++) if (dst.array[i] !== one(values[i])) return false;
            for (let i = n; i < values.length; i++) if (dst.array[i] !== 0) return false;
            if (!untouchedOutside(dst, values.length)) return false;
          }
          return true;
        }),
        { numRuns: 200 },
      );
    });

    it(`${name}: in place, the codes land in the first bytes of the samples' own memory`, () => {
      fc.assert(
        fc.property(samples, offset, (values, so) => {
          const want = values.map(one);
          const src = placeInt16(values, so);
          const dst = new Uint8Array(src.array.buffer, src.array.byteOffset, values.length);
          for (let pass = 0; pass < 3; pass++) {
            src.array.set(values);
            bulk(src.array, dst);
            for (let i = 0; i < values.length; i++) if (dst[i] !== want[i]) return false;
          }
          return true;
        }),
        { numRuns: 100 },
      );
    });
  }

  const decoders: [string, Decoder, (c: number) => number][] = [
    ['ulawDecode', ulawDecode, ulawToLinear],
    ['alawDecode', alawDecode, alawToLinear],
  ];
  for (const [name, bulk, one] of decoders) {
    it(`${name}: any alignment, any n, all paths; nothing outside dst[0, n) is written`, () => {
      fc.assert(
        fc.property(codes, offset, offset, cut, (values, so, dofs, fraction) => {
          const src = placeUint8(values, so);
          const dst = placeInt16(new Array<number>(values.length).fill(0), dofs);
          const n = Math.floor(values.length * fraction);
          for (let pass = 0; pass < 3; pass++) {
            dst.array.fill(0);
            expect(bulk(src.array, dst.array, n)).toBe(n);
            for (let i = 0; i < n; i++) if (dst.array[i] !== one(values[i])) return false;
            for (let i = n; i < values.length; i++) if (dst.array[i] !== 0) return false;
            if (!untouchedOutside(dst, values.length * 2)) return false;
          }
          return true;
        }),
        { numRuns: 200 },
      );
    });
  }

  const transcoders: [string, Transcoder, (c: number) => number][] = [
    ['ulawToAlaw', ulawToAlaw, ulawCodeToAlaw],
    ['alawToUlaw', alawToUlaw, alawCodeToUlaw],
  ];
  for (const [name, bulk, one] of transcoders) {
    it(`${name}: any alignment, any n, all paths, also in place`, () => {
      fc.assert(
        fc.property(codes, offset, offset, cut, (values, so, dofs, fraction) => {
          const src = placeUint8(values, so);
          const dst = placeUint8(values.length, dofs);
          const n = Math.floor(values.length * fraction);
          for (let pass = 0; pass < 3; pass++) {
            dst.array.fill(0);
            expect(bulk(src.array, dst.array, n)).toBe(n);
            for (let i = 0; i < n; i++) if (dst.array[i] !== one(values[i])) return false;
            for (let i = n; i < values.length; i++) if (dst.array[i] !== 0) return false;
            if (!untouchedOutside(dst, values.length)) return false;
          }
          for (let pass = 0; pass < 3; pass++) {
            src.array.set(values);
            bulk(src.array, src.array);
            for (let i = 0; i < values.length; i++) if (src.array[i] !== one(values[i])) return false;
          }
          return true;
        }),
        { numRuns: 200 },
      );
    });
  }
});
