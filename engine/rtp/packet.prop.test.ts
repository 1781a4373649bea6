// Properties of RTP framing: round trip, canonical bytes, truncation and random input, in-place API agreement (RFC 3550 §5.1, §5.3.1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpParseError } from './errors.ts';
import {
  RtpPacket,
  type RtpPacketInit,
  parseRtp,
  rtpMarker,
  rtpPayloadEnd,
  rtpPayloadOffset,
  rtpPayloadType,
  rtpSeq,
  rtpSsrc,
  rtpTimestamp,
  setRtpMarker,
  setRtpPayloadType,
  setRtpSeq,
  setRtpSsrc,
  setRtpTimestamp,
} from './packet.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

const arbInit: fc.Arbitrary<RtpPacketInit> = fc.record({
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
  timestamp: u32,
  ssrc: u32,
  marker: fc.boolean(),
  csrc: fc.array(u32, { maxLength: 15 }),
  extension: fc.option(
    fc.record({
      profile: fc.integer({ min: 0, max: 0xffff }),
      data: fc.integer({ min: 0, max: 8 }).chain((w) => fc.uint8Array({ minLength: 4 * w, maxLength: 4 * w })),
    }),
    { nil: null },
  ),
  payload: fc.uint8Array({ maxLength: 200 }),
  paddingLength: fc.integer({ min: 0, max: 255 }),
});

function headerEnd(init: RtpPacketInit): number {
  return 12 + 4 * (init.csrc?.length ?? 0) + (init.extension ? 4 + init.extension.data.length : 0);
}

function onlyParseErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof RtpParseError)) throw e;
  }
}

describe('RTP packet properties (RFC 3550 §5.1)', () => {
  it('parse(serialize(x)) ≡ x', () => {
    fc.assert(
      fc.property(arbInit, (init) => {
        const p = parseRtp(new RtpPacket(init).serialize());
        expect(p.payloadType).toBe(init.payloadType);
        expect(p.sequenceNumber).toBe(init.sequenceNumber);
        expect(p.timestamp).toBe(init.timestamp);
        expect(p.ssrc).toBe(init.ssrc);
        expect(p.marker).toBe(init.marker);
        expect(p.csrc).toEqual(init.csrc);
        expect(p.extension?.profile).toBe(init.extension?.profile);
        expect(p.extension ? [...p.extension.data] : null).toEqual(init.extension ? [...init.extension.data] : null);
        expect([...p.payload]).toEqual([...(init.payload ?? [])]);
        expect(p.paddingLength).toBe(init.paddingLength);
      }),
      { numRuns: 300 },
    );
  });

  it('serialize(parse(bytes)) ≡ bytes for canonical input', () => {
    fc.assert(
      fc.property(arbInit, (init) => {
        const bytes = new RtpPacket(init).serialize();
        expect(Buffer.compare(parseRtp(bytes).serialize(), bytes)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('every truncation inside the header, CSRC list or extension fails with RtpParseError TRUNCATED; longer cuts fail only with RtpParseError', () => {
    fc.assert(
      fc.property(arbInit, (init) => {
        const bytes = new RtpPacket(init).serialize();
        const hdr = headerEnd(init);
        for (let len = 0; len < bytes.length; len++) {
          if (len < hdr) {
            expect(() => parseRtp(bytes, 0, len)).toThrow(RtpParseError);
            try {
              parseRtp(bytes, 0, len);
            } catch (e) {
              expect((e as RtpParseError).code).toBe('TRUNCATED');
            }
          } else {
            // The payload length is implicit (§5.1): a shorter datagram may still frame, or fail on its padding count.
            onlyParseErrors(() => parseRtp(bytes, 0, len));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('random bytes throw nothing but RtpParseError, and rtpPayloadOffset/End agree with parseRtp', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, forceV2) => {
        if (forceV2 && bytes.length > 0) bytes[0] = (bytes[0] & 0x3f) | 0x80;
        let parsed: RtpPacket | null = null;
        try {
          parsed = parseRtp(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(RtpParseError);
        }
        const off = rtpPayloadOffset(bytes, bytes.length);
        if (parsed) {
          expect(off).toBe(parsed.payload.byteOffset - bytes.byteOffset);
          expect(rtpPayloadEnd(bytes, bytes.length)).toBe(off + parsed.payload.length);
        } else {
          expect(off).toBe(-1);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('in-place setters change only their field and agree with parseRtp', () => {
    fc.assert(
      fc.property(
        arbInit,
        fc.record({ seq: fc.integer({ min: 0, max: 0xffff }), ts: u32, ssrc: u32, pt: fc.integer({ min: 0, max: 127 }), m: fc.boolean() }),
        (init, v) => {
          const bytes = new RtpPacket(init).serialize();
          const before = parseRtp(Buffer.from(bytes));
          setRtpSeq(bytes, v.seq);
          setRtpTimestamp(bytes, v.ts);
          setRtpSsrc(bytes, v.ssrc);
          setRtpPayloadType(bytes, v.pt);
          setRtpMarker(bytes, v.m);
          expect([rtpSeq(bytes), rtpTimestamp(bytes), rtpSsrc(bytes), rtpPayloadType(bytes), rtpMarker(bytes)]).toEqual([
            v.seq,
            v.ts,
            v.ssrc,
            v.pt,
            v.m,
          ]);
          const after = parseRtp(bytes);
          expect(after.csrc).toEqual(before.csrc);
          expect([...after.payload]).toEqual([...before.payload]);
          expect(after.paddingLength).toBe(before.paddingLength);
          expect(after.sequenceNumber).toBe(v.seq);
          expect(after.timestamp).toBe(v.ts);
        },
      ),
      { numRuns: 300 },
    );
  });
});
