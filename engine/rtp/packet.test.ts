// Examples for RTP packet framing and the in-place header API (RFC 3550 §5.1, §5.3.1, RFC 5761 §4).
import { describe, expect, it } from 'vitest';
import { RtpParseError } from './errors.ts';
import {
  RTP_HEADER_SIZE,
  RtpPacket,
  isRtpPacket,
  parseRtp,
  rtpCsrcCount,
  rtpHasExtension,
  rtpHasPadding,
  rtpMarker,
  rtpPayloadEnd,
  rtpPayloadOffset,
  rtpPayloadType,
  rtpSeq,
  rtpSsrc,
  rtpTimestamp,
  rtpVersion,
  setRtpMarker,
  setRtpPayloadType,
  setRtpSeq,
  setRtpSsrc,
  setRtpTimestamp,
  writeRtpHeader,
} from './packet.ts';

// Hand-assembled from the RFC 3550 §5.1/§5.3.1 diagrams: V=2 P=1 X=1 CC=2, M=1 PT=8, seq 0x1234,
// ts 0xdeadbeef, SSRC 0x01020304, two CSRCs, a one-word 0xBEDE extension, 3 payload octets, 3 padding octets.
const VECTOR = Uint8Array.from([
  0xb2, 0x88, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, // fixed header
  0x0a, 0x0b, 0x0c, 0x0d, 0x11, 0x12, 0x13, 0x14, // CSRC list
  0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00, // extension: profile, length=1 word, data
  0x01, 0x02, 0x03, // payload
  0x00, 0x00, 0x03, // padding, last octet = count
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

describe('RTP packet (RFC 3550 §5.1)', () => {
  it('parses every header field, CSRC list, extension and padding of a hand-built vector (§5.1, §5.3.1)', () => {
    const p = parseRtp(VECTOR);
    expect(p.marker).toBe(true);
    expect(p.payloadType).toBe(8);
    expect(p.sequenceNumber).toBe(0x1234);
    expect(p.timestamp).toBe(0xdeadbeef);
    expect(p.ssrc).toBe(0x01020304);
    expect(p.csrc).toEqual([0x0a0b0c0d, 0x11121314]);
    expect(p.extension?.profile).toBe(0xbede);
    expect([...(p.extension?.data ?? [])]).toEqual([0x10, 0xaa, 0, 0]);
    expect([...p.payload]).toEqual([1, 2, 3]);
    expect(p.paddingLength).toBe(3);
    expect(p.byteLength).toBe(VECTOR.length);
  });

  it('serializes the parsed vector back to the same bytes', () => {
    expect([...parseRtp(VECTOR).serialize()]).toEqual([...VECTOR]);
  });

  it('returns the payload as a view into the buffer, not a copy', () => {
    const buf = Uint8Array.from(VECTOR);
    const p = parseRtp(buf);
    buf[28] = 0x7f;
    expect(p.payload[0]).toBe(0x7f);
    expect(p.payload.buffer).toBe(buf.buffer);
  });

  it('parses a packet inside a larger buffer at an offset and length', () => {
    const big = new Uint8Array(100).fill(0xee);
    big.set(VECTOR, 10);
    const p = parseRtp(big, 10, VECTOR.length);
    expect(p.sequenceNumber).toBe(0x1234);
    expect([...p.payload]).toEqual([1, 2, 3]);
  });

  it('serializeInto writes at an offset and returns the bytes written', () => {
    const pkt = new RtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 7, payload: new Uint8Array(160).fill(0xff) });
    const out = new Uint8Array(200);
    expect(pkt.serializeInto(out, 5)).toBe(172);
    expect(out[5]).toBe(0x80);
    expect(rtpSeq(out, 5)).toBe(1);
    expect(() => pkt.serializeInto(new Uint8Array(171))).toThrow(RangeError);
  });

  it('rejects a version other than 2 with BAD_VERSION (§5.1)', () => {
    const b = Uint8Array.from(VECTOR);
    b[0] = (b[0] & 0x3f) | 0x40;
    expectCode(() => parseRtp(b), 'BAD_VERSION');
  });

  it('rejects a padding count of 0 or larger than the packet with BAD_PADDING (§5.1)', () => {
    const zero = Uint8Array.from(VECTOR);
    zero[zero.length - 1] = 0;
    expectCode(() => parseRtp(zero), 'BAD_PADDING');
    const big = Uint8Array.from(VECTOR);
    big[big.length - 1] = 7; // only 6 octets follow the extension
    expectCode(() => parseRtp(big), 'BAD_PADDING');
  });

  it('rejects a header shorter than 12 octets, a cut CSRC list and a cut extension with TRUNCATED', () => {
    expectCode(() => parseRtp(VECTOR.subarray(0, 11)), 'TRUNCATED');
    expectCode(() => parseRtp(VECTOR.subarray(0, 19)), 'TRUNCATED');
    expectCode(() => parseRtp(VECTOR.subarray(0, 23)), 'TRUNCATED');
    expectCode(() => parseRtp(VECTOR.subarray(0, 27)), 'TRUNCATED');
  });

  it('throws TypeError naming the field for out-of-range values', () => {
    expect(() => new RtpPacket({ payloadType: 128, sequenceNumber: 0, timestamp: 0, ssrc: 0 })).toThrow(/payloadType/);
    expect(() => new RtpPacket({ payloadType: 0, sequenceNumber: 65536, timestamp: 0, ssrc: 0 })).toThrow(/sequenceNumber/);
    expect(() => new RtpPacket({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrc: new Array(16).fill(1) })).toThrow(/csrc/);
    expect(
      () => new RtpPacket({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, extension: { profile: 1, data: new Uint8Array(3) } }),
    ).toThrow(/extension/);
  });
});

