// RTP data packets: header parse/serialize and an allocation-free in-place header API (RFC 3550 §5.1, §5.3.1, RFC 5761 §4).
import { readU16, readU32, writeU16, writeU32 } from './bytes.ts';
import { RtpParseError } from './errors.ts';

/*
 * RFC 3550 §5.1 fixed header:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           timestamp                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           synchronization source (SSRC) identifier            |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |            contributing source (CSRC) identifiers             |
 *  |                             ....                              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RFC 3550 §5.3.1 header extension (present when X = 1), after the CSRC list:
 *
 *  |      defined by profile       |           length              |
 *  |                        header extension                       |
 *
 * `length` counts the 32-bit words of extension data, excluding this 4-octet header.
 * When P = 1 the last octet of the packet counts the padding octets, itself included.
 */

/** Size of the fixed header in octets. */
export const RTP_HEADER_SIZE = 12;
/** The only RTP version (RFC 3550 §5.1). */
export const RTP_VERSION = 2;
/** Byte 0: version in the top two bits. */
export const RTP_VERSION_SHIFT = 6;
/** Byte 0: padding flag. */
export const RTP_PADDING_MASK = 0x20;
/** Byte 0: header extension flag. */
export const RTP_EXTENSION_MASK = 0x10;
/** Byte 0: CSRC count. */
export const RTP_CC_MASK = 0x0f;
/** Byte 1: marker bit. */
export const RTP_MARKER_MASK = 0x80;
/** Byte 1: payload type. */
export const RTP_PT_MASK = 0x7f;
/** Offset of the 16-bit sequence number. */
export const RTP_SEQ_OFFSET = 2;
/** Offset of the 32-bit timestamp. */
export const RTP_TS_OFFSET = 4;
/** Offset of the 32-bit SSRC. */
export const RTP_SSRC_OFFSET = 8;
/** Offset of the first CSRC. */
export const RTP_CSRC_OFFSET = 12;
/** Size of the header extension's own header (profile + length). */
export const RTP_EXTENSION_HEADER_SIZE = 4;
/** Most CSRCs a header can carry (4-bit CC). */
export const RTP_MAX_CSRC = 15;

/** A header extension (RFC 3550 §5.3.1). `data` is a view into the parsed buffer; its length is a multiple of 4. */
export interface RtpHeaderExtension {
  /** The 16-bit "defined by profile" field (e.g. 0xBEDE for RFC 8285 one-byte headers). */
  profile: number;
  data: Uint8Array;
}

/** Fields for building an RTP packet. */
export interface RtpPacketInit {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  csrc?: readonly number[];
  extension?: RtpHeaderExtension | null;
  payload?: Uint8Array;
  /** Padding octets to append (0 = none, else 1..255; the last one holds the count). */
  paddingLength?: number;
}

const EMPTY = new Uint8Array(0);

function checkUint(field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new TypeError(`RTP ${field} must be an integer in 0..${max}, got ${v}`);
}

/**
 * An RTP data packet (RFC 3550 §5.1). Produced by {@link parseRtp} as a view: `payload` and
 * `extension.data` are subarrays of the parsed buffer, not copies. Kept off the per-packet hot
 * path — use the in-place functions below (`rtpSeq`, `setRtpSeq`, …) there.
 */
export class RtpPacket {
  marker: boolean;
  /** 7-bit payload type. */
  payloadType: number;
  /** 16-bit sequence number. */
  sequenceNumber: number;
  /** 32-bit media timestamp. */
  timestamp: number;
  ssrc: number;
  /** Contributing sources, at most 15. */
  csrc: number[];
  extension: RtpHeaderExtension | null;
  payload: Uint8Array;
  /** Number of padding octets (0 when the P bit is clear). */
  paddingLength: number;

