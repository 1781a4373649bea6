// Properties of the RTP port allocator: no pair handed out twice while in use or quarantined; even ports in range (RFC 3550 §11).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeScheduler } from '../util/scheduler.ts';
import { PortAllocator, PortExhaustedError } from './ports.ts';

type Op = { kind: 'allocate' } | { kind: 'release'; pick: number } | { kind: 'wait'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'allocate' as const }), weight: 4 },
  { arbitrary: fc.nat().map((pick) => ({ kind: 'release' as const, pick })), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 3000 }).map((ms) => ({ kind: 'wait' as const, ms })), weight: 2 },
);

describe('PortAllocator properties', () => {
  it('never hands out a port in use or in quarantine; ports are even, RTCP = RTP + 1, inside the range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1024, max: 60000 }),
        fc.integer({ min: 3, max: 40 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(opArb, { maxLength: 200 }),
        (min, span, quarantineMs, ops) => {
          const clock = new FakeScheduler();
          const max = min + span;
          const a = new PortAllocator({ min, max, quarantineMs, clock });
          const inUse = new Set<number>();
          const releasedAt = new Map<number, number>();
          for (const op of ops) {
            if (op.kind === 'wait') clock.advance(op.ms);
            else if (op.kind === 'release') {
              const list = [...inUse];
              if (list.length === 0) continue;
              const port = list[op.pick % list.length];
              expect(a.release(port)).toBe(true);
              inUse.delete(port);
              releasedAt.set(port, clock.now());
            } else {
              // The model: free pairs are those never handed out or out of quarantine.
              const free = [];
              for (let p = min + (min & 1); p + 1 <= max; p += 2) {
                const r = releasedAt.get(p);
                if (!inUse.has(p) && (r === undefined || clock.now() - r >= quarantineMs)) free.push(p);
              }
              let got;
              try {
                got = a.allocate();
              } catch (err) {
                expect(err).toBeInstanceOf(PortExhaustedError);
                expect(free).toEqual([]);
                continue;
              }
              expect(free).toContain(got.rtp);
              expect(got.rtp % 2).toBe(0);
              expect(got.rtcp).toBe(got.rtp + 1);
              expect(got.rtp).toBeGreaterThanOrEqual(min);
              expect(got.rtcp).toBeLessThanOrEqual(max);
              inUse.add(got.rtp);
            }
            expect(a.inUse).toBe(inUse.size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
