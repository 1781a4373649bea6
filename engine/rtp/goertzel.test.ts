// In-band DTMF detection on generated tones: all 16 digits in noise, twist, level, duration, gaps and non-DTMF rejection (ITU-T Q.23/Q.24).
import { describe, expect, it } from 'vitest';
import type { DigitEvent } from './digits.ts';
import { DTMF_COL_HZ, DTMF_KEYPAD, DTMF_ROW_HZ, DtmfDetector, type DtmfDetectorOptions, dbm0ToAmplitude, goertzelPower } from './goertzel.ts';

/** Deterministic PRNG for reproducible noise. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Segment {
  /** [frequency Hz, amplitude] pairs; empty = silence. */
  tones: [number, number][];
  ms: number;
}

/** Renders segments to 8 kHz PCM, with white Gaussian noise at `snrDb` below the loudest segment's power. */
function render(segments: Segment[], opts: { snrDb?: number; seed?: number; leadSamples?: number } = {}): Int16Array {
  const rnd = mulberry32(opts.seed ?? 1);
  const lead = opts.leadSamples ?? 0;
  const total = lead + segments.reduce((n, s) => n + Math.round(s.ms * 8), 0);
  const out = new Int16Array(total);
  const maxPow = Math.max(...segments.map((s) => s.tones.reduce((p, [, a]) => p + (a * a) / 2, 0)));
  const sigma = opts.snrDb === undefined ? 0 : Math.sqrt(maxPow / 10 ** (opts.snrDb / 10));
  let i = lead;
  for (const s of segments) {
    const n = Math.round(s.ms * 8);
    const phases = s.tones.map(() => rnd() * 2 * Math.PI);
    for (let k = 0; k < n; k++, i++) {
      let x = 0;
      s.tones.forEach(([f, a], j) => {
        x += a * Math.sin((2 * Math.PI * f * k) / 8000 + phases[j]);
      });
      out[i] = Math.round(x);
    }
  }
  if (sigma > 0) {
    for (let k = 0; k < total; k++) {
      const g = Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
      out[k] = Math.max(-32768, Math.min(32767, Math.round(out[k] + sigma * g)));
    }
  }
  return out;
}

/** Feeds PCM in 20 ms frames, as the media clock would, and collects digits. */
function detect(pcm: Int16Array, options: DtmfDetectorOptions = {}): DigitEvent[] {
  const got: DigitEvent[] = [];
  const d = new DtmfDetector((e) => got.push(e), options);
  for (let i = 0; i < pcm.length; i += 160) d.process(pcm.subarray(i, i + 160), i / 8);
  d.process(new Int16Array(800), pcm.length / 8); // trailing silence ends the last tone
  return got;
}

const A = dbm0ToAmplitude(-10);
const keys = DTMF_KEYPAD.flatMap((row, r) => row.map((digit, c) => ({ digit, row: DTMF_ROW_HZ[r], col: DTMF_COL_HZ[c] })));
const silence = (ms: number): Segment => ({ tones: [], ms });
const dtmf = (row: number, col: number, ms: number, colGainDb = 0, amp = A): Segment => ({
  tones: [
    [row, amp],
    [col, amp * 10 ** (colGainDb / 20)],
  ],
  ms,
});

describe('Goertzel filter', () => {
  it('measures a sine at its frequency as about (A·N/2)² and rejects a neighbouring row tone', () => {
    const pcm = render([{ tones: [[770, 10000]], ms: 12.75 }]);
    const p = goertzelPower(pcm, 770, 8000, 0, 102);
    expect(Math.sqrt(p) / 51).toBeGreaterThan(10000 * 0.97);
    expect(Math.sqrt(p) / 51).toBeLessThan(10000 * 1.03);
    expect(goertzelPower(pcm, 697, 8000, 0, 102)).toBeLessThan(p / 50);
  });
});

