// Voice selection for speech prompts: a language tag and/or a provider voice name (BCP 47 language tags, RFC 5646 §2.1, loosely).

/** What a `say` asks for: a language (`en`, `en-US`, `zh`, `cmn`…) and/or a provider-specific voice name. */
export interface VoiceSelection {
  language?: string;
  voice?: string;
}

/** Lower-cased primary language subtag with Chinese macrolanguage spellings folded to `cmn`-family `zh`. */
export function primaryLanguage(language: string | undefined): string | undefined {
  if (language === undefined || language === '') return undefined;
  const primary = language.toLowerCase().split(/[-_]/)[0];
  return primary === 'cmn' || primary === 'zh' ? 'zh' : primary;
}

/**
 * The voice of a `say` (or a `{say}` prompt): the node's language and voice; the flow's language when the node has
 * none; the flow's voice only when the node names no language of its own (an English flow voice must not read a
 * Mandarin node).
 */
export function sayVoice(flow: VoiceSelection, language: string | undefined, voice: string | undefined): VoiceSelection {
  const v: VoiceSelection = {};
  const lang = language ?? flow.language;
  if (lang !== undefined) v.language = lang;
  const name = voice ?? (language === undefined ? flow.voice : undefined);
  if (name !== undefined) v.voice = name;
  return v;
}
