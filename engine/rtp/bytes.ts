// Big-endian (network order) octet helpers shared by the RTP layer's wire types (RFC 3550 §5.1 byte order).

/** Reads an unsigned 16-bit big-endian integer. */
export function readU16(buf: Uint8Array, p: number): number {
  return (buf[p] << 8) | buf[p + 1];
}

/** Reads an unsigned 32-bit big-endian integer. */
export function readU32(buf: Uint8Array, p: number): number {
  return ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
}

/** Writes the low 16 bits of `v` big-endian. */
export function writeU16(buf: Uint8Array, p: number, v: number): void {
  buf[p] = (v >>> 8) & 0xff;
  buf[p + 1] = v & 0xff;
}

/** Writes the low 32 bits of `v` big-endian. */
export function writeU32(buf: Uint8Array, p: number, v: number): void {
  buf[p] = (v >>> 24) & 0xff;
  buf[p + 1] = (v >>> 16) & 0xff;
  buf[p + 2] = (v >>> 8) & 0xff;
  buf[p + 3] = v & 0xff;
}
