// In-band DTMF detection on 8 kHz PCM with the Goertzel algorithm: level, twist, relative-peak, signal-ratio and duration checks (ITU-T Q.23/Q.24 frequencies and limits).
import type { DigitEvent, DtmfDigit } from './digits.ts';

/** Low-group (row) frequencies in Hz (ITU-T Q.23). */
export const DTMF_ROW_HZ: readonly number[] = Object.freeze([697, 770, 852, 941]);
/** High-group (column) frequencies in Hz. */
export const DTMF_COL_HZ: readonly number[] = Object.freeze([1209, 1336, 1477, 1633]);

/** The keypad: `DTMF_KEYPAD[row][col]`. */
export const DTMF_KEYPAD: readonly (readonly DtmfDigit[])[] = Object.freeze([
  Object.freeze(['1', '2', '3', 'A'] as const),
  Object.freeze(['4', '5', '6', 'B'] as const),
  Object.freeze(['7', '8', '9', 'C'] as const),
  Object.freeze(['*', '0', '#', 'D'] as const),
]);

/**
 * Peak amplitude, in 16-bit linear PCM, of a 0 dBm0 sine: G.711's overload point is +3.14 dBm0
 * (ITU-T G.711 §4), so 0 dBm0 ≈ 32768 · 10^(−3.14/20).
 */
export const DBM0_AMPLITUDE = 32768 * 10 ** (-3.14 / 20);

/** Peak amplitude of a sine at `dbm0`. */
export function dbm0ToAmplitude(dbm0: number): number {
  return DBM0_AMPLITUDE * 10 ** (dbm0 / 20);
}

/**
 * Goertzel power |X(f)|² of `samples[start, start+n)` at frequency `hz`: for a sine of amplitude
 * A at `hz` over n samples, about (A·n/2)². Reference helper; the detector runs the same
 * recurrence incrementally.
 */
