// WAV files as prompts: any rate, sample format and channel count converted once to 8 kHz mono (RIFF WAVE; band-limited resampling of engine/codec).
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { PromptSource } from '../../engine/call/types.ts';
import { resample } from '../../engine/codec/resample.ts';
import { readWav } from '../../engine/codec/wav.ts';

/** Averages interleaved channels into one. */
export function downmix(data: Int16Array, channels: number): Int16Array {
  if (channels === 1) return data;
  const frames = Math.floor(data.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += data[f * channels + c];
    out[f] = Math.round(s / channels);
  }
  return out;
}

/**
 * Decodes a WAV file's bytes into 8 kHz mono PCM.
 * @throws {WavError} for a file that is not a readable WAV
 */
export function wavTo8k(bytes: Uint8Array): Int16Array {
  const wav = readWav(bytes, { allowTruncated: true });
  const mono = downmix(wav.data, wav.channels);
  return wav.sampleRate === 8000 ? mono : resample(mono, wav.sampleRate, 8000);
}

/**
 * A WAV file as a prompt. Its key is the absolute path with the file's size and modification time, so the media
 * layer's cache encodes it once and a replaced file is encoded again.
 */
export function filePrompt(path: string): PromptSource {
  const abs = resolve(path);
  let version = '';
  try {
    const st = statSync(abs);
    version = `#${st.size}-${Math.floor(st.mtimeMs)}`;
  } catch {
    // missing now: render will fail and say so
  }
  return Object.freeze({ key: `file:${abs}${version}`, render: async () => wavTo8k(await readFile(abs)) });
}

/**
 * Resolves a tenant audio name inside `dir`.
 * @throws {TypeError} when the name is absolute or leaves the directory
 */
export function audioPath(dir: string, name: string): string {
  const base = resolve(dir);
  const p = resolve(base, name);
  const rel = relative(base, p);
  if (isAbsolute(name) || rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new TypeError(`audio name ${JSON.stringify(name)} leaves ${dir}`);
  return p;
}
