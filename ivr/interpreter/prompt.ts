// Prompts of a node: speech with the flow's default language and voice, or a tenant audio file (DESIGN.md §1 "say … TTS → 8 kHz PCM").
import type { PlayOutcome, PromptSource } from '../../engine/call/types.ts';
import { CallEndedError } from '../../engine/call/types.ts';
import type { PromptSpec } from '../schema/types.ts';
import { sayVoice } from '../tts/voice.ts';
import type { VoiceSelection } from '../tts/voice.ts';
import { abortable, isCallEnded } from './abort.ts';
import type { NodeContext } from './types.ts';

/**
 * The voice of a `say`: the node's language and voice; the flow's voice only when the node names no language of its
 * own (a flow-level English voice must not read a Mandarin node).
 */
export function voiceFor(ctx: NodeContext, language: string | undefined, voice: string | undefined): VoiceSelection {
  return sayVoice(ctx.flow, language, voice);
}

/** The audio of a prompt spec (speech text templated). */
export function promptSource(ctx: NodeContext, p: PromptSpec): PromptSource {
  if ('play' in p) return ctx.host.prompts.file(p.play);
  return ctx.host.prompts.speech(ctx.render(p.say), voiceFor(ctx, p.language, p.voice));
}

/** A play that could not happen (the prompt's audio could not be made): the flow goes on without it. */
export interface FailedPlay {
  reason: 'failed';
}

/**
 * Plays and waits; a play that reports `hangup` becomes CallEndedError. A prompt that fails to play (speech or file
 * unavailable) is logged and reported as `failed`: a missing prompt must not drop the caller.
 */
export async function playAndWait(ctx: NodeContext, prompt: PromptSource, bargeIn: boolean, signal: AbortSignal): Promise<PlayOutcome | FailedPlay> {
  let r: PlayOutcome;
  try {
    r = await abortable(ctx.call.play(prompt, { bargeIn }), signal);
  } catch (err) {
    if (signal.aborted || isCallEnded(err)) throw err;
    ctx.log.error({ err, node: ctx.node, prompt: prompt.key, callId: ctx.call.info.id }, 'prompt could not be played; going on without it');
    return { reason: 'failed' };
  }
  if (r.reason === 'hangup') throw new CallEndedError();
  return r;
}