export function goertzelPower(samples: ArrayLike<number>, hz: number, sampleRate = 8000, start = 0, n = samples.length - start): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + n; i++) {
    const s0 = samples[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/** Options of {@link DtmfDetector}. */
export interface DtmfDetectorOptions {
  sampleRate?: number;
  /** Samples per Goertzel block: 102 at 8 kHz ≈ 12.75 ms, bins ≈ 78 Hz wide. */
  blockSize?: number;
  /** Weakest tone accepted, per tone, in dBm0. */
  minLevelDbm0?: number;
  /** How much weaker the high (column) tone may be than the low (row) tone, dB. */
  normalTwistDb?: number;
  /** How much weaker the low (row) tone may be than the high (column) tone, dB. */
  reverseTwistDb?: number;
  /** The strongest tone of each group must exceed the others of its group by this much, dB. */
  relativePeakDb?: number;
  /** Share of the block's energy the two tones must carry (rejects speech, noise and chords off the grid). */
  minSignalRatio?: number;
  /** Also reject a block whose tones have a second harmonic within `harmonicRejectDb` of the fundamental (speech). */
  harmonicCheck?: boolean;
  harmonicRejectDb?: number;
  /** Shortest tone reported, ms (Q.24: tones of 40 ms must be accepted). */
  minDurationMs?: number;
  /** Pause that ends a tone, ms; shorter dropouts are bridged. */
  minGapMs?: number;
}

/** Frozen defaults for {@link DtmfDetectorOptions}. */
export const DTMF_DETECTOR_DEFAULTS: Readonly<Required<DtmfDetectorOptions>> = Object.freeze({
  sampleRate: 8000,
  blockSize: 102,
  minLevelDbm0: -30,
  normalTwistDb: 8,
  reverseTwistDb: 4,
  relativePeakDb: 6,
  minSignalRatio: 0.8,
  harmonicCheck: false,
  harmonicRejectDb: 12,
  minDurationMs: 40,
  minGapMs: 25,
});

/** Counters of {@link DtmfDetector}. */
export interface DtmfDetectorStats {
  blocks: number;
  /** Blocks that passed every check. */
  hits: number;
  /** Tones seen for at least one block but shorter than `minDurationMs`. */
  tooShort: number;
  digits: number;
}

/**
 * Detects DTMF key presses in a stream of 8 kHz 16-bit PCM. Feed frames of any size with
 * {@link process} (e.g. each 20 ms frame); blocks of `blockSize` samples span frame boundaries.
 * Per block, eight Goertzel filters (plus eight at the second harmonics when enabled) measure the
 * row and column tones, and the block "hits" a digit when the strongest row and column tones pass
 * the level, twist, relative-peak, signal-ratio (and harmonic) checks. A digit starts after
 * enough consecutive hits to cover `minDurationMs` and ends after `minGapMs` without it; it is
 * reported when it ends, with its duration. Allocates nothing per frame.
 */
export class DtmfDetector {
  readonly stats: DtmfDetectorStats = { blocks: 0, hits: 0, tooShort: 0, digits: 0 };
  private readonly onDigit: (e: DigitEvent) => void;
  private readonly n: number;
  private readonly msPerSample: number;
  private readonly blockMs: number;
  private readonly filters: number;
  private readonly coeff: Float64Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private readonly power: Float64Array;
  private readonly levelThreshold: number;
  private readonly normalTwist: number;
  private readonly reverseTwist: number;
  private readonly relativePeak: number;
  private readonly minSignalRatio: number;
  private readonly harmonicCheck: boolean;
  private readonly harmonicLimit: number;
  private readonly minOnBlocks: number;
  private readonly gapBlocks: number;
  private energy = 0;
  private inBlock = 0;
  /** Samples processed in total; sample i happened at timeBase + i · msPerSample. */
  private samples = 0;
  private timeBase = 0;
  // Digit tracking (key index 0..15, -1 = none).
  private cand = -1;
  private candBlocks = 0;
  private candStartMs = 0;
  private present = -1;
  private presentBlocks = 0;
  private presentStartMs = 0;
  private missBlocks = 0;

  constructor(onDigit: (e: DigitEvent) => void, options: DtmfDetectorOptions = {}) {
    const o = { ...DTMF_DETECTOR_DEFAULTS, ...options };
    if (!Number.isInteger(o.blockSize) || o.blockSize < 32) throw new TypeError('blockSize must be an integer ≥ 32');
    if (!(o.sampleRate > 0)) throw new TypeError('sampleRate must be positive');
    this.onDigit = onDigit;
    this.n = o.blockSize;
    this.msPerSample = 1000 / o.sampleRate;
    this.blockMs = this.n * this.msPerSample;
    this.harmonicCheck = o.harmonicCheck;
    this.filters = o.harmonicCheck ? 16 : 8;
    const freqs = [...DTMF_ROW_HZ, ...DTMF_COL_HZ];
    if (o.harmonicCheck) freqs.push(...freqs.map((f) => 2 * f));
    this.coeff = Float64Array.from(freqs, (f) => 2 * Math.cos((2 * Math.PI * f) / o.sampleRate));
    this.s1 = new Float64Array(this.filters);
    this.s2 = new Float64Array(this.filters);
    this.power = new Float64Array(this.filters);
    const a = dbm0ToAmplitude(o.minLevelDbm0);
    this.levelThreshold = ((a * this.n) / 2) ** 2;
    this.normalTwist = 10 ** (o.normalTwistDb / 10);
    this.reverseTwist = 10 ** (o.reverseTwistDb / 10);
    this.relativePeak = 10 ** (o.relativePeakDb / 10);
    this.minSignalRatio = o.minSignalRatio;
    this.harmonicLimit = 10 ** (-o.harmonicRejectDb / 10);
    // Hits needed: the tone's full blocks plus one partial edge block cover minDurationMs.
    this.minOnBlocks = Math.max(2, Math.floor((Math.round(o.minDurationMs / this.msPerSample) - this.n + 1) / this.n));
    this.gapBlocks = Math.max(1, Math.ceil(o.minGapMs / this.blockMs));
  }

  /**
   * Feeds PCM samples. `nowMs`, when given, is the time of `samples[0]` on the caller's clock
   * (e.g. the media clock's time of the frame); otherwise time continues from the sample count.
   */
  process(samples: Int16Array, nowMs?: number): void {
    if (nowMs !== undefined) this.timeBase = nowMs - this.samples * this.msPerSample;
    const n = this.n;
    const f = this.filters;
    const coeff = this.coeff;
    const s1 = this.s1;
    const s2 = this.s2;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i];
      this.energy += x * x;
      for (let k = 0; k < f; k++) {
        const s0 = x + coeff[k] * s1[k] - s2[k];
        s2[k] = s1[k];
        s1[k] = s0;
      }
      this.samples++;
      if (++this.inBlock === n) this.endBlock();
    }
  }

  /** Ends the stream: reports a digit still sounding if it lasted long enough. */
  flush(): void {
    if (this.present >= 0) this.finishPresent();
    this.cand = -1;
    this.candBlocks = 0;
  }

  private endBlock(): void {
    const f = this.filters;
    for (let k = 0; k < f; k++) {
      const a = this.s1[k];
      const b = this.s2[k];
      this.power[k] = a * a + b * b - this.coeff[k] * a * b;
      this.s1[k] = 0;
      this.s2[k] = 0;
    }
    const key = this.classifyBlock();
    this.energy = 0;
    this.inBlock = 0;
    this.stats.blocks++;
    if (key >= 0) this.stats.hits++;
    this.track(key, this.timeBase + (this.samples - this.n) * this.msPerSample);
  }

  /** The key (row·4 + col) this block's tones show, or -1. */
  private classifyBlock(): number {
    const p = this.power;
    let r = 0;
    for (let i = 1; i < 4; i++) if (p[i] > p[r]) r = i;
    let c = 4;
    for (let i = 5; i < 8; i++) if (p[i] > p[c]) c = i;
    const rowP = p[r];
    const colP = p[c];
    // Level of each tone.
    if (rowP < this.levelThreshold || colP < this.levelThreshold) return -1;
    // Twist: normal (column weaker) and reverse (row weaker) limits.
    if (colP > rowP) {
      if (colP > rowP * this.reverseTwist) return -1;
    } else if (rowP > colP * this.normalTwist) return -1;
    // Relative peak within each group.
    for (let i = 0; i < 4; i++) if (i !== r && p[i] * this.relativePeak > rowP) return -1;
    for (let i = 4; i < 8; i++) if (i !== c && p[i] * this.relativePeak > colP) return -1;
    // The two tones must carry most of the block's energy: a sine's share is 2·P/(N·E).
    if (((rowP + colP) * 2) / this.n < this.minSignalRatio * this.energy) return -1;
    if (this.harmonicCheck && (p[r + 8] > rowP * this.harmonicLimit || p[c + 8] > colP * this.harmonicLimit)) return -1;
    return r * 4 + (c - 4);
  }

  private track(key: number, blockStartMs: number): void {
    // Candidate run of identical hits.
    if (key >= 0 && key === this.cand) this.candBlocks++;
    else {
      if (this.cand >= 0 && this.present < 0 && this.candBlocks < this.minOnBlocks) this.stats.tooShort++;
      this.cand = key;
      this.candBlocks = key >= 0 ? 1 : 0;
      this.candStartMs = blockStartMs;
    }
    if (this.present >= 0) {
      if (key === this.present) {
        this.presentBlocks++;
        this.missBlocks = 0;
        return;
      }
      if (++this.missBlocks < this.gapBlocks) return;
      this.finishPresent();
    }
    if (this.cand >= 0 && this.candBlocks >= this.minOnBlocks) {
      this.present = this.cand;
      this.presentBlocks = this.candBlocks;
      this.presentStartMs = this.candStartMs;
      this.missBlocks = 0;
    }
  }

  private finishPresent(): void {
    const key = this.present;
    this.present = -1;
    this.missBlocks = 0;
    // The same run must not be promoted again once it is over.
    if (this.cand === key) {
      this.cand = -1;
      this.candBlocks = 0;
    }
    this.stats.digits++;
    this.onDigit({
      digit: DTMF_KEYPAD[key >> 2][key & 3],
      durationMs: this.presentBlocks * this.blockMs,
      source: 'inband',
      startMs: this.presentStartMs,
    });
  }
}
