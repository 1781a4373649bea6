// Public surface of ivr/asr: the speech recognition provider contract, the HTTP and local (PocketSphinx) providers, per-tenant settings, and per-speaker call transcripts.
export { AsrError, isRetryableCode, type AsrErrorCode, type AsrErrorOptions } from './errors.ts';
export { joinSegments, type SpeechRecognizer, type TranscribeRequest, type TranscriptionResult, type TranscriptSegment } from './types.ts';
export { OPENAI_DEFAULTS, OpenAiRecognizer, parseVerboseJson, type OpenAiRecognizerOptions } from './openai.ts';
export { HTTP_JSON_DEFAULTS, HttpJsonRecognizer, type HttpJsonRecognizerOptions, type HttpJsonRequestShape, type HttpJsonResponseShape } from './http-json.ts';
export {
  buildJsgf,
  buildKeywordList,
  DEBIAN_EN_US,
  dictionaryWords,
  normalizePhrase,
  parseContinuousOutput,
  parseKeyphrase,
  POCKETSPHINX_DEFAULTS,
  PocketSphinxRecognizer,
  type Keyphrase,
  type PocketSphinxMode,
  type PocketSphinxModel,
  type PocketSphinxOptions,
} from './pocketsphinx.ts';
export {
  ASR_PROVIDERS,
  AsrConfigError,
  createRecognizer,
  parseAsrConfig,
  redactAsrConfig,
  type AsrConfig,
  type AsrEnvironment,
  type AsrProviderName,
  type HttpAsrConfig,
  type OpenAiAsrConfig,
  type PocketSphinxAsrConfig,
} from './config.ts';
export {
  CALL_TRANSCRIPTION_DEFAULTS,
  createCallTranscriber,
  planChunks,
  readRecording,
  transcribeStereo,
  type CallTranscriberOptions,
  type CallTranscriberRequest,
  type CallTranscript,
  type CallTranscriptionOptions,
  type RecordingAudio,
  type Speaker,
  type SpeakerSummary,
  type TranscriptLine,
} from './call-transcript.ts';
export { monoWav, primarySubtag, resampleCooperatively } from './audio.ts';
