// Audio preparation for recognisers: request checks, band-limited resampling done in slices that yield to the event loop (the media path shares this thread), WAV encoding, language subtags (RFC 5646 §2.1).
import { endianness } from 'node:os';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { Resampler } from '../../engine/codec/resample.ts';
import { wavHeaderInto, wavHeaderLength, writeWav } from '../../engine/codec/wav.ts';
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
  const out = new Int16Array(r.outputLengthFor(pcm.length));
  await resampleInto(r, pcm, out, signal);
  return out;
}

/**
 * Resamples `pcm` into `out` (exactly `r.outputLengthFor(pcm.length)` samples long), slice by slice with yields.
 * Each slice goes through a small scratch buffer, so `out` needs no slack.
 */
async function resampleInto(r: Resampler, pcm: Int16Array, out: Int16Array, signal: AbortSignal | undefined): Promise<void> {
  const scratch = new Int16Array(r.maxOutputLength(SLICE) + r.maxOutputLength(0) + 64);
  let written = 0;
  const put = (n: number): void => {
    const k = Math.min(n, out.length - written);
    out.set(scratch.subarray(0, k), written);
    written += k;
  };
  for (let i = 0; i < pcm.length; i += SLICE) {
    const n = Math.min(SLICE, pcm.length - i);
    put(r.process(pcm.subarray(i, i + n), scratch));
    if (i + SLICE < pcm.length) {
      await yieldTurn();
      if (signal?.aborted) throw new AsrError('aborted', 'resampling: cancelled');
    }
  }
  put(r.flush(scratch));
}

/**
 * A mono 16-bit PCM WAV file of `pcm`, resampled to `targetRate` first when it differs (straight into the file
 * buffer: no intermediate copy of a long recording).
 * @throws {AsrError} `aborted` when `signal` fires.
 */
export async function monoWav(pcm: Int16Array, sampleRate: number, targetRate: number, signal?: AbortSignal): Promise<Buffer> {
  if (sampleRate === targetRate) return writeWav({ sampleRate, channels: 1, data: pcm });
  const r = new Resampler(sampleRate, targetRate);
  const frames = r.outputLengthFor(pcm.length);
  const spec = { sampleRate: targetRate, channels: 1, format: 'pcm' } as const;
  const header = wavHeaderLength(spec);
  const file = Buffer.alloc(header + frames * 2);
  wavHeaderInto(file, 0, spec, frames * 2);
  const view = new Int16Array(file.buffer, file.byteOffset + header, frames);
  await resampleInto(r, pcm, view, signal);
  if (endianness() === 'BE') for (let i = 0; i < frames; i++) file.writeInt16LE(view[i], header + 2 * i);
  return file;
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
