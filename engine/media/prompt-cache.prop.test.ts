// Properties of the prompt cache: bounded by bytes with exact accounting (LRU), and frames that decode back to the prompt within G.711 quantization (ITU-T G.711, RFC 3551 §4.5.14).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alawToLinear, ulawToLinear } from '../codec/g711.ts';
import { PROMPT_CACHE_DEFAULTS, PromptCache, encodePrompt } from './prompt-cache.ts';

function tone(samples: number, hz = 440, amp = 8000): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

describe('PromptCache properties', () => {
  it('never holds more than maxBytes, and holds exactly the bytes of its entries (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.integer({ min: 1, max: 2000 }), fc.boolean()), { maxLength: 40 }),
        fc.integer({ min: 320, max: 8000 }),
        (ops, maxBytes) => {
          const cache = new PromptCache({ maxBytes });
          const sizes = new Map<string, number>();
          for (const [key, samples, isGet] of ops) {
            if (isGet) cache.get(key);
            else {
              const p = cache.getOrEncode(key, () => tone(samples));
              sizes.set(key, p.byteLength);
            }
            let held = 0;
            for (const [k, n] of sizes) if (cache.has(k)) held += n;
            expect(cache.stats.bytes).toBe(held);
            expect(held).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('every frame decodes back to its PCM within the G.711 step size, and padding is silence', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 700 }), (samples) => {
        const pcm = Int16Array.from(samples);
        const p = encodePrompt('k', pcm);
        expect(p.frames).toBe(Math.ceil(pcm.length / 160));
        for (let i = 0; i < p.frames * 160; i++) {
          const x = i < pcm.length ? pcm[i] : 0;
          // G.711 segments: the quantization step grows with the magnitude, at most 1/16 of it (plus the smallest step).
          const tol = Math.abs(x) / 16 + 16;
          expect(Math.abs(ulawToLinear(p.pcmu[i]) - x)).toBeLessThanOrEqual(tol + 132);
          expect(Math.abs(alawToLinear(p.pcma[i]) - x)).toBeLessThanOrEqual(tol + 16);
        }
      }),
      { numRuns: 100 },
    );
    expect(PROMPT_CACHE_DEFAULTS.maxBytes).toBe(64 * 1024 * 1024);
  });
});
