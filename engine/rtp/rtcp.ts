// RTCP packets: SR, RR with report blocks, SDES, BYE, APP and compound packets — parse, serialize, validate (RFC 3550 §6.1, §6.4–§6.7, §A.2; RFC 5761 §4).
import { readU16, readU32, writeU16, writeU32 } from './bytes.ts';
import { RtpParseError } from './errors.ts';

/*
 * Common header of every RTCP packet (RFC 3550 §6.4.1):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V=2|P|    RC   |      PT       |             length            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * `length` is the packet's size in 32-bit words minus one, header and padding included.
 *
 * SR (PT=200) body:  SSRC of sender | NTP ts (msw) | NTP ts (lsw) | RTP ts | packet count |
 *                    octet count | RC report blocks | profile-specific extensions
 * RR (PT=201) body:  SSRC of packet sender | RC report blocks | profile-specific extensions
 *
 * Report block (24 octets, §6.4.1):
 *  |                 SSRC_n (SSRC of source being reported)        |
 *  | fraction lost |       cumulative number of packets lost       |
 *  |           extended highest sequence number received           |
 *  |                      interarrival jitter                      |
 *  |                         last SR (LSR)                         |
 *  |                   delay since last SR (DLSR)                  |
 *
 * SDES (PT=202, §6.5): SC chunks of  SSRC | items (type, length, text)… | null octet(s) to a 32-bit boundary
 * BYE  (PT=203, §6.6): SC SSRC/CSRCs | optional (length, reason text) | zero fill to a 32-bit boundary
 * APP  (PT=204, §6.7): subtype in the count field | SSRC | name (4 ASCII) | application data (32-bit multiple)
 */

/** Size of the common header. */
export const RTCP_HEADER_SIZE = 4;
/** Byte 0: padding flag. */
export const RTCP_PADDING_MASK = 0x20;
/** Byte 0: report/source count or APP subtype. */
export const RTCP_COUNT_MASK = 0x1f;
/** Size of one report block. */
export const RTCP_REPORT_BLOCK_SIZE = 24;
/** Size of the SR sender info after the sender's SSRC. */
export const RTCP_SENDER_INFO_SIZE = 20;
/** Most report blocks or sources one packet can carry (5-bit count). */
export const RTCP_MAX_COUNT = 31;

/** Packet types (RFC 3550 §12.1). */
export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

/** SDES item types (RFC 3550 §6.5). */
export const SDES_END = 0;
export const SDES_CNAME = 1;
export const SDES_NAME = 2;
export const SDES_EMAIL = 3;
export const SDES_PHONE = 4;
export const SDES_LOC = 5;
export const SDES_TOOL = 6;
export const SDES_NOTE = 7;
export const SDES_PRIV = 8;

/** Smallest and largest value of the signed 24-bit cumulative-lost field. */
export const CUMULATIVE_LOST_MIN = -0x800000;
export const CUMULATIVE_LOST_MAX = 0x7fffff;

/** One reception report (RFC 3550 §6.4.1). */
export interface RtcpReportBlock {
  /** SSRC of the source this block reports on. */
  ssrc: number;
  /** Fraction of packets lost since the previous report, as a fixed-point number with the binary point at the left (0..255 = 0..255/256). */
  fractionLost: number;
  /** Signed 24-bit cumulative number of packets lost (duplicates can make it negative). */
  cumulativeLost: number;
  /** Extended highest sequence number received: cycles in the top 16 bits. */
  highestSeq: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from this source, 0 if none. */
  lastSr: number;
  /** Delay since that SR in units of 1/65536 s, 0 if none. */
  delaySinceLastSr: number;
}

/** One SDES item (type 1..255; `text` as UTF-8, at most 255 octets). */
export interface SdesItem {
  type: number;
  text: string;
}

/** One SDES chunk: a source and its items. */
export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
}

function checkUint(field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new TypeError(`RTCP ${field} must be an integer in 0..${max}, got ${v}`);
}

