// A tenant's text-to-speech: its provider and voices, 8 kHz level-normalised PCM cached by provider + voice + text, fallback to the embedded engine on provider failure, prompts for CallControl.play, and prewarming a flow's prompts at publish time (DESIGN.md §1, §7).
import type { PromptSource } from '../../engine/call/types.ts';
import { TtsError } from '../errors.ts';
import type { IvrLogger } from '../log.ts';
import { SILENT_LOGGER } from '../log.ts';
import { NODE_SPECS } from '../schema/nodes/index.ts';
import { hasPlaceholders } from '../schema/template.ts';
import type { Flow, FlowNode } from '../schema/types.ts';
import { toTelephonePcm } from './audio.ts';
import type { LevelOptions } from './audio.ts';
import { TtsCache } from './cache.ts';
import { sharedEmbeddedTts } from './embedded/embedded.ts';
import { HttpJsonTts, OpenAiTts } from './http.ts';
import type { HttpJsonTtsOptions, OpenAiTtsOptions } from './http.ts';
import type { TtsProvider } from './types.ts';
import { sayVoice } from './voice.ts';
import type { VoiceSelection } from './voice.ts';

/** A tenant's speech settings (data in the tenant store). */
export type TtsConfig =
  | { provider: 'embedded'; /** English voice of Flite (`slt`, `kal`, `awb`, `rms`, `kal16`). */ englishVoice?: string }
  | { provider: 'openai'; openai: Partial<OpenAiTtsOptions> & { baseUrl: string } }
  | { provider: 'http-json'; http: Partial<HttpJsonTtsOptions> & { url: string } };

/** What TTS services of one process share. */
export interface TtsShared {
  cache: TtsCache;
  /** The fallback (and the `embedded` provider): default the process's shared embedded engine. */
  embedded: TtsProvider;
  log: IvrLogger;
  /** fetch for HTTP providers (default: the global one). */
  fetch?: typeof fetch;
  /** Output levels. */
  level?: Partial<LevelOptions>;
  /** Wall clock for the fallback breaker. */
  now?: () => number;
}

/** Options of {@link TtsService}. */
export interface TtsServiceOptions extends Partial<TtsShared> {
  /** The primary provider (else built from `config`, else the embedded one). */
  provider?: TtsProvider;
  config?: TtsConfig;
  /** After a provider failure, go straight to the embedded engine for this long, ms (0: always try the provider). */
  breakerMs?: number;
}

/** Default breaker: 30 s. */
export const TTS_BREAKER_MS = 30_000;

let defaultCache: TtsCache | undefined;

/** The process-wide default cache (memory only; the composition root passes one with a disk directory). */
export function sharedTtsCache(): TtsCache {
  defaultCache ??= new TtsCache();
  return defaultCache;
}

/**
 * Builds a provider from a tenant configuration.
 * @throws {TypeError} for an invalid configuration (bad URL…)
 */
export function providerFromConfig(config: TtsConfig, shared: Pick<TtsShared, 'embedded' | 'fetch'>): TtsProvider {
  switch (config.provider) {
    case 'embedded':
      return shared.embedded;
    case 'openai':
      return new OpenAiTts({ ...(shared.fetch ? { fetch: shared.fetch } : {}), ...config.openai });
    case 'http-json':
      return new HttpJsonTts({ ...(shared.fetch ? { fetch: shared.fetch } : {}), ...config.http });
  }
}

/** Counters of a {@link TtsService}. */
export interface TtsServiceStats {
  /** Syntheses run (by any provider). */
  syntheses: number;
  /** Primary provider failures that fell back to the embedded engine. */
  fallbacks: number;
  /** Renders served from the cache. */
  cached: number;
}

/** What {@link TtsService.prewarm} did. */
export interface PrewarmReport {
  /** Distinct static prompts found. */
  prompts: number;
  synthesized: number;
  cached: number;
  /** Prompts with placeholders (they depend on the call). */
  skipped: number;
  failed: Array<{ node: string; text: string; error: string }>;
}

/** Speech for one tenant. Cheap to create: caches and the embedded engine are shared. */
export class TtsService {
  readonly provider: TtsProvider;
  readonly #shared: TtsShared;
  readonly #breakerMs: number;
  readonly #inflight = new Map<string, Promise<Int16Array>>();
  readonly #stats: TtsServiceStats = { syntheses: 0, fallbacks: 0, cached: 0 };
  #providerDownUntil = 0;

