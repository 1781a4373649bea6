// The single binary's asset manifest (issue 11): every file the server reads at run time that is not code, with the SEA asset key it travels under.
import { createRequire } from 'node:module';
import path from 'node:path';
import { ENGINE_ASSETS } from '../ivr/tts/embedded/assets.ts';

/** One asset: its key inside the binary, where it comes from, and why it is there. */
export interface AssetEntry {
  key: string;
  /** Absolute path of the file embedded. */
  source: string;
  purpose: string;
  /** The licence it is distributed under, when not the project's own. */
  license?: string;
}

/** What to embed. */
export interface AssetOptions {
  /** The repository root. */
  root: string;
  /** The bundled TTS worker script (built before the manifest is resolved). */
  workerBundle: string;
  /** Leave eSpeak-NG's voice data out (no Mandarin/other-language TTS in the binary; no GPL-3.0 component). */
  withoutEspeak?: boolean;
}

/**
 * The manifest. Code-shaped data needs no entry: the flow JSON Schema, the default flow (a JSON module), the store's
 * migrations and the scenario schema are compiled into the bundle; node:sqlite is part of Node itself.
 */
export function assetManifest(opts: AssetOptions): AssetEntry[] {
  const req = createRequire(path.join(opts.root, 'package.json'));
  const entries: AssetEntry[] = [
    { key: ENGINE_ASSETS.worker.key, source: opts.workerBundle, purpose: 'the TTS engine worker thread (bundled ivr/tts/embedded/engine-worker.ts)' },
    { key: ENGINE_ASSETS.fliteWasm.key, source: req.resolve(ENGINE_ASSETS.fliteWasm.file), purpose: 'Flite (WASI) with its English voices', license: 'BSD-style (Flite)' },
  ];
  if (!opts.withoutEspeak) {
    entries.push({ key: ENGINE_ASSETS.espeakData.key, source: req.resolve(ENGINE_ASSETS.espeakData.file), purpose: 'eSpeak-NG voices and dictionaries', license: 'GPL-3.0 (eSpeak-NG)' });
  }
  return entries;
}
