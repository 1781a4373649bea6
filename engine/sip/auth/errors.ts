// Typed errors of the digest authentication layer (RFC 7616 §3.4, RFC 3261 §22, §25.1 grammar).

/** Why a `Digest` header value could not be framed. */
export type DigestParseErrorCode =
  /** The value does not start with the `Digest` scheme (e.g. `Basic …`, or empty). */
  | 'not-digest'
  /** An unexpected character where a parameter name, `=`, a value or `,` belongs. */
  | 'syntax'
  /** A quoted-string without its closing `"`, or a `\` at the very end. */
  | 'unterminated-quote'
  /** The same parameter appears twice (names compare case-insensitively). */
  | 'duplicate-param'
  /** A parameter the grammar requires is absent (e.g. `nonce` in a challenge, `response` in credentials). */
  | 'missing-param'
  /** A parameter has a value its grammar forbids (e.g. `nc` that is not 8 hex digits, a `qop` list entry that is not a token). */
  | 'bad-value'
  /** The value is longer than {@link MAX_DIGEST_HEADER_LENGTH}. */
  | 'too-long';

/** A `WWW-Authenticate` / `Authorization` (or `Proxy-*`) value that could not be parsed as Digest. */
export class DigestParseError extends Error {
  override readonly name = 'DigestParseError';
  readonly code: DigestParseErrorCode;
  /** Character offset in the header value where the fault was found. */
  readonly offset: number;

  constructor(code: DigestParseErrorCode, message: string, offset: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.offset = offset;
  }
}

/** Why a client could not answer a challenge. */
export type DigestChallengeErrorCode =
  /** The challenge names an algorithm we do not implement (e.g. `SHA-512-256`, `AKAv1-MD5`). */
  | 'unsupported-algorithm'
  /** The challenge offers only qop values we do not implement. */
  | 'unsupported-qop'
  /** A `-sess` algorithm without qop: RFC 7616 §3.4.2 needs a cnonce, which only exists with qop. */
  | 'sess-without-qop';

/** The client side (UAC, simulator) cannot answer this challenge. */
export class DigestChallengeError extends Error {
  override readonly name = 'DigestChallengeError';
  readonly code: DigestChallengeErrorCode;

  constructor(code: DigestChallengeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Longest header value the parser accepts (characters); longer values fail with `too-long`. */
export const MAX_DIGEST_HEADER_LENGTH = 8192;
