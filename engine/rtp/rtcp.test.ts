// Examples for RTCP SR/RR/SDES/BYE/APP framing, compound validity and NTP helpers (RFC 3550 §6.4–§6.7, §A.2, RFC 5761 §4).
import { describe, expect, it } from 'vitest';
import { RtpParseError } from './errors.ts';
import { compactNtpFromUnixMs, msToNtpShort, ntpFromUnixMs, ntpMiddle32, ntpShortToMs, ntpToUnixMs } from './ntp.ts';
import { isRtpPacket } from './packet.ts';
import {
  RtcpApp,
  RtcpBye,
  RtcpReceiverReport,
  RtcpSdes,
  RtcpSenderReport,
  RtcpUnknown,
  SDES_CNAME,
  isRtcpPacket,
  parseRtcp,
  parseRtcpCompound,
  serializeRtcpCompound,
  validateRtcpCompound,
} from './rtcp.ts';

// Hand-assembled from the RFC 3550 §6.4.1, §6.5 and §6.6 diagrams: SR with one report block, SDES CNAME "a@b.c", BYE "bye".
const COMPOUND = Uint8Array.from([
  // SR: V=2 RC=1 PT=200 length=12
  0x81, 0xc8, 0x00, 0x0c,
  0x11, 0x22, 0x33, 0x44, // SSRC of sender
  0xe8, 0xa1, 0xb2, 0xc3, 0x80, 0x00, 0x00, 0x00, // NTP timestamp
  0x00, 0x00, 0x1f, 0x40, // RTP timestamp 8000
  0x00, 0x00, 0x00, 0x64, // packet count 100
  0x00, 0x00, 0x3e, 0x80, // octet count 16000
  0x55, 0x66, 0x77, 0x88, // report block: SSRC_1
  0x40, 0xff, 0xff, 0xff, // fraction lost 64/256, cumulative lost -1
  0x00, 0x01, 0x00, 0x05, // extended highest sequence number
  0x00, 0x00, 0x00, 0x10, // jitter 16
  0xb2, 0xc3, 0x80, 0x00, // LSR
  0x00, 0x01, 0x00, 0x00, // DLSR = 1 s
  // SDES: SC=1 PT=202 length=3
  0x81, 0xca, 0x00, 0x03,
  0x11, 0x22, 0x33, 0x44, 0x01, 0x05, 0x61, 0x40, 0x62, 0x2e, 0x63, 0x00,
  // BYE: SC=1 PT=203 length=2, reason "bye"
  0x81, 0xcb, 0x00, 0x02,
  0x11, 0x22, 0x33, 0x44, 0x03, 0x62, 0x79, 0x65,
]);

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RtpParseError);
    expect((e as RtpParseError).code).toBe(code);
    return;
  }
  throw new Error('expected an RtpParseError');
}

