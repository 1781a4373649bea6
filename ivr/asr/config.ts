// Per-tenant speech recognition settings: which provider, which language, which phrases — checked from stored JSON, shown with secrets hidden, and turned into a recogniser with the operator's environment (commands, models and HTTP client are never tenant data).
import { HttpJsonRecognizer, type HttpJsonRequestShape, type HttpJsonResponseShape } from './http-json.ts';
import { OpenAiRecognizer } from './openai.ts';
import { PocketSphinxRecognizer, type PocketSphinxMode, type PocketSphinxOptions } from './pocketsphinx.ts';
import type { SpeechRecognizer } from './types.ts';

/** Provider names. */
export const ASR_PROVIDERS = Object.freeze(['openai', 'http', 'pocketsphinx'] as const);
/** One of {@link ASR_PROVIDERS}. */
export type AsrProviderName = (typeof ASR_PROVIDERS)[number];

/** Settings every provider shares. */
interface AsrCommon {
  /** BCP 47 tag of the language spoken on the tenant's calls. */
  language: string;
  /** Phrases: grammar sentences / keyphrases (pocketsphinx), a vocabulary prompt (HTTP). */
  hints?: string[];
  /** Time limit of one recognition request, ms. */
  timeoutMs?: number;
}

/** An OpenAI-compatible transcription API. */
export interface OpenAiAsrConfig extends AsrCommon {
  provider: 'openai';
  /** API root with version: `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  model?: string;
  uploadSampleRate?: number;
}

/** A generic JSON endpoint. */
export interface HttpAsrConfig extends AsrCommon {
  provider: 'http';
  url: string;
  headers?: Record<string, string>;
  request?: HttpJsonRequestShape;
  response?: HttpJsonResponseShape;
  uploadSampleRate?: number;
}

/** The local PocketSphinx command. */
export interface PocketSphinxAsrConfig extends AsrCommon {
  provider: 'pocketsphinx';
  /** `lm` (free dictation, default), `grammar` (hints are the sentences) or `keywords` (hints are keyphrases). */
  mode?: PocketSphinxMode;
  keywordThreshold?: number;
}

/** A tenant's speech recognition settings. */
export type AsrConfig = OpenAiAsrConfig | HttpAsrConfig | PocketSphinxAsrConfig;

/** What the operator supplies around tenant settings. */
export interface AsrEnvironment {
  /** HTTP client of the HTTP providers. Default the global fetch. */
  fetch?: typeof fetch;
  /** Command, models and temp directory of the local recogniser. */
  pocketsphinx?: Omit<PocketSphinxOptions, 'mode' | 'keywordThreshold' | 'timeoutMs'>;
  /** Providers tenants may choose. Default all. */
  allowedProviders?: readonly AsrProviderName[];
}

/** A setting that is not valid; `field` is its dot path (`hints.2`, `baseUrl`). */
export class AsrConfigError extends TypeError {
  readonly code = 'bad-config';
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'AsrConfigError';
    this.field = field;
  }
}

const MAX_HINTS = 500;
const MAX_HINT_LENGTH = 300;
const SECRET = '********';

/** Fields each provider accepts (beyond the common ones). */
const FIELDS: Record<AsrProviderName, readonly string[]> = {
  openai: ['baseUrl', 'apiKey', 'model', 'uploadSampleRate'],
  http: ['url', 'headers', 'request', 'response', 'uploadSampleRate'],
  pocketsphinx: ['mode', 'keywordThreshold'],
};

/**
 * Checks settings (e.g. JSON from the store or an API body) and returns them typed; also builds the recogniser once
 * so that every option it refuses is reported here.
 * @throws {AsrConfigError} naming the field at fault.
 */
