// RTP header fields read as signed int32 for the per-packet paths (RFC 3550 §5.1 layout): V8 passes int32 between functions unboxed, whereas a uint32 above 2^31 crossing a call that is not inlined is allocated as a heap number.

/** The 32-bit timestamp at `off + 4`, as int32 (same bits; `>>> 0` gives the RFC 3550 value). */
export function rtpTimestampI32(buf: Uint8Array, off: number): number {
  return (buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7];
}

/** The 32-bit SSRC at `off + 8`, as int32. */
export function rtpSsrcI32(buf: Uint8Array, off: number): number {
  return (buf[off + 8] << 24) | (buf[off + 9] << 16) | (buf[off + 10] << 8) | buf[off + 11];
}
