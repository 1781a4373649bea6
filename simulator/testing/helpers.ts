// Test helpers for the simulator: polling waits, temporary directories, tone levels of WAV channels (Goertzel).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readWav } from '../../engine/codec/wav.ts';

/** Polls `cond` every 10 ms until it holds; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 8000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A fresh temporary directory and its remover. */
export async function tempDir(prefix = 'hotline-sim-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Normalised Goertzel magnitude of `freq` in one channel of interleaved stereo PCM. */
export function toneLevel(data: Int16Array, channels: number, channel: number, freq: number): number {
  const c = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let s1 = 0;
  let s2 = 0;
  let n = 0;
  for (let i = channel; i < data.length; i += channels) {
    const s0 = data[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    n++;
  }
  return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / Math.max(1, n);
}

/** Reads a WAV file and gives the tone level function over its channels. */
export async function wavTones(file: string): Promise<{ channels: number; durationMs: number; level: (channel: number, freq: number) => number }> {
  const wav = readWav(await readFile(file));
  return {
    channels: wav.channels,
    durationMs: (wav.frames * 1000) / wav.sampleRate,
    level: (channel, freq) => toneLevel(wav.data, wav.channels, channel, freq),
  };
}
