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

describe('RtpLeg direction (RFC 3264 §8.4 hold)', () => {
  it('sends nothing while the direction excludes sending, and resumes with a new talkspurt', () => {
    const { leg, sockets, clock } = harness(media({ direction: 'recvonly' }));
    const src = {};
    expect(leg.canSend).toBe(false);
    expect(leg.sendAudio(src, false, new Uint8Array(160), 0, 160)).toBe(false);
    expect(leg.counters.holdDroppedOut).toBe(1);
    expect(sockets.rtp.sent).toHaveLength(0);
    leg.setMedia(media({ direction: 'sendrecv' }));
    clock.advance();
    expect(leg.sendAudio(src, false, new Uint8Array(160), 0, 160)).toBe(true);
    expect(rtpMarker(sockets.rtp.sent[0].data)).toBe(true);
  });

  it('never sends to a 0.0.0.0 connection address, whatever the direction says (RFC 3264 §8.4)', () => {
    const { leg, sockets } = harness(media({ remote: { address: '0.0.0.0', port: 4000, rtcpAddress: '0.0.0.0', rtcpPort: 4001 } }));
    expect(leg.sendAudio({}, false, new Uint8Array(160), 0, 160)).toBe(false);
    expect(sockets.rtp.sent).toHaveLength(0);
  });

  it("counts and drops received audio while we do not receive ('sendonly'/'inactive')", () => {
    const { leg, sockets } = harness(media({ direction: 'inactive' }));
    const sink = new SinkSpy();
    leg.setSink(sink);
    sockets.rtp.deliver(rtp(1), PEER, 41234);
    expect(leg.counters.holdDroppedIn).toBe(1);
    expect(sink.got).toHaveLength(0);
  });

  it('takes its media from a real offer/answer exchange (engine/sdp negotiated())', () => {
    const offer = createOffer({ address: PEER, port: 40000, codecs: ['PCMA', 'PCMU'], telephoneEventPayloadType: 96 });
    const answer = createAnswer(offer, { address: '127.0.0.1', port: 30000 });
    const { leg, sockets } = harness(negotiated(answer, offer));
    expect(leg.codec).toBe('PCMA');
    expect(leg.sendAudioPayloadType).toBe(8);
    expect(leg.sendEventPayloadType).toBe(96);
    expect(leg.payloadKind(96)).toBe('event');
    leg.sendAudio({}, false, new Uint8Array(160), 0, 160);
    expect(rtpPayloadType(sockets.rtp.sent[0].data)).toBe(8);
  });
});

describe('RtpLeg outgoing stream (RFC 3550 §5.1 SSRC, sequence, timestamp, marker)', () => {
  it('keeps the sequence continuous across sources, jumps the timestamp by the elapsed time and sets the marker on a switch', () => {
    const { leg, sockets, clock } = harness();
    const player = {};
    const bridge = {};
    for (let i = 0; i < 3; i++) {
      clock.advance();
      leg.sendAudio(player, false, new Uint8Array(160).fill(i), 0, 160);
    }
    clock.advance(10); // 200 ms of nothing
    const fwd = (seq: number, ts: number, marker = false): Buffer => rtp(seq, { ts, ssrc: 0x5555, marker, pt: 0 });
    const inbound = [fwd(1000, 777_000), fwd(1001, 777_160), fwd(1003, 777_480)]; // 1002 lost upstream
    for (const b of inbound) leg.forward(bridge, false, b, b.length, 0, 160);
    clock.advance(2);
    leg.sendAudio(player, true, new Uint8Array(160), 0, 160);
    const out = sockets.rtp.sent.map((d) => ({ seq: rtpSeq(d.data), ts: rtpTimestamp(d.data), m: rtpMarker(d.data), ssrc: rtpSsrc(d.data) }));
    const s0 = out[0].seq;
    const t0 = out[0].ts;
    expect(out.every((o) => o.ssrc === 0xabcdef01)).toBe(true);
    expect(out.map((o) => (o.seq - s0) & 0xffff)).toEqual([0, 1, 2, 3, 4, 6, 7]);
    expect(out.map((o) => (o.ts - t0) >>> 0)).toEqual([0, 160, 320, 320 + 1600, 320 + 1760, 320 + 2080, 320 + 2080 + 160 + 160]);
    expect(out.map((o) => o.m)).toEqual([true, false, false, true, false, false, true]);
  });

  it('a skipped forwarded packet leaves no gap in the outgoing sequence', () => {
    const { leg, sockets } = harness();
    const src = {};
    const a = rtp(10, { ssrc: 7 });
    leg.forward(src, false, a, a.length, 0, 160);
    leg.skipForwarded(src, 11);
    const b = rtp(12, { ssrc: 7 });
    leg.forward(src, false, b, b.length, 0, 160);
    const [x, y] = sockets.rtp.sent.map((d) => rtpSeq(d.data));
    expect((y - x) & 0xffff).toBe(1);
  });
});

