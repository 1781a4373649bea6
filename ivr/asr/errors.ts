// Typed errors of speech recognition providers (STYLE.md "Errors and events"): one class, a `code`, and whether trying again later may succeed.

/** Why a transcription failed. */
export type AsrErrorCode =
  /** The provider refused the request as malformed or too large (HTTP 400, 404, 413, 415, 422): retrying the same audio will not help. */
  | 'bad-request'
  /** Missing or refused credentials (HTTP 401, 403). */
  | 'unauthorized'
  /** The provider asked us to slow down (HTTP 429); see {@link AsrError.retryAfterMs}. */
  | 'rate-limited'
  /** The provider failed (HTTP 5xx, or an unexpected status). */
  | 'server-error'
  /** No answer within the time limit. */
  | 'timeout'
  /** The connection failed (refused, reset, DNS). */
  | 'network'
  /** The answer could not be understood (not JSON, wrong shape, too large). */
  | 'bad-response'
  /** The caller cancelled (its `signal` fired). */
  | 'aborted'
  /** The recogniser is not installed (command or model missing). */
  | 'unavailable'
  /** The language has no model/provider support. */
  | 'unsupported-language'
  /** The configuration is invalid (e.g. a grammar word missing from the dictionary). */
  | 'bad-config'
  /** The audio could not be used (not a WAV the codec reads, wrong channel layout). */
  | 'bad-audio'
  /** The local recogniser process failed (non-zero exit, killed by a signal). */
  | 'recognizer-failed';

/** Codes for which a later attempt may succeed (the pipeline backs off and retries these). */
const RETRYABLE: ReadonlySet<AsrErrorCode> = new Set<AsrErrorCode>(['rate-limited', 'server-error', 'timeout', 'network', 'bad-response', 'recognizer-failed']);

/** True when an error with this code is worth retrying later. */
export function isRetryableCode(code: AsrErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** Options of an {@link AsrError}. */
export interface AsrErrorOptions {
  cause?: unknown;
  /** Overrides the code's default retryability. */
  retryable?: boolean;
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** Delay the provider asked for (HTTP Retry-After), in ms. */
  retryAfterMs?: number;
}

/** The one error speech recognition throws. Assert on `code` and `retryable`, not on the message. */
export class AsrError extends Error {
  readonly code: AsrErrorCode;
  /** True when trying again later may succeed (timeouts, 5xx, 429, network, malformed answers). */
  readonly retryable: boolean;
  /** HTTP status, for provider answers. */
  readonly status: number | undefined;
  /** How long the provider asked us to wait (ms), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(code: AsrErrorCode, message: string, options: AsrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AsrError';
    this.code = code;
    this.retryable = options.retryable ?? isRetryableCode(code);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** `err` if it already is an {@link AsrError}, else an `aborted` error when `signal` fired, else `fallback`'s code. */
export function toAsrError(err: unknown, signal: AbortSignal | undefined, fallback: AsrErrorCode, what: string): AsrError {
  if (err instanceof AsrError) return err;
  if (signal?.aborted) return new AsrError('aborted', `${what}: cancelled`, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new AsrError(fallback, `${what}: ${msg}`, { cause: err });
}
