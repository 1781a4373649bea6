// Prompts encoded once to ready G.711 μ-law and A-law payload frames of 20 ms, cached by key with an LRU bound in bytes (ITU-T G.711; RFC 3551 §4.5.14, §4.5.3 default 20 ms packetization).
import { alawEncode, ulawEncode } from '../codec/g711.ts';
import type { Codec } from '../sdp/offer-answer.ts';
import { ALAW_SILENCE, ULAW_SILENCE } from './lut.ts';

/** Samples per payload frame: 20 ms at 8 kHz. */
export const PROMPT_FRAME_SAMPLES = 160;

/**
 * An 8 kHz prompt encoded for both G.711 laws. Frame `i` of a codec is octets
 * `[i × frameSamples, (i + 1) × frameSamples)` of {@link payload}; the last frame is padded with
 * the codec's silence code. Immutable once built: players only read it.
 */
export class Prompt {
  readonly key: string;
  /** Octets (= samples) per frame. */
  readonly frameSamples: number;
  /** Number of frames. */
  readonly frames: number;
  /** Samples of the source PCM (before padding). */
  readonly samples: number;
  /** μ-law frames back to back. */
  readonly pcmu: Uint8Array;
  /** A-law frames back to back. */
  readonly pcma: Uint8Array;

  /** @internal use {@link encodePrompt}. */
  constructor(key: string, frameSamples: number, samples: number, pcmu: Uint8Array, pcma: Uint8Array) {
    this.key = key;
    this.frameSamples = frameSamples;
    this.samples = samples;
    this.frames = pcmu.length / frameSamples;
    this.pcmu = pcmu;
    this.pcma = pcma;
  }

  /** Playing time, ms (whole frames). */
  get durationMs(): number {
    return (this.frames * this.frameSamples * 1000) / 8000;
  }

  /** Memory held by the encoded frames, octets. */
  get byteLength(): number {
    return this.pcmu.length + this.pcma.length;
  }

  /** The frames of one codec. */
  payload(codec: Codec): Uint8Array {
    return codec === 'PCMA' ? this.pcma : this.pcmu;
  }
}

/** Counts every G.711 encoding done by {@link encodePrompt} in this process (tests, metrics). */
export const promptEncodings = { count: 0 };

/**
 * Encodes 8 kHz 16-bit PCM into μ-law and A-law frames (one table lookup per sample and law).
 *
 * @throws {TypeError} if `frameSamples` is not a positive integer or `pcm` is empty.
 */
export function encodePrompt(key: string, pcm: Int16Array, frameSamples: number = PROMPT_FRAME_SAMPLES): Prompt {
  if (!Number.isInteger(frameSamples) || frameSamples < 1) throw new TypeError('frameSamples must be a positive integer');
  if (!(pcm instanceof Int16Array) || pcm.length === 0) throw new TypeError('pcm must be a non-empty Int16Array of 8 kHz samples');
  const frames = Math.ceil(pcm.length / frameSamples);
  const size = frames * frameSamples;
  const pcmu = new Uint8Array(size);
  const pcma = new Uint8Array(size);
  ulawEncode(pcm, pcmu, pcm.length);
  alawEncode(pcm, pcma, pcm.length);
  pcmu.fill(ULAW_SILENCE, pcm.length);
  pcma.fill(ALAW_SILENCE, pcm.length);
  promptEncodings.count++;
  return new Prompt(key, frameSamples, pcm.length, pcmu, pcma);
}

/** Options of {@link PromptCache}. */
export interface PromptCacheOptions {
  /** Upper bound of the encoded frames kept, octets (both laws counted). */
  maxBytes: number;
  /** Samples per frame of the prompts it encodes. */
  frameSamples: number;
}

/** Defaults of {@link PromptCacheOptions}: 64 MiB ≈ 70 minutes of prompts in both laws. */
export const PROMPT_CACHE_DEFAULTS: Readonly<PromptCacheOptions> = Object.freeze({ maxBytes: 64 * 1024 * 1024, frameSamples: PROMPT_FRAME_SAMPLES });

/** Counters of a {@link PromptCache}. */
export interface PromptCacheStats {
  hits: number;
  misses: number;
  /** Prompts encoded by this cache. */
  encodings: number;
  /** Prompts dropped to stay under `maxBytes` (least recently used first). */
  evictions: number;
  /** Prompts larger than `maxBytes`: encoded and returned, not kept. */
  oversized: number;
  entries: number;
  /** Octets held now. */
  bytes: number;
}