describe('RtpLeg digits (RFC 4733 §2.5.2 and in-band, one stream)', () => {
  function eventPacket(seq: number, ts: number, event: number, duration: number, end: boolean, marker: boolean): Buffer {
    const payload = new Uint8Array(4);
    writeTelephoneEvent(payload, 0, event, end, 10, duration);
    return rtp(seq, { pt: 101, ts, marker, payload });
  }

  it('reports one digit per RFC 4733 event, despite the triple end packet', () => {
    const { leg, sockets } = harness();
    const digits: DigitEvent[] = [];
    leg.on('digit', (d) => digits.push(d));
    // A small timestamp, then one above 2^31 (passed as int32 inside the leg).
    for (const [k, ts] of [[0, 16000], [1, 0xffff_f000]]) {
      sockets.rtp.deliver(eventPacket(10 * k + 1, ts, 5 + k, 160, false, true), PEER, 41234);
      sockets.rtp.deliver(eventPacket(10 * k + 2, ts, 5 + k, 320, false, false), PEER, 41234);
      for (let i = 0; i < 3; i++) sockets.rtp.deliver(eventPacket(10 * k + 3 + i, ts, 5 + k, 480, true, false), PEER, 41234);
    }
    expect(digits.map((d) => [d.digit, d.source, d.durationMs])).toEqual([
      ['5', 'rfc4733', 60],
      ['6', 'rfc4733', 60],
    ]);
  });

  it('detects in-band tones when no telephone-event was negotiated', () => {
    const { leg, sockets, clock } = harness(media({ telephoneEvent: null }));
    const digits: DigitEvent[] = [];
    leg.on('digit', (d) => digits.push(d));
    const amp = 8000;
    let n = 0;
    for (let p = 0; p < 20; p++) {
      const payload = new Uint8Array(160);
      for (let i = 0; i < 160; i++, n++) {
        const tone = p < 5 ? amp * (Math.sin((2 * Math.PI * 852 * n) / 8000) + Math.sin((2 * Math.PI * 1209 * n) / 8000)) : 0;
        payload[i] = linearToUlaw(tone);
      }
      sockets.rtp.deliver(rtp(p, { payload }), PEER, 41234);
      clock.advance();
    }
    expect(digits.map((d) => [d.digit, d.source])).toEqual([['7', 'inband']]);
  });
});