describe('in-band DTMF detection (ITU-T Q.24)', () => {
  for (const snrDb of [15, 20]) {
    it(`detects all 16 digits once each in white noise at ${snrDb} dB SNR, with their durations`, () => {
      const segs: Segment[] = [silence(60)];
      for (const k of keys) segs.push(dtmf(k.row, k.col, 80), silence(60));
      const got = detect(render(segs, { snrDb, seed: snrDb }));
      expect(got.map((e) => e.digit).join('')).toBe(keys.map((k) => k.digit).join(''));
      for (const e of got) {
        expect(e.source).toBe('inband');
        expect(e.durationMs).toBeGreaterThan(80 - 26);
        expect(e.durationMs).toBeLessThanOrEqual(80);
      }
      // Starts are on the caller's clock: digit k begins at 60 + 140·k ms.
      got.forEach((e, k) => expect(Math.abs(e.startMs - (60 + 140 * k))).toBeLessThan(13));
    });
  }

  it('works with 105-sample blocks as well (all digits, 15 dB SNR, 40 ms tones accepted, 20 ms rejected)', () => {
    const segs: Segment[] = [silence(60)];
    for (const k of keys) segs.push(dtmf(k.row, k.col, 40), silence(60));
    expect(detect(render(segs, { snrDb: 15, seed: 3 }), { blockSize: 105 }).map((e) => e.digit).join('')).toBe(keys.map((k) => k.digit).join(''));
    const short: Segment[] = [silence(60)];
    for (const k of keys) short.push(dtmf(k.row, k.col, 20), silence(60));
    expect(detect(render(short, { snrDb: 15, seed: 4 }), { blockSize: 105 })).toEqual([]);
  });

  it('accepts normal twist up to 8 dB (column weaker) and rejects 10 dB', () => {
    expect(detect(render([silence(20), dtmf(852, 1477, 100, -7), silence(60)])).map((e) => e.digit)).toEqual(['9']);
    expect(detect(render([silence(20), dtmf(852, 1477, 100, -10), silence(60)]))).toEqual([]);
  });

  it('accepts reverse twist up to 4 dB (row weaker) and rejects 6 dB', () => {
    expect(detect(render([silence(20), dtmf(941, 1336, 100, 3), silence(60)])).map((e) => e.digit)).toEqual(['0']);
    expect(detect(render([silence(20), dtmf(941, 1336, 100, 6), silence(60)]))).toEqual([]);
  });

  it('accepts tones at −25 dBm0 and rejects tones below the −30 dBm0 level threshold', () => {
    expect(detect(render([silence(20), dtmf(697, 1209, 100, 0, dbm0ToAmplitude(-25)), silence(60)])).map((e) => e.digit)).toEqual(['1']);
    expect(detect(render([silence(20), dtmf(697, 1209, 100, 0, dbm0ToAmplitude(-36)), silence(60)]))).toEqual([]);
  });

  it('accepts 40 ms tones at every block alignment and rejects 20 ms tones', () => {
    for (let lead = 0; lead < 102; lead += 7) {
      for (const k of [keys[0], keys[5], keys[10], keys[15]]) {
        const long = detect(render([dtmf(k.row, k.col, 40), silence(60)], { leadSamples: lead, snrDb: 20, seed: lead }));
        expect(long.map((e) => e.digit)).toEqual([k.digit]);
        const short = detect(render([dtmf(k.row, k.col, 20), silence(60)], { leadSamples: lead, snrDb: 20, seed: lead }));
        expect(short).toEqual([]);
      }
    }
  });

  it('reports two presses of the same key separated by a 40 ms pause, and bridges a 5 ms dropout', () => {
    const twice = detect(render([dtmf(770, 1336, 60), silence(40), dtmf(770, 1336, 60), silence(60)], { snrDb: 20 }));
    expect(twice.map((e) => e.digit)).toEqual(['5', '5']);
    const bridged = detect(render([dtmf(770, 1336, 60), silence(5), dtmf(770, 1336, 60), silence(60)], { snrDb: 20 }));
    expect(bridged.map((e) => e.digit)).toEqual(['5']);
  });

  it('reports back-to-back different digits without a pause as two presses', () => {
    const got = detect(render([dtmf(697, 1209, 80), dtmf(941, 1633, 80), silence(60)], { snrDb: 20 }));
    expect(got.map((e) => e.digit)).toEqual(['1', 'D']);
  });

  it('ignores single tones, chords off the grid, off-frequency pairs (±5 %), speech-like harmonics and noise', () => {
    const cases: Segment[][] = [
      ...[...DTMF_ROW_HZ, ...DTMF_COL_HZ].map((f) => [{ tones: [[f, A]], ms: 300 }] as Segment[]),
      [{ tones: [[500, A], [1100, A]], ms: 300 }],
      [{ tones: [[600, A], [1050, A]], ms: 300 }],
      [{ tones: [[1000, A], [2000, A]], ms: 300 }],
      [{ tones: [[900, A], [1400, A]], ms: 300 }],
      [{ tones: [[697 * 1.05, A], [1209 * 1.05, A]], ms: 300 }],
      [{ tones: [[852 * 0.95, A], [1477 * 0.95, A]], ms: 300 }],
    ];
    for (const f0 of [100, 116, 139, 174, 232]) {
      // A vowel: harmonics of f0 shaped by formants near 700 and 1300 Hz.
      const tones: [number, number][] = [];
      for (let h = 1; h * f0 < 3800; h++) {
        const f = h * f0;
        const w = Math.exp(-((f - 700) ** 2) / (2 * 200 ** 2)) + 0.6 * Math.exp(-((f - 1300) ** 2) / (2 * 250 ** 2)) + 0.2;
        tones.push([f, A * 0.5 * w]);
      }
      cases.push([{ tones, ms: 500 }]);
    }
    for (const c of cases) expect(detect(render(c))).toEqual([]);
    expect(detect(render([silence(1000)], { snrDb: -100 }))).toEqual([]);
  });

  it('with the optional second-harmonic check, rejects tones carrying strong harmonics and still accepts clean tones', () => {
    const h = A * 10 ** (-10 / 20);
    const distorted = render([{ tones: [[770, A], [1477, A], [1540, h], [2954, h]], ms: 120 }, silence(60)]);
    expect(detect(distorted).map((e) => e.digit)).toEqual(['6']);
    expect(detect(distorted, { harmonicCheck: true })).toEqual([]);
    expect(detect(render([dtmf(770, 1477, 120), silence(60)], { snrDb: 20 }), { harmonicCheck: true }).map((e) => e.digit)).toEqual(['6']);
  });

  it('counts too-short tones and reports a tone still sounding on flush', () => {
    const got: DigitEvent[] = [];
    const d = new DtmfDetector((e) => got.push(e));
    d.process(render([dtmf(697, 1209, 20), silence(60), dtmf(697, 1336, 200)]));
    expect(got).toEqual([]);
    expect(d.stats.tooShort).toBe(1);
    d.flush();
    expect(got.map((e) => e.digit)).toEqual(['2']);
  });
});
