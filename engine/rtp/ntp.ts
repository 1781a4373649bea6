// NTP timestamps for RTCP sender reports and round-trip time: 64-bit, compact 32-bit "middle" form and 16.16 delays (RFC 3550 §4, §6.4.1; RFC 5905 §6 eras).

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;
const TWO_32 = 0x1_0000_0000;

/** A 64-bit NTP timestamp: whole seconds since 1900 (mod 2^32) and a 32-bit binary fraction. */
export interface NtpTimestamp {
  seconds: number;
  fraction: number;
}

/** Converts Unix time in milliseconds to a 64-bit NTP timestamp (seconds wrap at era 1, 2036-02-07). */
export function ntpFromUnixMs(ms: number): NtpTimestamp {
  const totalSeconds = Math.floor(ms / 1000);
  const fractionMs = ms - totalSeconds * 1000;
  let fraction = Math.floor((fractionMs / 1000) * TWO_32);
  if (fraction >= TWO_32) fraction = TWO_32 - 1;
  const seconds = (((totalSeconds + NTP_UNIX_OFFSET_SECONDS) % TWO_32) + TWO_32) % TWO_32;
  return { seconds, fraction };
}

/**
 * Converts a 64-bit NTP timestamp to Unix milliseconds. Seconds below 2^31 are read as era 1
 * (after 2036-02-07), as RFC 4330 §3 suggests for the 1968–2104 window.
 */
export function ntpToUnixMs(seconds: number, fraction: number): number {
  const era = seconds < 0x8000_0000 ? TWO_32 : 0;
  return (seconds + era - NTP_UNIX_OFFSET_SECONDS) * 1000 + (fraction / TWO_32) * 1000;
}

/**
 * The middle 32 bits of a 64-bit NTP timestamp (16.16 fixed point): what an RR's LSR field
 * carries (RFC 3550 §6.4.1).
 */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/** Compact (middle 32 bits) NTP time for Unix milliseconds; the clock used for LSR/DLSR/RTT arithmetic. */
export function compactNtpFromUnixMs(ms: number): number {
  const t = ntpFromUnixMs(ms);
  return ntpMiddle32(t.seconds, t.fraction);
}

/** A 16.16 fixed-point duration (units of 1/65536 s, as DLSR) in milliseconds. */
export function ntpShortToMs(v: number): number {
  return ((v >>> 0) * 1000) / 65536;
}

/** Milliseconds as a 16.16 fixed-point duration (units of 1/65536 s), rounded, clamped to 0..2^32−1. */
export function msToNtpShort(ms: number): number {
  const v = Math.round((ms * 65536) / 1000);
  return v < 0 ? 0 : v > 0xffffffff ? 0xffffffff : v;
}
