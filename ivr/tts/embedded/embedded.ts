// The embedded TTS provider: Flite for English, eSpeak-NG for Mandarin and other languages, run in one shared worker thread started on first use (no network, no native addon; DESIGN.md §7).
import type { Worker } from 'node:worker_threads';
import { TtsError } from '../../errors.ts';
import type { TtsErrorCode } from '../../errors.ts';
import type { SynthesisResult, TtsProvider } from '../types.ts';
import { primaryLanguage } from '../voice.ts';
import type { VoiceSelection } from '../voice.ts';
import { startEngineWorker } from './assets.ts';
import type { EngineReply, EngineRequest } from './engine-worker.ts';
import { FLITE_VOICES } from './voices.ts';
import type { EngineName } from './voices.ts';

/** Options of {@link EmbeddedTts}. */
export interface EmbeddedTtsOptions {
  /**
   * `worker` (default): synthesis runs in a worker thread shared by the process, so the main thread (media clock,
   * signalling) never blocks for the hundreds of milliseconds a sentence takes. `inline`: on the calling thread
   * (tools, benchmarks, or where workers are unavailable).
   */
  mode: 'worker' | 'inline';
  /** Flite voice for English when none is asked for. */
  englishVoice: string;
}

/** Defaults of {@link EmbeddedTtsOptions}: worker thread, Flite's `slt` (a clear female US English voice). */
export const EMBEDDED_TTS_DEFAULTS: Readonly<EmbeddedTtsOptions> = Object.freeze({ mode: 'worker', englishVoice: 'slt' });

/** eSpeak voices for language subtags eSpeak does not take as they are. */
const ESPEAK_ALIASES: Readonly<Record<string, string>> = Object.freeze({ zh: 'cmn', 'zh-cn': 'cmn', 'zh-hans': 'cmn', 'zh-tw': 'cmn', 'zh-hk': 'yue', 'zh-yue': 'yue' });

/**
 * Maps a selection to `engine:voice`. An explicit voice wins: a Flite voice name (`slt`, `kal`…), `flite:NAME`,
 * `espeak:NAME`, or any other name taken as an eSpeak voice. Else the language: English (or none) → Flite,
 * Chinese → eSpeak `cmn` (`yue` for Hong Kong), anything else → eSpeak by language tag.
 */
export function embeddedVoice(sel: VoiceSelection, englishVoice = EMBEDDED_TTS_DEFAULTS.englishVoice): { engine: EngineName; voice: string } {
  const v = sel.voice?.trim();
  if (v) {
    if (v.startsWith('flite:')) return { engine: 'flite', voice: v.slice(6) };
    if (v.startsWith('espeak:')) return { engine: 'espeak', voice: v.slice(7) };
    if (FLITE_VOICES.includes(v)) return { engine: 'flite', voice: v };
    return { engine: 'espeak', voice: v };
  }
  const lang = sel.language?.toLowerCase();
  const primary = primaryLanguage(lang);
  if (primary === undefined || primary === 'en') return { engine: 'flite', voice: englishVoice };
  if (lang !== undefined && Object.hasOwn(ESPEAK_ALIASES, lang)) return { engine: 'espeak', voice: ESPEAK_ALIASES[lang] };
  if (primary === 'zh') return { engine: 'espeak', voice: lang === 'yue' || lang?.startsWith('yue') ? 'yue' : 'cmn' };
  return { engine: 'espeak', voice: lang! };
}

interface Pending {
  resolve(r: SynthesisResult): void;
  reject(err: Error): void;
}

/** One worker thread for the process, started on first use, unreferenced while idle (it never keeps the process alive). */
class EngineThread {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  run(engine: EngineName, text: string, voice: string, signal?: AbortSignal): Promise<SynthesisResult> {
    if (signal?.aborted) return Promise.reject(new TtsError('aborted', 'embedded', 'aborted before start'));
    const w = this.#ensure();
    const id = this.#nextId++;
    return new Promise<SynthesisResult>((resolve, reject) => {
      const onAbort = (): void => {
        // The engine cannot be interrupted mid-sentence; the caller stops waiting and the result is dropped.
        if (this.#settle(id)) reject(new TtsError('aborted', 'embedded', 'aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (r) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      w.ref();
      w.postMessage({ id, engine, text, voice } satisfies EngineRequest);
    });
  }

  /** Removes a pending request; unreferences the worker when nothing is pending. */
  #settle(id: number): Pending | undefined {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker?.unref();
    return p;
  }

  #ensure(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const w = startEngineWorker();
    w.unref();
    w.on('message', (m: EngineReply) => {
      const p = this.#settle(m.id);
      if (p === undefined) return;
      if ('error' in m) p.reject(new TtsError(m.error.code as TtsErrorCode, 'embedded', m.error.message));
      else p.resolve({ pcm: m.pcm, sampleRate: m.sampleRate });
    });
    const fail = (err: Error): void => {
      if (this.#worker === w) this.#worker = undefined;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      for (const p of pending) p.reject(new TtsError('engine', 'embedded', `the TTS worker stopped: ${err.message}`, { cause: err }));
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.#worker = w;
    return w;
  }

  /** Whether a worker thread is running. */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Stops the worker; pending requests fail with `engine`. */
  async close(): Promise<void> {
    const w = this.#worker;
    if (w === undefined) return;
    this.#worker = undefined;
    await w.terminate();
  }
}

let sharedThread: EngineThread | undefined;

function thread(): EngineThread {
  sharedThread ??= new EngineThread();
  return sharedThread;
}

/** The embedded provider (Flite + eSpeak-NG). Many instances may exist; they share one worker thread. */
export class EmbeddedTts implements TtsProvider {
  readonly id = 'embedded';
  readonly #opts: EmbeddedTtsOptions;

  constructor(options: Partial<EmbeddedTtsOptions> = {}) {
    this.#opts = { ...EMBEDDED_TTS_DEFAULTS, ...options };
  }

  voiceFor(sel: VoiceSelection): string {
    const { engine, voice } = embeddedVoice(sel, this.#opts.englishVoice);
    return `${engine}:${voice}`;
  }

  async synthesize(text: string, sel: VoiceSelection, signal?: AbortSignal): Promise<SynthesisResult> {
    const { engine, voice } = embeddedVoice(sel, this.#opts.englishVoice);
    if (this.#opts.mode === 'inline') {
      if (signal?.aborted) throw new TtsError('aborted', 'embedded', 'aborted before start');
      // Loaded on demand: importing node:wasi prints an experimental-feature warning, kept out of worker-mode processes.
      const { synthesizeHere } = await import('./engines.ts');
      return synthesizeHere(engine, text, voice);
    }
    return thread().run(engine, text, voice, signal);
  }
}

let shared: EmbeddedTts | undefined;

/** The process's default embedded provider (worker mode). */
export function sharedEmbeddedTts(): EmbeddedTts {
  shared ??= new EmbeddedTts();
  return shared;
}

/** Whether the shared engine thread is running (tests, diagnostics). */
export function embeddedThreadRunning(): boolean {
  return sharedThread?.running ?? false;
}

/** Stops the shared engine thread (shutdown, tests); the next synthesis starts a new one. */
export async function closeEmbeddedTts(): Promise<void> {
  await sharedThread?.close();
}
