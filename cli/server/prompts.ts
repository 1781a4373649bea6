// Prompt audio for the server's flows: speech through the TTS service (embedded engine by default, cached in
// memory and under the data directory) and WAV files from the data directory's audio library.
import path from 'node:path';
import type { PromptFactory } from '../../ivr/interpreter/types.ts';
import { promptFactory } from '../../ivr/media/prompts.ts';
import { TtsCache, TtsService } from '../../ivr/tts/index.ts';

/** The default: the embedded TTS engine, with its cache on disk under `<dataDir>/tts-cache`. */
export function defaultPrompts(dataDir: string): PromptFactory {
  const tts = new TtsService({ cache: new TtsCache({ dir: path.join(dataDir, 'tts-cache') }) });
  return promptFactory({ tts, audioDir: path.join(dataDir, 'audio') });
}
