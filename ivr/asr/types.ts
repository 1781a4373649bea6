// The speech recognition provider contract: mono 16-bit PCM in, time-stamped text segments out, cancellable.

/** One recognised stretch of speech, with times relative to the start of the audio handed in. */
export interface TranscriptSegment {
  startMs: number;
  endMs: number;
  text: string;
}

/** What a provider recognised. */
export interface TranscriptionResult {
  /** Time-ordered segments (possibly empty: nothing was said, or nothing recognised). */
  segments: TranscriptSegment[];
  /** All the text, segments joined by a space. */
  text: string;
}

/** One recognition request. */
export interface TranscribeRequest {
  /** Mono 16-bit samples. */
  pcm: Int16Array;
  /** Sample rate of `pcm` in Hz (8000 for telephony; providers resample as they need). */
  sampleRate: number;
  /** BCP 47 language tag: `en`, `en-US`, `zh-CN`… */
  language: string;
  /**
   * Expected phrases: a grammar's sentences or keywords for a local recogniser in grammar/keyword mode, a
   * vocabulary prompt for HTTP providers. Optional.
   */
  hints?: readonly string[];
  /** Cancels the request (the call layer shutting down, a job's lease lost). */
  signal?: AbortSignal;
}

/** A speech recognition provider. Implementations throw only {@link AsrError}. */
export interface SpeechRecognizer {
  /** Short name for logs and transcripts: `openai`, `http`, `pocketsphinx`. */
  readonly name: string;
  /**
   * Recognises `pcm`.
   * @throws {AsrError} with `retryable` telling whether a later attempt may succeed.
   */
  transcribe(req: TranscribeRequest): Promise<TranscriptionResult>;
}

/** Joins segment texts (helper for providers). */
export function joinSegments(segments: readonly TranscriptSegment[]): string {
  return segments
    .map((s) => s.text.trim())
    .filter((t) => t.length > 0)
    .join(' ');
}
