// Shared HTTP client behaviour of the HTTP recognisers: one request under a deadline, a capped body, and status classes mapped to typed errors (RFC 9110 §15: 4xx the request's fault, 5xx the server's; §10.2.3 Retry-After; RFC 6585 §4 429).
import { withDeadline } from './audio.ts';
import { AsrError } from './errors.ts';

/** What a provider answered. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** Options of {@link request}. */
export interface RequestOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** Largest answer body read. */
  maxBodyBytes: number;
  /** Provider name for messages. */
  what: string;
}

/**
 * Sends one request and reads the whole answer within `timeoutMs`; a non-2xx status becomes an {@link AsrError}.
 * @throws {AsrError} `timeout`, `aborted`, `network`, `bad-response` (body too large), or per {@link statusError}.
 */
export async function request(url: string, init: RequestInit, o: RequestOptions): Promise<HttpAnswer> {
  return withDeadline(o.signal, o.timeoutMs, async (signal, timedOut) => {
    let res: Response;
    try {
      res = await o.fetch(url, { ...init, signal, redirect: 'error' });
    } catch (err) {
      throw failure(err, o, timedOut());
    }
    let text: string;
    try {
      text = await readCapped(res, o.maxBodyBytes, o.what);
    } catch (err) {
      throw failure(err, o, timedOut());
    }
    if (res.status < 200 || res.status > 299) throw statusError(res.status, text, res.headers.get('retry-after'), o.what);
    return { status: res.status, headers: res.headers, text };
  });
}

function failure(err: unknown, o: RequestOptions, timedOut: boolean): AsrError {
  if (err instanceof AsrError) return err;
  if (timedOut) return new AsrError('timeout', `${o.what}: no answer within ${o.timeoutMs} ms`, { cause: err });
  if (o.signal?.aborted) return new AsrError('aborted', `${o.what}: cancelled`, { cause: err });
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return new AsrError('network', `${o.what}: request failed (${detail})`, { cause: err });
}

/** Reads at most `max` bytes of the body as UTF-8. @throws {AsrError} `bad-response` beyond `max`. */
async function readCapped(res: Response, max: number, what: string): Promise<string> {
  if (res.body === null) return '';
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body.cancel().catch(() => undefined);
    throw new AsrError('bad-response', `${what}: answer of ${declared} bytes exceeds ${max}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new AsrError('bad-response', `${what}: answer exceeds ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The delay an HTTP Retry-After value asks for (delta-seconds or an HTTP-date), in ms; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The typed error for a non-2xx answer: 401/403 `unauthorized`, 429 `rate-limited`, other 4xx `bad-request`, 5xx and the rest `server-error`. */
export function statusError(status: number, body: string, retryAfter: string | null, what: string): AsrError {
  const detail = providerMessage(body);
  const msg = `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`;
  const retryAfterMs = parseRetryAfter(retryAfter);
  const opts = { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status === 401 || status === 403) return new AsrError('unauthorized', msg, opts);
  if (status === 429) return new AsrError('rate-limited', msg, opts);
  if (status === 408) return new AsrError('timeout', msg, opts);
  if (status >= 400 && status < 500) return new AsrError('bad-request', msg, opts);
  return new AsrError('server-error', msg, opts);
}

/** A short message from an error body (`{"error":{"message":…}}`, `{"error":"…"}`, `{"message":…}` or text), at most 200 characters. */
function providerMessage(body: string): string {
  let m: unknown = body;
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = j.error as { message?: unknown } | string | undefined;
    m = typeof e === 'string' ? e : (e?.message ?? j.message ?? j.detail ?? body);
  } catch {
    // not JSON: the text itself
  }
  return String(typeof m === 'string' ? m : JSON.stringify(m))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/** Parses a JSON answer. @throws {AsrError} `bad-response`. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AsrError('bad-response', `${what}: answer is not JSON`, { cause: err });
  }
}

/** A finite, non-negative number or `undefined`. */
export function finiteTime(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}
