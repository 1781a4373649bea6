// SIP digest authentication: public surface (RFC 2617, RFC 7616, RFC 3261 §22, RFC 8760).
export { DigestParseError, DigestChallengeError, MAX_DIGEST_HEADER_LENGTH } from './errors.ts';
export type { DigestParseErrorCode, DigestChallengeErrorCode } from './errors.ts';
export { parseCredentials, parseChallenge, serializeCredentials, serializeChallenge } from './header.ts';
export type { DigestCredentials, DigestChallenge, DigestParam, DigestAlgorithmName, DigestQop } from './header.ts';
export {
  DIGEST_ALGORITHMS,
  toDigestAlgorithm,
  hashFunctionOf,
  isSessionAlgorithm,
  digestHexLength,
  digestHex,
  computeHa1,
  computeSessionHa1,
  computeUserhash,
  computeResponse,
  responseMatches,
  hexEqual,
} from './hash.ts';
export type { DigestAlgorithm, DigestResponseInput } from './hash.ts';
export { NonceCodec, HmacSha256, NONCE_BYTES, NONCE_LENGTH } from './nonce.ts';
export type { NonceCheck } from './nonce.ts';
export { NonceCountTracker, NONCE_COUNT_TRACKER_DEFAULTS, MAX_NC_WINDOW } from './replay.ts';
export type { NonceCountTrackerOptions, NonceCountVerdict } from './replay.ts';
export { DigestAuthenticator, DIGEST_AUTHENTICATOR_DEFAULTS } from './authenticator.ts';
export type {
  DigestAuthenticatorOptions,
  DigestClock,
  DigestFailureReason,
  DigestVerifyFailure,
  DigestVerifyParams,
  DigestVerifyResult,
  DigestVerifySuccess,
  Ha1Lookup,
  LegacyNoQopPolicy,
} from './authenticator.ts';
export { answerChallenge, chooseChallenge } from './client.ts';
export type { AnswerChallengeParams, ChosenChallenge } from './client.ts';
export { AuthThrottle, AUTH_THROTTLE_DEFAULTS } from './throttle.ts';
export type { AuthThrottleOptions, AuthThrottleStats, AuthThrottleVerdict } from './throttle.ts';
