// What simulated phones say: tones, WAV files, generated speech and silence as 8 kHz PCM, plus in-band DTMF tone pairs (ITU-T Q.23 frequencies).
import { readFile } from 'node:fs/promises';
import { downmixStereo, resample } from '../engine/codec/index.ts';
import { readWav } from '../engine/codec/wav.ts';
import type { Prompt } from '../engine/media/index.ts';
import { encodePrompt } from '../engine/media/index.ts';
import type { DtmfDigit } from '../engine/rtp/digits.ts';
import { DTMF_COL_HZ, DTMF_KEYPAD, DTMF_ROW_HZ, dbm0ToAmplitude } from '../engine/rtp/goertzel.ts';
import { SimulatorError } from './errors.ts';

/** Sample rate of everything the simulator plays and analyses (G.711). */
export const SIM_SAMPLE_RATE = 8000;

/**
 * Audio a simulated phone sends, looped for as long as the call lasts:
 * - `tone`: a sum of sines (e.g. `[600]`, or `[440, 480]` for a ringback-like pair), optionally with a cadence;
 * - `wav`: a WAV file (any rate, mono or stereo, PCM/float/G.711), downmixed and resampled to 8 kHz;
 * - `speech`: text spoken by the injected {@link SpeechSynth} (the CLI wires the embedded TTS);
 * - `silence`: nothing audible (G.711 silence frames keep the stream alive).
 */
export type AudioSpec =
  | { kind: 'tone'; frequencies: readonly number[]; amplitude?: number; onMs?: number; offMs?: number }
  | { kind: 'wav'; path: string }
  | { kind: 'speech'; text: string; voice?: string }
  | { kind: 'silence' };

/** A speech synthesiser (text → mono PCM at its own rate); the IVR's TTS providers fit. */
export interface SpeechSynth {
  synthesize(text: string, voice?: string): Promise<{ pcm: Int16Array | Float32Array; sampleRate: number }>;
}

/** Default peak amplitude of generated tones (≈ −12 dBFS). */
export const DEFAULT_TONE_AMPLITUDE = 8000;

/**
 * Parses the short text form used on the command line and in scenarios:
 * `tone:600`, `tone:440+480`, `tone:600@4000` (amplitude), `wav:PATH`, `speech:TEXT`, `silence`.
 * @throws {SimulatorError} `bad-audio` naming what is wrong.
 */
export function parseAudioSpec(text: string): AudioSpec {
  const i = text.indexOf(':');
  const kind = i < 0 ? text : text.slice(0, i);
  const rest = i < 0 ? '' : text.slice(i + 1);
  switch (kind) {
    case 'silence':
      return { kind: 'silence' };
    case 'wav':
      if (!rest) throw new SimulatorError('bad-audio', 'wav: needs a file path (wav:PATH)');
      return { kind: 'wav', path: rest };
    case 'speech':
      if (!rest.trim()) throw new SimulatorError('bad-audio', 'speech: needs text (speech:TEXT)');
      return { kind: 'speech', text: rest };
    case 'tone': {
      const [freqs, amp] = rest.split('@');
      const frequencies = (freqs ?? '').split('+').map(Number);
      if (frequencies.length === 0 || frequencies.some((f) => !(f > 0 && f < SIM_SAMPLE_RATE / 2))) {
        throw new SimulatorError('bad-audio', `tone: frequencies must be in (0, 4000) Hz, got "${freqs}"`);
      }
      const spec: AudioSpec = { kind: 'tone', frequencies };
      if (amp !== undefined) {
        const a = Number(amp);
        if (!(a > 0 && a <= 32767)) throw new SimulatorError('bad-audio', `tone: amplitude must be in (0, 32767], got "${amp}"`);
        return { ...spec, amplitude: a };
      }
      return spec;
    }
    default:
      throw new SimulatorError('bad-audio', `unknown audio "${text}": use tone:HZ, wav:PATH, speech:TEXT or silence`);
  }
}

/** A stable key for caching the rendered audio of a spec. */
export function audioKey(spec: AudioSpec): string {
  switch (spec.kind) {
    case 'tone':
      return `tone:${spec.frequencies.join('+')}@${spec.amplitude ?? DEFAULT_TONE_AMPLITUDE}/${spec.onMs ?? 0}/${spec.offMs ?? 0}`;
    case 'wav':
      return `wav:${spec.path}`;
    case 'speech':
      return `speech:${spec.voice ?? ''}:${spec.text}`;
    case 'silence':
      return 'silence';
    default: {
      const never: never = spec;
      return never;
    }
  }
}

/**
 * A sum of sines, each at `amplitude / frequencies.length` peak, `ms` long. One second of an
 * integer frequency holds whole cycles, so a looped 1000 ms tone has no click at the seam.
 */
export function tonePcm(frequencies: readonly number[], ms: number, amplitude = DEFAULT_TONE_AMPLITUDE): Int16Array {
  const n = Math.round((ms * SIM_SAMPLE_RATE) / 1000);
  const out = new Int16Array(n);
  const a = amplitude / Math.max(1, frequencies.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const f of frequencies) s += Math.sin((2 * Math.PI * f * i) / SIM_SAMPLE_RATE);
    out[i] = Math.round(a * s);
  }
  return out;
}

