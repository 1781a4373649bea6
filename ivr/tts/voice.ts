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
