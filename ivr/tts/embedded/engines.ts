// The embedded speech engines themselves: Flite (WASI, English) and eSpeak-NG (emscripten, 100+ languages), each initialised once per thread on first use; no network, no native addon.
//
// Flite is a command-line program compiled to WASI: each synthesis instantiates the (once compiled) module with
// `flite -voice V -t TEXT -o /out/out.wav`, a fresh temporary directory preopened as /out, reads the WAV and removes the directory.
// eSpeak-NG is an emscripten module with an in-memory file system holding its voice data (espeak-ng.data, 24 MB);
// one module and one synthesiser object serve every request. Both run synchronously: call them from the engine
// worker (engine-worker.ts) so that the media clock on the main thread never waits for them.
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { readWav } from '../../../engine/codec/wav.ts';
import { TtsError } from '../../errors.ts';
import type { SynthesisResult } from '../types.ts';
import { espeakModuleOptions, fliteWasmBytes } from './assets.ts';

/** The WebAssembly JS API we use (the global exists in Node; its types live in lib.dom, which this project does not load). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

import { FLITE_VOICES, MAX_EMBEDDED_TEXT } from './voices.ts';
import type { EngineName } from './voices.ts';

let fliteModule: Promise<object> | undefined;
let fliteNull: number | undefined;

/** Synthesises English with Flite. */
export async function fliteSynthesize(text: string, voice: string): Promise<SynthesisResult> {
  if (!FLITE_VOICES.includes(voice)) throw new TtsError('bad-request', 'embedded', `flite has no voice ${JSON.stringify(voice)}`);
  fliteModule ??= wasm.compile(fliteWasmBytes());
  let mod: object;
  try {
    mod = await fliteModule;
  } catch (err) {
    fliteModule = undefined;
    throw new TtsError('engine', 'embedded', 'flite: the WebAssembly module did not compile', { cause: err });
  }
  // A private directory per synthesis (removed after): nothing is left behind even if the thread is terminated later.
  const dir = mkdtempSync(join(tmpdir(), 'hotline-flite-'));
  fliteNull ??= openSync(devNull, 'w');
  const name = 'out.wav';
  const wasi = new WASI({
    version: 'preview1',
    args: ['flite', '-voice', voice, '-t', text, '-o', `/out/${name}`],
    env: {},
    preopens: { '/out': dir },
    stdout: fliteNull,
    stderr: fliteNull,
    returnOnExit: true,
  });
  try {
    const instance = await wasm.instantiate(mod, wasi.getImportObject());
    let code: number;
    try {
      code = wasi.start(instance);
    } catch (err) {
      throw new TtsError('engine', 'embedded', 'flite trapped', { cause: err });
    }
    if (code !== 0) throw new TtsError('engine', 'embedded', `flite exited with ${code}`);
    const wav = readWav(readFileSync(join(dir, name)));
    // A private copy: the file's buffer may be larger than the samples, and the result is transferred between threads.
    return { pcm: new Int16Array(wav.data), sampleRate: wav.sampleRate };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The parts of the emscripten module we call. */
interface EspeakWorker {
  set_voice(name: string): number;
  synthesize(text: string, cb: (samples: Int16Array, events: unknown[]) => boolean): void;
  get_samplerate(): number;
  list_voices(): Array<{ identifier: string; name: string; languages: Array<{ name: string }> }>;
}

let espeak: Promise<EspeakWorker> | undefined;

async function loadEspeak(): Promise<EspeakWorker> {
  // A literal specifier, so that the single-binary bundler sees it (the package ships no type declarations).
  // @ts-expect-error TS7016: no declaration file for this module
  const mod = (await import('@echogarden/espeak-ng-emscripten')) as {
    default: (arg: object) => Promise<{ eSpeakNGWorker: new () => EspeakWorker }>;
  };
  const m = await mod.default({ print() {}, printErr() {}, ...espeakModuleOptions() });
  return new m.eSpeakNGWorker();
}

/** Synthesises with eSpeak-NG; `voice` is an eSpeak voice or language (`cmn`, `fr`, `en-us`, `sit/yue`). */
export async function espeakSynthesize(text: string, voice: string): Promise<SynthesisResult> {
  espeak ??= loadEspeak();
  let w: EspeakWorker;
  try {
    w = await espeak;
  } catch (err) {
    espeak = undefined;
    throw new TtsError('engine', 'embedded', 'espeak-ng did not load', { cause: err });
  }
  if (w.set_voice(voice) !== 0) {
    const primary = voice.split(/[-_]/)[0];
    if (primary === voice || w.set_voice(primary) !== 0) throw new TtsError('bad-request', 'embedded', `espeak-ng has no voice ${JSON.stringify(voice)}`);
  }
  const chunks: Int16Array[] = [];
  let total = 0;
  w.synthesize(text, (samples) => {
    chunks.push(samples);
    total += samples.length;
    return false; // false: go on
  });
  const pcm = new Int16Array(total);
  let at = 0;
  for (const c of chunks) {
    pcm.set(c, at);
    at += c.length;
  }
  return { pcm, sampleRate: w.get_samplerate() };
}

/**
 * Runs one synthesis on this thread.
 * @throws {TtsError} `bad-request` (empty/overlong text, unknown voice), `engine`
 */
export async function synthesizeHere(engine: EngineName, text: string, voice: string): Promise<SynthesisResult> {
  if (text.trim() === '' || text.length > MAX_EMBEDDED_TEXT) throw new TtsError('bad-request', 'embedded', `text must be 1…${MAX_EMBEDDED_TEXT} characters`);
  const r = engine === 'flite' ? await fliteSynthesize(text, voice) : await espeakSynthesize(text, voice);
  if (r.pcm.length === 0) throw new TtsError('engine', 'embedded', `${engine} produced no audio`);
  return r;
}