function checkBlock(b: RtcpReportBlock, i: number): void {
  checkUint(`reports[${i}].ssrc`, b.ssrc, 0xffffffff);
  checkUint(`reports[${i}].fractionLost`, b.fractionLost, 0xff);
  if (!Number.isInteger(b.cumulativeLost) || b.cumulativeLost < CUMULATIVE_LOST_MIN || b.cumulativeLost > CUMULATIVE_LOST_MAX) {
    throw new TypeError(`RTCP reports[${i}].cumulativeLost must be a signed 24-bit integer, got ${b.cumulativeLost}`);
  }
  checkUint(`reports[${i}].highestSeq`, b.highestSeq, 0xffffffff);
  checkUint(`reports[${i}].jitter`, b.jitter, 0xffffffff);
  checkUint(`reports[${i}].lastSr`, b.lastSr, 0xffffffff);
  checkUint(`reports[${i}].delaySinceLastSr`, b.delaySinceLastSr, 0xffffffff);
}

function checkReports(reports: readonly RtcpReportBlock[]): RtcpReportBlock[] {
  if (reports.length > RTCP_MAX_COUNT) throw new TypeError(`RTCP reports holds at most ${RTCP_MAX_COUNT} blocks`);
  reports.forEach(checkBlock);
  return reports.map((b) => ({ ...b }));
}

