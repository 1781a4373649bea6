// Resampler examples: tones keep frequency, amplitude and phase; the stopband and images are removed; lengths; errors (band-limited rational resampling, telephony band of ITU-T G.712).
import { describe, expect, it } from 'vitest';
import { RESAMPLER_DEFAULTS, Resampler, resample } from './resample.ts';

/** The conversions Hotline needs: TTS output down to 8 kHz, 8 kHz up to 16 kHz for speech recognition. */
const CONVERSIONS: [number, number][] = [
  [48000, 8000],
  [44100, 8000],
  [24000, 8000],
  [22050, 8000],
  [16000, 8000],
  [8000, 16000],
];

function sine(n: number, f: number, rate: number, amplitude: number, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * f * i) / rate + phase);
  return x;
}

function sineInt16(n: number, f: number, rate: number, amplitude: number): Int16Array {
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(amplitude * Math.sin((2 * Math.PI * f * i) / rate));
  return x;
}

/** Amplitude of the component at `f` (single-bin DFT, Goertzel-style) over [from, to). */
function amplitudeAt(x: ArrayLike<number>, f: number, rate: number, from: number, to: number): number {
  const w = (2 * Math.PI * f) / rate;
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += x[i] * Math.cos(w * i);
    im -= x[i] * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function rms(x: ArrayLike<number>, from: number, to: number): number {
  let e = 0;
  for (let i = from; i < to; i++) e += x[i] * x[i];
  return Math.sqrt(e / (to - from));
}

/** Frequency from the spacing of the first and last upward zero crossings in [from, to). */
function zeroCrossingFrequency(x: ArrayLike<number>, rate: number, from: number, to: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = from + 1; i < to; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const t = i - 1 + x[i - 1] / (x[i - 1] - x[i]); // linear interpolation of the crossing
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return ((count - 1) * rate) / (last - first);
}

const dB = (ratio: number): number => 20 * Math.log10(ratio);

describe('tones in the passband survive', () => {
  for (const [fin, fout] of CONVERSIONS) {
    it(`${fin} → ${fout} Hz: a 1 kHz Int16 sine keeps its frequency (zero crossings) and amplitude (Goertzel, ±0.05 dB)`, () => {
      const x = sineInt16(fin, 1000, fin, 16000); // 1 s
      const y = resample(x, fin, fout);
      expect(y).toBeInstanceOf(Int16Array);
      const skip = fout / 10;
      expect(zeroCrossingFrequency(y, fout, skip, y.length - skip)).toBeCloseTo(1000, 1);
      const gain = amplitudeAt(y, 1000, fout, skip, y.length - skip) / 16000;
      expect(Math.abs(dB(gain))).toBeLessThan(0.05);
    });
  }

  it('48 → 8 kHz: the passband 100…3400 Hz is flat within ±0.01 dB (Float32)', () => {
    const worst = { f: 0, dev: 0 };
    for (let f = 100; f <= 3400; f += 100) {
      const y = resample(sine(24000, f, 48000, 0.5), 48000, 8000);
      const dev = Math.abs(dB(amplitudeAt(y, f, 8000, 400, y.length - 400) / 0.5));
      if (dev > worst.dev) Object.assign(worst, { f, dev });
    }
    expect(worst.dev).toBeLessThan(0.01);
  });

  it('keeps the phase: output k matches the continuous tone at time k / outputRate (no group delay)', () => {
    for (const [fin, fout] of [[44100, 8000], [8000, 16000]] as const) {
      const x = sine(fin, 700, fin, 0.5, 0.3);
      const y = resample(x, fin, fout);
      let worst = 0;
      for (let k = fout / 10; k < y.length - fout / 10; k++) {
        worst = Math.max(worst, Math.abs(y[k] - 0.5 * Math.sin((2 * Math.PI * 700 * k) / fout + 0.3)));
      }
      expect(worst).toBeLessThan(1e-3);
    }
  });
});

describe('stopband and images are removed (≥ 40 dB required; the design gives ~70 dB)', () => {
  for (const [fin, fout] of CONVERSIONS.filter(([a, b]) => a > b)) {
    it(`${fin} → ${fout} Hz: tones at and above the 4 kHz Nyquist are attenuated by ≥ 65 dB`, () => {
      for (const f of [4000, 4100, 4500, 5000, 6000, 7000, (fin / 2) * 0.95].filter((v) => v < fin / 2)) {
        const y = resample(sine(fin / 2, f, fin, 0.5), fin, fout);
        const attenuation = -dB(rms(y, 400, y.length - 400) / (0.5 / Math.SQRT2));
        expect(attenuation, `${f} Hz`).toBeGreaterThanOrEqual(65);
      }
    });
  }

  it('8 → 16 kHz: the image of every passband tone (8000 − f) is ≥ 65 dB below the tone', () => {
    for (let f = 100; f <= 3400; f += 300) {
      const y = resample(sine(8000, f, 8000, 0.5), 8000, 16000);
      const image = amplitudeAt(y, 8000 - f, 16000, 1600, y.length - 1600);
      expect(-dB(image / 0.5), `${f} Hz`).toBeGreaterThanOrEqual(65);
    }
  });
});

describe('lengths, streaming and types', () => {
  it('one-shot output has ⌈n · out / in⌉ samples', () => {
    for (const [fin, fout] of CONVERSIONS) {
      for (const n of [0, 1, 2, 5, 159, 160, 441, 1000, 4801]) {
        expect(resample(new Int16Array(n), fin, fout).length).toBe(Math.ceil((n * fout) / fin));
      }
    }
  });

  it('streams in 20 ms chunks to exactly the one-shot result, and is reusable after flush', () => {
    const fin = 22050;
    const x = sineInt16(fin, 440, fin, 12000);
    const oneShot = resample(x, fin, 8000);
    const r = new Resampler(fin, 8000);
    const chunk = 441; // 20 ms
    const out = new Int16Array(r.maxOutputLength(chunk));
    for (let round = 0; round < 2; round++) {
      const got: number[] = [];
      for (let i = 0; i < x.length; i += chunk) {
        const piece = x.subarray(i, Math.min(i + chunk, x.length));
        const n = r.process(piece, out);
        expect(n).toBeLessThanOrEqual(r.maxOutputLength(piece.length));
        got.push(...out.subarray(0, n));
      }
      const tail = new Int16Array(64);
      got.push(...tail.subarray(0, r.flush(tail)));
      expect(got.length).toBe(oneShot.length);
      expect(Int16Array.from(got)).toEqual(oneShot);
    }
  });

  it('has `latency` samples of look-ahead: output 0 (input time 0) comes out with input sample number `latency`', () => {
    const r = new Resampler(48000, 8000);
    expect(r.latency).toBeGreaterThan(100);
    const out = new Float32Array(r.maxOutputLength(r.latency));
    expect(r.process(new Float32Array(r.latency), out)).toBe(0);
    expect(r.process(new Float32Array(1), out)).toBe(1);
    expect(r.process(new Float32Array(5), out)).toBe(0); // the next output sits at input time 6
    expect(r.process(new Float32Array(1), out)).toBe(1);
  });

  it('converts between Int16 and Float32 scales (value / 32768) and clamps Int16 overshoot', () => {
    const x = sine(4800, 1000, 48000, 0.25);
    const asInt = new Int16Array(new Resampler(48000, 8000).maxOutputLength(x.length));
    const r = new Resampler(48000, 8000);
    const n = r.process(x, asInt);
    const f = resample(x, 48000, 8000);
    for (let i = 0; i < n; i++) expect(Math.abs(asInt[i] - f[i] * 32768)).toBeLessThanOrEqual(0.5);
    // A full-scale square wave overshoots (Gibbs): Int16 output must saturate, not wrap around.
    const square = new Int16Array(48000);
    for (let i = 0; i < square.length; i++) square[i] = Math.floor(i / 120) % 2 === 0 ? 32767 : -32768;
    const y = resample(square, 48000, 8000);
    for (let k = 100; k < y.length - 100; k++) {
      const phase = ((k * 6) % 240) / 240; // position within the input period
      if (phase > 0.2 && phase < 0.3) expect(y[k]).toBeGreaterThan(20000);
      if (phase > 0.7 && phase < 0.8) expect(y[k]).toBeLessThan(-20000);
    }
  });

  it('equal rates copy (with scale conversion) and flush nothing', () => {
    const x = new Int16Array([1, -2, 32767, -32768]);
    expect(resample(x, 8000, 8000)).toEqual(x);
    const r = new Resampler(8000, 8000);
    const out = new Float32Array(4);
    expect(r.process(x, out)).toBe(4);
    expect(Array.from(out)).toEqual([1 / 32768, -2 / 32768, 32767 / 32768, -1]);
    expect(r.flush(out)).toBe(0);
  });

  it('throws RangeError on bad rates, options, counts and short outputs', () => {
    expect(() => new Resampler(0, 8000)).toThrow(RangeError);
    expect(() => new Resampler(8000.5, 8000)).toThrow(RangeError);
    expect(() => new Resampler(8000, 16000, { passband: 1 })).toThrow(RangeError);
    expect(() => new Resampler(8000, 16000, { stopbandDb: 10 })).toThrow(RangeError);
    expect(() => new Resampler(8000, 999_983)).toThrow(RangeError); // 999983 is prime: L would be 999983
    const r = new Resampler(48000, 8000);
    expect(() => r.process(new Int16Array(960), new Int16Array(160))).toThrow(RangeError); // needs 161
    expect(() => r.process(new Int16Array(960), new Int16Array(161), 961)).toThrow(RangeError);
    expect(r.process(new Int16Array(960), new Int16Array(161))).toBeGreaterThan(0);
  });

  it('exposes its defaults frozen', () => {
    expect(Object.isFrozen(RESAMPLER_DEFAULTS)).toBe(true);
    expect(RESAMPLER_DEFAULTS).toEqual({ passband: 0.85, stopbandDb: 70 });
  });
});
