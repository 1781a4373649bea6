// Model test of nonce-count replay protection: no (nonce, nc) is ever accepted twice, memory stays bounded (RFC 7616 §5.5).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonceCountTracker } from './replay.ts';

describe('NonceCountTracker model (RFC 7616 §5.5)', () => {
  it('never accepts a (nonce, nc) twice, stays within maxNonces, and accepts first uses that are new and in the window', () => {
    const op = fc.record({ nonce: fc.integer({ min: 0, max: 7 }), nc: fc.integer({ min: 1, max: 80 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 32 }), (ops, maxNonces, window) => {
        const t = new NonceCountTracker({ maxNonces, window });
        const accepted = new Set<string>();
        const highest = new Map<number, number>();
        let everEvicted = false;
        for (const { nonce, nc } of ops) {
          // Nonce k was issued at time k: later nonces are newer.
          const verdict = t.accept(`n${nonce}`, nonce, nc);
          const key = `${nonce}:${nc}`;
          if (verdict === 'fresh') {
            expect(accepted.has(key)).toBe(false);
            accepted.add(key);
            highest.set(nonce, Math.max(highest.get(nonce) ?? 0, nc));
          } else if (!everEvicted && verdict === 'replay') {
            // Without evictions a refusal must be justified: seen before, or too far below the highest.
            const h = highest.get(nonce) ?? 0;
            expect(accepted.has(key) || h - nc >= window).toBe(true);
          }
          if (!everEvicted) expect(verdict).not.toBe('forgotten');
          expect(t.size).toBeLessThanOrEqual(maxNonces);
          everEvicted = t.evictions > 0;
        }
      }),
      { numRuns: 300 },
    );
  });
});
