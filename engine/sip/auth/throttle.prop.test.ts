// Model test of the auth throttle: bounded table, bans last their whole window, success clears failures (DESIGN.md §6).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthThrottle } from './throttle.ts';

type Op = { kind: 'fail' | 'success' | 'check'; source: number; dt: number };

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('fail', 'fail', 'fail', 'success', 'check'),
  source: fc.integer({ min: 0, max: 3 }),
  dt: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 80_000 })),
});

const OPTIONS = { maxFailures: 3, failureWindowMs: 30_000, banMs: 10_000, banMultiplier: 2, maxBanMs: 60_000, escalationResetMs: 200_000 };

describe('AuthThrottle model', () => {
  it('the table never exceeds maxEntries', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200, size: 'max' }), fc.integer({ min: 1, max: 6 }), (ops, maxEntries) => {
        const t = new AuthThrottle({ ...OPTIONS, maxEntries });
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          if (o.kind === 'fail') t.recordFailure(`s${o.source}`, now);
          else if (o.kind === 'success') t.recordSuccess(`s${o.source}`);
          else t.isBanned(`s${o.source}`, now);
          expect(t.size).toBeLessThanOrEqual(maxEntries);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with room for every source, a ban lasts exactly its window, escalates, and success clears failures', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
        const t = new AuthThrottle({ ...OPTIONS, maxEntries: 100 });
        // Reference model, written independently of the implementation.
        const model = new Map<number, { start: number; count: number; until: number; level: number; lastEnd: number }>();
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          const key = `s${o.source}`;
          const m = model.get(o.source) ?? { start: now, count: 0, until: 0, level: 0, lastEnd: 0 };
          const bannedInModel = m.until > now;
          expect(t.isBanned(key, now)).toBe(bannedInModel);
          if (o.kind === 'fail') {
            const v = t.recordFailure(key, now);
            if (!bannedInModel) {
              if (m.level > 0 && now - m.lastEnd >= OPTIONS.escalationResetMs) m.level = 0;
              if (now - m.start >= OPTIONS.failureWindowMs) {
                m.start = now;
                m.count = 0;
              }
              m.count++;
              if (m.count >= OPTIONS.maxFailures) {
                m.until = now + Math.min(OPTIONS.banMs * 2 ** m.level, OPTIONS.maxBanMs);
                m.lastEnd = m.until;
                m.level++;
                m.count = 0;
                m.start = now;
              }
            }
            expect(v.banned).toBe(m.until > now);
            expect(v.bannedUntil).toBe(m.until > now ? m.until : 0);
            expect(v.failures).toBe(m.count);
            model.set(o.source, m);
          } else if (o.kind === 'success') {
            t.recordSuccess(key);
            if (bannedInModel) m.count = 0;
            if (bannedInModel) model.set(o.source, m);
            else model.delete(o.source);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
