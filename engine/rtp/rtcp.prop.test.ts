// Properties of RTCP framing: round trip, canonical bytes, truncation and random input (RFC 3550 §6.4–§6.7).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpParseError } from './errors.ts';
import {
  type RtcpPacket,
  type RtcpReportBlock,
  RtcpApp,
  RtcpBye,
  RtcpReceiverReport,
  RtcpSdes,
  RtcpSenderReport,
  RtcpUnknown,
  parseRtcp,
  parseRtcpCompound,
  serializeRtcpCompound,
} from './rtcp.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const words = (max: number) => fc.integer({ min: 0, max }).chain((w) => fc.uint8Array({ minLength: 4 * w, maxLength: 4 * w }));
const text = fc.string({ unit: 'binary', maxLength: 40 });

const arbBlock: fc.Arbitrary<RtcpReportBlock> = fc.record({
  ssrc: u32,
  fractionLost: fc.integer({ min: 0, max: 255 }),
  cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  highestSeq: u32,
  jitter: u32,
  lastSr: u32,
  delaySinceLastSr: u32,
});

const arbPacket: fc.Arbitrary<RtcpPacket> = fc.oneof(
  fc
    .record({
      ssrc: u32,
      ntpSeconds: u32,
      ntpFraction: u32,
      rtpTimestamp: u32,
      packetCount: u32,
      octetCount: u32,
      reports: fc.array(arbBlock, { maxLength: 31 }),
      extension: words(3),
    })
    .map((r) => new RtcpSenderReport(r)),
  fc.record({ ssrc: u32, reports: fc.array(arbBlock, { maxLength: 31 }), extension: words(3) }).map((r) => new RtcpReceiverReport(r)),
  fc
    .array(fc.record({ ssrc: u32, items: fc.array(fc.record({ type: fc.integer({ min: 1, max: 255 }), text }), { maxLength: 4 }) }), {
      maxLength: 5,
    })
    .map((chunks) => new RtcpSdes(chunks)),
  fc.record({ sources: fc.array(u32, { maxLength: 31 }), reason: fc.option(text, { nil: undefined }) }).map((r) => new RtcpBye(r.sources, r.reason)),
  fc
    .record({
      subtype: fc.integer({ min: 0, max: 31 }),
      ssrc: u32,
      name: fc.string({ unit: 'binary-ascii', minLength: 4, maxLength: 4 }),
      data: words(4),
    })
    .map((r) => new RtcpApp(r)),
  fc
    .record({ type: fc.integer({ min: 205, max: 223 }), count: fc.integer({ min: 0, max: 31 }), body: words(4) })
    .map((r) => new RtcpUnknown(r.type, r.count, r.body)),
);

/** Comparable plain view of a packet (drops views' backing buffers). */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function withPadding(p: RtcpPacket, pad: number): RtcpPacket {
  p.paddingLength = pad;
  return p;
}

const arbCompound = fc
  .tuple(fc.array(arbPacket, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 3 }))
  .map(([ps, padWords]) => {
    withPadding(ps[ps.length - 1], padWords * 4);
    return ps;
  });

describe('RTCP properties (RFC 3550 §6)', () => {
  it('parse(serialize(x)) ≡ x for compound packets of every type', () => {
    fc.assert(
      fc.property(arbCompound, (ps) => {
        const back = parseRtcpCompound(serializeRtcpCompound(ps));
        expect(back.map(plain)).toEqual(ps.map(plain));
      }),
      { numRuns: 300 },
    );
  });

  it('serialize(parse(bytes)) ≡ bytes for canonical input', () => {
    fc.assert(
      fc.property(arbCompound, (ps) => {
        const bytes = serializeRtcpCompound(ps);
        expect(Buffer.compare(serializeRtcpCompound(parseRtcpCompound(bytes)), bytes)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('every truncation of a packet fails with RtpParseError (the length field frames it)', () => {
    fc.assert(
      fc.property(arbPacket, (p) => {
        const bytes = p.serialize();
        for (let len = 0; len < bytes.length; len++) expect(() => parseRtcp(bytes, 0, len)).toThrow(RtpParseError);
      }),
      { numRuns: 150 },
    );
  });

  it('every truncation of a compound packet that is not at a packet boundary fails with RtpParseError', () => {
    fc.assert(
      fc.property(arbCompound, (ps) => {
        const bytes = serializeRtcpCompound(ps);
        const boundaries = new Set<number>();
        let at = 0;
        for (const p of ps) boundaries.add((at += p.byteLength));
        for (let len = 0; len < bytes.length; len++) {
          if (boundaries.has(len)) expect(parseRtcpCompound(bytes, 0, len).length).toBeGreaterThan(0);
          else expect(() => parseRtcpCompound(bytes, 0, len)).toThrow(RtpParseError);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('random bytes throw nothing but RtpParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), fc.integer({ min: 200, max: 206 }), fc.boolean(), (bytes, pt, shape) => {
        if (shape && bytes.length >= 4) {
          // Make the header plausible so the type-specific parsers are reached.
          bytes[0] = 0x80 | (bytes[0] & 0x3f);
          bytes[1] = pt;
          bytes[2] = 0;
          bytes[3] = Math.max(0, (bytes.length >> 2) - 1);
        }
        try {
          parseRtcpCompound(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(RtpParseError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
