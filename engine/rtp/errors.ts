// Typed errors of the RTP layer: framing failures of RTP, RTCP and telephone-event payloads (RFC 3550 §5.1, §6.4, RFC 4733 §2.3).

/**
 * Why a packet could not be framed.
 * - `TRUNCATED`: the buffer ends before a field or a length the packet announces.
 * - `BAD_VERSION`: the version field is not 2 (RFC 3550 §5.1).
 * - `BAD_PADDING`: the P bit is set but the padding count is 0 or exceeds what the packet holds (RFC 3550 §5.1, §6.4.1).
 * - `BAD_LENGTH`: an RTCP length field disagrees with the packet's structure (RFC 3550 §6.4).
 * - `BAD_ITEM`: a malformed SDES item list or BYE reason (RFC 3550 §6.5, §6.6).
 */
export type RtpParseErrorCode = 'TRUNCATED' | 'BAD_VERSION' | 'BAD_PADDING' | 'BAD_LENGTH' | 'BAD_ITEM';

/** A packet of the RTP layer (RTP, RTCP, telephone-event payload) could not be framed. Assert on `code`, not the message. */
export class RtpParseError extends Error {
  override readonly name = 'RtpParseError';
  readonly code: RtpParseErrorCode;

  constructor(code: RtpParseErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
