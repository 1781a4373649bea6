// Properties of serial arithmetic and extended sequence numbers (RFC 1982, RFC 3550 §A.1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SequenceTracker, extendSeq, seqAdd, seqDiff, seqLess, tsAdd, tsDiff } from './seq.ts';

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('serial arithmetic properties (RFC 1982)', () => {
  it('seqAdd(b, seqDiff(a, b)) === a and seqDiff is antisymmetric away from the half-range point', () => {
    fc.assert(
      fc.property(u16, u16, (a, b) => {
        expect(seqAdd(b, seqDiff(a, b))).toBe(a);
        const d = seqDiff(a, b);
        expect(d).toBeGreaterThanOrEqual(-0x8000);
        expect(d).toBeLessThan(0x8000);
        if (d !== -0x8000) expect(seqDiff(b, a) === -d).toBe(true);
      }),
    );
  });

  it('a number is less than every successor within half the space', () => {
    fc.assert(
      fc.property(u16, fc.integer({ min: 1, max: 0x7fff }), (a, n) => {
        expect(seqLess(a, seqAdd(a, n))).toBe(true);
        expect(seqLess(seqAdd(a, n), a)).toBe(false);
      }),
    );
  });

  it('tsAdd(b, tsDiff(a, b)) === a for 32-bit timestamps', () => {
    fc.assert(fc.property(u32, u32, (a, b) => {
        expect(tsAdd(b, tsDiff(a, b))).toBe(a);
      }));
  });

  it('extendSeq recovers an extended number within 2^15 of the reference', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x8000, max: 2 ** 40 }), fc.integer({ min: -0x7fff, max: 0x7fff }), (ref, d) => {
        expect(extendSeq(ref, (ref + d) & 0xffff)).toBe(ref + d);
      }),
    );
  });
});

describe('SequenceTracker properties (RFC 3550 §A.1, §A.3)', () => {
  it('with in-order packets and gaps below MAX_DROPOUT, the extended max and loss are exact', () => {
    fc.assert(
      fc.property(u16, fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 3000 }), (start, steps) => {
        const t = new SequenceTracker({ minSequential: 1 });
        let ext = start;
        t.update(start);
        for (const s of steps) {
          ext += s;
          expect(t.update(ext & 0xffff)).toBe(true);
        }
        expect(t.extendedMax).toBe(ext);
        expect(t.received).toBe(steps.length + 1);
        expect(t.expected - t.received).toBe(ext - start + 1 - (steps.length + 1));
      }),
      { numRuns: 100 },
    );
  });
});