export function parseAsrConfig(input: unknown, env: AsrEnvironment = {}): AsrConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AsrConfigError('(settings)', 'must be an object');
  const o = input as Record<string, unknown>;
  const provider = o.provider;
  if (typeof provider !== 'string' || !(ASR_PROVIDERS as readonly string[]).includes(provider)) throw new AsrConfigError('provider', `must be one of ${ASR_PROVIDERS.join(', ')}`);
  const p = provider as AsrProviderName;
  if (env.allowedProviders !== undefined && !env.allowedProviders.includes(p)) throw new AsrConfigError('provider', `${p} is not offered on this server`);
  const known = new Set(['provider', 'language', 'hints', 'timeoutMs', ...FIELDS[p]]);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new AsrConfigError(k, `is not a setting of provider ${p}`);
  if (typeof o.language !== 'string' || !/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(o.language)) throw new AsrConfigError('language', 'must be a BCP 47 tag such as en-US');
  if (o.hints !== undefined) {
    if (!Array.isArray(o.hints) || o.hints.length > MAX_HINTS) throw new AsrConfigError('hints', `must be an array of at most ${MAX_HINTS} strings`);
    o.hints.forEach((h: unknown, i) => {
      if (typeof h !== 'string' || h.trim().length === 0 || h.length > MAX_HINT_LENGTH) throw new AsrConfigError(`hints.${i}`, `must be a non-empty string of at most ${MAX_HINT_LENGTH} characters`);
    });
  }
  if (o.timeoutMs !== undefined && (typeof o.timeoutMs !== 'number' || !Number.isInteger(o.timeoutMs) || o.timeoutMs < 100 || o.timeoutMs > 3_600_000)) {
    throw new AsrConfigError('timeoutMs', 'must be an integer from 100 to 3600000');
  }
  for (const k of ['baseUrl', 'apiKey', 'model', 'url', 'mode']) if (o[k] !== undefined && typeof o[k] !== 'string') throw new AsrConfigError(k, 'must be a string');
  for (const k of ['uploadSampleRate', 'keywordThreshold']) if (o[k] !== undefined && typeof o[k] !== 'number') throw new AsrConfigError(k, 'must be a number');
  if (o.headers !== undefined) {
    if (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers)) throw new AsrConfigError('headers', 'must be an object of strings');
    for (const [k, v] of Object.entries(o.headers)) if (typeof v !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw new AsrConfigError(`headers.${k}`, 'must be a header name with a string value');
  }
  for (const k of ['request', 'response']) if (o[k] !== undefined && (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k]))) throw new AsrConfigError(k, 'must be an object');
  if (p === 'openai' && o.baseUrl === undefined) throw new AsrConfigError('baseUrl', 'is required');
  if (p === 'http' && o.url === undefined) throw new AsrConfigError('url', 'is required');
  const config = structuredClone(o) as unknown as AsrConfig;
  try {
    createRecognizer(config, env);
  } catch (err) {
    if (err instanceof AsrConfigError) throw err;
    const m = err instanceof Error ? /^([\w.]+): (.*)$/.exec(err.message) : null;
    throw m !== null ? new AsrConfigError(m[1], m[2]) : new AsrConfigError('(settings)', err instanceof Error ? err.message : String(err));
  }
  return config;
}

/** The settings with secrets (API key, header values) replaced by `********`, for showing through the API. */
export function redactAsrConfig(c: AsrConfig): AsrConfig {
  const copy = structuredClone(c);
  if (copy.provider === 'openai' && copy.apiKey !== undefined) copy.apiKey = SECRET;
  if (copy.provider === 'http' && copy.headers !== undefined) copy.headers = Object.fromEntries(Object.keys(copy.headers).map((k) => [k, SECRET]));
  return copy;
}

/**
 * The recogniser for settings (already checked by {@link parseAsrConfig}, or written by the operator).
 * @throws {TypeError} naming an option the provider refuses; {AsrConfigError} for a provider not offered.
 */
export function createRecognizer(c: AsrConfig, env: AsrEnvironment = {}): SpeechRecognizer {
  if (env.allowedProviders !== undefined && !env.allowedProviders.includes(c.provider)) throw new AsrConfigError('provider', `${c.provider} is not offered on this server`);
  switch (c.provider) {
    case 'openai':
      return new OpenAiRecognizer({
        baseUrl: c.baseUrl,
        ...(c.apiKey !== undefined ? { apiKey: c.apiKey } : {}),
        ...(c.model !== undefined ? { model: c.model } : {}),
        ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
        ...(c.uploadSampleRate !== undefined ? { uploadSampleRate: c.uploadSampleRate } : {}),
        ...(env.fetch !== undefined ? { fetch: env.fetch } : {}),
      });
    case 'http':
      return new HttpJsonRecognizer({
        url: c.url,
        ...(c.headers !== undefined ? { headers: c.headers } : {}),
        ...(c.request !== undefined ? { request: c.request } : {}),
        ...(c.response !== undefined ? { response: c.response } : {}),
        ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
        ...(c.uploadSampleRate !== undefined ? { uploadSampleRate: c.uploadSampleRate } : {}),
        ...(env.fetch !== undefined ? { fetch: env.fetch } : {}),
      });
    case 'pocketsphinx':
      return new PocketSphinxRecognizer({
        ...env.pocketsphinx,
        ...(c.mode !== undefined ? { mode: c.mode } : {}),
        ...(c.keywordThreshold !== undefined ? { keywordThreshold: c.keywordThreshold } : {}),
        ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
      });
    default: {
      const never: never = c;
      throw new AsrConfigError('provider', `unknown provider ${String((never as { provider?: unknown }).provider)}`);
    }
  }
}
