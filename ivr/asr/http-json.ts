// Recogniser for a configurable JSON endpoint (RFC 8259): the audio goes as a base64 WAV (RFC 4648 §4) in a JSON body, the text and segments come back at configurable paths — for in-house or cloud services without an OpenAI-compatible API.
import { checkRequest, monoWav } from './audio.ts';
import { AsrError } from './errors.ts';
import { finiteTime, parseJson, request } from './http.ts';
import { joinSegments, type SpeechRecognizer, type TranscribeRequest, type TranscriptionResult, type TranscriptSegment } from './types.ts';

/** Where the request fields go: dot paths into the JSON body (`audio`, `config.language`); `null` leaves a field out. */
export interface HttpJsonRequestShape {
  /** The base64 WAV. Default `audio`. */
  audio?: string;
  /** The WAV's sample rate. Default `sampleRate`. */
  sampleRate?: string | null;
  /** The BCP 47 language tag. Default `language`. */
  language?: string | null;
  /** The hints array. Default `hints`. */
  hints?: string | null;
  /** Constant fields merged into every body first (`{"model": "x"}`). */
  extra?: Record<string, unknown>;
}

/** Where the answer's parts are: dot paths into the JSON answer. */
export interface HttpJsonResponseShape {
  /** The whole text. Default `text`. */
  text?: string;
  /** The array of segments (optional in answers). Default `segments`. */
  segments?: string;
  /** In each segment: start, end, text. Defaults `start`, `end`, `text`. */
  start?: string;
  end?: string;
  segmentText?: string;
  /** Unit of start/end. Default `s`. */
  timeUnit?: 's' | 'ms';
}

/** Options of {@link HttpJsonRecognizer}. */
export interface HttpJsonRecognizerOptions {
  /** The endpoint (POST). */
  url: string;
  /** Extra request headers (e.g. `authorization`, `x-api-key`). */
  headers?: Record<string, string>;
  request?: HttpJsonRequestShape;
  response?: HttpJsonResponseShape;
  /** Whole-request time limit. Default 120 s. */
  timeoutMs?: number;
  /** Rate of the WAV sent. Default 16000. */
  uploadSampleRate?: number;
  /** Largest answer read. Default 4 MiB. */
  maxBodyBytes?: number;
  /** HTTP client. Default the global `fetch` (looked up per request). */
  fetch?: typeof fetch;
}

/** Defaults of {@link HttpJsonRecognizerOptions}. */
export const HTTP_JSON_DEFAULTS = Object.freeze({
  timeoutMs: 120_000,
  uploadSampleRate: 16_000,
  maxBodyBytes: 4 << 20,
  request: Object.freeze({ audio: 'audio', sampleRate: 'sampleRate', language: 'language', hints: 'hints' }),
  response: Object.freeze({ text: 'text', segments: 'segments', start: 'start', end: 'end', segmentText: 'text', timeUnit: 's' as const }),
});

const PATH = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** A dot path that names plain data properties only. */
function isPath(p: unknown): p is string {
  return typeof p === 'string' && PATH.test(p) && !p.split('.').some((k) => FORBIDDEN.has(k));
}

/** Speech recognition through a generic JSON-in, JSON-out endpoint. */
export class HttpJsonRecognizer implements SpeechRecognizer {
  readonly name = 'http';
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #req: Required<Omit<HttpJsonRequestShape, 'extra'>> & { extra: Record<string, unknown> };
  readonly #res: Required<HttpJsonResponseShape>;
  readonly #timeoutMs: number;
  readonly #rate: number;
  readonly #maxBody: number;
  readonly #fetch: typeof fetch | undefined;