describe('RTCP compound packet (RFC 3550 §6.1)', () => {
  it('parses SR with a report block, SDES CNAME and BYE with reason from a hand-built vector', () => {
    const [sr, sdes, bye] = parseRtcpCompound(COMPOUND);
    if (sr.kind !== 'sr' || sdes.kind !== 'sdes' || bye.kind !== 'bye') throw new Error('wrong kinds');
    expect(sr.ssrc).toBe(0x11223344);
    expect([sr.ntpSeconds, sr.ntpFraction, sr.rtpTimestamp, sr.packetCount, sr.octetCount]).toEqual([0xe8a1b2c3, 0x80000000, 8000, 100, 16000]);
    expect(sr.reports).toEqual([
      { ssrc: 0x55667788, fractionLost: 64, cumulativeLost: -1, highestSeq: 0x10005, jitter: 16, lastSr: 0xb2c38000, delaySinceLastSr: 0x10000 },
    ]);
    expect(sdes.cname).toBe('a@b.c');
    expect(sdes.chunks).toEqual([{ ssrc: 0x11223344, items: [{ type: SDES_CNAME, text: 'a@b.c' }] }]);
    expect(bye.sources).toEqual([0x11223344]);
    expect(bye.reason).toBe('bye');
    expect(validateRtcpCompound([sr, sdes, bye])).toBeNull();
  });

  it('serializes the parsed packets back to the same bytes', () => {
    expect([...serializeRtcpCompound(parseRtcpCompound(COMPOUND))]).toEqual([...COMPOUND]);
  });

  it('sign-extends the 24-bit cumulative lost field (§6.4.1)', () => {
    const rr = new RtcpReceiverReport({
      ssrc: 1,
      reports: [{ ssrc: 2, fractionLost: 0, cumulativeLost: -0x800000, highestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 }],
    });
    const bytes = rr.serialize();
    expect([...bytes.subarray(13, 16)]).toEqual([0x80, 0x00, 0x00]);
    const back = parseRtcp(bytes);
    expect(back.kind === 'rr' && back.reports[0].cumulativeLost).toBe(-0x800000);
    expect(() => new RtcpReceiverReport({ ssrc: 1, reports: [{ ...rr.reports[0], cumulativeLost: 0x800000 }] })).toThrow(/cumulativeLost/);
  });

  it('ends an SDES item list that fills a word with a full word of null octets (§6.5)', () => {
    const sdes = new RtcpSdes([{ ssrc: 9, items: [{ type: SDES_CNAME, text: 'xy' }] }]);
    const bytes = sdes.serialize();
    expect(bytes.length).toBe(4 + 12);
    expect([...bytes.subarray(12, 16)]).toEqual([0, 0, 0, 0]);
    expect(parseRtcp(bytes)).toMatchObject({ kind: 'sdes', chunks: [{ ssrc: 9, items: [{ type: 1, text: 'xy' }] }] });
  });

  it('encodes SDES text and BYE reasons as UTF-8', () => {
    const bytes = serializeRtcpCompound([new RtcpSdes([{ ssrc: 1, items: [{ type: SDES_CNAME, text: '坐席@例子' }] }]), new RtcpBye([1], 'à bientôt')]);
    const [sdes, bye] = parseRtcpCompound(bytes);
    expect(sdes.kind === 'sdes' && sdes.cname).toBe('坐席@例子');
    expect(bye.kind === 'bye' && bye.reason).toBe('à bientôt');
    expect(() => new RtcpBye([1], 'x'.repeat(256)).serialize()).toThrow(TypeError);
    // A leading U+FEFF is kept, not stripped as a byte-order mark.
    const [bom] = parseRtcpCompound(new RtcpBye([1], '\ufeffbye').serialize());
    expect(bom.kind === 'bye' && bom.reason).toBe('\ufeffbye');
  });

  it('keeps APP and unknown packet types (e.g. PSFB 206) with their bodies', () => {
    const app = new RtcpApp({ subtype: 3, ssrc: 7, name: 'HTLN', data: Uint8Array.from([1, 2, 3, 4]) });
    const fb = new RtcpUnknown(206, 1, Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 2]));
    const [a, u] = parseRtcpCompound(serializeRtcpCompound([app, fb]));
    expect(a).toMatchObject({ kind: 'app', subtype: 3, ssrc: 7, name: 'HTLN' });
    expect(a.kind === 'app' && [...a.data]).toEqual([1, 2, 3, 4]);
    expect(u).toMatchObject({ kind: 'unknown', type: 206, count: 1 });
    expect(u.kind === 'unknown' && [...u.body]).toEqual([0, 0, 0, 1, 0, 0, 0, 2]);
  });

  it('frames padding on the last packet and excludes it from the body (§6.4.1)', () => {
    const rr = new RtcpReceiverReport({ ssrc: 5 });
    rr.paddingLength = 8;
    const bytes = rr.serialize();
    expect(bytes.length).toBe(16);
    expect(bytes[0] & 0x20).toBe(0x20);
    const back = parseRtcp(bytes);
    expect(back).toMatchObject({ kind: 'rr', ssrc: 5, paddingLength: 8 });
    expect(back.kind === 'rr' && back.extension.length).toBe(0);
  });

  it('rejects a length that runs past the datagram with TRUNCATED', () => {
    expectCode(() => parseRtcpCompound(COMPOUND.subarray(0, 40)), 'TRUNCATED');
    expectCode(() => parseRtcp(Uint8Array.from([0x80, 0xc9])), 'TRUNCATED');
  });

  it('rejects a report count larger than the length holds with BAD_LENGTH', () => {
    const bytes = Uint8Array.from(COMPOUND.subarray(0, 52));
    bytes[0] = 0x82; // RC=2 but only one block
    expectCode(() => parseRtcp(bytes), 'BAD_LENGTH');
  });

  it('rejects padding counts that are 0, not a multiple of 4 or too large with BAD_PADDING', () => {
    for (const count of [0, 3, 12]) {
      const bytes = Uint8Array.from([0xa0, 0xc9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, count]);
      expectCode(() => parseRtcp(bytes), 'BAD_PADDING');
    }
  });

  it('rejects an SDES item that runs past the packet and a BYE reason that does so with BAD_ITEM', () => {
    expectCode(() => parseRtcp(Uint8Array.from([0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 0x61, 0x62])), 'BAD_ITEM');
    expectCode(() => parseRtcp(Uint8Array.from([0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 1, 0x09, 0x61, 0x62, 0x63])), 'BAD_ITEM');
  });

  it('rejects version ≠ 2 with BAD_VERSION', () => {
    expectCode(() => parseRtcp(Uint8Array.from([0x40, 0xc9, 0x00, 0x01, 0, 0, 0, 1])), 'BAD_VERSION');
  });

  it('validates compound structure: first packet SR or RR, padding only on the last (§A.2)', () => {
    const rr = new RtcpReceiverReport({ ssrc: 1 });
    const bye = new RtcpBye([1]);
    expect(validateRtcpCompound([])).toBe('EMPTY');
    expect(validateRtcpCompound([bye, rr])).toBe('FIRST_NOT_REPORT');
    rr.paddingLength = 4;
    expect(validateRtcpCompound([rr, bye])).toBe('PADDING_NOT_LAST');
    const sr = new RtcpSenderReport({ ssrc: 1, ntpSeconds: 0, ntpFraction: 0, rtpTimestamp: 0, packetCount: 0, octetCount: 0 });
    expect(validateRtcpCompound(parseRtcpCompound(serializeRtcpCompound([sr, bye])))).toBeNull();
  });

  it('tells RTCP from RTP on a multiplexed port by the second octet (RFC 5761 §4)', () => {
    expect(isRtcpPacket(COMPOUND)).toBe(true);
    expect(isRtpPacket(COMPOUND)).toBe(false);
    const rtp = Uint8Array.from([0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(isRtcpPacket(rtp)).toBe(false);
    expect(isRtpPacket(rtp)).toBe(true);
  });

  it('throws TypeError naming the field for out-of-range constructor values', () => {
    expect(() => new RtcpReceiverReport({ ssrc: -1 })).toThrow(/ssrc/);
    expect(() => new RtcpApp({ subtype: 32, ssrc: 0, name: 'ABCD' })).toThrow(/subtype/);
    expect(() => new RtcpApp({ subtype: 0, ssrc: 0, name: 'ABC' })).toThrow(/name/);
    expect(() => new RtcpSdes([{ ssrc: 0, items: [{ type: 0, text: '' }] }])).toThrow(/type/);
  });
});

