// The TTS cache: 8 kHz PCM by hash of provider + voice + text, in memory (LRU bounded by bytes) and optionally on disk as WAV files (RIFF WAVE), above the media layer's G.711 prompt cache.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWav, writeWav } from '../../engine/codec/wav.ts';
import type { IvrLogger } from '../log.ts';
import { SILENT_LOGGER } from '../log.ts';

/** Options of {@link TtsCache}. */
export interface TtsCacheOptions {
  /** Bound of the PCM kept in memory, bytes. */
  maxBytes: number;
  /** Directory for the disk cache (created on demand); undefined: memory only. */
  dir?: string;
  log?: IvrLogger;
}

/** Defaults: 32 MiB in memory (≈ 35 minutes of 8 kHz speech), no disk. */
export const TTS_CACHE_DEFAULTS: Readonly<TtsCacheOptions> = Object.freeze({ maxBytes: 32 * 1024 * 1024 });

/** Bump when the processing of cached audio changes (resampling, levels): old entries stop matching. */
export const TTS_CACHE_VERSION = 'pcm8k-v1';

/** Counters of a {@link TtsCache}. */
export interface TtsCacheStats {
  memoryHits: number;
  diskHits: number;
  misses: number;
  evictions: number;
  diskErrors: number;
  entries: number;
  bytes: number;
}

/** Speech audio cache. Keys are hex SHA-256 digests from {@link TtsCache.key}. */
export class TtsCache {
  readonly #opts: TtsCacheOptions;
  readonly #log: IvrLogger;
  /** Iteration order is recency: oldest first. */
  readonly #mem = new Map<string, Int16Array>();
  #bytes = 0;
  readonly #stats = { memoryHits: 0, diskHits: 0, misses: 0, evictions: 0, diskErrors: 0 };

  /** @throws {TypeError} for a non-positive bound */
  constructor(options: Partial<TtsCacheOptions> = {}) {
    this.#opts = { ...TTS_CACHE_DEFAULTS, ...options };
    if (!(this.#opts.maxBytes > 0)) throw new TypeError('maxBytes must be positive');
    this.#log = this.#opts.log ?? SILENT_LOGGER;
  }

  /** The key of a text spoken by a provider's voice. */
  static key(providerId: string, voice: string, text: string): string {
    return createHash('sha256').update(`${TTS_CACHE_VERSION}\0${providerId}\0${voice}\0${text}`).digest('hex');
  }

  get stats(): Readonly<TtsCacheStats> {
    return { ...this.#stats, entries: this.#mem.size, bytes: this.#bytes };
  }

  /** The disk file of a key. */
  pathOf(key: string): string | undefined {
    return this.#opts.dir === undefined ? undefined : join(this.#opts.dir, key.slice(0, 2), `${key}.wav`);
  }

  /** Cached PCM from memory, else from disk (then kept in memory); undefined on a miss. */
  async get(key: string): Promise<Int16Array | undefined> {
    const hit = this.#mem.get(key);
    if (hit !== undefined) {
      this.#mem.delete(key);
      this.#mem.set(key, hit);
      this.#stats.memoryHits++;
      return hit;
    }
    const file = this.pathOf(key);
    if (file !== undefined) {
      try {
        const wav = readWav(await readFile(file));
        if (wav.sampleRate === 8000 && wav.channels === 1 && wav.frames > 0) {
          const pcm = new Int16Array(wav.data);
          this.#remember(key, pcm);
          this.#stats.diskHits++;
          return pcm;
        }
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOENT') {
          this.#stats.diskErrors++;
          this.#log.warn({ err, file }, 'tts cache: unreadable file ignored');
        }
      }
    }
    this.#stats.misses++;
    return undefined;
  }

  /** Stores PCM in memory and (when configured) on disk; disk failures are logged, never thrown. */
  async set(key: string, pcm: Int16Array): Promise<void> {
    this.#remember(key, pcm);
    const file = this.pathOf(key);
    if (file === undefined) return;
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(join(this.#opts.dir!, key.slice(0, 2)), { recursive: true });
      await writeFile(tmp, writeWav({ sampleRate: 8000, channels: 1, data: pcm }));
      await rename(tmp, file); // atomic: readers see the old file or the whole new one
    } catch (err) {
      this.#stats.diskErrors++;
      this.#log.warn({ err, file }, 'tts cache: could not write');
    }
  }

  /** Forgets the memory entries (the disk stays). */
  clearMemory(): void {
    this.#mem.clear();
    this.#bytes = 0;
  }

  #remember(key: string, pcm: Int16Array): void {
    const old = this.#mem.get(key);
    if (old !== undefined) {
      this.#mem.delete(key);
      this.#bytes -= old.byteLength;
    }
    if (pcm.byteLength > this.#opts.maxBytes) return; // never kept in memory; the disk copy still serves it
    this.#mem.set(key, pcm);
    this.#bytes += pcm.byteLength;
    for (const [k, v] of this.#mem) {
      if (this.#bytes <= this.#opts.maxBytes) break;
      this.#mem.delete(k);
      this.#bytes -= v.byteLength;
      this.#stats.evictions++;
    }
  }
}
