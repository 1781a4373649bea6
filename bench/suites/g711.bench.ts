// Benchmark: G.711 μ-law/A-law encode, decode and μ-law→A-law transcoding (ITU-T G.711) — ours against the `g711` npm package in the same run; plus the resampler (48k→8k, 8k→16k).
import { createRequire } from 'node:module';
import { Resampler, alawDecode, alawEncode, ulawDecode, ulawEncode, ulawToAlaw } from '../../engine/codec/index.ts';
import { FULL_RATE, QUICK_RATE, compared, measureRate, rate, summarize } from '../harness.ts';
import type { BenchContext, BenchResult, BenchSuite, Rate, RateOptions } from '../harness.ts';

const g711pkg = createRequire(import.meta.url)('g711') as typeof import('g711');

/** One RTP packet's worth of 8 kHz audio (20 ms). */
const FRAME = 160;
/** Frames per measured call: 160,000 samples (20 s of one direction of a call). */
const FRAMES = 1000;
const SAMPLES = FRAME * FRAMES;

/** Deterministic speech-like test signal: two formant-ish tones under a syllable-rate envelope, plus noise. */
function speechLike(n: number): Int16Array {
  const out = new Int16Array(n);
  let seed = 0x1234_5678;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    const noise = (seed / 2 ** 32 - 0.5) * 800;
    const envelope = 0.55 + 0.45 * Math.sin((2 * Math.PI * 4 * i) / 8000);
    const voice = 9000 * Math.sin((2 * Math.PI * 220 * i) / 8000) + 5000 * Math.sin((2 * Math.PI * 1250 * i) / 8000);
    out[i] = Math.max(-32768, Math.min(32767, Math.round(envelope * voice + noise)));
  }
  return out;
}

/**
 * Cuts one buffer into FRAMES consecutive frames of FRAME elements, starting `shift` elements in. A shift that breaks
 * 4-byte alignment forces our sample-by-sample path; the views are made once, outside the measurement.
 */
function frames<T extends Int16Array | Uint8Array>(whole: T, shift: number): T[] {
  const out: T[] = [];
  for (let f = 0; f < FRAMES; f++) out.push(whole.subarray(shift + f * FRAME, shift + (f + 1) * FRAME) as T);
  return out;
}

interface Workload {
  pcm: Int16Array[];
  pcmOut: Int16Array[];
  ulaw: Uint8Array[];
  alaw: Uint8Array[];
  codesOut: Uint8Array[];
}

function workload(shift: number): Workload {
  const pcm = new Int16Array(SAMPLES + 8);
  pcm.set(speechLike(SAMPLES), shift);
  const pcmFrames = frames(pcm, shift);
  const ulaw = new Uint8Array(SAMPLES + 8);
  const alaw = new Uint8Array(SAMPLES + 8);
  const ulawFrames = frames(ulaw, shift);
  const alawFrames = frames(alaw, shift);
  for (let f = 0; f < FRAMES; f++) {
    ulawEncode(pcmFrames[f], ulawFrames[f]);
    alawEncode(pcmFrames[f], alawFrames[f]);
  }
  return {
    pcm: pcmFrames,
    pcmOut: frames(new Int16Array(SAMPLES + 8), shift),
    ulaw: ulawFrames,
    alaw: alawFrames,
    codesOut: frames(new Uint8Array(SAMPLES + 8), shift),
  };
}

/**
 * Measures two functions with their repetitions interleaved (ours, theirs, ours, theirs, …), so that a change in the
 * machine's load during the run hits both sides alike and the ratio stays meaningful.
 */
function interleaved(ours: () => void, theirs: () => void, opsPerCall: number, opts: Readonly<RateOptions>): [Rate, Rate] {
  const one: RateOptions = { timeMs: opts.timeMs, repetitions: 1, warmupMs: 0 };
  measureRate(ours, opsPerCall, { ...one, timeMs: opts.warmupMs });
  measureRate(theirs, opsPerCall, { ...one, timeMs: opts.warmupMs });
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < opts.repetitions; r++) {
    a.push(measureRate(ours, opsPerCall, one).median);
    b.push(measureRate(theirs, opsPerCall, one).median);
  }
  return [summarize(a), summarize(b)];
}