describe('RtpLeg RTCP (RFC 3550 §6.4 SR/RR, §6.5 SDES, §6.6 BYE)', () => {
  it('sends RR, then SR once it sends, with SDES CNAME, about every 5 s on the media clock', () => {
    const { leg, sockets, clock } = harness();
    sockets.rtp.deliver(rtp(1, { ssrc: 0x77 }), PEER, 41234);
    clock.advance(600); // 12 s
    const first = sockets.rtcp.take();
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(first.length).toBeLessThanOrEqual(5);
    const pkts = parseRtcpCompound(first[0].data);
    expect(pkts.map((p) => p.kind)).toEqual(['rr', 'sdes']);
    expect(first[0].port).toBe(40001);
    expect(first[0].address).toBe(PEER);
    const rr = pkts[0] as RtcpReceiverReport;
    expect(rr.ssrc).toBe(0xabcdef01);
    expect(rr.reports[0].ssrc).toBe(0x77);
    for (let i = 0; i < 10; i++) leg.sendAudio(leg, false, new Uint8Array(160), 0, 160);
    clock.advance(400);
    const second = sockets.rtcp.take();
    const sr = parseRtcpCompound(second[0].data)[0] as RtcpSenderReport;
    expect(sr.kind).toBe('sr');
    expect(sr.packetCount).toBe(10);
    expect(sr.octetCount).toBe(1600);
  });

  it('measures the round-trip time from the peer RR about our SR (§6.4.1), emits the peer BYE', () => {
    const { leg, sockets, clock } = harness();
    sockets.rtp.deliver(rtp(1, { ssrc: 0x77 }), PEER, 41234);
    leg.sendAudio(leg, false, new Uint8Array(160), 0, 160);
    let sr: RtcpSenderReport | undefined;
    while (sr === undefined) {
      clock.advance();
      const d = sockets.rtcp.take()[0];
      if (d !== undefined) sr = parseRtcpCompound(d.data)[0] as RtcpSenderReport;
    }
    clock.advance(5); // the peer answers 100 ms later
    const lsr = (((sr.ntpSeconds & 0xffff) << 16) | (sr.ntpFraction >>> 16)) >>> 0;
    const rr = new RtcpReceiverReport({
      ssrc: 0x77,
      reports: [{ ssrc: leg.ssrc, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lastSr: lsr, delaySinceLastSr: 0 }],
    });
    sockets.rtcp.deliver(serializeRtcpCompound([rr]), PEER, 41235);
    expect(leg.counters.rtcpIn).toBe(1);
    expect(leg.quality().rttMs).toBeCloseTo(100, 0);
    const byes: Array<string | undefined> = [];
    leg.on('bye', (r) => byes.push(r));
    sockets.rtcp.deliver(serializeRtcpCompound([new RtcpReceiverReport({ ssrc: 0x77 }), new RtcpBye([0x77], 'hangup')]), PEER, 41235);
    expect(byes).toEqual(['hangup']);
    // RTCP from anyone else is dropped.
    sockets.rtcp.deliver(serializeRtcpCompound([rr]), '198.51.100.1', 41235);
    expect(leg.counters.rtcpStrangers).toBe(1);
  });

  it('sends BYE on close, closes its sockets once, and refuses work after (idempotent close)', async () => {
    const { leg, sockets } = harness();
    sockets.rtp.deliver(rtp(1), PEER, 41234);
    let closes = 0;
    leg.on('close', () => closes++);
    const p1 = leg.close('bye now');
    const p2 = leg.close();
    expect(p1).toBe(p2);
    await p1;
    const last = parseRtcpCompound(sockets.rtcp.sent.at(-1)!.data);
    expect(last.map((p) => p.kind)).toEqual(['rr', 'sdes', 'bye']);
    expect(last[2]).toMatchObject({ sources: [0xabcdef01], reason: 'bye now' });
    expect(sockets.closeCount).toBe(1);
    expect(closes).toBe(1);
    expect(leg.closed).toBe(true);
    expect(() => leg.setMedia(media())).toThrow(LegStateError);
    expect(leg.sendAudio({}, false, new Uint8Array(160), 0, 160)).toBe(false);
    sockets.rtp.emit('message', rtp(2), { address: PEER, port: 41234, family: 'IPv4', size: 172 });
    expect(leg.counters.rtpIn).toBe(1);
  });

  it('emits timeout once when no RTP came for mediaTimeoutMs', () => {
    const { leg, sockets, clock } = harness(media(), { mediaTimeoutMs: 1000 });
    let timeouts = 0;
    leg.on('timeout', () => timeouts++);
    clock.advance(40);
    sockets.rtp.deliver(rtp(1), PEER, 41234);
    clock.advance(49);
    expect(timeouts).toBe(0);
    clock.advance(100);
    expect(timeouts).toBe(1);
  });
});

describe('RtpLeg on real sockets', () => {
  const sockets: Socket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  });
  function udp(): Promise<Socket> {
    const s = createSocket('udp4');
    sockets.push(s);
    return new Promise((r) => s.bind(0, '127.0.0.1', () => r(s)));
  }
  const base = 42000 + 2 * Math.floor(Math.random() * 3000);

  it("anti-bleed: a stranger's packets are dropped and counted while the latched peer keeps working", async () => {
    const clock = new ManualMediaClock();
    const allocator = new PortAllocator({ min: base, max: base + 9 });
    const leg = await RtpLeg.open(allocator, { clock, log: () => {} }, { address: '127.0.0.1' });
    open.push(leg);
    const peer = await udp();
    const stranger = await udp();
    leg.setMedia(media({ remote: { address: '127.0.0.1', port: peer.address().port, rtcpAddress: '127.0.0.1', rtcpPort: peer.address().port + 1 } }));
    const latched = new Promise<void>((r) => leg.on('latched', () => r()));
    const toPeer: Buffer[] = [];
    const toStranger: Buffer[] = [];
    peer.on('message', (m) => toPeer.push(m));
    stranger.on('message', (m) => toStranger.push(m));
    peer.send(rtp(1), leg.ports.rtp, '127.0.0.1');
    await latched;
    for (let i = 0; i < 20; i++) {
      stranger.send(rtp(500 + i, { ssrc: 0xbad }), leg.ports.rtp, '127.0.0.1');
      peer.send(rtp(2 + i), leg.ports.rtp, '127.0.0.1');
      leg.sendAudio(leg, false, new Uint8Array(160), 0, 160);
    }
    const deadline = Date.now() + 3000;
    while ((leg.counters.rtpIn < 21 || leg.counters.strangers < 20 || toPeer.length < 20) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(leg.counters.strangers).toBe(20);
    expect(leg.counters.rtpIn).toBe(21);
    expect(leg.latchedSource).toEqual({ address: '127.0.0.1', port: peer.address().port });
    expect(toPeer).toHaveLength(20);
    expect(toStranger).toHaveLength(0);
    await leg.close();
    expect(allocator.isAllocated(leg.ports.rtp)).toBe(false);
    expect(allocator.inUse).toBe(0);
    // The ports are free again at the OS level.
    const again = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(leg.ports.rtp, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((r) => again.close(() => r()));
  });
});