/**
 * Encoded prompts by key (e.g. `tenant/voice/text-hash`). A prompt is encoded once: the first
 * request encodes it (concurrent asynchronous loads of one key share one load), later ones get the
 * cached frames. Least recently used prompts are evicted when the total exceeds `maxBytes`; a
 * player still holding an evicted prompt keeps playing it.
 */
export class PromptCache {
  readonly #opts: PromptCacheOptions;
  /** Map iteration order is the recency order: oldest first. */
  readonly #entries = new Map<string, Prompt>();
  readonly #loading = new Map<string, Promise<Prompt>>();
  readonly #stats: PromptCacheStats = { hits: 0, misses: 0, encodings: 0, evictions: 0, oversized: 0, entries: 0, bytes: 0 };

  /** @throws {TypeError} for a non-positive bound or frame size. */
  constructor(options: Partial<PromptCacheOptions> = {}) {
    const opts = { ...PROMPT_CACHE_DEFAULTS, ...options };
    if (!(opts.maxBytes > 0)) throw new TypeError('maxBytes must be positive');
    if (!Number.isInteger(opts.frameSamples) || opts.frameSamples < 1) throw new TypeError('frameSamples must be a positive integer');
    this.#opts = opts;
  }

  /** Counters (a snapshot). */
  get stats(): Readonly<PromptCacheStats> {
    return { ...this.#stats, entries: this.#entries.size };
  }

  /** Whether `key` is cached (does not touch recency). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The cached prompt, marked most recently used; undefined on a miss (not counted). */
  get(key: string): Prompt | undefined {
    const p = this.#entries.get(key);
    if (p !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, p);
    }
    return p;
  }

  /**
   * The prompt for `key`, encoding `pcm` (or what `pcm()` returns, called only on a miss) the first time.
   * @throws {TypeError} from {@link encodePrompt} for empty PCM.
   */
  getOrEncode(key: string, pcm: Int16Array | (() => Int16Array)): Prompt {
    const hit = this.get(key);
    if (hit !== undefined) {
      this.#stats.hits++;
      return hit;
    }
    this.#stats.misses++;
    return this.#insert(key, typeof pcm === 'function' ? pcm() : pcm);
  }

  /**
   * The prompt for `key`, running `loader` (e.g. text-to-speech at 8 kHz) only on a miss; concurrent
   * calls for one key wait for the same load. A failed load is not cached.
   */
  load(key: string, loader: () => Promise<Int16Array>): Promise<Prompt> {
    const hit = this.get(key);
    if (hit !== undefined) {
      this.#stats.hits++;
      return Promise.resolve(hit);
    }
    const pending = this.#loading.get(key);
    if (pending !== undefined) {
      this.#stats.hits++;
      return pending;
    }
    this.#stats.misses++;
    const p = (async () => {
      try {
        const pcm = await loader();
        return this.get(key) ?? this.#insert(key, pcm);
      } finally {
        this.#loading.delete(key);
      }
    })();
    this.#loading.set(key, p);
    return p;
  }

  /** Drops one prompt; returns whether it was cached. */
  delete(key: string): boolean {
    const p = this.#entries.get(key);
    if (p === undefined) return false;
    this.#entries.delete(key);
    this.#stats.bytes -= p.byteLength;
    return true;
  }

  /** Drops every prompt. */
  clear(): void {
    this.#entries.clear();
    this.#stats.bytes = 0;
  }

  #insert(key: string, pcm: Int16Array): Prompt {
    const prompt = encodePrompt(key, pcm, this.#opts.frameSamples);
    this.#stats.encodings++;
    if (prompt.byteLength > this.#opts.maxBytes) {
      this.#stats.oversized++;
      return prompt;
    }
    this.delete(key);
    this.#entries.set(key, prompt);
    this.#stats.bytes += prompt.byteLength;
    for (const [k, p] of this.#entries) {
      if (this.#stats.bytes <= this.#opts.maxBytes) break;
      this.#entries.delete(k);
      this.#stats.bytes -= p.byteLength;
      this.#stats.evictions++;
    }
    return prompt;
  }
}
