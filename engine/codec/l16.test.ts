// L16 examples: big-endian 16-bit two's-complement PCM (RFC 3551 §4.5.11).
import { describe, expect, it } from 'vitest';
import { l16Decode, l16Encode } from './l16.ts';

describe('L16 (RFC 3551 §4.5.11)', () => {
  it('writes each sample most significant byte first, two\'s complement', () => {
    const src = new Int16Array([0x0102, -2, 32767, -32768, 0]);
    const dst = new Uint8Array(10);
    expect(l16Encode(src, dst)).toBe(10);
    expect(Array.from(dst)).toEqual([0x01, 0x02, 0xff, 0xfe, 0x7f, 0xff, 0x80, 0x00, 0x00, 0x00]);
  });

  it('reads network-order words back, ignoring a trailing odd byte by default', () => {
    const src = new Uint8Array([0x01, 0x02, 0xff, 0xfe, 0x80, 0x00, 0x42]);
    const dst = new Int16Array(4).fill(7);
    expect(l16Decode(src, dst)).toBe(3);
    expect(Array.from(dst)).toEqual([0x0102, -2, -32768, 7]);
  });

  it('encodes only n samples when asked and leaves the rest of dst untouched', () => {
    const dst = new Uint8Array(6).fill(0xee);
    expect(l16Encode(new Int16Array([1, 2, 3]), dst, 2)).toBe(4);
    expect(Array.from(dst)).toEqual([0, 1, 0, 2, 0xee, 0xee]);
  });

  it('throws RangeError when the destination is too short or n is out of range', () => {
    expect(() => l16Encode(new Int16Array(4), new Uint8Array(7))).toThrow(RangeError);
    expect(() => l16Decode(new Uint8Array(8), new Int16Array(3))).toThrow(RangeError);
    expect(() => l16Decode(new Uint8Array(8), new Int16Array(8), 5)).toThrow(RangeError);
    expect(() => l16Encode(new Int16Array(4), new Uint8Array(8), -1)).toThrow(RangeError);
  });
});