  /** @throws TypeError naming the field when a value is out of range. */
  constructor(init: RtpPacketInit) {
    checkUint('payloadType', init.payloadType, 0x7f);
    checkUint('sequenceNumber', init.sequenceNumber, 0xffff);
    checkUint('timestamp', init.timestamp, 0xffffffff);
    checkUint('ssrc', init.ssrc, 0xffffffff);
    const csrc = init.csrc ? [...init.csrc] : [];
    if (csrc.length > RTP_MAX_CSRC) throw new TypeError(`RTP csrc holds at most ${RTP_MAX_CSRC} entries, got ${csrc.length}`);
    for (const c of csrc) checkUint('csrc', c, 0xffffffff);
    const ext = init.extension ?? null;
    if (ext) {
      checkUint('extension.profile', ext.profile, 0xffff);
      if (ext.data.length % 4 !== 0 || ext.data.length > 0xffff * 4) {
        throw new TypeError(`RTP extension.data length must be a multiple of 4 up to ${0xffff * 4}, got ${ext.data.length}`);
      }
    }
    const paddingLength = init.paddingLength ?? 0;
    checkUint('paddingLength', paddingLength, 0xff);
    this.marker = init.marker ?? false;
    this.payloadType = init.payloadType;
    this.sequenceNumber = init.sequenceNumber;
    this.timestamp = init.timestamp;
    this.ssrc = init.ssrc;
    this.csrc = csrc;
    this.extension = ext;
    this.payload = init.payload ?? EMPTY;
    this.paddingLength = paddingLength;
  }

  /** See {@link parseRtp}. */
  static parse(buf: Uint8Array, offset = 0, length = buf.length - offset): RtpPacket {
    return parseRtp(buf, offset, length);
  }

  /** Size of the serialized packet in octets. */
  get byteLength(): number {
    return (
      RTP_HEADER_SIZE +
      4 * this.csrc.length +
      (this.extension ? RTP_EXTENSION_HEADER_SIZE + this.extension.data.length : 0) +
      this.payload.length +
      this.paddingLength
    );
  }

  /**
   * Writes the packet at `offset`; padding octets are zero except the last, which holds the count.
   * @returns the number of octets written ({@link byteLength}).
   * @throws RangeError when `buf` is too small.
   */
  serializeInto(buf: Uint8Array, offset = 0): number {
    const total = this.byteLength;
    if (offset < 0 || buf.length - offset < total) throw new RangeError(`RTP packet needs ${total} octets at offset ${offset}`);
    const cc = this.csrc.length;
    buf[offset] =
      (RTP_VERSION << RTP_VERSION_SHIFT) |
      (this.paddingLength > 0 ? RTP_PADDING_MASK : 0) |
      (this.extension ? RTP_EXTENSION_MASK : 0) |
      cc;
    buf[offset + 1] = (this.marker ? RTP_MARKER_MASK : 0) | (this.payloadType & RTP_PT_MASK);
    writeU16(buf, offset + RTP_SEQ_OFFSET, this.sequenceNumber);
    writeU32(buf, offset + RTP_TS_OFFSET, this.timestamp);
    writeU32(buf, offset + RTP_SSRC_OFFSET, this.ssrc);
    let p = offset + RTP_CSRC_OFFSET;
    for (let i = 0; i < cc; i++, p += 4) writeU32(buf, p, this.csrc[i]);
    if (this.extension) {
      writeU16(buf, p, this.extension.profile);
      writeU16(buf, p + 2, this.extension.data.length >>> 2);
      buf.set(this.extension.data, p + RTP_EXTENSION_HEADER_SIZE);
      p += RTP_EXTENSION_HEADER_SIZE + this.extension.data.length;
    }
    buf.set(this.payload, p);
    p += this.payload.length;
    if (this.paddingLength > 0) {
      buf.fill(0, p, p + this.paddingLength - 1);
      buf[p + this.paddingLength - 1] = this.paddingLength;
      p += this.paddingLength;
    }
    return p - offset;
  }

  /** Allocates a Buffer holding the serialized packet (off the hot path). */
  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.byteLength);
    this.serializeInto(out, 0);
    return out;
  }
}

/**
 * Frames an RTP packet of `length` octets at `offset` (RFC 3550 §5.1, §5.3.1). Framing only:
 * payload type and SSRC are not judged here.
 * @throws RtpParseError `TRUNCATED` (header, CSRC list or extension runs past the end),
 *   `BAD_VERSION` (V ≠ 2), `BAD_PADDING` (count 0 or larger than the payload space).
 */