  /** @throws {TypeError} for an invalid `config` */
  constructor(options: TtsServiceOptions = {}) {
    this.#shared = {
      cache: options.cache ?? sharedTtsCache(),
      embedded: options.embedded ?? sharedEmbeddedTts(),
      log: options.log ?? SILENT_LOGGER,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.level ? { level: options.level } : {}),
      now: options.now ?? Date.now,
    };
    this.provider = options.provider ?? (options.config ? providerFromConfig(options.config, this.#shared) : this.#shared.embedded);
    this.#breakerMs = options.breakerMs ?? TTS_BREAKER_MS;
  }

  get stats(): Readonly<TtsServiceStats> {
    return { ...this.#stats };
  }

  /** The cache key of a text with this tenant's provider. */
  keyOf(text: string, voice: VoiceSelection = {}): string {
    return TtsCache.key(this.provider.id, this.provider.voiceFor(voice), text);
  }

  /**
   * 8 kHz mono PCM of `text`: from the cache, else synthesised by the provider (concurrent requests share one
   * synthesis), resampled with the band-limited resampler, trimmed and level-normalised, then cached. When the
   * provider fails (status, timeout, network, bad audio) the embedded engine speaks instead and the failure is logged.
   * @throws {TtsError} when the embedded engine fails too (or for `aborted`)
   */
  async render(text: string, voice: VoiceSelection = {}, signal?: AbortSignal): Promise<Int16Array> {
    const key = this.keyOf(text, voice);
    const cached = await this.#shared.cache.get(key);
    if (cached !== undefined) {
      this.#stats.cached++;
      return cached;
    }
    let p = this.#inflight.get(key);
    if (p === undefined) {
      p = this.#produce(key, text, voice).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    if (signal === undefined) return p;
    // A caller that goes away stops waiting; the synthesis completes and fills the cache for the next one.
    return new Promise<Int16Array>((resolve, reject) => {
      if (signal.aborted) return reject(new TtsError('aborted', this.provider.id, 'aborted'));
      const onAbort = (): void => reject(new TtsError('aborted', this.provider.id, 'aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async #produce(key: string, text: string, voice: VoiceSelection): Promise<Int16Array> {
    const now = this.#shared.now!;
    const embedded = this.#shared.embedded;
    if (this.provider !== embedded && now() >= this.#providerDownUntil) {
      try {
        this.#stats.syntheses++;
        const pcm = toTelephonePcm(await this.provider.synthesize(text, voice), this.#shared.level);
        await this.#shared.cache.set(key, pcm);
        return pcm;
      } catch (err) {
        this.#stats.fallbacks++;
        if (this.#breakerMs > 0) this.#providerDownUntil = now() + this.#breakerMs;
        const e = err as Partial<TtsError>;
        this.#shared.log.warn(
          { err, provider: this.provider.id, code: e.code, status: e.status, breakerMs: this.#breakerMs },
          'tts: provider failed; speaking with the embedded engine',
        );
      }
    } else if (this.provider !== embedded) {
      this.#stats.fallbacks++;
    }
    // The embedded voice follows the language only: the provider's voice names mean nothing to it. Its audio is
    // cached under its own key, so the provider is asked again once it is back.
    const fallbackVoice: VoiceSelection = this.provider === embedded ? voice : voice.language !== undefined ? { language: voice.language } : {};
    const fallbackKey = this.provider === embedded ? key : TtsCache.key(embedded.id, embedded.voiceFor(fallbackVoice), text);
    if (fallbackKey !== key) {
      const hit = await this.#shared.cache.get(fallbackKey);
      if (hit !== undefined) return hit;
    }
    this.#stats.syntheses++;
    const pcm = toTelephonePcm(await embedded.synthesize(text, fallbackVoice), this.#shared.level);
    await this.#shared.cache.set(fallbackKey, pcm);
    return pcm;
  }

  /** A prompt for CallControl.play: key `tts:HASH`, rendered through {@link render}. */
  prompt(text: string, voice: VoiceSelection = {}): PromptSource {
    return { key: `tts:${this.keyOf(text, voice)}`, render: () => this.render(text, voice) };
  }

  /** Alias of {@link prompt} (the name the interpreter's say uses). */
  ttsPrompt(text: string, voice: VoiceSelection = {}): PromptSource {
    return this.prompt(text, voice);
  }

  /**
   * Synthesises every static speech prompt of a flow (say texts, gather/record prompts) into the cache, so the first
   * caller does not wait. Prompts with placeholders are skipped. Failures are reported, not thrown.
   */
  async prewarm(flow: Flow, concurrency = 2): Promise<PrewarmReport> {
    const seen = new Map<string, { node: string; text: string; voice: VoiceSelection }>();
    let skipped = 0;
    for (const [name, node] of Object.entries(flow.nodes)) {
      const spec = NODE_SPECS[(node as FlowNode).type] as unknown as { prompts(n: FlowNode): Array<{ say: string; language?: string; voice?: string }> } | undefined;
      for (const p of spec?.prompts(node) ?? []) {
        if (hasPlaceholders(p.say)) {
          skipped++;
          continue;
        }
        const voice = sayVoice(flow, p.language, p.voice);
        const key = this.keyOf(p.say, voice);
        if (!seen.has(key)) seen.set(key, { node: name, text: p.say, voice });
      }
    }
    const report: PrewarmReport = { prompts: seen.size, synthesized: 0, cached: 0, skipped, failed: [] };
    const queue = [...seen.entries()];
    const worker = async (): Promise<void> => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const [key, { node, text, voice }] = item;
        try {
          if ((await this.#shared.cache.get(key)) !== undefined) report.cached++;
          else {
            await this.render(text, voice);
            report.synthesized++;
          }
        } catch (err) {
          report.failed.push({ node, text, error: (err as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    return report;
  }
}
