// Properties of the jitter buffer under simulated networks: sequence order, no replays, bounded depth, lossless in-order delivery (RFC 3550 §5.1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JitterBuffer, type JitterBufferOptions, type JitterPushResult } from './jitter.ts';
import { writeRtpHeader } from './packet.ts';

interface Arrival {
  at: number;
  /** Index of the packet in send order. */
  i: number;
}

interface Output {
  kind: 'frame' | 'lost' | 'empty';
  ext: number;
  i: number;
  depthAfter: number;
  playing: boolean;
}

/** Drives a buffer with arrivals and a 20 ms pop tick at `phase`; the payload carries the packet index. */
function simulate(options: JitterBufferOptions, startSeq: number, arrivals: Arrival[], phase: number) {
  const b = new JitterBuffer(options);
  const buf = Buffer.alloc(12 + 160);
  const sorted = [...arrivals].sort((x, y) => x.at - y.at);
  const lastAt = sorted.length ? sorted[sorted.length - 1].at : 0;
  const results: Record<JitterPushResult, number> = { stored: 0, late: 0, duplicate: 0, invalid: 0, 'too-large': 0, jump: 0, reset: 0 };
  const outputs: Output[] = [];
  let k = 0;
  for (let tick = phase; tick < lastAt + 2000; tick += 20) {
    for (; k < sorted.length && sorted[k].at < tick; k++) {
      const { i, at } = sorted[k];
      writeRtpHeader(buf, 0, 0, (startSeq + i) & 0xffff, (i * 160) >>> 0, 1, false);
      buf.writeUInt16BE(i, 12);
      results[b.push(buf, buf.length, at)]++;
    }
    const f = b.pop(tick);
    outputs.push({
      kind: f.kind,
      ext: f.extSeq,
      i: f.kind === 'frame' ? (f.data[0] << 8) | f.data[1] : -1,
      depthAfter: b.depth,
      playing: b.isPlaying,
    });
    expect(b.targetDepth).toBeGreaterThanOrEqual(options.minDepth ?? 2);
    expect(b.targetDepth).toBeLessThanOrEqual(options.maxDepth ?? 12);
  }
  return { b, results, outputs };
}

const arbOptions = fc
  .record({
    minDepth: fc.integer({ min: 1, max: 4 }),
    extraInitial: fc.integer({ min: 0, max: 3 }),
    extraMax: fc.integer({ min: 2, max: 8 }),
    shrinkWindow: fc.integer({ min: 3, max: 60 }),
    jitterFactor: fc.constantFrom(1, 2, 3),
  })
  .map((o) => ({
    minDepth: o.minDepth,
    initialDepth: o.minDepth + o.extraInitial,
    maxDepth: o.minDepth + o.extraInitial + o.extraMax,
    shrinkWindow: o.shrinkWindow,
    jitterFactor: o.jitterFactor,
  }));

describe('jitter buffer properties', () => {
  it('outputs in sequence order, never replays or goes back, stays within maxDepth, and accounts for every packet (loss, duplicates, reordering)', () => {
    fc.assert(
      fc.property(
        arbOptions,
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 200 }), u: fc.double({ min: 0, max: 1, noNaN: true }), dup: fc.integer({ min: 0, max: 9 }) }), {
          minLength: 1,
          maxLength: 250,
        }),
        fc.double({ min: 0.5, max: 19.5, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (options, startSeq, net, phase, lossRate) => {
          const arrivals: Arrival[] = [];
          net.forEach((n, i) => {
            if (n.u < lossRate) return;
            arrivals.push({ at: i * 20 + n.delay, i });
            if (n.dup === 0) arrivals.push({ at: i * 20 + n.delay + 7, i });
          });
          const { b, results, outputs } = simulate(options, startSeq, arrivals, phase);
          let prevExt = -Infinity;
          const seen = new Set<number>();
          for (const o of outputs) {
            if (o.kind === 'empty') continue;
            // Strictly increasing sequence: in order, never older than something already output.
            expect(o.ext).toBeGreaterThan(prevExt);
            prevExt = o.ext;
            if (o.kind === 'frame') {
              expect(seen.has(o.i)).toBe(false);
              seen.add(o.i);
              expect((startSeq + o.i + 0x10000) & 0xffff).toBe(o.ext & 0xffff);
            }
            expect(o.depthAfter).toBeLessThanOrEqual(options.maxDepth);
          }
          expect(results.invalid + results.jump + results.reset).toBe(0);
          // Every stored packet was played or deliberately dropped; nothing is left after draining.
          expect(b.stats.played + b.stats.overflowDropped + b.stats.shrinkDropped).toBe(results.stored);
          expect(b.stats.played).toBe(seen.size);
          expect(b.stats.received).toBe(arrivals.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('with no reordering and no loss, and jitter within (minDepth − 1) frames, plays every packet once with nothing concealed', () => {
    // Prefilling exactly minDepth: a deeper prefill is deliberately shrunk by dropping frames (counted as shrinkDropped).
    fc.assert(
      fc.property(
        arbOptions.map((o) => ({ ...o, initialDepth: o.minDepth })),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.5, max: 19.5, noNaN: true }),
        (options, startSeq, baseDelay, jitter, phase) => {
          const maxJ = (options.minDepth - 1) * 20;
          const arrivals: Arrival[] = [];
          let last = -Infinity;
          jitter.forEach((u, i) => {
            // In order: never before the previous packet.
            last = Math.max(last, i * 20 + baseDelay + u * maxJ);
            arrivals.push({ at: last, i });
          });
          const { b, outputs } = simulate(options, startSeq, arrivals, phase);
          const played = outputs.filter((o) => o.kind === 'frame').map((o) => o.i);
          expect(played).toEqual(jitter.map((_, i) => i));
          expect(b.stats.lost + b.stats.late + b.stats.overflowDropped + b.stats.shrinkDropped + b.stats.skipped).toBe(0);
          // Between the first and the last frame, every tick played a frame.
          const first = outputs.findIndex((o) => o.kind === 'frame');
          const lastIdx = outputs.map((o) => o.kind).lastIndexOf('frame');
          expect(outputs.slice(first, lastIdx + 1).every((o) => o.kind === 'frame')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
