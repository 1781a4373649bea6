// Audio preparation for recognisers: request checks, band-limited resampling done in slices that yield to the event loop (the media path shares this thread), WAV encoding, language subtags (RFC 5646 §2.1).
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { Resampler } from '../../engine/codec/resample.ts';
import { writeWav } from '../../engine/codec/wav.ts';
import { AsrError } from './errors.ts';
import type { TranscribeRequest } from './types.ts';

/** Input samples resampled between two yields to the event loop (≈ 1 s at 8 kHz: a millisecond or two of work). */
const SLICE = 8192;

/**
 * Checks a {@link TranscribeRequest} at a provider's boundary.
 * @throws {TypeError} naming `pcm`, `sampleRate` or `language`; {AsrError} `aborted` when the signal already fired.
 */
export function checkRequest(req: TranscribeRequest, what: string): void {
  if (!(req.pcm instanceof Int16Array)) throw new TypeError('pcm: must be an Int16Array');
  if (!Number.isInteger(req.sampleRate) || req.sampleRate < 1000 || req.sampleRate > 192_000) throw new TypeError('sampleRate: must be an integer from 1000 to 192000');
  if (typeof req.language !== 'string' || !/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(req.language)) throw new TypeError('language: must be a BCP 47 tag such as en or en-US');
  if (req.hints !== undefined && (!Array.isArray(req.hints) || req.hints.some((h) => typeof h !== 'string'))) throw new TypeError('hints: must be an array of strings');
  if (req.signal?.aborted) throw new AsrError('aborted', `${what}: cancelled before it started`);
}

/** The primary language subtag, lower case (`en-US` → `en`, `zh_CN` → `zh`). */
export function primarySubtag(language: string): string {
  return language.toLowerCase().split(/[-_]/)[0];
}

/**
 * Resamples mono PCM with the project's band-limited resampler, one slice at a time, yielding to the event loop
 * between slices so that a long recording never stalls the media clock.
 * @throws {AsrError} `aborted` when `signal` fires.
 */
export async function resampleCooperatively(pcm: Int16Array, inputRate: number, outputRate: number, signal?: AbortSignal): Promise<Int16Array> {
  if (inputRate === outputRate) return pcm;
  const r = new Resampler(inputRate, outputRate);
  const total = r.outputLengthFor(pcm.length);
  const out = new Int16Array(Math.max(total, r.maxOutputLength(SLICE)) + r.maxOutputLength(SLICE));
  let written = 0;
  for (let i = 0; i < pcm.length; i += SLICE) {
    const n = Math.min(SLICE, pcm.length - i);
    written += r.process(pcm.subarray(i, i + n), out.subarray(written));
    if (i + SLICE < pcm.length) {
      await yieldTurn();
      if (signal?.aborted) throw new AsrError('aborted', 'resampling: cancelled');
    }
  }
  written += r.flush(out.subarray(written));
  return out.slice(0, Math.min(written, total));
}

/** A mono 16-bit PCM WAV file of `pcm`, resampled to `targetRate` first when it differs. */
export async function monoWav(pcm: Int16Array, sampleRate: number, targetRate: number, signal?: AbortSignal): Promise<Buffer> {
  const data = await resampleCooperatively(pcm, sampleRate, targetRate, signal);
  return writeWav({ sampleRate: targetRate, channels: 1, data });
}

/** Runs `fn` with a signal that fires on `parent` or after `timeoutMs`; tells which one fired. */
export async function withDeadline<T>(
  parent: AbortSignal | undefined,
  timeoutMs: number,
  fn: (signal: AbortSignal, timedOut: () => boolean) => Promise<T>,
): Promise<T> {
  const ac = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ac.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = (): void => ac.abort(parent?.reason);
  if (parent !== undefined) {
    if (parent.aborted) ac.abort(parent.reason);
    else parent.addEventListener('abort', onAbort, { once: true });
  }
  try {
    return await fn(ac.signal, () => expired);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onAbort);
  }
}
