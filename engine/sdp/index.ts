// SDP for the engine: parse/write (RFC 4566) and offer/answer for G.711 voice (RFC 3264, RFC 4733 §7).
export { SdpError } from './errors.ts';
export type { SdpErrorCode, SdpErrorOptions } from './errors.ts';
export * from './model.ts';
export { PARSE_SDP_DEFAULTS, parseSdp } from './parse.ts';
export type { ParseSdpOptions } from './parse.ts';
export { writeSdp } from './write.ts';
export {
  CODEC_PAYLOAD_TYPES,
  LOCAL_MEDIA_DEFAULTS,
  SdpOrigin,
  answerDirection,
  createAnswer,
  createOffer,
  holdDirection,
  isSameVersion,
  negotiated,
} from './offer-answer.ts';
export type { Codec, LocalMediaOptions, NegotiatedMedia, RemoteRtpAddress, SdpOptions, SdpOriginOptions } from './offer-answer.ts';
