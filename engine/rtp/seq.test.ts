// Examples for serial arithmetic and RFC 3550 §A.1 source validation with extended sequence numbers.
import { describe, expect, it } from 'vitest';
import { MAX_DROPOUT, SequenceTracker, extendSeq, seqAdd, seqDiff, seqLess, tsAdd, tsDiff, tsLess } from './seq.ts';

describe('sequence and timestamp arithmetic (RFC 3550 §5.1, RFC 1982)', () => {
  it('measures distances across the 16-bit wrap', () => {
    expect(seqDiff(2, 65535)).toBe(3);
    expect(seqDiff(65535, 2)).toBe(-3);
    expect(seqDiff(0x8000, 0)).toBe(-0x8000);
    expect(seqDiff(0x7fff, 0)).toBe(0x7fff);
    expect(seqLess(65535, 0)).toBe(true);
    expect(seqLess(0, 65535)).toBe(false);
    expect(seqLess(7, 7)).toBe(false);
    expect(seqAdd(65535, 2)).toBe(1);
  });

  it('measures timestamp distances across the 32-bit wrap', () => {
    expect(tsDiff(5, 0xfffffffb)).toBe(10);
    expect(tsDiff(0xfffffffb, 5)).toBe(-10);
    expect(tsLess(0xffffff00, 0x10)).toBe(true);
    expect(tsAdd(0xffffffff, 161)).toBe(160);
  });

  it('extends a 16-bit number to the nearest extended value', () => {
    expect(extendSeq(65535, 2)).toBe(65538);
    expect(extendSeq(65538, 65535)).toBe(65535);
    expect(extendSeq(3 * 65536 + 10, 5)).toBe(3 * 65536 + 5);
  });
});

describe('SequenceTracker (RFC 3550 §A.1 update_seq)', () => {
  it('keeps a new source on probation until MIN_SEQUENTIAL packets arrive in sequence', () => {
    const t = new SequenceTracker();
    expect(t.update(100)).toBe(false);
    expect(t.expected).toBe(0);
    expect(t.update(101)).toBe(true);
    expect(t.baseSeq).toBe(101);
    expect(t.received).toBe(1);
    expect(t.expected).toBe(1);
  });

  it('restarts probation when a probation packet is out of sequence', () => {
    const t = new SequenceTracker();
    expect(t.update(100)).toBe(false);
    expect(t.update(200)).toBe(false);
    expect(t.update(201)).toBe(true);
    expect(t.baseSeq).toBe(201);
  });

  it('counts cycles when the sequence number wraps, giving the extended highest sequence number', () => {
    const t = new SequenceTracker();
    for (const s of [65533, 65534, 65535, 0, 1]) t.update(s);
    expect(t.cycles).toBe(65536);
    expect(t.maxSeq).toBe(1);
    expect(t.extendedMax).toBe(65537);
    expect(t.expected).toBe(65537 - 65534 + 1);
    expect(t.received).toBe(4);
  });

  it('counts a gap as expected-but-not-received packets (§A.3)', () => {
    const t = new SequenceTracker({ minSequential: 1 });
    for (const s of [10, 11, 14, 15]) expect(t.update(s)).toBe(true);
    expect(t.expected - t.received).toBe(2);
  });

  it('counts duplicates and reordered packets without moving the highest sequence number', () => {
    const t = new SequenceTracker({ minSequential: 1 });
    for (const s of [10, 12, 11, 12]) expect(t.update(s)).toBe(true);
    expect(t.maxSeq).toBe(12);
    expect(t.received).toBe(4);
    expect(t.expected - t.received).toBe(-1);
  });

  it('ignores a single large jump but re-initialises after two sequential packets (§A.1)', () => {
    const t = new SequenceTracker({ minSequential: 1 });
    t.update(100);
    t.update(101);
    expect(t.update(101 + MAX_DROPOUT + 5)).toBe(false);
    expect(t.received).toBe(2);
    expect(t.update(101 + MAX_DROPOUT + 6)).toBe(true);
    expect(t.restarts).toBe(1);
    expect(t.baseSeq).toBe(101 + MAX_DROPOUT + 6);
    expect(t.received).toBe(1);
    expect(t.expected).toBe(1);
  });

  it('rejects minSequential below 1 with TypeError', () => {
    expect(() => new SequenceTracker({ minSequential: 0 })).toThrow(TypeError);
  });
});
