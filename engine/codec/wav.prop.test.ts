// Properties of WAV write/read/repair: round trip, every cut repairs to a prefix, garbage gives only WavError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WavError, readWav, repairWavBuffer, wavHeader, writeWav } from './wav.ts';

const audioArb = fc
  .record({
    sampleRate: fc.integer({ min: 1, max: 192000 }),
    channels: fc.integer({ min: 1, max: 8 }),
    frames: fc.integer({ min: 0, max: 200 }),
  })
  .chain((s) =>
    fc.record({
      sampleRate: fc.constant(s.sampleRate),
      channels: fc.constant(s.channels),
      data: fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: s.frames * s.channels, maxLength: s.frames * s.channels }).map((a) => Int16Array.from(a)),
    }),
  );

function onlyWavError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof WavError)) throw err;
  }
}

describe('WAV properties', () => {
  it('readWav(writeWav(a)) ≡ a for any rate, channel count and samples', () => {
    fc.assert(
      fc.property(audioArb, (a) => {
        const r = readWav(writeWav(a));
        expect([r.sampleRate, r.channels, r.frames]).toEqual([a.sampleRate, a.channels, a.data.length / a.channels]);
        expect(r.data).toEqual(a.data);
      }),
      { numRuns: 200 },
    );
  });

  it('a file cut anywhere after its header repairs to the longest whole-frame prefix', () => {
    fc.assert(
      fc.property(audioArb, fc.nat(), fc.boolean(), (a, at, staleHeader) => {
        const whole = writeWav(a);
        const cut = Buffer.from(whole.subarray(0, 44 + (at % (whole.length - 43))));
        // A streaming writer that crashed before its first header refresh left sizes of 0.
        if (staleHeader) wavHeader({ sampleRate: a.sampleRate, channels: a.channels, format: 'pcm' }, 0).copy(cut);
        const r = repairWavBuffer(cut);
        const frames = Math.floor((cut.length - 44) / (2 * a.channels));
        expect(r.frames).toBe(frames);
        const read = readWav(cut.subarray(0, r.length));
        expect(read.data).toEqual(a.data.subarray(0, frames * a.channels));
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes and mutated files never throw anything but WavError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => onlyWavError(() => readWav(b))), { numRuns: 500 });
    const base = writeWav({ sampleRate: 8000, channels: 1, data: new Int16Array(16) });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const b = Buffer.from(base);
        for (const [i, v] of edits) b[i] = v;
        onlyWavError(() => readWav(b));
        onlyWavError(() => repairWavBuffer(b));
      }),
      { numRuns: 500 },
    );
  });
});
