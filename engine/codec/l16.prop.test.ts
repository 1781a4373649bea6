// L16 properties: big-endian round trip and in-place byte swapping (RFC 3551 §4.5.11).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { l16Decode, l16Encode } from './l16.ts';

const samples = fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 200, size: 'max' });

describe('L16 (RFC 3551 §4.5.11)', () => {
  it('decode(encode(x)) = x, and the bytes agree with DataView big-endian writes', () => {
    fc.assert(
      fc.property(samples, (values) => {
        const src = Int16Array.from(values);
        const bytes = new Uint8Array(values.length * 2);
        l16Encode(src, bytes);
        const view = new DataView(bytes.buffer);
        for (let i = 0; i < values.length; i++) if (view.getInt16(2 * i, false) !== values[i]) return false;
        const back = new Int16Array(values.length);
        expect(l16Decode(bytes, back)).toBe(values.length);
        return back.every((v, i) => v === values[i]);
      }),
      { numRuns: 200 },
    );
  });

  it('works in place: encode then decode over the same memory restores the samples', () => {
    fc.assert(
      fc.property(samples, (values) => {
        const pcm = Int16Array.from(values);
        const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
        l16Encode(pcm, bytes);
        for (let i = 0; i < values.length; i++) {
          if (((bytes[2 * i] << 24) >> 16 | bytes[2 * i + 1]) !== values[i]) return false;
        }
        l16Decode(bytes, pcm);
        return pcm.every((v, i) => v === values[i]);
      }),
      { numRuns: 200 },
    );
  });
});
