// Speech audio to telephone prompts: band-limited resampling to 8 kHz, silence trimming and level normalisation (ITU-T G.711 telephony band; active speech level after ITU-T P.56, simplified to a frame energy gate).
import { resample } from '../../engine/codec/resample.ts';
import type { SynthesisResult } from './types.ts';

/** Options of {@link toTelephonePcm}. */
export interface LevelOptions {
  /** Target RMS of the active speech (frames above the gate), dBFS. */
  targetDbfs: number;
  /** Highest peak allowed after the gain, dBFS (the gain is lowered to respect it). */
  maxPeakDbfs: number;
  /** Frames (20 ms) quieter than this are silence: not counted for the level, trimmed at the edges. */
  gateDbfs: number;
  /** Silence kept before the first active frame and after the last, ms. */
  keepSilenceMs: number;
}

/**
 * Defaults: −20 dBFS active speech (≈ −23 dBm0 on a G.711 line, a comfortable prompt level) with peaks at most
 * −1 dBFS, a −45 dBFS gate, 60 ms of silence kept at each end.
 */
export const LEVEL_DEFAULTS: Readonly<LevelOptions> = Object.freeze({ targetDbfs: -20, maxPeakDbfs: -1, gateDbfs: -45, keepSilenceMs: 60 });

/** The telephone rate. */
export const TELEPHONE_RATE = 8000;
const FRAME = 160; // 20 ms at 8 kHz

const dbToAmp = (db: number): number => 10 ** (db / 20);

/** Converts any provider output to Float32 (−1…1). */
function toFloat(pcm: Int16Array | Float32Array): Float32Array {
  if (pcm instanceof Float32Array) return pcm;
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
  return out;
}

/**
 * Resamples to 8 kHz with the band-limited resampler (no aliasing above 4 kHz), trims leading and trailing silence,
 * and scales the active speech to the target level (never past the peak limit). Silence stays silence.
 */
export function toTelephonePcm(r: SynthesisResult, options: Partial<LevelOptions> = {}): Int16Array {
  const o = { ...LEVEL_DEFAULTS, ...options };
  const x = resample(toFloat(r.pcm), r.sampleRate, TELEPHONE_RATE);
  const frames = Math.ceil(x.length / FRAME);
  const gate = dbToAmp(o.gateDbfs);
  let first = -1;
  let last = -1;
  let sumSq = 0;
  let activeSamples = 0;
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    const a = f * FRAME;
    const b = Math.min(a + FRAME, x.length);
    let e = 0;
    for (let i = a; i < b; i++) {
      e += x[i] * x[i];
      const m = Math.abs(x[i]);
      if (m > peak) peak = m;
    }
    if (Math.sqrt(e / (b - a)) >= gate) {
      if (first < 0) first = f;
      last = f;
      sumSq += e;
      activeSamples += b - a;
    }
  }
  if (first < 0) return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
  const keep = Math.round((o.keepSilenceMs * TELEPHONE_RATE) / 1000);
  const start = Math.max(0, first * FRAME - keep);
  const end = Math.min(x.length, (last + 1) * FRAME + keep);
  const rms = Math.sqrt(sumSq / activeSamples);
  const gain = Math.min(dbToAmp(o.targetDbfs) / rms, dbToAmp(o.maxPeakDbfs) / peak);
  const out = new Int16Array(end - start);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(x[start + i] * gain * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** RMS of 16-bit PCM in dBFS (−Infinity for silence); tests and diagnostics. */
export function rmsDbfs(pcm: Int16Array): number {
  let e = 0;
  for (let i = 0; i < pcm.length; i++) e += (pcm[i] / 32768) ** 2;
  return 10 * Math.log10(e / Math.max(1, pcm.length));
}
