// The PromptFactory a tenant's flows play through: speech from the tenant's TtsService, files from the tenant's audio directory (DESIGN.md §1).
import type { PromptFactory } from '../interpreter/types.ts';
import type { TtsService } from '../tts/service.ts';
import { audioPath, filePrompt } from './file-prompt.ts';

/** Options of {@link promptFactory}. */
export interface PromptFactoryOptions {
  tts: TtsService;
  /** The tenant's audio library; `play` names resolve inside it. */
  audioDir: string;
}

/** Speech through `tts`, files from `audioDir` (a name that would leave it makes a prompt that fails to render). */
export function promptFactory(opts: PromptFactoryOptions): PromptFactory {
  return {
    speech: (text, voice) => opts.tts.prompt(text, voice),
    file: (name) => {
      try {
        return filePrompt(audioPath(opts.audioDir, name));
      } catch (err) {
        return { key: `file-refused:${name}`, render: () => Promise.reject(err) };
      }
    },
  };
}
