// The typed SDP model the engine works with (RFC 4566 §5; RFC 3264 §5, §8; RFC 3551 §6; RFC 4733 §7).

/**
 * Media direction of a stream, from the point of view of the party that wrote the SDP
 * (RFC 4566 §6, RFC 3264 §5.1). `sendonly` means "I will send, do not send to me".
 */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** Every direction, in the order RFC 4566 §6 lists them. */
export const DIRECTIONS: readonly Direction[] = Object.freeze(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** Address type of a `c=` or `o=` line (RFC 4566 §5.7). */
export type AddressType = 'IP4' | 'IP6';

/** A connection address (`c=IN IP4 192.0.2.1`); multicast TTL and count are dropped. */
export interface Connection {
  readonly addressType: AddressType;
  /** An IP literal or, rarely, a host name (RFC 4566 §5.7 allows FQDNs). */
  readonly address: string;
}

/** The `o=` line (RFC 4566 §5.2). */
export interface Origin {
  readonly username: string;
  /** Numeric session id, kept as text: it may exceed 2^53. */
  readonly sessionId: string;
  /** Version, incremented on every change of the description (RFC 3264 §8). */
  readonly sessionVersion: bigint;
  readonly addressType: AddressType;
  readonly address: string;
}

/** One RTP payload format of an m-line: its number and what `a=rtpmap`/`a=fmtp` (or RFC 3551) say. */
export interface RtpPayload {
  /** Payload type number, 0..127. */
  readonly payloadType: number;
  /**
   * Encoding name as written (`PCMU`, `telephone-event`, `opus`…); compare case-insensitively.
   * Empty for a dynamic payload type without `a=rtpmap`.
   */
  readonly encoding: string;
  /** RTP clock rate in Hz; 0 when unknown. */
  readonly clockRate: number;
  /** Audio channels (rtpmap encoding parameter); 1 when absent. */
  readonly channels: number;
  /** Text of `a=fmtp:<pt> …`, or null. */
  readonly fmtp: string | null;
}

/** One `m=` section with the session-level defaults already applied. */
export interface MediaDescription {
  /** `audio`, `video`, `image`, `application`… */
  readonly type: string;
  /** Transport port; 0 means the stream is rejected or disabled (RFC 3264 §5.1, §6). */
  readonly port: number;
  /** The `/<number of ports>` suffix of the m-line; 1 when absent. */
  readonly portCount: number;
  /** Transport protocol (`RTP/AVP`, `RTP/SAVP`, `udptl`…). */
  readonly protocol: string;
  /** The format tokens of the m-line, in order (payload type numbers for RTP). */
  readonly formats: readonly string[];
  /** For RTP protocols: one entry per format, in m-line (preference) order. Empty otherwise. */
  readonly payloads: readonly RtpPayload[];
  /** Media-level `c=`, else the session-level one; null when neither exists. */
  readonly connection: Connection | null;
  /** Media-level direction attribute, else session-level, else `sendrecv` (RFC 4566 §6). */
  readonly direction: Direction;
  /** `a=ptime` in ms, or null. */
  readonly ptime: number | null;
  /** `a=maxptime` in ms, or null. */
  readonly maxptime: number | null;
  /** `a=rtcp` (RFC 3605): RTCP port and optional address; null when absent (RTCP = port + 1). */
  readonly rtcp: { readonly port: number; readonly connection: Connection | null } | null;
}

/** A parsed or generated session description. */
export interface SessionDescription {
  readonly origin: Origin;
  /** `s=` text. */
  readonly name: string;
  /** Session-level `c=`, or null. */
  readonly connection: Connection | null;
  /** `t=` start and stop (NTP seconds; `0 0` for an unbounded session). */
  readonly timing: { readonly start: number; readonly stop: number };
  /** Session-level direction attribute, or null when absent. */
  readonly direction: Direction | null;
  readonly media: readonly MediaDescription[];
}

/**
 * Static audio/video payload types (RFC 3551 §6, Tables 4 and 5), used when an m-line lists a static
 * number without `a=rtpmap`.
 */
export const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, { encoding: string; clockRate: number; channels: number }> =
  new Map([
    [0, { encoding: 'PCMU', clockRate: 8000, channels: 1 }],
    [3, { encoding: 'GSM', clockRate: 8000, channels: 1 }],
    [4, { encoding: 'G723', clockRate: 8000, channels: 1 }],
    [5, { encoding: 'DVI4', clockRate: 8000, channels: 1 }],
    [6, { encoding: 'DVI4', clockRate: 16000, channels: 1 }],
    [7, { encoding: 'LPC', clockRate: 8000, channels: 1 }],
    [8, { encoding: 'PCMA', clockRate: 8000, channels: 1 }],
    [9, { encoding: 'G722', clockRate: 8000, channels: 1 }],
    [10, { encoding: 'L16', clockRate: 44100, channels: 2 }],
    [11, { encoding: 'L16', clockRate: 44100, channels: 1 }],
    [12, { encoding: 'QCELP', clockRate: 8000, channels: 1 }],
    [13, { encoding: 'CN', clockRate: 8000, channels: 1 }],
    [14, { encoding: 'MPA', clockRate: 90000, channels: 1 }],
    [15, { encoding: 'G728', clockRate: 8000, channels: 1 }],
    [16, { encoding: 'DVI4', clockRate: 11025, channels: 1 }],
    [17, { encoding: 'DVI4', clockRate: 22050, channels: 1 }],
    [18, { encoding: 'G729', clockRate: 8000, channels: 1 }],
    [25, { encoding: 'CelB', clockRate: 90000, channels: 1 }],
    [26, { encoding: 'JPEG', clockRate: 90000, channels: 1 }],
    [28, { encoding: 'nv', clockRate: 90000, channels: 1 }],
    [31, { encoding: 'H261', clockRate: 90000, channels: 1 }],
    [32, { encoding: 'MPV', clockRate: 90000, channels: 1 }],
    [33, { encoding: 'MP2T', clockRate: 90000, channels: 1 }],
    [34, { encoding: 'H263', clockRate: 90000, channels: 1 }],
  ]);

/** True for protocols carrying RTP, whose formats are payload type numbers (RFC 4566 §5.14). */
export function isRtpProtocol(protocol: string): boolean {
  return /(^|\/)RTP\//i.test(protocol);
}

/** True for `0.0.0.0` (RFC 2543 hold, RFC 3264 §8.4) and its IPv6 counterpart `::`. */
export function isNullAddress(connection: Connection | null): boolean {
  if (connection === null) return false;
  const a = connection.address;
  return a === '0.0.0.0' || a === '::' || /^0+(:0+){7}$/.test(a) || a === '::0';
}

/**
 * Whether the writer of this stream has put its peer on hold (RFC 3264 §8.4): the stream is
 * `sendonly` or `inactive`, or its connection address is `0.0.0.0` (the RFC 2543 style, which
 * still has to be understood). A rejected stream (port 0) is not "on hold".
 */
export function isHold(media: MediaDescription): boolean {
  if (media.port === 0) return false;
  return media.direction === 'sendonly' || media.direction === 'inactive' || isNullAddress(media.connection);
}

/** Whether a direction includes sending (from the writer's point of view). */
export function sends(direction: Direction): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

/** Whether a direction includes receiving (from the writer's point of view). */
export function receives(direction: Direction): boolean {
  return direction === 'sendrecv' || direction === 'recvonly';
}

/** The direction made of a send flag and a receive flag. */
export function directionOf(send: boolean, recv: boolean): Direction {
  if (send) return recv ? 'sendrecv' : 'sendonly';
  return recv ? 'recvonly' : 'inactive';
}

/** The same stream seen from the other end: sendonly ↔ recvonly (RFC 3264 §6.1). */
export function reverseDirection(direction: Direction): Direction {
  return directionOf(receives(direction), sends(direction));
}

/** The payload of an m-line with this encoding name (case-insensitive) and clock rate, or undefined. */
export function findPayload(media: MediaDescription, encoding: string, clockRate: number): RtpPayload | undefined {
  const want = encoding.toLowerCase();
  return media.payloads.find((p) => p.encoding.toLowerCase() === want && p.clockRate === clockRate);
}

/**
 * Parses an RFC 4733 §7.1.1 event list (`0-15,66,70-72`) into sorted event codes (0..255).
 * Returns null if the text is not a valid list.
 */
export function parseEventList(text: string): number[] | null {
  const codes = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === '') return null;
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\d{1,3})(?:\s*-\s*(\d{1,3}))?\s*$/.exec(part);
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > 255 || hi > 255 || hi < lo) return null;
    for (let e = lo; e <= hi; e++) codes.add(e);
  }
  return [...codes].sort((a, b) => a - b);
}

/** Writes event codes as an RFC 4733 event list with ranges (`[0,1,2,3,16]` → `0-3,16`). */
export function formatEventList(codes: readonly number[]): string {
  const sorted = [...new Set(codes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