  /** @throws {TypeError} naming `url`, a path (`request.audio`…) or an out-of-range option. */
  constructor(opts: HttpJsonRecognizerOptions) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new TypeError('url: must be an absolute http(s) URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('url: must be an http or https URL');
    this.#url = u.toString();
    this.#headers = { ...(opts.headers ?? {}) };
    this.#req = { ...HTTP_JSON_DEFAULTS.request, ...opts.request, extra: { ...(opts.request?.extra ?? {}) } };
    this.#res = { ...HTTP_JSON_DEFAULTS.response, ...opts.response };
    for (const [k, v] of Object.entries(this.#req)) if (k !== 'extra' && v !== null && !isPath(v)) throw new TypeError(`request.${k}: must be a dot path such as a.b`);
    for (const [k, v] of Object.entries(this.#res)) if (k !== 'timeUnit' && !isPath(v)) throw new TypeError(`response.${k}: must be a dot path such as a.b`);
    if (this.#res.timeUnit !== 's' && this.#res.timeUnit !== 'ms') throw new TypeError('response.timeUnit: must be s or ms');
    this.#timeoutMs = opts.timeoutMs ?? HTTP_JSON_DEFAULTS.timeoutMs;
    this.#rate = opts.uploadSampleRate ?? HTTP_JSON_DEFAULTS.uploadSampleRate;
    this.#maxBody = opts.maxBodyBytes ?? HTTP_JSON_DEFAULTS.maxBodyBytes;
    if (!(this.#timeoutMs > 0)) throw new TypeError('timeoutMs: must be positive');
    if (!Number.isInteger(this.#rate) || this.#rate < 8000 || this.#rate > 48000) throw new TypeError('uploadSampleRate: must be an integer from 8000 to 48000');
    this.#fetch = opts.fetch;
  }

  /** @throws {AsrError} */
  async transcribe(req: TranscribeRequest): Promise<TranscriptionResult> {
    checkRequest(req, this.name);
    const wav = await monoWav(req.pcm, req.sampleRate, this.#rate, req.signal);
    const body: Record<string, unknown> = structuredClone(this.#req.extra);
    setPath(body, this.#req.audio, wav.toString('base64'));
    if (this.#req.sampleRate !== null) setPath(body, this.#req.sampleRate, this.#rate);
    if (this.#req.language !== null) setPath(body, this.#req.language, req.language);
    if (this.#req.hints !== null && req.hints !== undefined && req.hints.length > 0) setPath(body, this.#req.hints, [...req.hints]);
    const answer = await request(
      this.#url,
      { method: 'POST', body: JSON.stringify(body), headers: { ...this.#headers, 'content-type': 'application/json', accept: 'application/json' } },
      { fetch: this.#fetch ?? ((...a) => globalThis.fetch(...a)), timeoutMs: this.#timeoutMs, signal: req.signal, maxBodyBytes: this.#maxBody, what: this.name },
    );
    return this.parse(parseJson(answer.text, this.name), Math.round((req.pcm.length * 1000) / req.sampleRate));
  }

  /**
   * Reads an answer by the configured shape: segments when present, else the text as one segment over the audio.
   * @throws {AsrError} `bad-response`.
   */
  parse(body: unknown, audioMs: number): TranscriptionResult {
    const r = this.#res;
    const scale = r.timeUnit === 'ms' ? 1 : 1000;
    const rawSegments = getPath(body, r.segments);
    if (rawSegments !== undefined && rawSegments !== null) {
      if (!Array.isArray(rawSegments)) throw new AsrError('bad-response', `http: ${r.segments} is not an array`);
      const segments: TranscriptSegment[] = [];
      rawSegments.forEach((s: unknown, i) => {
        const start = finiteTime(getPath(s, r.start));
        const end = finiteTime(getPath(s, r.end));
        const text = getPath(s, r.segmentText);
        if (start === undefined || end === undefined || typeof text !== 'string') throw new AsrError('bad-response', `http: ${r.segments}[${i}] lacks ${r.start}, ${r.end} or ${r.segmentText}`);
        if (text.trim().length > 0) segments.push({ startMs: Math.round(start * scale), endMs: Math.round(Math.max(start, end) * scale), text: text.trim() });
      });
      segments.sort((a, b) => a.startMs - b.startMs);
      return { segments, text: joinSegments(segments) };
    }
    const text = getPath(body, r.text);
    if (typeof text !== 'string') throw new AsrError('bad-response', `http: answer has no ${r.text} string and no ${r.segments} array`);
    const t = text.trim();
    return { segments: t.length === 0 ? [] : [{ startMs: 0, endMs: audioMs, text: t }], text: t };
  }
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}
