// Per-speaker call transcripts: a stereo call recording (customer LEFT, agent RIGHT, as engine/media's recorder writes it) split into its channels, each recognised on its own (silent channels skipped, long ones cut at quiet points), lines merged in time order and labelled customer/agent.
import { readFile } from 'node:fs/promises';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { readWav, WavError } from '../../engine/codec/wav.ts';
import { AsrError, toAsrError } from './errors.ts';
import { type AsrConfig, type AsrEnvironment, createRecognizer, parseAsrConfig } from './config.ts';
import type { SpeechRecognizer, TranscriptSegment } from './types.ts';

/** Who spoke: the customer (left channel) or the agent (right channel). */
export type Speaker = 'customer' | 'agent';

/** One line of a call transcript, times from the start of the recording. */
export interface TranscriptLine {
  speaker: Speaker;
  startMs: number;
  endMs: number;
  text: string;
}

/** What happened on one channel. */
export interface SpeakerSummary {
  speaker: Speaker;
  channel: 'left' | 'right';
  /** Sound above the silence threshold, ms (20 ms frames). */
  speechMs: number;
  /** True when the channel had too little sound and was not sent to the recogniser. */
  silent: boolean;
  /** Lines recognised on this channel. */
  lines: number;
}

/** A whole call's transcript. */
export interface CallTranscript {
  language: string;
  /** The recogniser's name. */
  provider: string;
  durationMs: number;
  speakers: SpeakerSummary[];
  /** Every line of both speakers, in time order. */
  lines: TranscriptLine[];
  /** Readable text: one `speaker: text` line per transcript line. */
  text: string;
}

/** Options of {@link transcribeStereo}. */
export interface CallTranscriptionOptions {
  language: string;
  hints?: readonly string[];
  signal?: AbortSignal;
  /** A 20 ms frame louder than this (RMS, dBFS) counts as sound. Default −45. */
  silenceThresholdDb?: number;
  /** A channel with less sound than this is skipped as silent. Default 300 ms. */
  minSpeechMs?: number;
  /** Longest piece sent to the recogniser at once (0: whole channels). Default 10 min. Pieces are cut at the quietest 20 ms near each limit. */
  maxChunkMs?: number;
}

/** Defaults of {@link CallTranscriptionOptions}. */
export const CALL_TRANSCRIPTION_DEFAULTS = Object.freeze({ silenceThresholdDb: -45, minSpeechMs: 300, maxChunkMs: 600_000 });

/** Decoded PCM of a recording. */
export interface RecordingAudio {
  sampleRate: number;
  /** 1 (the customer only, e.g. voicemail) or 2 (customer left, agent right). */
  channels: number;
  /** Interleaved 16-bit samples. */
  data: Int16Array;
}

const FRAME_MS = 20;
/** Samples handled between two yields to the event loop. */
const SLICE = 32_768;

/**
 * Transcribes a call recording per speaker. A mono recording is the customer alone.
 * @throws {AsrError} from the recogniser; `bad-audio` for more than two channels.
 */
export async function transcribeStereo(audio: RecordingAudio, recognizer: SpeechRecognizer, opts: CallTranscriptionOptions): Promise<CallTranscript> {
  const o = { ...CALL_TRANSCRIPTION_DEFAULTS, ...stripUndefined(opts), language: opts.language };
  if (audio.channels !== 1 && audio.channels !== 2) throw new AsrError('bad-audio', `recording has ${audio.channels} channels; expected 2 (customer left, agent right) or 1`);
  const frames = Math.floor(audio.data.length / audio.channels);
  const durationMs = Math.round((frames * 1000) / audio.sampleRate);
  const channels: Array<{ speaker: Speaker; channel: 'left' | 'right'; index: number }> = [{ speaker: 'customer', channel: 'left', index: 0 }];
  if (audio.channels === 2) channels.push({ speaker: 'agent', channel: 'right', index: 1 });
  const speakers: SpeakerSummary[] = [];
  const lines: TranscriptLine[] = [];
  for (const ch of channels) {
    const pcm = await extractChannel(audio.data, audio.channels, ch.index, o.signal);
    const frameSamples = Math.max(1, Math.round((audio.sampleRate * FRAME_MS) / 1000));
    const levels = await frameLevels(pcm, frameSamples, o.signal);
    const loud = levels.filter((db) => db > o.silenceThresholdDb).length;
    const speechMs = loud * FRAME_MS;
    const silent = speechMs < o.minSpeechMs;
    let segments: TranscriptSegment[] = [];
    if (!silent) {
      for (const [from, to] of planChunks(levels, frameSamples, pcm.length, o.maxChunkMs, o.silenceThresholdDb)) {
        const r = await recognizer.transcribe({ pcm: pcm.subarray(from, to), sampleRate: audio.sampleRate, language: o.language, ...(o.hints ? { hints: o.hints } : {}), ...(o.signal ? { signal: o.signal } : {}) });
        const offset = Math.round((from * 1000) / audio.sampleRate);
        segments = segments.concat(r.segments.map((s) => ({ startMs: s.startMs + offset, endMs: s.endMs + offset, text: s.text })));
      }
    }
    for (const s of segments) lines.push({ speaker: ch.speaker, startMs: s.startMs, endMs: s.endMs, text: s.text });
    speakers.push({ speaker: ch.speaker, channel: ch.channel, speechMs, silent, lines: segments.length });
  }
  lines.sort((a, b) => a.startMs - b.startMs || (a.speaker === b.speaker ? a.endMs - b.endMs : a.speaker === 'customer' ? -1 : 1));
  return { language: o.language, provider: recognizer.name, durationMs, speakers, lines, text: lines.map((l) => `${l.speaker}: ${l.text}`).join('\n') };
}

