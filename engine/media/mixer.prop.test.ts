// Properties of the mixer: linearity, saturation bounds, nobody hears themselves, two parties = swap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mixer } from './mixer.ts';

const N = 16; // short frames keep the properties fast; the code does not depend on the length
const sample = fc.integer({ min: -32768, max: 32767 });
const frameOf = (s: fc.Arbitrary<number>): fc.Arbitrary<Int16Array> =>
  fc.array(s, { minLength: N, maxLength: N }).map((a) => Int16Array.from(a));
const clamp = (v: number): number => Math.max(-32768, Math.min(32767, v));

function mixAll(frames: Int16Array[]): Int16Array[] {
  const m = new Mixer({ frameSamples: N });
  const parties = frames.map(() => m.add());
  parties.forEach((p, i) => p.write(frames[i]));
  m.mix();
  return parties.map((p) => Int16Array.from(p.output));
}

describe('Mixer properties', () => {
  it('everyone-but-self with saturation: out_i = clamp(Σ_{j≠i} in_j), always inside 16 bits', () => {
    fc.assert(
      fc.property(fc.array(frameOf(sample), { minLength: 1, maxLength: 8 }), (frames) => {
        const outs = mixAll(frames);
        const expected = frames.map((_, i) =>
          Array.from({ length: N }, (_, s) => clamp(frames.reduce((acc, f, j) => (j === i ? acc : acc + f[s]), 0))),
        );
        expect(outs.map((o) => Array.from(o))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('is linear without saturation: mix(a + b) = mix(a) + mix(b)', () => {
    const small = fc.integer({ min: -2000, max: 2000 });
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }).chain((n) => fc.tuple(fc.array(frameOf(small), { minLength: n, maxLength: n }), fc.array(frameOf(small), { minLength: n, maxLength: n }))), ([a, b]) => {
        const sum = a.map((f, i) => f.map((v, s) => v + b[i][s]));
        const [ma, mb, msum] = [mixAll(a), mixAll(b), mixAll(sum)];
        expect(msum.map((o) => Array.from(o))).toEqual(ma.map((o, i) => Array.from(o, (v, s) => v + mb[i][s])));
      }),
      { numRuns: 200 },
    );
  });

  it('a party never hears itself, whatever its mode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.nat(), frameOf(sample), fc.constantFrom('public', 'listen', 'whisper'), (n, pick, own, mode) => {
        const m = new Mixer({ frameSamples: N });
        const parties = Array.from({ length: n }, () => m.add());
        const me = parties[pick % n];
        if (mode === 'listen') me.listenOnly = true;
        if (mode === 'whisper' && n > 1) me.whisperTo = parties[(pick + 1) % n];
        me.write(own);
        m.mix();
        expect(Array.from(me.output)).toEqual(new Array(N).fill(0));
      }),
      { numRuns: 300 },
    );
  });

  it('two parties: each hears exactly the other (a swap)', () => {
    fc.assert(
      fc.property(frameOf(sample), frameOf(sample), (a, b) => {
        const [oa, ob] = mixAll([a, b]);
        expect(oa).toEqual(b);
        expect(ob).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('repeated mixes with parties joining and leaving match a fresh mix of the current parties', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(), frameOf(sample)), { minLength: 1, maxLength: 30 }), (steps) => {
        const m = new Mixer({ frameSamples: N });
        for (const [join, pick, f] of steps) {
          if (join || m.parties.length === 0) m.add();
          else m.remove(m.parties[pick % m.parties.length]);
          const frames = m.parties.map((_, i) => f.map((v) => (v + i * 997) % 32768));
          m.parties.forEach((p, i) => p.write(frames[i]));
          m.mix();
          const fresh = mixAll(frames);
          m.parties.forEach((p, i) => expect(p.output).toEqual(fresh[i]));
        }
      }),
      { numRuns: 100 },
    );
  });
});