function checkWords(field: string, data: Uint8Array): void {
  if (data.length % 4 !== 0) throw new TypeError(`RTCP ${field} length must be a multiple of 4, got ${data.length}`);
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is text, not a byte-order mark to strip.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** UTF-8 length of a text item; SDES items and BYE reasons hold at most 255 octets. */
function utf8Length(text: string): number {
  const n = Buffer.byteLength(text, 'utf8');
  if (n > 0xff) throw new TypeError(`RTCP text of ${n} UTF-8 octets exceeds 255`);
  return n;
}

/** Shared header/padding handling of the RTCP packet classes. */
abstract class RtcpPacketBase {
  /** Padding octets after the body (0 = P bit clear; else 1..255 counted in the last octet). */
  paddingLength = 0;
  /** The packet type (PT) field. */
  abstract get packetType(): number;
  /** The 5-bit count field (RC, SC or APP subtype). */
  protected abstract get countField(): number;
  /** Body octets after the common header, before padding (always a multiple of 4). */
  protected abstract get bodyLength(): number;
  protected abstract writeBody(buf: Uint8Array, p: number): void;

  /** Size of the serialized packet in octets, padding included. */
  get byteLength(): number {
    return RTCP_HEADER_SIZE + this.bodyLength + this.paddingLength;
  }

  /**
   * Writes the packet at `offset`.
   * @returns octets written ({@link byteLength}).
   * @throws RangeError when `buf` is too small; TypeError when padding would break 32-bit alignment.
   */
  serializeInto(buf: Uint8Array, offset = 0): number {
    const total = this.byteLength;
    if (this.paddingLength % 4 !== 0 || this.paddingLength > 0xff) {
      throw new TypeError(`RTCP paddingLength must be a multiple of 4 in 0..252, got ${this.paddingLength}`);
    }
    if (offset < 0 || buf.length - offset < total) throw new RangeError(`RTCP packet needs ${total} octets at offset ${offset}`);
    buf[offset] = 0x80 | (this.paddingLength > 0 ? RTCP_PADDING_MASK : 0) | (this.countField & RTCP_COUNT_MASK);
    buf[offset + 1] = this.packetType;
    writeU16(buf, offset + 2, total / 4 - 1);
    this.writeBody(buf, offset + RTCP_HEADER_SIZE);
    if (this.paddingLength > 0) {
      const p = offset + total - this.paddingLength;
      buf.fill(0, p, offset + total - 1);
      buf[offset + total - 1] = this.paddingLength;
    }
    return total;
  }

  /** Allocates a Buffer holding the serialized packet. */
  serialize(): Buffer {
    const out = Buffer.alloc(this.byteLength);
    this.serializeInto(out, 0);
    return out;
  }
}

function writeBlocks(buf: Uint8Array, p: number, reports: readonly RtcpReportBlock[]): number {
  for (const b of reports) {
    writeU32(buf, p, b.ssrc);
    writeU32(buf, p + 4, ((b.fractionLost & 0xff) << 24) | (b.cumulativeLost & 0xffffff));
    writeU32(buf, p + 8, b.highestSeq);
    writeU32(buf, p + 12, b.jitter);
    writeU32(buf, p + 16, b.lastSr);
    writeU32(buf, p + 20, b.delaySinceLastSr);
    p += RTCP_REPORT_BLOCK_SIZE;
  }
  return p;
}

function readBlock(buf: Uint8Array, p: number): RtcpReportBlock {
  const w = readU32(buf, p + 4);
  return {
    ssrc: readU32(buf, p),
    fractionLost: w >>> 24,
    cumulativeLost: (w << 8) >> 8,
    highestSeq: readU32(buf, p + 8),
    jitter: readU32(buf, p + 12),
    lastSr: readU32(buf, p + 16),
    delaySinceLastSr: readU32(buf, p + 20),
  };
}

/** Fields of a sender report. */
export interface RtcpSenderReportInit {
  ssrc: number;
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports?: readonly RtcpReportBlock[];
  /** Profile-specific extension octets (multiple of 4). */
  extension?: Uint8Array;
}

/** Sender report, PT=200 (RFC 3550 §6.4.1). */
export class RtcpSenderReport extends RtcpPacketBase {
  readonly kind = 'sr' as const;
  ssrc: number;
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
  extension: Uint8Array;

  /** @throws TypeError naming the field when a value is out of range. */
  constructor(init: RtcpSenderReportInit) {
    super();
    for (const f of ['ssrc', 'ntpSeconds', 'ntpFraction', 'rtpTimestamp', 'packetCount', 'octetCount'] as const) {
      checkUint(f, init[f], 0xffffffff);
    }
    this.ssrc = init.ssrc;
    this.ntpSeconds = init.ntpSeconds;
    this.ntpFraction = init.ntpFraction;
    this.rtpTimestamp = init.rtpTimestamp;
    this.packetCount = init.packetCount;
    this.octetCount = init.octetCount;
    this.reports = checkReports(init.reports ?? []);
    this.extension = init.extension ?? EMPTY;
    checkWords('extension', this.extension);
  }
  get packetType(): number {
    return RTCP_SR;
  }
  protected get countField(): number {
    return this.reports.length;
  }
  protected get bodyLength(): number {
    return 4 + RTCP_SENDER_INFO_SIZE + RTCP_REPORT_BLOCK_SIZE * this.reports.length + this.extension.length;
  }
  protected writeBody(buf: Uint8Array, p: number): void {
    writeU32(buf, p, this.ssrc);
    writeU32(buf, p + 4, this.ntpSeconds);
    writeU32(buf, p + 8, this.ntpFraction);
    writeU32(buf, p + 12, this.rtpTimestamp);
    writeU32(buf, p + 16, this.packetCount);
    writeU32(buf, p + 20, this.octetCount);
    p = writeBlocks(buf, p + 24, this.reports);
    buf.set(this.extension, p);
  }
}

/** Fields of a receiver report. */
export interface RtcpReceiverReportInit {
  ssrc: number;
  reports?: readonly RtcpReportBlock[];
  extension?: Uint8Array;
}

/** Receiver report, PT=201 (RFC 3550 §6.4.2). */
export class RtcpReceiverReport extends RtcpPacketBase {
  readonly kind = 'rr' as const;
  ssrc: number;
  reports: RtcpReportBlock[];
  extension: Uint8Array;

  /** @throws TypeError naming the field when a value is out of range. */
  constructor(init: RtcpReceiverReportInit) {
    super();
    checkUint('ssrc', init.ssrc, 0xffffffff);
    this.ssrc = init.ssrc;
    this.reports = checkReports(init.reports ?? []);
    this.extension = init.extension ?? EMPTY;
    checkWords('extension', this.extension);
  }
  get packetType(): number {
    return RTCP_RR;
  }
  protected get countField(): number {
    return this.reports.length;
  }
  protected get bodyLength(): number {
    return 4 + RTCP_REPORT_BLOCK_SIZE * this.reports.length + this.extension.length;
  }
  protected writeBody(buf: Uint8Array, p: number): void {
    writeU32(buf, p, this.ssrc);
    p = writeBlocks(buf, p + 4, this.reports);
    buf.set(this.extension, p);
  }
}

/** Source description, PT=202 (RFC 3550 §6.5). Texts are encoded as UTF-8 when serialized. */
export class RtcpSdes extends RtcpPacketBase {
  readonly kind = 'sdes' as const;
  chunks: SdesChunk[];

  /** @throws TypeError when there are more than 31 chunks or an item type is outside 1..255. */
  constructor(chunks: readonly SdesChunk[]) {
    super();
    if (chunks.length > RTCP_MAX_COUNT) throw new TypeError(`RTCP SDES holds at most ${RTCP_MAX_COUNT} chunks`);
    this.chunks = chunks.map((c, i) => {
      checkUint(`chunks[${i}].ssrc`, c.ssrc, 0xffffffff);
      c.items.forEach((it, j) => {
        checkUint(`chunks[${i}].items[${j}].type`, it.type, 0xff);
        if (it.type === SDES_END) throw new TypeError(`RTCP chunks[${i}].items[${j}].type must not be 0 (END)`);
      });
      return { ssrc: c.ssrc, items: c.items.map((it) => ({ type: it.type, text: it.text })) };
    });
  }
  /** The CNAME of the first chunk that has one. */
  get cname(): string | undefined {
    for (const c of this.chunks) for (const it of c.items) if (it.type === SDES_CNAME) return it.text;
    return undefined;
  }
  get packetType(): number {
    return RTCP_SDES;
  }
  protected get countField(): number {
    return this.chunks.length;
  }
  private static chunkLength(c: SdesChunk): number {
    let n = 4;
    for (const it of c.items) n += 2 + utf8Length(it.text);
    // At least one null octet ends the item list, then zero fill to the next 32-bit boundary.
    return (n + 4) & ~3;
  }
  protected get bodyLength(): number {
    let n = 0;
    for (const c of this.chunks) n += RtcpSdes.chunkLength(c);
    return n;
  }
  protected writeBody(buf: Uint8Array, p: number): void {
    for (const c of this.chunks) {
      const end = p + RtcpSdes.chunkLength(c);
      writeU32(buf, p, c.ssrc);
      p += 4;
      for (const it of c.items) {
        const n = utf8.encodeInto(it.text, buf.subarray(p + 2, p + 2 + 0xff)).written;
        buf[p] = it.type;
        buf[p + 1] = n;
        p += 2 + n;
      }
      buf.fill(0, p, end);
      p = end;
    }
  }
}

/** Goodbye, PT=203 (RFC 3550 §6.6). The reason is encoded as UTF-8 when serialized. */
export class RtcpBye extends RtcpPacketBase {
  readonly kind = 'bye' as const;
  sources: number[];
  reason: string | undefined;

  /** @throws TypeError when there are more than 31 sources. */
  constructor(sources: readonly number[], reason?: string) {
    super();
    if (sources.length > RTCP_MAX_COUNT) throw new TypeError(`RTCP BYE holds at most ${RTCP_MAX_COUNT} sources`);
    sources.forEach((s, i) => checkUint(`sources[${i}]`, s, 0xffffffff));
    this.sources = [...sources];
    this.reason = reason;
  }
  get packetType(): number {
    return RTCP_BYE;
  }
  protected get countField(): number {
    return this.sources.length;
  }
  protected get bodyLength(): number {
    return 4 * this.sources.length + (this.reason === undefined ? 0 : (utf8Length(this.reason) + 4) & ~3);
  }
  protected writeBody(buf: Uint8Array, p: number): void {
    for (const s of this.sources) {
      writeU32(buf, p, s);
      p += 4;
    }
    if (this.reason !== undefined) {
      const n = utf8.encodeInto(this.reason, buf.subarray(p + 1, p + 1 + 0xff)).written;
      buf[p] = n;
      buf.fill(0, p + 1 + n, p + ((n + 4) & ~3));
    }
  }
}

/** Application-defined packet, PT=204 (RFC 3550 §6.7). */
export class RtcpApp extends RtcpPacketBase {
  readonly kind = 'app' as const;
  subtype: number;
  ssrc: number;
  /** Four ASCII characters. */
  name: string;
  data: Uint8Array;

  /** @throws TypeError naming the field when a value is out of range. */
  constructor(init: { subtype: number; ssrc: number; name: string; data?: Uint8Array }) {
    super();
    checkUint('subtype', init.subtype, RTCP_COUNT_MASK);
    checkUint('ssrc', init.ssrc, 0xffffffff);
    if (init.name.length !== 4 || [...init.name].some((ch) => ch.charCodeAt(0) > 0xff)) throw new TypeError(`RTCP APP name must be 4 octet characters, got ${JSON.stringify(init.name)}`);
    this.subtype = init.subtype;
    this.ssrc = init.ssrc;
    this.name = init.name;
    this.data = init.data ?? EMPTY;
    checkWords('data', this.data);
  }
  get packetType(): number {
    return RTCP_APP;
  }
  protected get countField(): number {
    return this.subtype;
  }
  protected get bodyLength(): number {
    return 8 + this.data.length;
  }
  protected writeBody(buf: Uint8Array, p: number): void {
    writeU32(buf, p, this.ssrc);
    for (let i = 0; i < 4; i++) buf[p + 4 + i] = this.name.charCodeAt(i);
    buf.set(this.data, p + 8);
  }
}

/** A packet of a type this layer does not interpret (e.g. RTPFB 205, PSFB 206, XR 207); the body is kept as a view. */
export class RtcpUnknown extends RtcpPacketBase {
  readonly kind = 'unknown' as const;
  type: number;
  count: number;
  body: Uint8Array;

  /** @throws TypeError naming the field when a value is out of range. */
  constructor(type: number, count: number, body: Uint8Array) {
    super();
    checkUint('type', type, 0xff);
    checkUint('count', count, RTCP_COUNT_MASK);
    checkWords('body', body);
    this.type = type;
    this.count = count;
    this.body = body;
  }
  get packetType(): number {
    return this.type;
  }
  protected get countField(): number {
    return this.count;
  }
  protected get bodyLength(): number {
    return this.body.length;
  }
  protected writeBody(buf: Uint8Array, p: number): void {
    buf.set(this.body, p);
  }
}

/** Any RTCP packet; switch on `kind`. */
export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSdes | RtcpBye | RtcpApp | RtcpUnknown;

/**
 * True when `len` octets at `off` look like RTCP rather than RTP on a multiplexed port: version 2
 * and a second octet in 192..223 (RFC 5761 §4).
 */
export function isRtcpPacket(buf: Uint8Array, len = buf.length, off = 0): boolean {
  if (len < RTCP_HEADER_SIZE) return false;
  if (buf[off] >>> 6 !== 2) return false;
  const pt = buf[off + 1];
  return pt >= 192 && pt <= 223;
}

/**
 * Frames the single RTCP packet at `offset`; its length field decides where it ends, which must
 * be within `length`. Use {@link parseRtcpCompound} for a whole datagram.
 * @throws RtpParseError `TRUNCATED`, `BAD_VERSION`, `BAD_PADDING`, `BAD_LENGTH` (count and length
 *   disagree), `BAD_ITEM` (malformed SDES item or BYE reason).
 */
export function parseRtcp(buf: Uint8Array, offset = 0, length = buf.length - offset): RtcpPacket {
  return parseOne(buf, offset, length).packet;
}

function parseOne(buf: Uint8Array, offset: number, length: number): { packet: RtcpPacket; size: number } {
  if (offset < 0 || length < 0 || offset + length > buf.length) throw new RangeError('RTCP parse window outside the buffer');
  if (length < RTCP_HEADER_SIZE) throw new RtpParseError('TRUNCATED', `RTCP header needs 4 octets, got ${length}`);
  const b0 = buf[offset];
  if (b0 >>> 6 !== 2) throw new RtpParseError('BAD_VERSION', `RTCP version ${b0 >>> 6}`);
  const size = (readU16(buf, offset + 2) + 1) * 4;
  if (size > length) throw new RtpParseError('TRUNCATED', `RTCP packet of ${size} octets, ${length} available`);
  const count = b0 & RTCP_COUNT_MASK;
  const type = buf[offset + 1];
  let end = offset + size;
  let paddingLength = 0;
  if (b0 & RTCP_PADDING_MASK) {
    paddingLength = buf[end - 1];
    if (paddingLength === 0 || paddingLength > size - RTCP_HEADER_SIZE || paddingLength % 4 !== 0) {
      throw new RtpParseError('BAD_PADDING', `RTCP padding count ${paddingLength} in a packet of ${size} octets`);
    }
    end -= paddingLength;
  }
  const p = offset + RTCP_HEADER_SIZE;
  let packet: RtcpPacket;
  switch (type) {
    case RTCP_SR:
      packet = parseSr(buf, p, end, count);
      break;
    case RTCP_RR:
      packet = parseRr(buf, p, end, count);
      break;
    case RTCP_SDES:
      packet = parseSdes(buf, p, end, count);
      break;
    case RTCP_BYE:
      packet = parseBye(buf, p, end, count);
      break;
    case RTCP_APP:
      if (end - p < 8) throw new RtpParseError('BAD_LENGTH', 'RTCP APP needs SSRC and name');
      packet = new RtcpApp({
        subtype: count,
        ssrc: readU32(buf, p),
        name: String.fromCharCode(buf[p + 4], buf[p + 5], buf[p + 6], buf[p + 7]),
        data: buf.subarray(p + 8, end),
      });
      break;
    default:
      packet = new RtcpUnknown(type, count, buf.subarray(p, end));
  }
  packet.paddingLength = paddingLength;
  return { packet, size };
}

function parseSr(buf: Uint8Array, p: number, end: number, count: number): RtcpSenderReport {
  const need = 4 + RTCP_SENDER_INFO_SIZE + RTCP_REPORT_BLOCK_SIZE * count;
  if (end - p < need) throw new RtpParseError('BAD_LENGTH', `SR with ${count} report blocks needs ${need} octets, has ${end - p}`);
  const reports: RtcpReportBlock[] = [];
  for (let i = 0, q = p + 24; i < count; i++, q += RTCP_REPORT_BLOCK_SIZE) reports.push(readBlock(buf, q));
  return new RtcpSenderReport({
    ssrc: readU32(buf, p),
    ntpSeconds: readU32(buf, p + 4),
    ntpFraction: readU32(buf, p + 8),
    rtpTimestamp: readU32(buf, p + 12),
    packetCount: readU32(buf, p + 16),
    octetCount: readU32(buf, p + 20),
    reports,
    extension: buf.subarray(p + need, end),
  });
}

function parseRr(buf: Uint8Array, p: number, end: number, count: number): RtcpReceiverReport {
  const need = 4 + RTCP_REPORT_BLOCK_SIZE * count;
  if (end - p < need) throw new RtpParseError('BAD_LENGTH', `RR with ${count} report blocks needs ${need} octets, has ${end - p}`);
  const reports: RtcpReportBlock[] = [];
  for (let i = 0, q = p + 4; i < count; i++, q += RTCP_REPORT_BLOCK_SIZE) reports.push(readBlock(buf, q));
  return new RtcpReceiverReport({ ssrc: readU32(buf, p), reports, extension: buf.subarray(p + need, end) });
}

function parseSdes(buf: Uint8Array, p: number, end: number, count: number): RtcpSdes {
  const chunks: SdesChunk[] = [];
  for (let i = 0; i < count; i++) {
    if (end - p < 4) throw new RtpParseError('BAD_LENGTH', `SDES chunk ${i} of ${count} missing`);
    const chunkStart = p;
    const ssrc = readU32(buf, p);
    p += 4;
    const items: SdesItem[] = [];
    for (;;) {
      if (p >= end) throw new RtpParseError('BAD_ITEM', `SDES chunk ${i} has no terminating null item`);
      const type = buf[p];
      if (type === SDES_END) break;
      if (p + 2 > end || p + 2 + buf[p + 1] > end) throw new RtpParseError('BAD_ITEM', `SDES item of type ${type} runs past the packet`);
      const len = buf[p + 1];
      items.push({ type, text: utf8Decoder.decode(buf.subarray(p + 2, p + 2 + len)) });
      p += 2 + len;
    }
    // Skip the null octet and the zero fill up to the next 32-bit boundary of the chunk.
    p = chunkStart + ((p - chunkStart + 4) & ~3);
    if (p > end) throw new RtpParseError('BAD_ITEM', `SDES chunk ${i} fill runs past the packet`);
    chunks.push({ ssrc, items });
  }
  if (p !== end) throw new RtpParseError('BAD_LENGTH', `${end - p} octets after the last SDES chunk`);
  return new RtcpSdes(chunks);
}

function parseBye(buf: Uint8Array, p: number, end: number, count: number): RtcpBye {
  if (end - p < 4 * count) throw new RtpParseError('BAD_LENGTH', `BYE with ${count} sources needs ${4 * count} octets`);
  const sources: number[] = [];
  for (let i = 0; i < count; i++, p += 4) sources.push(readU32(buf, p));
  let reason: string | undefined;
  if (p < end) {
    const len = buf[p];
    if (p + 1 + len > end) throw new RtpParseError('BAD_ITEM', `BYE reason of ${len} octets runs past the packet`);
    reason = utf8Decoder.decode(buf.subarray(p + 1, p + 1 + len));
    const fillEnd = p + ((len + 4) & ~3);
    if (fillEnd !== end) throw new RtpParseError('BAD_LENGTH', 'BYE has octets after its reason');
  }
  return new RtcpBye(sources, reason);
}

/**
 * Frames every packet of a compound RTCP datagram (RFC 3550 §6.1) — framing only; call
 * {@link validateRtcpCompound} to apply the §A.2 header validity checks.
 * @throws RtpParseError as {@link parseRtcp}; `TRUNCATED` when the datagram is empty.
 */
export function parseRtcpCompound(buf: Uint8Array, offset = 0, length = buf.length - offset): RtcpPacket[] {
  if (length < RTCP_HEADER_SIZE) throw new RtpParseError('TRUNCATED', 'empty RTCP datagram');
  const packets: RtcpPacket[] = [];
  let p = offset;
  const end = offset + length;
  while (p < end) {
    const { packet, size } = parseOne(buf, p, end - p);
    packets.push(packet);
    p += size;
  }
  return packets;
}

/** Why a framed compound packet fails RFC 3550 §A.2 validity. */
export type RtcpCompoundFault = 'EMPTY' | 'FIRST_NOT_REPORT' | 'PADDING_NOT_LAST';

/**
 * RFC 3550 §A.2 checks on a framed compound packet: the first packet is an SR or RR and only the
 * last packet may be padded. Returns the first fault or null. (Reduced-size RTCP, RFC 5506, is
 * not allowed by this check.)
 */
export function validateRtcpCompound(packets: readonly RtcpPacket[]): RtcpCompoundFault | null {
  if (packets.length === 0) return 'EMPTY';
  const first = packets[0];
  if (first.kind !== 'sr' && first.kind !== 'rr') return 'FIRST_NOT_REPORT';
  for (let i = 0; i < packets.length - 1; i++) if (packets[i].paddingLength > 0) return 'PADDING_NOT_LAST';
  return null;
}

/** Total size of a compound packet. */
export function rtcpCompoundByteLength(packets: readonly RtcpPacket[]): number {
  let n = 0;
  for (const p of packets) n += p.byteLength;
  return n;
}

/**
 * Writes packets back to back as one compound datagram.
 * @returns octets written.
 * @throws RangeError when `buf` is too small.
 */
export function serializeRtcpCompoundInto(packets: readonly RtcpPacket[], buf: Uint8Array, offset = 0): number {
  let p = offset;
  for (const pkt of packets) p += pkt.serializeInto(buf, p);
  return p - offset;
}

/** Allocates one Buffer holding the compound datagram. */
export function serializeRtcpCompound(packets: readonly RtcpPacket[]): Buffer {
  const out = Buffer.alloc(rtcpCompoundByteLength(packets));
  serializeRtcpCompoundInto(packets, out, 0);
  return out;
}
