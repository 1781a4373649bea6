// Public surface of ivr/tts: providers (embedded Flite/eSpeak-NG, OpenAI-compatible, generic JSON), the per-tenant TtsService with cache, fallback, prompts and prewarm (DESIGN.md §7).
export { LEVEL_DEFAULTS, TELEPHONE_RATE, rmsDbfs, toTelephonePcm } from './audio.ts';
export type { LevelOptions } from './audio.ts';
export { TTS_CACHE_DEFAULTS, TTS_CACHE_VERSION, TtsCache } from './cache.ts';
export type { TtsCacheOptions, TtsCacheStats } from './cache.ts';
export { EMBEDDED_TTS_DEFAULTS, EmbeddedTts, closeEmbeddedTts, embeddedThreadRunning, embeddedVoice, sharedEmbeddedTts } from './embedded/embedded.ts';
export type { EmbeddedTtsOptions } from './embedded/embedded.ts';
export { FLITE_VOICES } from './embedded/voices.ts';
export { HTTP_JSON_TTS_DEFAULTS, HttpJsonTts, MAX_TTS_REPLY, OPENAI_TTS_DEFAULTS, OpenAiTts } from './http.ts';
export type { HttpJsonTtsOptions, HttpTtsCommon, OpenAiTtsOptions } from './http.ts';
export { TTS_BREAKER_MS, TtsService, providerFromConfig, sharedTtsCache } from './service.ts';
export type { PrewarmReport, TtsConfig, TtsServiceOptions, TtsServiceStats, TtsShared } from './service.ts';
export type { SynthesisResult, TtsProvider } from './types.ts';
export { primaryLanguage, sayVoice } from './voice.ts';
export type { VoiceSelection } from './voice.ts';
