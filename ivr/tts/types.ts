// Text-to-speech contracts: providers, their output, and per-tenant configuration (DESIGN.md §7 "text-to-speech").
import type { VoiceSelection } from './voice.ts';

/** Audio a provider produced: mono PCM at its own rate (Int16 as is, Float32 nominally −1…1). */
export interface SynthesisResult {
  pcm: Int16Array | Float32Array;
  sampleRate: number;
}

/** A speech synthesiser. */
export interface TtsProvider {
  /** Stable identity for cache keys (kind, endpoint, model — never secrets). */
  readonly id: string;
  /** The concrete voice a selection maps to (part of the cache key), e.g. `flite:slt`, `espeak:cmn`, `alloy`. */
  voiceFor(selection: VoiceSelection): string;
  /**
   * Synthesises `text`.
   * @throws {TtsError} `http-status`, `timeout`, `network`, `malformed`, `aborted` (when `signal` aborts), `engine`, `bad-request`
   */
  synthesize(text: string, selection: VoiceSelection, signal?: AbortSignal): Promise<SynthesisResult>;
}
