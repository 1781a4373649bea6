// The embedded TTS worker thread: receives synthesis requests, runs Flite/eSpeak-NG synchronously off the main thread, and transfers the PCM back (Node worker_threads).
import { parentPort } from 'node:worker_threads';
import type { EngineName } from './voices.ts';

// node:wasi is still flagged experimental in Node 24 and says so on stderr once per thread; this thread exists to run
// it, so that one notice is dropped here (every other warning passes through).
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (/WASI/.test(text)) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
// Loaded after the filter is in place (a promise rather than a top-level await: the single binary bundles this file as CommonJS).
const engines = import('./engines.ts');

/** A request from the main thread. */
export interface EngineRequest {
  id: number;
  engine: EngineName;
  text: string;
  voice: string;
}

/** The answer: PCM (transferred) or an error. */
export type EngineReply =
  | { id: number; pcm: Int16Array | Float32Array; sampleRate: number }
  | { id: number; error: { code: string; message: string } };

const port = parentPort;
if (port !== null) {
  port.on('message', (req: EngineRequest) => {
    engines.then(({ synthesizeHere }) => synthesizeHere(req.engine, req.text, req.voice)).then(
      (r) => port.postMessage({ id: req.id, pcm: r.pcm, sampleRate: r.sampleRate } satisfies EngineReply, [r.pcm.buffer as ArrayBuffer]),
      (err: unknown) => {
        const e = err as { code?: unknown; message?: unknown };
        const code = typeof e?.code === 'string' ? e.code : 'engine';
        port.postMessage({ id: req.id, error: { code, message: String(e?.message ?? err) } } satisfies EngineReply);
      },
    );
  });
}