/** Frequencies of a DTMF key: [row, column] (ITU-T Q.23). */
export function dtmfFrequencies(digit: DtmfDigit): [number, number] {
  for (let r = 0; r < 4; r++) {
    const c = DTMF_KEYPAD[r].indexOf(digit);
    if (c >= 0) return [DTMF_ROW_HZ[r], DTMF_COL_HZ[c]];
  }
  throw new SimulatorError('bad-audio', `no DTMF tone for "${digit}"`);
}

/**
 * An in-band DTMF key press: both tones at `levelDbm0` each (−10 dBm0 by default, well inside Q.24's
 * acceptance), `ms` long.
 */
export function dtmfPcm(digit: DtmfDigit, ms: number, levelDbm0 = -10): Int16Array {
  const [lo, hi] = dtmfFrequencies(digit);
  const a = dbm0ToAmplitude(levelDbm0);
  const n = Math.round((ms * SIM_SAMPLE_RATE) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.round(a * (Math.sin((2 * Math.PI * lo * i) / SIM_SAMPLE_RATE) + Math.sin((2 * Math.PI * hi * i) / SIM_SAMPLE_RATE)));
  }
  return out;
}

function toInt16(pcm: Int16Array | Float32Array): Int16Array {
  if (pcm instanceof Int16Array) return pcm;
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(pcm[i] * 32767)));
  return out;
}

/** Mono PCM at `rate` → 8 kHz mono Int16. */
export function to8k(pcm: Int16Array | Float32Array, rate: number): Int16Array {
  if (!(rate > 0)) throw new SimulatorError('bad-audio', `sample rate must be positive, got ${rate}`);
  return toInt16(rate === SIM_SAMPLE_RATE ? pcm : resample(pcm, rate, SIM_SAMPLE_RATE));
}

/** Dependencies of {@link renderAudio}. */
export interface RenderDeps {
  speech?: SpeechSynth;
}

/**
 * Renders a spec to 8 kHz mono PCM (at least one 20 ms frame).
 * @throws {SimulatorError} `bad-audio` (unreadable or empty file, bad tone), `speech-unavailable` (no synthesiser).
 */
export async function renderAudio(spec: AudioSpec, deps: RenderDeps = {}): Promise<Int16Array> {
  switch (spec.kind) {
    case 'silence':
      return new Int16Array(160);
    case 'tone': {
      if (spec.frequencies.length === 0 || spec.frequencies.some((f) => !(f > 0 && f < SIM_SAMPLE_RATE / 2))) {
        throw new SimulatorError('bad-audio', 'tone frequencies must be in (0, 4000) Hz');
      }
      const on = spec.onMs ?? 0;
      const off = spec.offMs ?? 0;
      if (on > 0 && off > 0) {
        const t = tonePcm(spec.frequencies, on, spec.amplitude);
        const out = new Int16Array(t.length + Math.round((off * SIM_SAMPLE_RATE) / 1000));
        out.set(t);
        return out;
      }
      return tonePcm(spec.frequencies, 1000, spec.amplitude);
    }
    case 'wav': {
      let bytes: Buffer;
      try {
        bytes = await readFile(spec.path);
      } catch (err) {
        throw new SimulatorError('bad-audio', `cannot read ${spec.path}: ${(err as Error).message}`, { cause: err });
      }
      let wav;
      try {
        wav = readWav(bytes, { allowTruncated: true });
      } catch (err) {
        throw new SimulatorError('bad-audio', `${spec.path} is not a readable WAV file: ${(err as Error).message}`, { cause: err });
      }
      if (wav.frames === 0) throw new SimulatorError('bad-audio', `${spec.path} holds no audio`);
      let mono: Int16Array;
      if (wav.channels === 1) mono = wav.data;
      else if (wav.channels === 2) {
        mono = new Int16Array(wav.frames);
        downmixStereo(wav.data, mono, wav.frames);
      } else {
        mono = new Int16Array(wav.frames);
        for (let i = 0; i < wav.frames; i++) mono[i] = wav.data[i * wav.channels];
      }
      return to8k(mono, wav.sampleRate);
    }
    case 'speech': {
      if (!deps.speech) throw new SimulatorError('speech-unavailable', 'generated speech needs a speech synthesiser (none configured)');
      const r = await deps.speech.synthesize(spec.text, spec.voice);
      const pcm = to8k(r.pcm, r.sampleRate);
      if (pcm.length === 0) throw new SimulatorError('bad-audio', 'the synthesiser returned no audio');
      return pcm;
    }
    default: {
      const never: never = spec;
      return never;
    }
  }
}

/** Renders and encodes specs once each (by {@link audioKey}); what phones loop while they talk. */
export class AudioLibrary {
  readonly #deps: RenderDeps;
  readonly #cache = new Map<string, Promise<Prompt>>();

  constructor(deps: RenderDeps = {}) {
    this.#deps = deps;
  }

  /**
   * The encoded prompt of a spec (rendered on first use).
   * @throws {SimulatorError} as {@link renderAudio}.
   */
  prompt(spec: AudioSpec): Promise<Prompt> {
    const key = audioKey(spec);
    let p = this.#cache.get(key);
    if (!p) {
      p = renderAudio(spec, this.#deps).then((pcm) => encodePrompt(key, pcm));
      p.catch(() => this.#cache.delete(key));
      this.#cache.set(key, p);
    }
    return p;
  }
}
