// Recogniser for OpenAI-compatible transcription APIs (`POST {baseUrl}/audio/transcriptions`, multipart/form-data per RFC 7578, `response_format=verbose_json` for segments): OpenAI, faster-whisper servers, whisper.cpp's server and other compatible services.
import { checkRequest, monoWav, primarySubtag } from './audio.ts';
import { AsrError } from './errors.ts';
import { finiteTime, parseJson, request } from './http.ts';
import { joinSegments, type SpeechRecognizer, type TranscribeRequest, type TranscriptionResult, type TranscriptSegment } from './types.ts';

/** Options of {@link OpenAiRecognizer}. */
export interface OpenAiRecognizerOptions {
  /** The API root including its version, as in OpenAI's SDKs: `https://api.openai.com/v1`, `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when present (local servers often need none). */
  apiKey?: string;
  /** The `model` field. Default `whisper-1`. */
  model?: string;
  /** Whole-request time limit. Default 120 s. */
  timeoutMs?: number;
  /** Rate of the uploaded WAV (audio is resampled with the band-limited resampler). Default 16000: whisper.cpp's server takes only 16 kHz. */
  uploadSampleRate?: number;
  /** Largest answer read. Default 4 MiB. */
  maxBodyBytes?: number;
  /** HTTP client. Default the global `fetch` (looked up per request). */
  fetch?: typeof fetch;
}

/** Defaults of {@link OpenAiRecognizerOptions}. */
export const OPENAI_DEFAULTS = Object.freeze({ model: 'whisper-1', timeoutMs: 120_000, uploadSampleRate: 16_000, maxBodyBytes: 4 << 20 });

/** Longest vocabulary prompt sent (Whisper reads about 224 tokens of it). */
const MAX_PROMPT_CHARS = 800;

/** Speech recognition through an OpenAI-compatible `/audio/transcriptions` endpoint. */
export class OpenAiRecognizer implements SpeechRecognizer {
  readonly name = 'openai';
  readonly #url: string;
  readonly #o: Required<Omit<OpenAiRecognizerOptions, 'apiKey' | 'fetch' | 'baseUrl'>>;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch | undefined;

  /** @throws {TypeError} naming `baseUrl` (not an http(s) URL) or an out-of-range option. */
  constructor(opts: OpenAiRecognizerOptions) {
    this.#url = transcriptionsUrl(opts.baseUrl);
    this.#o = {
      model: opts.model ?? OPENAI_DEFAULTS.model,
      timeoutMs: opts.timeoutMs ?? OPENAI_DEFAULTS.timeoutMs,
      uploadSampleRate: opts.uploadSampleRate ?? OPENAI_DEFAULTS.uploadSampleRate,
      maxBodyBytes: opts.maxBodyBytes ?? OPENAI_DEFAULTS.maxBodyBytes,
    };
    if (!(this.#o.timeoutMs > 0)) throw new TypeError('timeoutMs: must be positive');
    if (![8000, 16000, 22050, 24000, 44100, 48000].includes(this.#o.uploadSampleRate)) throw new TypeError('uploadSampleRate: must be a common rate (8000, 16000 … 48000)');
    this.#apiKey = opts.apiKey;
    this.#fetch = opts.fetch;
  }

  /** @throws {AsrError} */
  async transcribe(req: TranscribeRequest): Promise<TranscriptionResult> {
    checkRequest(req, this.name);
    const wav = await monoWav(req.pcm, req.sampleRate, this.#o.uploadSampleRate, req.signal);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(wav)], { type: 'audio/wav' }), 'audio.wav');
    form.append('model', this.#o.model);
    form.append('language', primarySubtag(req.language));
    form.append('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'segment');
    form.append('temperature', '0');
    const prompt = vocabularyPrompt(req.hints);
    if (prompt !== undefined) form.append('prompt', prompt);
    // encoded up front: a FormData body streamed by fetch keeps writing into an aborted request (timeouts)
    const encoded = new Response(form);
    const body = new Uint8Array(await encoded.arrayBuffer());
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': encoded.headers.get('content-type') ?? 'multipart/form-data' };
    if (this.#apiKey !== undefined && this.#apiKey !== '') headers.authorization = `Bearer ${this.#apiKey}`;
    const answer = await request(this.#url, { method: 'POST', body, headers }, {
      fetch: this.#fetch ?? ((...a) => globalThis.fetch(...a)),
      timeoutMs: this.#o.timeoutMs,
      signal: req.signal,
      maxBodyBytes: this.#o.maxBodyBytes,
      what: this.name,
    });
    return parseVerboseJson(parseJson(answer.text, this.name), Math.round((req.pcm.length * 1000) / req.sampleRate));
  }
}

/** `{baseUrl}/audio/transcriptions`. @throws {TypeError} naming `baseUrl`. */
function transcriptionsUrl(baseUrl: string): string {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new TypeError('baseUrl: must be an absolute http(s) URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('baseUrl: must be an http or https URL');
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/audio/transcriptions`;
  return u.toString();
}

/** Hints as a Whisper prompt: the phrases, comma-separated, cut to a bounded length. */
function vocabularyPrompt(hints: readonly string[] | undefined): string | undefined {
  if (hints === undefined || hints.length === 0) return undefined;
  const text = hints.map((h) => h.trim()).filter((h) => h.length > 0).join(', ');
  return text.length === 0 ? undefined : text.slice(0, MAX_PROMPT_CHARS);
}

/**
 * Reads a `verbose_json` (or plain `json`) answer: `{text, duration?, segments?: [{start, end, text}]}` with times in
 * seconds. Without segments the text becomes one segment over the whole audio.
 * @throws {AsrError} `bad-response` for another shape.
 */
export function parseVerboseJson(body: unknown, audioMs: number): TranscriptionResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AsrError('bad-response', 'openai: answer is not a JSON object');
  const b = body as { text?: unknown; segments?: unknown; duration?: unknown };
  if (b.segments !== undefined && b.segments !== null) {
    if (!Array.isArray(b.segments)) throw new AsrError('bad-response', 'openai: segments is not an array');
    const segments: TranscriptSegment[] = [];
    for (const [i, s] of (b.segments as unknown[]).entries()) {
      const seg = s as { start?: unknown; end?: unknown; text?: unknown } | null;
      const start = finiteTime(seg?.start);
      const end = finiteTime(seg?.end);
      if (seg === null || typeof seg !== 'object' || start === undefined || end === undefined || typeof seg.text !== 'string') {
        throw new AsrError('bad-response', `openai: segments[${i}] lacks start, end or text`);
      }
      const text = seg.text.trim();
      if (text.length > 0) segments.push({ startMs: Math.round(start * 1000), endMs: Math.round(Math.max(start, end) * 1000), text });
    }
    segments.sort((a, b2) => a.startMs - b2.startMs);
    return { segments, text: joinSegments(segments) };
  }
  if (typeof b.text !== 'string') throw new AsrError('bad-response', 'openai: answer has neither segments nor text');
  const text = b.text.trim();
  const duration = finiteTime(b.duration);
  const segments = text.length === 0 ? [] : [{ startMs: 0, endMs: duration !== undefined ? Math.round(duration * 1000) : audioMs, text }];
  return { segments, text };
}
