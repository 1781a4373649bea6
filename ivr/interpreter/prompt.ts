// Prompts of a node: speech with the flow's default language and voice, or a tenant audio file (DESIGN.md §1 "say … TTS → 8 kHz PCM").
import type { PlayOutcome, PromptSource } from '../../engine/call/types.ts';
import { CallEndedError } from '../../engine/call/types.ts';
import type { PromptSpec } from '../schema/types.ts';
import type { VoiceSelection } from '../tts/voice.ts';
import { abortable } from './abort.ts';
import type { NodeContext } from './types.ts';

/**
 * The voice of a `say`: the node's language and voice; the flow's voice only when the node names no language of its
 * own (a flow-level English voice must not read a Mandarin node).
 */
export function voiceFor(ctx: NodeContext, language: string | undefined, voice: string | undefined): VoiceSelection {
  const v: VoiceSelection = {};
  const lang = language ?? ctx.flow.language;
  if (lang !== undefined) v.language = lang;
  const name = voice ?? (language === undefined ? ctx.flow.voice : undefined);
  if (name !== undefined) v.voice = name;
  return v;
}

/** The audio of a prompt spec (speech text templated). */
export function promptSource(ctx: NodeContext, p: PromptSpec): PromptSource {
  if ('play' in p) return ctx.host.prompts.file(p.play);
  return ctx.host.prompts.speech(ctx.render(p.say), voiceFor(ctx, p.language, p.voice));
}

/** Plays and waits; a play that reports `hangup` becomes CallEndedError. */
export async function playAndWait(ctx: NodeContext, prompt: PromptSource, bargeIn: boolean, signal: AbortSignal): Promise<PlayOutcome> {
  const r = await abortable(ctx.call.play(prompt, { bargeIn }), signal);
  if (r.reason === 'hangup') throw new CallEndedError();
  return r;
}
