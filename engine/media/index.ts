// Public surface of engine/media: RTP port allocation (RFC 3550 §11), the media clock, the N-party mixer, the crash-safe recorder, and the RTP leg (RFC 3550, RFC 4961 latching), prompt cache, player and bridge.
export { MediaStateError } from './errors.ts';
export type { MediaStateErrorCode } from './errors.ts';
export { BIND_RTP_DEFAULTS, PORT_ALLOCATOR_DEFAULTS, PortAllocator, PortExhaustedError, bindRtpPair } from './ports.ts';
export type { BindRtpOptions, BoundRtpPair, PortAllocatorOptions, PortPair } from './ports.ts';
export { MEDIA_CLOCK_DEFAULTS, ManualMediaClock, RealtimeMediaClock } from './clock.ts';
export type { MediaClock, MediaClockOptions, MediaClockStats, Tickable } from './clock.ts';
export { MIXER_DEFAULTS, Mixer, MixerParty } from './mixer.ts';
export type { MixerOptions, PartyOptions } from './mixer.ts';
export { RECORDER_DEFAULTS, StereoRecorder, recoverRecording } from './recorder.ts';
export type { RecorderOptions, RecordingInfo, RecoveredRecording } from './recorder.ts';
export { MediaEmitter } from './emitter.ts';
export type { MediaEventMap, MediaListener, MediaListenerErrorHandler } from './emitter.ts';
export { LegStateError, RTP_LEG_DEFAULTS, RtpLeg, isUnroutableAddress } from './leg.ts';
export type {
  LegMedia,
  LegSockets,
  LegStateErrorCode,
  MediaSocket,
  OutputOwner,
  PayloadKind,
  RtpLegCounters,
  RtpLegEvents,
  RtpLegOptions,
  RtpSink,
} from './leg.ts';
export { PROMPT_CACHE_DEFAULTS, PROMPT_FRAME_SAMPLES, Prompt, PromptCache, encodePrompt, promptEncodings } from './prompt-cache.ts';
export type { PromptCacheOptions, PromptCacheStats } from './prompt-cache.ts';
export { PLAY_DEFAULTS, Player } from './player.ts';
export type { PlayOptions, PlaybackEndReason, PlaybackResult, PlayerEvents } from './player.ts';
export { BRIDGE_DEFAULTS, Bridge } from './bridge.ts';
export type { BridgeDirectionStats, BridgeOptions, CallerSide } from './bridge.ts';