describe('NTP timestamps (RFC 3550 §4, §6.4.1)', () => {
  it('maps the Unix epoch to 2208988800 s and half a second to fraction 2^31', () => {
    expect(ntpFromUnixMs(0)).toEqual({ seconds: 2208988800, fraction: 0 });
    expect(ntpFromUnixMs(1500)).toEqual({ seconds: 2208988801, fraction: 0x80000000 });
  });

  it('takes the middle 32 bits for LSR and converts 16.16 delays', () => {
    expect(ntpMiddle32(0xe8a1b2c3, 0x80000000)).toBe(0xb2c38000);
    expect(ntpShortToMs(0x10000)).toBe(1000);
    expect(ntpShortToMs(0x8000)).toBe(500);
    expect(msToNtpShort(250)).toBe(0x4000);
    expect(compactNtpFromUnixMs(1500)).toBe(((2208988801 & 0xffff) * 65536 + 0x8000) >>> 0);
  });

  it('round-trips Unix time through NTP, including after the 2036 era rollover', () => {
    for (const ms of [0, 1_700_000_000_123, 2_085_978_496_000 + 5_000]) {
      const t = ntpFromUnixMs(ms);
      expect(Math.abs(ntpToUnixMs(t.seconds, t.fraction) - ms)).toBeLessThan(0.001);
    }
    expect(ntpFromUnixMs(2_085_978_496_000 + 5_000).seconds).toBe(5);
  });
});