export function parseRtp(buf: Uint8Array, offset = 0, length = buf.length - offset): RtpPacket {
  if (offset < 0 || length < 0 || offset + length > buf.length) throw new RangeError('RTP parse window outside the buffer');
  if (length < RTP_HEADER_SIZE) throw new RtpParseError('TRUNCATED', `RTP header needs ${RTP_HEADER_SIZE} octets, got ${length}`);
  const b0 = buf[offset];
  if (b0 >>> RTP_VERSION_SHIFT !== RTP_VERSION) throw new RtpParseError('BAD_VERSION', `RTP version ${b0 >>> RTP_VERSION_SHIFT}`);
  const end = offset + length;
  const cc = b0 & RTP_CC_MASK;
  let p = offset + RTP_CSRC_OFFSET;
  if (p + 4 * cc > end) throw new RtpParseError('TRUNCATED', `CSRC list of ${cc} runs past the packet`);
  const csrc: number[] = [];
  for (let i = 0; i < cc; i++, p += 4) csrc.push(readU32(buf, p));
  let extension: RtpHeaderExtension | null = null;
  if (b0 & RTP_EXTENSION_MASK) {
    if (p + RTP_EXTENSION_HEADER_SIZE > end) throw new RtpParseError('TRUNCATED', 'header extension header runs past the packet');
    const profile = readU16(buf, p);
    const words = readU16(buf, p + 2);
    const dataStart = p + RTP_EXTENSION_HEADER_SIZE;
    if (dataStart + 4 * words > end) throw new RtpParseError('TRUNCATED', `header extension of ${words} words runs past the packet`);
    extension = { profile, data: buf.subarray(dataStart, dataStart + 4 * words) };
    p = dataStart + 4 * words;
  }
  let paddingLength = 0;
  if (b0 & RTP_PADDING_MASK) {
    if (end === p) throw new RtpParseError('BAD_PADDING', 'P bit set but no octet left for the padding count');
    paddingLength = buf[end - 1];
    if (paddingLength === 0 || paddingLength > end - p) {
      throw new RtpParseError('BAD_PADDING', `padding count ${paddingLength} with ${end - p} octets after the header`);
    }
  }
  const b1 = buf[offset + 1];
  const pkt = new RtpPacket({
    marker: (b1 & RTP_MARKER_MASK) !== 0,
    payloadType: b1 & RTP_PT_MASK,
    sequenceNumber: readU16(buf, offset + RTP_SEQ_OFFSET),
    timestamp: readU32(buf, offset + RTP_TS_OFFSET),
    ssrc: readU32(buf, offset + RTP_SSRC_OFFSET),
    csrc,
    extension,
    payload: buf.subarray(p, end - paddingLength),
    paddingLength,
  });
  return pkt;
}

// ---------------------------------------------------------------------------------------------
// In-place header API: reads and writes fields on a Buffer without building objects. Offsets
// returned are absolute indices into `buf`. None of these allocate.
// ---------------------------------------------------------------------------------------------

/**
 * True when `len` octets at `off` can be framed as RTP: version 2, the CSRC list fits and the
 * second octet is not an RTCP packet type 192..223 (RFC 5761 §4 demultiplexing). Cheap pre-check
 * for a socket handler; {@link rtpPayloadOffset} also checks the extension and padding.
 */
export function isRtpPacket(buf: Uint8Array, len = buf.length, off = 0): boolean {
  if (len < RTP_HEADER_SIZE) return false;
  const b0 = buf[off];
  if (b0 >>> RTP_VERSION_SHIFT !== RTP_VERSION) return false;
  const b1 = buf[off + 1];
  if (b1 >= 192 && b1 <= 223) return false;
  return RTP_HEADER_SIZE + 4 * (b0 & RTP_CC_MASK) <= len;
}

/**
 * Absolute index of the payload's first octet (after CSRCs and the header extension), or -1
 * when the packet cannot be framed (not version 2, truncated, bad padding).
 */
export function rtpPayloadOffset(buf: Uint8Array, len = buf.length, off = 0): number {
  if (len < RTP_HEADER_SIZE) return -1;
  const b0 = buf[off];
  if (b0 >>> RTP_VERSION_SHIFT !== RTP_VERSION) return -1;
  const end = off + len;
  let p = off + RTP_HEADER_SIZE + 4 * (b0 & RTP_CC_MASK);
  if (b0 & RTP_EXTENSION_MASK) {
    if (p + RTP_EXTENSION_HEADER_SIZE > end) return -1;
    p += RTP_EXTENSION_HEADER_SIZE + 4 * ((buf[p + 2] << 8) | buf[p + 3]);
  }
  if (p > end) return -1;
  if (b0 & RTP_PADDING_MASK) {
    const pad = end > p ? buf[end - 1] : 0;
    if (pad === 0 || pad > end - p) return -1;
  }
  return p;
}

