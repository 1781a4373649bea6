// HTTP text-to-speech providers: an OpenAI-compatible `POST /v1/audio/speech` returning WAV, and a configurable generic JSON endpoint returning base64 WAV/PCM or WAV bytes (RFC 9110; RFC 4648 §4 base64; RIFF WAVE).
import { readWav, WavError } from '../../engine/codec/wav.ts';
import { TtsError } from '../errors.ts';
import { downmix } from '../media/file-prompt.ts';
import type { SynthesisResult, TtsProvider } from './types.ts';
import { primaryLanguage } from './voice.ts';
import type { VoiceSelection } from './voice.ts';

/** Largest audio reply accepted, bytes (about 10 minutes of 24 kHz 16-bit mono). */
export const MAX_TTS_REPLY = 32 * 1024 * 1024;

/** Common options of HTTP providers. */
export interface HttpTtsCommon {
  /** Default voice. */
  voice: string;
  /** Voice by language subtag (`en`, `zh`…) when a `say` names a language but no voice. */
  voices?: Record<string, string>;
  /** Time allowed for the whole reply, ms. */
  timeoutMs: number;
  /** Extra request headers (e.g. an API gateway key). */
  headers?: Record<string, string>;
  /** fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/** Options of {@link OpenAiTts}. */
export interface OpenAiTtsOptions extends HttpTtsCommon {
  /** Base URL, e.g. `https://api.openai.com` or `http://tts.internal:8000`; `/v1/audio/speech` is appended unless present. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** 0.25…4. */
  speed?: number;
}

/** Defaults of {@link OpenAiTtsOptions}. */
export const OPENAI_TTS_DEFAULTS = Object.freeze({ model: 'tts-1', voice: 'alloy', timeoutMs: 10_000 });

/** Options of {@link HttpJsonTts}. */
export interface HttpJsonTtsOptions extends HttpTtsCommon {
  url: string;
  /** Default POST. */
  method?: 'POST' | 'PUT';
  /** Request body: JSON whose strings may hold `{{text}}`, `{{voice}}`, `{{language}}`. Default `{text, voice, language}`. */
  body?: unknown;
  /** Dot path of the audio in the JSON reply (`audio`, `data.audioContent`). Ignored for a WAV reply. */
  audioField: string;
  /** What the field holds: base64 of a WAV file, or of 16-bit little-endian PCM at `sampleRate`. */
  audioEncoding: 'wav' | 'pcm16le';
  sampleRate?: number;
  /** Dot path of the sample rate in the reply (overrides `sampleRate`). */
  sampleRateField?: string;
}

/** Defaults of {@link HttpJsonTtsOptions}. */
export const HTTP_JSON_TTS_DEFAULTS = Object.freeze({ audioField: 'audio', audioEncoding: 'wav' as const, timeoutMs: 10_000, voice: 'default' });

function pickVoice(sel: VoiceSelection, common: HttpTtsCommon): string {
  if (sel.voice) return sel.voice;
  const lang = primaryLanguage(sel.language);
  if (lang !== undefined && common.voices !== undefined) {
    const full = sel.language!.toLowerCase();
    if (Object.hasOwn(common.voices, full)) return common.voices[full];
    if (Object.hasOwn(common.voices, lang)) return common.voices[lang];
  }
  return common.voice;
}

/** Decodes WAV bytes into mono PCM. */
function decodeWav(bytes: Uint8Array, provider: string): SynthesisResult {
  try {
    // Streaming encoders write 0 or 0xFFFFFFFF as the data size: read what is there.
    const wav = readWav(bytes, { allowTruncated: true });
    if (wav.frames === 0) throw new TtsError('malformed', provider, 'the WAV reply holds no audio');
    return { pcm: downmix(wav.data, wav.channels), sampleRate: wav.sampleRate };
  } catch (err) {
    if (err instanceof TtsError) throw err;
    throw new TtsError('malformed', provider, `the reply is not a readable WAV file${err instanceof WavError ? ` (${err.code})` : ''}`, { cause: err });
  }
}

const isRiff = (b: Uint8Array): boolean => b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46;

/** Sends a request with a timeout; maps every failure to a TtsError; returns the body bytes and content type. */
async function request(provider: string, url: string, init: RequestInit, common: HttpTtsCommon, signal?: AbortSignal): Promise<{ bytes: Uint8Array; type: string }> {
  if (signal?.aborted) throw new TtsError('aborted', provider, 'aborted before start');
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), common.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  try {
    const res = await (common.fetch ?? globalThis.fetch)(url, { ...init, signal: both, redirect: 'error' });
    if (res.status < 200 || res.status >= 300) {
      let detail = '';
      try {
        detail = (await res.text()).slice(0, 200);
      } catch {
        // body unreadable: the status says enough
      }
      throw new TtsError('http-status', provider, `${url} answered ${res.status}${detail ? `: ${detail}` : ''}`, { status: res.status });
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_TTS_REPLY) throw new TtsError('malformed', provider, `reply of ${declared} bytes is too large`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_TTS_REPLY) throw new TtsError('malformed', provider, `reply of ${bytes.length} bytes is too large`);
    return { bytes, type: (res.headers.get('content-type') ?? '').toLowerCase() };
  } catch (err) {
    if (err instanceof TtsError) throw err;
    if (signal?.aborted) throw new TtsError('aborted', provider, 'aborted', { cause: err });
    if (timeout.signal.aborted) throw new TtsError('timeout', provider, `no reply from ${url} within ${common.timeoutMs} ms`, { cause: err });
    throw new TtsError('network', provider, `request to ${url} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** An OpenAI-compatible speech endpoint (`POST {baseUrl}/v1/audio/speech`, `response_format: "wav"`). */
export class OpenAiTts implements TtsProvider {
  readonly id: string;
  readonly url: string;
  readonly #o: OpenAiTtsOptions;

  /** @throws {TypeError} for a base URL that is not http(s) */
  constructor(options: Partial<OpenAiTtsOptions> & { baseUrl: string }) {
    this.#o = { ...OPENAI_TTS_DEFAULTS, ...options };
    const base = new URL(this.#o.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('baseUrl must be an http(s) URL');
    const path = base.pathname.replace(/\/+$/, '');
    this.url = `${base.origin}${path.endsWith('/v1/audio/speech') ? path : `${path}/v1/audio/speech`}`;
    this.id = `openai:${this.url}:${this.#o.model}${this.#o.speed !== undefined ? `:x${this.#o.speed}` : ''}`;
  }

  voiceFor(sel: VoiceSelection): string {
    return pickVoice(sel, this.#o);
  }

  async synthesize(text: string, sel: VoiceSelection, signal?: AbortSignal): Promise<SynthesisResult> {
    if (text.trim() === '') throw new TtsError('bad-request', this.id, 'empty text');
    const body: Record<string, unknown> = { model: this.#o.model, input: text, voice: this.voiceFor(sel), response_format: 'wav' };
    if (this.#o.speed !== undefined) body.speed = this.#o.speed;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'audio/wav', ...this.#o.headers };
    if (this.#o.apiKey) headers.authorization = `Bearer ${this.#o.apiKey}`;
    const { bytes } = await request(this.id, this.url, { method: 'POST', headers, body: JSON.stringify(body) }, this.#o, signal);
    return decodeWav(bytes, this.id);
  }
}

function getPath(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function fill(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{\s*(text|voice|language)\s*\}\}/g, (_, k: string) => vars[k]);
  if (Array.isArray(v)) return v.map((x) => fill(x, vars));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)]));
  return v;
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** A generic JSON speech endpoint (self-hosted engines, cloud APIs behind a gateway). */
export class HttpJsonTts implements TtsProvider {
  readonly id: string;
  readonly #o: HttpJsonTtsOptions;

  /** @throws {TypeError} for a URL that is not http(s), or pcm16le without a sample rate source */
  constructor(options: Partial<HttpJsonTtsOptions> & { url: string }) {
    this.#o = { ...HTTP_JSON_TTS_DEFAULTS, ...options };
    const u = new URL(this.#o.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('url must be an http(s) URL');
    if (this.#o.audioEncoding === 'pcm16le' && this.#o.sampleRate === undefined && this.#o.sampleRateField === undefined) {
      throw new TypeError('pcm16le needs sampleRate or sampleRateField');
    }
    this.id = `http-json:${u.origin}${u.pathname}:${JSON.stringify(this.#o.body ?? null)}`;
  }

  voiceFor(sel: VoiceSelection): string {
    return pickVoice(sel, this.#o);
  }

  async synthesize(text: string, sel: VoiceSelection, signal?: AbortSignal): Promise<SynthesisResult> {
    if (text.trim() === '') throw new TtsError('bad-request', this.id, 'empty text');
    const vars = { text, voice: this.voiceFor(sel), language: sel.language ?? '' };
    const body = fill(this.#o.body ?? { text: '{{text}}', voice: '{{voice}}', language: '{{language}}' }, vars);
    const headers = { 'content-type': 'application/json', accept: 'application/json, audio/wav', ...this.#o.headers };
    const { bytes, type } = await request(this.id, this.#o.url, { method: this.#o.method ?? 'POST', headers, body: JSON.stringify(body) }, this.#o, signal);
    if (type.startsWith('audio/') || isRiff(bytes)) return decodeWav(bytes, this.id);
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (err) {
      throw new TtsError('malformed', this.id, 'the reply is neither JSON nor WAV', { cause: err });
    }
    const field = getPath(doc, this.#o.audioField);
    if (typeof field !== 'string' || field.length === 0 || !BASE64.test(field)) {
      throw new TtsError('malformed', this.id, `the reply has no base64 audio at ${this.#o.audioField}`);
    }
    const audio = Buffer.from(field, 'base64');
    if (this.#o.audioEncoding === 'wav') return decodeWav(audio, this.id);
    const rate = this.#o.sampleRateField !== undefined ? getPath(doc, this.#o.sampleRateField) : this.#o.sampleRate;
    if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 4000 || rate > 192_000) {
      throw new TtsError('malformed', this.id, `the reply's sample rate is missing or invalid`);
    }
    if (audio.length < 2) throw new TtsError('malformed', this.id, 'the reply holds no audio');
    const pcm = new Int16Array(audio.length >> 1);
    for (let i = 0; i < pcm.length; i++) pcm[i] = audio.readInt16LE(i * 2);
    return { pcm, sampleRate: rate };
  }
}