describe('in-place RTP header API (RFC 3550 §5.1)', () => {
  it('reads every header field without parsing to an object', () => {
    expect(rtpVersion(VECTOR)).toBe(2);
    expect(rtpHasPadding(VECTOR)).toBe(true);
    expect(rtpHasExtension(VECTOR)).toBe(true);
    expect(rtpCsrcCount(VECTOR)).toBe(2);
    expect(rtpMarker(VECTOR)).toBe(true);
    expect(rtpPayloadType(VECTOR)).toBe(8);
    expect(rtpSeq(VECTOR)).toBe(0x1234);
    expect(rtpTimestamp(VECTOR)).toBe(0xdeadbeef);
    expect(rtpSsrc(VECTOR)).toBe(0x01020304);
    expect(rtpPayloadOffset(VECTOR)).toBe(28);
    expect(rtpPayloadEnd(VECTOR)).toBe(31);
  });

  it('rewrites seq, timestamp, SSRC, payload type and marker in place on a 172-byte packet', () => {
    const buf = Buffer.alloc(172);
    writeRtpHeader(buf, 0, 0, 65535, 0xfffffff0, 0xcafebabe, false);
    buf.fill(0x55, RTP_HEADER_SIZE);
    setRtpSeq(buf, 65536 + 4); // taken modulo 2^16
    setRtpTimestamp(buf, 2 ** 32 + 160);
    setRtpSsrc(buf, 0x12345678);
    setRtpMarker(buf, true);
    setRtpPayloadType(buf, 8);
    const p = parseRtp(buf);
    expect(p.sequenceNumber).toBe(4);
    expect(p.timestamp).toBe(160);
    expect(p.ssrc).toBe(0x12345678);
    expect(p.marker).toBe(true);
    expect(p.payloadType).toBe(8);
    expect(p.payload.length).toBe(160);
    expect(p.payload.every((x) => x === 0x55)).toBe(true);
    setRtpMarker(buf, false);
    expect(rtpPayloadType(buf)).toBe(8);
    expect(rtpMarker(buf)).toBe(false);
  });

  it('isRtpPacket accepts version 2 and rejects short packets, other versions and RTCP types 192..223 (RFC 5761 §4)', () => {
    const buf = new Uint8Array(172);
    writeRtpHeader(buf, 0, 0, 1, 1, 1, false);
    expect(isRtpPacket(buf, 172)).toBe(true);
    expect(isRtpPacket(buf, 11)).toBe(false);
    buf[1] = 200; // an SR on a muxed port
    expect(isRtpPacket(buf, 172)).toBe(false);
    buf[1] = 0;
    buf[0] = 0x40;
    expect(isRtpPacket(buf, 172)).toBe(false);
    buf[0] = 0x8f; // 15 CSRCs need 72 octets
    expect(isRtpPacket(buf, 60)).toBe(false);
  });

  it('rtpPayloadOffset returns -1 when the extension or padding cannot be framed', () => {
    expect(rtpPayloadOffset(VECTOR, 27)).toBe(-1);
    const bad = Uint8Array.from(VECTOR);
    bad[bad.length - 1] = 0;
    expect(rtpPayloadOffset(bad)).toBe(-1);
    expect(rtpPayloadEnd(bad)).toBe(-1);
  });
});