/**
 * Reads a recording WAV (a file cut short by a crash is read up to its last whole frame).
 * @throws {AsrError} `bad-audio` when it is not a WAV the codec reads or it is missing.
 */
export async function readRecording(file: string): Promise<RecordingAudio> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new AsrError('bad-audio', `recording ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  try {
    const w = readWav(bytes, { allowTruncated: true });
    return { sampleRate: w.sampleRate, channels: w.channels, data: w.data };
  } catch (err) {
    throw new AsrError('bad-audio', `recording ${file} is not a readable WAV${err instanceof WavError ? ` (${err.code})` : ''}`, { cause: err });
  }
}

/** One channel of interleaved PCM, copied slice by slice. */
async function extractChannel(data: Int16Array, channels: number, index: number, signal: AbortSignal | undefined): Promise<Int16Array> {
  const frames = Math.floor(data.length / channels);
  if (channels === 1) return data.subarray(0, frames);
  const out = new Int16Array(frames);
  for (let start = 0; start < frames; start += SLICE) {
    const end = Math.min(frames, start + SLICE);
    for (let i = start, j = start * channels + index; i < end; i++, j += channels) out[i] = data[j];
    if (end < frames) await pause(signal);
  }
  return out;
}

/** RMS level of each frame in dBFS (−∞ for digital silence). */
async function frameLevels(pcm: Int16Array, frameSamples: number, signal: AbortSignal | undefined): Promise<Float64Array> {
  const n = Math.ceil(pcm.length / frameSamples);
  const levels = new Float64Array(n);
  const perSlice = Math.max(1, Math.floor(SLICE / frameSamples));
  for (let f = 0; f < n; f++) {
    const from = f * frameSamples;
    const to = Math.min(pcm.length, from + frameSamples);
    let sum = 0;
    for (let i = from; i < to; i++) sum += pcm[i] * pcm[i];
    const rms = Math.sqrt(sum / Math.max(1, to - from));
    levels[f] = rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
    if ((f + 1) % perSlice === 0 && f + 1 < n) await pause(signal);
  }
  return levels;
}

/**
 * Cuts a channel into pieces of at most `maxChunkMs`, each cut at the quietest frame of the last tenth of the piece,
 * leaving out pieces without a single loud frame. Returns sample ranges `[from, to)`.
 */
export function planChunks(levels: ArrayLike<number>, frameSamples: number, totalSamples: number, maxChunkMs: number, thresholdDb: number): Array<[number, number]> {
  const frames = levels.length;
  const maxFrames = maxChunkMs > 0 ? Math.max(1, Math.floor(maxChunkMs / FRAME_MS)) : frames;
  const ranges: Array<[number, number]> = [];
  let start = 0;
  while (start < frames) {
    let end = Math.min(frames, start + maxFrames);
    if (end < frames) {
      const from = Math.max(start + 1, end - Math.max(1, Math.floor(maxFrames / 10)));
      let best = end;
      for (let f = from; f <= end; f++) if (levels[f] < levels[best] || (levels[f] === levels[best] && f > best)) best = f;
      end = best;
    }
    let loud = false;
    for (let f = start; f < end && !loud; f++) loud = levels[f] > thresholdDb;
    if (loud) ranges.push([start * frameSamples, Math.min(totalSamples, end * frameSamples)]);
    start = end;
  }
  return ranges;
}

async function pause(signal: AbortSignal | undefined): Promise<void> {
  await yieldTurn();
  if (signal?.aborted) throw new AsrError('aborted', 'transcription: cancelled');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Options of {@link createCallTranscriber}. */
export interface CallTranscriberOptions {
  /** Settings of tenants that have none of their own. */
  defaults: AsrConfig;
  env?: AsrEnvironment;
  /** Silence and chunking options. */
  transcription?: Omit<CallTranscriptionOptions, 'language' | 'hints' | 'signal'>;
}

/** What a call transcriber is asked (the pipeline's job: the recording file and the tenant's stored settings). */
export interface CallTranscriberRequest {
  /** Absolute path of the recording. */
  file: string;
  /** The tenant's speech recognition settings (JSON), or null for the defaults. */
  settings: unknown;
  signal?: AbortSignal;
}

/**
 * A function that turns a recording file into a per-speaker transcript with the tenant's settings (or the defaults):
 * what `tenant/pipeline` calls for each job.
 * @throws {TypeError} when `defaults` are invalid.
 */
export function createCallTranscriber(o: CallTranscriberOptions): (req: CallTranscriberRequest) => Promise<CallTranscript> {
  const env = o.env ?? {};
  const defaults = parseAsrConfig(o.defaults, env);
  return async (req) => {
    let config: AsrConfig;
    try {
      config = req.settings === null || req.settings === undefined ? defaults : parseAsrConfig(req.settings, env);
    } catch (err) {
      throw new AsrError('bad-config', `tenant transcription settings: ${(err as Error).message}`, { cause: err });
    }
    const recognizer = createRecognizer(config, env);
    const audio = await readRecording(req.file);
    try {
      return await transcribeStereo(audio, recognizer, {
        ...o.transcription,
        language: config.language,
        ...(config.hints !== undefined ? { hints: config.hints } : {}),
        ...(req.signal !== undefined ? { signal: req.signal } : {}),
      });
    } catch (err) {
      throw toAsrError(err, req.signal, 'recognizer-failed', 'transcription');
    }
  };
}