function g711Results(opts: Readonly<RateOptions>): BenchResult[] {
  const w = workload(0); // 4-byte aligned frames in long-lived buffers: the word-at-a-time path
  const b = workload(1); // 2-byte aligned: the sample-by-sample path
  const { pcm, pcmOut, ulaw, alaw, codesOut } = w;
  const pkg = 'g711 package';
  const results: BenchResult[] = [];

  const [ourUEnc, pkgUEnc] = interleaved(
    () => { for (let f = 0; f < FRAMES; f++) ulawEncode(pcm[f], codesOut[f]); },
    () => { for (let f = 0; f < FRAMES; f++) g711pkg.ulawFromPCM(pcm[f]); },
    SAMPLES,
    opts,
  );
  results.push(compared('G.711 μ-law encode, 160-sample frames', 'samples/s', ourUEnc, pkg, pkgUEnc));

  const [ourUDec, pkgUDec] = interleaved(
    () => { for (let f = 0; f < FRAMES; f++) ulawDecode(ulaw[f], pcmOut[f]); },
    () => { for (let f = 0; f < FRAMES; f++) g711pkg.ulawToPCM(ulaw[f], 16); },
    SAMPLES,
    opts,
  );
  results.push(compared('G.711 μ-law decode, 160-sample frames', 'samples/s', ourUDec, pkg, pkgUDec));

  const [ourAEnc, pkgAEnc] = interleaved(
    () => { for (let f = 0; f < FRAMES; f++) alawEncode(pcm[f], codesOut[f]); },
    () => { for (let f = 0; f < FRAMES; f++) g711pkg.alawFromPCM(pcm[f]); },
    SAMPLES,
    opts,
  );
  results.push(compared('G.711 A-law encode, 160-sample frames', 'samples/s', ourAEnc, pkg, pkgAEnc));

  const [ourADec, pkgADec] = interleaved(
    () => { for (let f = 0; f < FRAMES; f++) alawDecode(alaw[f], pcmOut[f]); },
    () => { for (let f = 0; f < FRAMES; f++) g711pkg.alawToPCM(alaw[f], 16); },
    SAMPLES,
    opts,
  );
  results.push(compared('G.711 A-law decode, 160-sample frames', 'samples/s', ourADec, pkg, pkgADec));

  // The package has no transcoder: its way is decode to PCM, then encode in the other law.
  const [ourTrans, pkgTrans] = interleaved(
    () => { for (let f = 0; f < FRAMES; f++) ulawToAlaw(ulaw[f], codesOut[f]); },
    () => { for (let f = 0; f < FRAMES; f++) g711pkg.alawFromPCM(g711pkg.ulawToPCM(ulaw[f], 16) as unknown as Int16Array); },
    SAMPLES,
    opts,
  );
  results.push(compared('G.711 μ-law→A-law transcode, 160-sample frames', 'samples/s', ourTrans, `${pkg} decode+encode`, pkgTrans));

  // The same calls on frames that are not 4-byte aligned (e.g. an RTP payload at an odd offset): sample by sample.
  const [byteUEnc, pkgUEnc2] = interleaved(
    () => { for (let f = 0; f < FRAMES; f++) ulawEncode(b.pcm[f], b.codesOut[f]); },
    () => { for (let f = 0; f < FRAMES; f++) g711pkg.ulawFromPCM(b.pcm[f]); },
    SAMPLES,
    opts,
  );
  results.push(compared('G.711 μ-law encode, unaligned frames (byte path)', 'samples/s', byteUEnc, pkg, pkgUEnc2));
  const [byteUDec, pkgUDec2] = interleaved(
    () => { for (let f = 0; f < FRAMES; f++) ulawDecode(b.ulaw[f], b.pcmOut[f]); },
    () => { for (let f = 0; f < FRAMES; f++) g711pkg.ulawToPCM(b.ulaw[f], 16); },
    SAMPLES,
    opts,
  );
  results.push(compared('G.711 μ-law decode, unaligned frames (byte path)', 'samples/s', byteUDec, pkg, pkgUDec2));
  results.push(rate('G.711 μ-law→A-law transcode, unaligned frames (byte path)', 'samples/s',
    measureRate(() => { for (let f = 0; f < FRAMES; f++) ulawToAlaw(b.ulaw[f], b.codesOut[f]); }, SAMPLES, opts)));
  return results;
}

/**
 * Streaming resampler, Int16 in and out, fed 20 ms chunks (what a TTS stream or an ASR feed does). The figure is input
 * samples per second; divided by the input rate it is how many real-time streams one core converts.
 */
function resamplerResult(inputRate: number, outputRate: number, opts: Readonly<RateOptions>, log: (l: string) => void): BenchResult {
  const chunk = inputRate / 50;
  const chunks = 50; // 1 s of audio per measured call
  const input = speechLike(chunk * chunks);
  const pieces = frames50(input, chunk, chunks);
  const r = new Resampler(inputRate, outputRate);
  const out = new Int16Array(r.maxOutputLength(chunk));
  const measured = measureRate(() => {
    for (let c = 0; c < chunks; c++) r.process(pieces[c], out);
  }, input.length, opts);
  log(`  resampler ${inputRate}→${outputRate}: ${(measured.median / inputRate).toFixed(0)}× real time on one core (${2 * r.latency} taps per output)`);
  return rate(`resample ${inputRate / 1000}k→${outputRate / 1000}k (streaming, 20 ms chunks)`, 'input samples/s', measured);
}

function frames50(whole: Int16Array, size: number, count: number): Int16Array[] {
  const out: Int16Array[] = [];
  for (let c = 0; c < count; c++) out.push(whole.subarray(c * size, (c + 1) * size));
  return out;
}

export const suite: BenchSuite = {
  name: 'g711',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const opts = ctx.quick ? QUICK_RATE : FULL_RATE;
    return [
      ...g711Results(opts),
      resamplerResult(48000, 8000, opts, ctx.log),
      resamplerResult(22050, 8000, opts, ctx.log),
      resamplerResult(8000, 16000, opts, ctx.log),
    ];
  },
};
