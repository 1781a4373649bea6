// Examples for the RTP leg: symmetric RTP latching and anti-bleed (RFC 4961, DESIGN §6), hostile input, hold (RFC 3264 §8.4), stream continuity (RFC 3550 §5.1), RTCP (RFC 3550 §6.4, §6.6), digits (RFC 4733 §2.5.2).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { linearToUlaw } from '../codec/g711.ts';
import type { DigitEvent } from '../rtp/digits.ts';
import { writeTelephoneEvent } from '../rtp/dtmf.ts';
import { RtpPacket, rtpMarker, rtpPayloadType, rtpSeq, rtpSsrc, rtpTimestamp } from '../rtp/packet.ts';
import { RtcpBye, RtcpReceiverReport, RtcpSenderReport, parseRtcpCompound, serializeRtcpCompound } from '../rtp/rtcp.ts';
import { createAnswer, createOffer, negotiated } from '../sdp/offer-answer.ts';
import { ManualMediaClock } from './clock.ts';
import { LegStateError, RtpLeg, isUnroutableAddress } from './leg.ts';
import type { LegMedia, PayloadKind, RtpSink } from './leg.ts';
import { PortAllocator } from './ports.ts';
import { fakeLegSockets } from './testing.ts';
import type { FakeLegSockets } from './testing.ts';

const PEER = '203.0.113.5';
const WALL0 = 1_700_000_000_000;

function media(over: Partial<LegMedia> = {}): LegMedia {
  return {
    codec: 'PCMU',
    sendPayloadType: 0,
    receivePayloadType: 0,
    telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101 },
    remote: { address: PEER, port: 40000, rtcpAddress: PEER, rtcpPort: 40001 },
    direction: 'sendrecv',
    ...over,
  };
}

function rtp(seq: number, opts: { pt?: number; ts?: number; ssrc?: number; marker?: boolean; payload?: Uint8Array } = {}): Buffer {
  return new RtpPacket({
    payloadType: opts.pt ?? 0,
    sequenceNumber: seq & 0xffff,
    timestamp: (opts.ts ?? seq * 160) >>> 0,
    ssrc: opts.ssrc ?? 0x11223344,
    marker: opts.marker ?? false,
    payload: opts.payload ?? new Uint8Array(160).fill(0xff),
  }).serialize();
}

interface Harness {
  clock: ManualMediaClock;
  sockets: FakeLegSockets;
  leg: RtpLeg;
  logs: string[];
}

