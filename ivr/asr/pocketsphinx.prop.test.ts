// Properties of the pocketsphinx output parser and the channel chunk planner: rendered utterances parse back to their segments; arbitrary text never throws; chunks are ordered, bounded, and cover every loud frame.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planChunks } from './call-transcript.ts';
import { parseContinuousOutput } from './pocketsphinx.ts';

const word = fc.stringMatching(/^[a-z][a-z']{0,9}$/);

/** Utterances as `pocketsphinx_continuous -time yes` prints them: a hypothesis, then one line per word with times (10 ms steps). */
const utterances = fc
  .array(fc.record({ words: fc.array(word, { minLength: 1, maxLength: 6 }), gap: fc.integer({ min: 1, max: 300 }), lens: fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 6, maxLength: 6 }) }), { maxLength: 6 })
  .map((us) => {
    let t = 0;
    return us.map((u) => {
      t += u.gap;
      const timed = u.words.map((w, i) => {
        const start = t;
        t += u.lens[i];
        return { w, start, end: t - 1 };
      });
      return { hyp: u.words.join(' '), timed };
    });
  });

const secs = (centis: number): string => (centis / 100).toFixed(3);

describe('parseContinuousOutput properties', () => {
  it('rendered utterances (with fillers and pronunciation variants) parse back to one segment each', () => {
    fc.assert(
      fc.property(utterances, (us) => {
        const out = us
          .map((u) => [u.hyp, ...u.timed.map((x, i) => `${x.w}${i % 2 === 1 ? '(2)' : ''} ${secs(x.start)} ${secs(x.end)} 0.950000`), `<sil> ${secs(u.timed[u.timed.length - 1].end + 1)} ${secs(u.timed[u.timed.length - 1].end + 5)} 1.000000`].join('\n'))
          .join('\n');
        const r = parseContinuousOutput(`${out}\n`, 'utterances');
        expect(r.segments).toEqual(us.map((u) => ({ startMs: u.timed[0].start * 10, endMs: u.timed[u.timed.length - 1].end * 10, text: u.hyp })));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text, in either mode, and gives non-negative times', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('utterances' as const, 'keywords' as const), (text, kind) => {
        const r = parseContinuousOutput(text, kind);
        for (const s of r.segments) {
          expect(s.startMs).toBeGreaterThanOrEqual(0);
          expect(s.endMs).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('planChunks properties', () => {
  it('pieces are ordered, disjoint, at most maxChunk long, inside the channel, and cover every loud frame', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-Infinity), fc.integer({ min: -90, max: 0 })), { minLength: 1, maxLength: 400 }), fc.integer({ min: 20, max: 3000 }), (levels, maxChunkMs) => {
        const frame = 160;
        const total = levels.length * frame - 7;
        const chunks = planChunks(levels, frame, total, maxChunkMs, -45);
        let prevEnd = 0;
        for (const [a, b] of chunks) {
          expect(a).toBeGreaterThanOrEqual(prevEnd);
          expect(b).toBeGreaterThan(a);
          expect(b).toBeLessThanOrEqual(total);
          expect(b - a).toBeLessThanOrEqual(Math.max(1, Math.floor(maxChunkMs / 20)) * frame);
          prevEnd = b;
        }
        levels.forEach((db, f) => {
          if (db > -45 && f * frame < total) expect(chunks.some(([a, b]) => f * frame >= a && f * frame < b)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });
});
