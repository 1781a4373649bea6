// RTP/AVP audio profile: static payload types, clock rates and frame sizes (RFC 3551 §4.1, §4.5, §6 Table 4; RFC 3550 §5.1 dynamic range).

/** PCMU (G.711 μ-law), 8 kHz (RFC 3551 §4.5.14). */
export const PT_PCMU = 0;
/** PCMA (G.711 A-law), 8 kHz. */
export const PT_PCMA = 8;
/** G.722: RTP clock 8000 although it samples at 16 kHz (RFC 3551 §4.5.2). */
export const PT_G722 = 9;
/** Comfort noise (RFC 3389). */
export const PT_CN = 13;
/** First and last dynamic payload type (RFC 3551 §3). */
export const PT_DYNAMIC_MIN = 96;
export const PT_DYNAMIC_MAX = 127;
/** Default packetization interval of the audio profile, ms (RFC 3551 §4.2). */
export const DEFAULT_PTIME_MS = 20;

/** A statically assigned audio encoding. */
export interface StaticPayloadType {
  encoding: string;
  clockRate: number;
  channels: number;
}

/** RFC 3551 §6 Table 4: the audio payload types with static numbers. */
export const STATIC_AUDIO_PAYLOAD_TYPES: Readonly<Record<number, Readonly<StaticPayloadType>>> = Object.freeze({
  0: Object.freeze({ encoding: 'PCMU', clockRate: 8000, channels: 1 }),
  3: Object.freeze({ encoding: 'GSM', clockRate: 8000, channels: 1 }),
  4: Object.freeze({ encoding: 'G723', clockRate: 8000, channels: 1 }),
  5: Object.freeze({ encoding: 'DVI4', clockRate: 8000, channels: 1 }),
  6: Object.freeze({ encoding: 'DVI4', clockRate: 16000, channels: 1 }),
  7: Object.freeze({ encoding: 'LPC', clockRate: 8000, channels: 1 }),
  8: Object.freeze({ encoding: 'PCMA', clockRate: 8000, channels: 1 }),
  9: Object.freeze({ encoding: 'G722', clockRate: 8000, channels: 1 }),
  10: Object.freeze({ encoding: 'L16', clockRate: 44100, channels: 2 }),
  11: Object.freeze({ encoding: 'L16', clockRate: 44100, channels: 1 }),
  12: Object.freeze({ encoding: 'QCELP', clockRate: 8000, channels: 1 }),
  13: Object.freeze({ encoding: 'CN', clockRate: 8000, channels: 1 }),
  14: Object.freeze({ encoding: 'MPA', clockRate: 90000, channels: 1 }),
  15: Object.freeze({ encoding: 'G728', clockRate: 8000, channels: 1 }),
  16: Object.freeze({ encoding: 'DVI4', clockRate: 11025, channels: 1 }),
  17: Object.freeze({ encoding: 'DVI4', clockRate: 22050, channels: 1 }),
  18: Object.freeze({ encoding: 'G729', clockRate: 8000, channels: 1 }),
});

/** The static assignment of `pt`, or undefined for unassigned and dynamic numbers. */
export function staticPayloadType(pt: number): Readonly<StaticPayloadType> | undefined {
  return STATIC_AUDIO_PAYLOAD_TYPES[pt];
}

/** True for 96..127, the range bound by signalling (SDP rtpmap). */
export function isDynamicPayloadType(pt: number): boolean {
  return Number.isInteger(pt) && pt >= PT_DYNAMIC_MIN && pt <= PT_DYNAMIC_MAX;
}

/** Timestamp units per frame: clockRate × ptime (160 for 8 kHz at 20 ms). */
export function samplesPerFrame(clockRate: number, ptimeMs: number = DEFAULT_PTIME_MS): number {
  return Math.round((clockRate * ptimeMs) / 1000);
}