/** Absolute index one past the payload's last octet (padding excluded), or -1 when the packet cannot be framed. */
export function rtpPayloadEnd(buf: Uint8Array, len = buf.length, off = 0): number {
  const start = rtpPayloadOffset(buf, len, off);
  if (start < 0) return -1;
  const end = off + len;
  return buf[off] & RTP_PADDING_MASK ? end - buf[end - 1] : end;
}

/** Version field (2 for RTP). */
export function rtpVersion(buf: Uint8Array, off = 0): number {
  return buf[off] >>> RTP_VERSION_SHIFT;
}
/** P bit. */
export function rtpHasPadding(buf: Uint8Array, off = 0): boolean {
  return (buf[off] & RTP_PADDING_MASK) !== 0;
}
/** X bit. */
export function rtpHasExtension(buf: Uint8Array, off = 0): boolean {
  return (buf[off] & RTP_EXTENSION_MASK) !== 0;
}
/** CC field. */
export function rtpCsrcCount(buf: Uint8Array, off = 0): number {
  return buf[off] & RTP_CC_MASK;
}
/** M bit. */
export function rtpMarker(buf: Uint8Array, off = 0): boolean {
  return (buf[off + 1] & RTP_MARKER_MASK) !== 0;
}
/** 7-bit payload type. */
export function rtpPayloadType(buf: Uint8Array, off = 0): number {
  return buf[off + 1] & RTP_PT_MASK;
}
/** 16-bit sequence number. */
export function rtpSeq(buf: Uint8Array, off = 0): number {
  return (buf[off + RTP_SEQ_OFFSET] << 8) | buf[off + RTP_SEQ_OFFSET + 1];
}
/** 32-bit timestamp (unsigned). */
export function rtpTimestamp(buf: Uint8Array, off = 0): number {
  return readU32(buf, off + RTP_TS_OFFSET);
}
/** 32-bit SSRC (unsigned). */
export function rtpSsrc(buf: Uint8Array, off = 0): number {
  return readU32(buf, off + RTP_SSRC_OFFSET);
}

/** Writes the sequence number (taken modulo 2^16). */
export function setRtpSeq(buf: Uint8Array, seq: number, off = 0): void {
  buf[off + RTP_SEQ_OFFSET] = (seq >>> 8) & 0xff;
  buf[off + RTP_SEQ_OFFSET + 1] = seq & 0xff;
}
/** Writes the timestamp (taken modulo 2^32). */
export function setRtpTimestamp(buf: Uint8Array, ts: number, off = 0): void {
  writeU32(buf, off + RTP_TS_OFFSET, ts);
}
/** Writes the SSRC. */
export function setRtpSsrc(buf: Uint8Array, ssrc: number, off = 0): void {
  writeU32(buf, off + RTP_SSRC_OFFSET, ssrc);
}
/** Writes the payload type, keeping the marker bit. */
export function setRtpPayloadType(buf: Uint8Array, pt: number, off = 0): void {
  buf[off + 1] = (buf[off + 1] & RTP_MARKER_MASK) | (pt & RTP_PT_MASK);
}
/** Sets or clears the marker bit, keeping the payload type. */
export function setRtpMarker(buf: Uint8Array, marker: boolean, off = 0): void {
  buf[off + 1] = marker ? buf[off + 1] | RTP_MARKER_MASK : buf[off + 1] & RTP_PT_MASK;
}

/**
 * Writes a 12-octet fixed header (V=2, no padding, no extension, no CSRC) at `off` — what a
 * player stamps in front of a cached payload.
 * @returns {@link RTP_HEADER_SIZE}.
 */
export function writeRtpHeader(
  buf: Uint8Array,
  off: number,
  payloadType: number,
  seq: number,
  timestamp: number,
  ssrc: number,
  marker: boolean,
): number {
  buf[off] = RTP_VERSION << RTP_VERSION_SHIFT;
  buf[off + 1] = (marker ? RTP_MARKER_MASK : 0) | (payloadType & RTP_PT_MASK);
  buf[off + RTP_SEQ_OFFSET] = (seq >>> 8) & 0xff;
  buf[off + RTP_SEQ_OFFSET + 1] = seq & 0xff;
  writeU32(buf, off + RTP_TS_OFFSET, timestamp);
  writeU32(buf, off + RTP_SSRC_OFFSET, ssrc);
  return RTP_HEADER_SIZE;
}