const open: RtpLeg[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

function harness(m: LegMedia | null = media(), over: Partial<ConstructorParameters<typeof RtpLeg>[1]> = {}): Harness {
  const clock = new ManualMediaClock();
  const sockets = fakeLegSockets();
  const logs: string[] = [];
  const leg = new RtpLeg(sockets, { clock, wallClock: () => WALL0, ssrc: 0xabcdef01, log: (l) => logs.push(l), ...over });
  if (m !== null) leg.setMedia(m);
  open.push(leg);
  return { clock, sockets, leg, logs };
}

/** A sink that records what the leg hands on. */
class SinkSpy implements RtpSink {
  readonly got: Array<{ seq: number; kind: PayloadKind; start: number; end: number }> = [];
  closed = 0;
  onRtp(_from: RtpLeg, buf: Buffer, _len: number, start: number, end: number, kind: PayloadKind): void {
    this.got.push({ seq: rtpSeq(buf), kind, start, end });
  }
  legClosed(): void {
    this.closed++;
  }
}

describe('RtpLeg latching (RFC 4961 symmetric RTP, DESIGN §6)', () => {
  it('latches once to the first packet from the negotiated IP on any port, and sends its RTP there', () => {
    const { leg, sockets } = harness();
    const latched: Array<[string, number]> = [];
    leg.on('latched', (a, p) => latched.push([a, p]));
    expect(leg.destination).toEqual({ address: PEER, port: 40000 });
    sockets.rtp.deliver(rtp(1), PEER, 41234);
    expect(latched).toEqual([[PEER, 41234]]);
    expect(leg.latchedSource).toEqual({ address: PEER, port: 41234 });
    expect(leg.destination).toEqual({ address: PEER, port: 41234 });
    expect(leg.sendAudio({}, false, new Uint8Array(160), 0, 160)).toBe(true);
    expect(sockets.rtp.sent.map((d) => [d.address, d.port])).toEqual([[PEER, 41234]]);
    expect(leg.counters.rtpIn).toBe(1);
  });

  it('drops and counts strangers before and after latching, and never re-latches (RTP bleed)', () => {
    const { leg, sockets, logs } = harness();
    const sink = new SinkSpy();
    leg.setSink(sink);
    sockets.rtp.deliver(rtp(1), '198.51.100.7', 5000); // not the negotiated IP
    expect(leg.latchedSource).toBeNull();
    sockets.rtp.deliver(rtp(2), PEER, 41234);
    for (let i = 0; i < 5; i++) {
      sockets.rtp.deliver(rtp(100 + i, { ssrc: 0xbad }), '198.51.100.7', 5000);
      sockets.rtp.deliver(rtp(200 + i, { ssrc: 0xbad }), PEER, 41236); // same IP, another port
      sockets.rtp.deliver(rtp(3 + i), PEER, 41234);
    }
    expect(leg.counters.strangers).toBe(11);
    expect(leg.counters.rtpIn).toBe(6);
    expect(leg.latchedSource).toEqual({ address: PEER, port: 41234 });
    expect(sink.got.map((g) => g.seq)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(leg.remoteSsrc).toBe(0x11223344);
    expect(logs).toHaveLength(1); // logged at a limited rate, counted always
  });

  it('latches to the first source when the SDP address is private, CGNAT, link-local or 0.0.0.0', () => {
    for (const address of ['192.168.1.20', '10.1.2.3', '172.20.0.1', '100.64.0.9', '169.254.3.4', '0.0.0.0', 'fd00::1', 'fe80::1']) {
      const { leg, sockets } = harness(media({ remote: { address, port: 4000, rtcpAddress: address, rtcpPort: 4001 } }));
      sockets.rtp.deliver(rtp(1), '198.51.100.9', 30000);
      expect(leg.latchedSource, address).toEqual({ address: '198.51.100.9', port: 30000 });
      sockets.rtp.deliver(rtp(2), '198.51.100.10', 30000);
      expect(leg.counters.strangers, address).toBe(1);
    }
    expect(['127.0.0.1', '203.0.113.5', '2001:db8::1', '::1', '172.32.0.1'].map(isUnroutableAddress)).toEqual([false, false, false, false, false]);
    expect(['::', '0:0:0:0:0:0:0:0', 'example.com', '::ffff:10.0.0.1'].map(isUnroutableAddress)).toEqual([true, true, true, true]);
  });

  it("with latch 'any' takes the first source even from a public SDP address", () => {
    const { leg, sockets } = harness(media(), { latch: 'any' });
    sockets.rtp.deliver(rtp(1), '198.51.100.9', 30000);
    expect(leg.latchedSource).toEqual({ address: '198.51.100.9', port: 30000 });
  });

  it('a new negotiated address (re-INVITE) releases the latch; the same one keeps it', () => {
    const { leg, sockets } = harness();
    sockets.rtp.deliver(rtp(1), PEER, 41234);
    leg.setMedia(media({ direction: 'sendrecv' }));
    expect(leg.latchedSource).toEqual({ address: PEER, port: 41234 });
    leg.setMedia(media({ remote: { address: '203.0.113.77', port: 50000, rtcpAddress: '203.0.113.77', rtcpPort: 50001 } }));
    expect(leg.latchedSource).toBeNull();
    sockets.rtp.deliver(rtp(2), PEER, 41234);
    expect(leg.counters.strangers).toBe(1);
    sockets.rtp.deliver(rtp(3), '203.0.113.77', 50000);
    expect(leg.latchedSource).toEqual({ address: '203.0.113.77', port: 50000 });
  });

  it('drops everything before media is negotiated', () => {
    const { leg, sockets } = harness(null);
    sockets.rtp.deliver(rtp(1), PEER, 41234);
    expect(leg.counters.beforeMedia).toBe(1);
    expect(leg.latchedSource).toBeNull();
    expect(leg.sendAudio({}, false, new Uint8Array(160), 0, 160)).toBe(false);
  });
});

describe('RtpLeg hostile input (STYLE "Wire types": dropped, counted, never thrown)', () => {
  it('counts datagrams that cannot be framed as RTP (RFC 3550 §5.1) and payload types not negotiated', () => {
    const { leg, sockets } = harness();
    const sink = new SinkSpy();
    leg.setSink(sink);
    sockets.rtp.deliver(rtp(1), PEER, 41234);
    const good = rtp(2);
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      good.subarray(0, 11),
      Uint8Array.from([0x40, ...good.subarray(1)]), // version 1
      Uint8Array.from([0x8f, ...good.subarray(1, 20)]), // 15 CSRCs, 20 octets
      Uint8Array.from([0x90, ...good.subarray(1, 12), 0xbe, 0xde, 0x00, 0x40]), // extension of 64 words, absent
      Uint8Array.from([0xa0, ...good.subarray(1, 20), 0]), // padding count 0
      Uint8Array.from([0xa0, ...good.subarray(1, 20), 200]), // padding beyond the packet
    ];
    for (const b of bad) sockets.rtp.deliver(b, PEER, 41234);
    sockets.rtp.deliver(rtp(3, { pt: 18 }), PEER, 41234); // G.729, not negotiated
    sockets.rtp.deliver(rtp(4, { pt: 8 }), PEER, 41234); // static PCMA is understood
    expect(leg.counters.malformed).toBe(bad.length);
    expect(leg.counters.unknownPayloadType).toBe(1);
    expect(leg.counters.handlerErrors).toBe(0);
    expect(sink.got.map((g) => [g.seq, g.kind])).toEqual([
      [1, 'PCMU'],
      [4, 'PCMA'],
    ]);
  });

  it('hands on padded packets without their padding (RFC 3550 §5.1 P bit)', () => {
    const { leg, sockets } = harness();
    const sink = new SinkSpy();
    leg.setSink(sink);
    const padded = new RtpPacket({ payloadType: 0, sequenceNumber: 9, timestamp: 0, ssrc: 1, payload: new Uint8Array(160), paddingLength: 4 }).serialize();
    sockets.rtp.deliver(padded, PEER, 41234);
    expect(sink.got).toEqual([{ seq: 9, kind: 'PCMU', start: 12, end: 172 }]);
  });
});

