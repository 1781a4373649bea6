// Examples for loss, jitter, RTT, SR/RR building and the MOS estimate, checked against hand-computed values (RFC 3550 §6.4.1, §A.3, §A.8; ITU-T G.107).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactNtpFromUnixMs, ntpFromUnixMs } from './ntp.ts';
import { parseRtcpCompound, serializeRtcpCompound } from './rtcp.ts';
import { LegStats, ReceiveStats, SendStats, computeRttMs, estimateMos, mosFromR, rFactor } from './stats.ts';

describe('receive statistics (RFC 3550 §A.3)', () => {
  it('counts expected, lost and the interval fraction lost: 2 of 10 lost → 51/256', () => {
    const s = new ReceiveStats();
    for (let seq = 0; seq < 10; seq++) if (seq !== 3 && seq !== 7) s.onPacket(seq, seq * 160, seq * 20, 160);
    expect(s.expected).toBe(10);
    expect(s.received).toBe(8);
    expect(s.cumulativeLost).toBe(2);
    expect(s.octets).toBe(8 * 160);
    const b = s.reportBlock(0xabc, 200);
    expect(b.fractionLost).toBe(Math.floor((2 * 256) / 10));
    expect(b.cumulativeLost).toBe(2);
    expect(b.highestSeq).toBe(9);
    // The next interval has no loss: fraction 0, cumulative stays 2.
    for (let seq = 10; seq < 20; seq++) s.onPacket(seq, seq * 160, seq * 20, 160);
    const b2 = s.reportBlock(0xabc, 400);
    expect(b2.fractionLost).toBe(0);
    expect(b2.cumulativeLost).toBe(2);
    expect(b2.highestSeq).toBe(19);
  });

  it('reports the extended highest sequence number across a wrap (§6.4.1)', () => {
    const s = new ReceiveStats();
    for (let i = 0; i < 6; i++) s.onPacket((65533 + i) & 0xffff, i * 160, i * 20, 160);
    expect(s.reportBlock(1, 0).highestSeq).toBe(65536 + 2);
  });

  it('computes interarrival jitter J += (|D| − J)/16 in timestamp units (§A.8)', () => {
    // 8 kHz, 20 ms packets; the third packet arrives 5 ms late (40 timestamp units).
    const s = new ReceiveStats({ clockRate: 8000 });
    s.onPacket(0, 0, 0, 160);
    s.onPacket(1, 160, 20, 160);
    expect(s.jitter).toBe(0);
    s.onPacket(2, 320, 45, 160);
    expect(s.jitter).toBe(40 / 16);
    s.onPacket(3, 480, 60, 160);
    const j = 40 / 16 + (40 - 40 / 16) / 16;
    expect(s.jitter).toBeCloseTo(j, 12);
    expect(s.jitterMs).toBeCloseTo(j / 8, 12);
    expect(s.reportBlock(1, 60).jitter).toBe(4);
  });

  it('computes jitter across a 32-bit timestamp wrap', () => {
    const s = new ReceiveStats();
    s.onPacket(0, 0xffffff60, 0, 160);
    s.onPacket(1, 0, 20, 160);
    expect(s.jitter).toBe(0);
  });

  it('fills LSR and DLSR from the last SR received (§6.4.1)', () => {
    const s = new ReceiveStats();
    s.onPacket(0, 0, 10_000, 160);
    s.onSenderReport(0xe8a1b2c3, 0x80000000, 10_000);
    const b = s.reportBlock(7, 10_250);
    expect(b.lastSr).toBe(0xb2c38000);
    expect(b.delaySinceLastSr).toBe(0x4000);
  });
});

describe('round-trip time (RFC 3550 §6.4.1)', () => {
  it('reproduces the RFC example: A=0xb710:8000, LSR=0xb705:2000, DLSR=0x0005:4000 → 6.125 s', () => {
    expect(computeRttMs(0xb7108000, 0xb7052000, 0x00054000)).toBe(6125);
  });

  it('has no RTT without an SR (LSR = 0) or with a negative result', () => {
    expect(computeRttMs(0xb7108000, 0, 0)).toBeNull();
    expect(computeRttMs(0x00010000, 0x00020000, 0)).toBeNull();
  });

  it('measures RTT end to end: SR sent at t, RR 700 ms later with DLSR 500 ms → 200 ms', () => {
    const t0 = 1_700_000_000_000;
    const a = new LegStats();
    const b = new LegStats();
    a.send.onPacketSent(160, 160, t0 - 20);
    const sr = a.buildReport(0xa, null, t0);
    expect(sr.kind).toBe('sr');
    // b receives the SR 150 ms later and answers 500 ms after that.
    b.receive.onPacket(1, 160, t0 + 150, 160);
    b.onRtcp(parseRtcpCompound(serializeRtcpCompound([sr])), 0xb, t0 + 150);
    const rr = b.buildReport(0xb, 0xa, t0 + 650);
    expect(rr.kind).toBe('rr');
    a.onRtcp(parseRtcpCompound(serializeRtcpCompound([rr])), 0xa, t0 + 700);
    expect(a.send.rttMs).not.toBeNull();
    expect(Math.abs((a.send.rttMs ?? 0) - 200)).toBeLessThan(0.1);
  });
});

describe('send statistics (RFC 3550 §6.4.1)', () => {
  it('fills SR sender info with counts and the RTP timestamp matching the NTP time', () => {
    const s = new SendStats({ clockRate: 8000 });
    for (let i = 0; i < 50; i++) s.onPacketSent(1000 + i * 160, 160, 5000 + i * 20);
    const info = s.senderInfo(5000 + 49 * 20 + 10);
    expect(info.packetCount).toBe(50);
    expect(info.octetCount).toBe(8000);
    expect(info.rtpTimestamp).toBe(1000 + 49 * 160 + 80);
    expect(info.ntpSeconds).toBe(ntpFromUnixMs(5990).seconds);
    expect(s.lastSrCompact).toBe(compactNtpFromUnixMs(5990));
    expect(s.isSender).toBe(false);
  });
});

describe('MOS estimate (simplified ITU-T G.107 E-model)', () => {
  it('rates a clean G.711 call at R = 93.2 − 0.024·20 and MOS ≈ 4.40', () => {
    expect(rFactor(0, 0, 0)).toBeCloseTo(93.2 - 0.48, 10);
    const r = 92.72;
    expect(estimateMos(0, 0, 0)).toBeCloseTo(1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6, 10);
    expect(estimateMos(0, 0, 0)).toBeCloseTo(4.4, 2);
  });

  it('rates 1 % random loss: without PLC (Bpl 4.3) R ≈ 74.8, MOS ≈ 3.81; with PLC (Bpl 25.1) MOS ≈ 4.32', () => {
    expect(rFactor(1, 0, 0)).toBeCloseTo(92.72 - 95 / 5.3, 10);
    expect(estimateMos(1, 0, 0)).toBeCloseTo(3.813, 2);
    expect(rFactor(1, 0, 0, { plc: true })).toBeCloseTo(92.72 - 95 / 26.1, 10);
    expect(estimateMos(1, 0, 0, { plc: true })).toBeCloseTo(4.316, 2);
  });

  it('adds the delay impairment above 177.3 ms: rtt 400 ms → d = 220 ms, Id ≈ 9.98', () => {
    expect(rFactor(0, 0, 400)).toBeCloseTo(93.2 - (0.024 * 220 + 0.11 * (220 - 177.3)), 10);
  });

  it('maps R to MOS with the G.107 Annex B bounds', () => {
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(3)).toBe(1);
    expect(mosFromR(120)).toBe(4.5);
    expect(mosFromR(50)).toBeCloseTo(1 + 1.75 + 50 * -10 * 50 * 7e-6, 10);
  });

  it('MOS never increases when loss, jitter or RTT grows', () => {
    const pct = fc.double({ min: 0, max: 100, noNaN: true });
    const ms = fc.double({ min: 0, max: 2000, noNaN: true });
    fc.assert(
      fc.property(pct, pct, ms, ms, fc.boolean(), (l1, l2, j, rtt, plc) => {
        const [lo, hi] = l1 <= l2 ? [l1, l2] : [l2, l1];
        // 1e-12 absorbs floating-point rounding between nearly equal inputs.
        expect(estimateMos(hi, j, rtt, { plc })).toBeLessThanOrEqual(estimateMos(lo, j, rtt, { plc }) + 1e-12);
        expect(estimateMos(lo, j + 10, rtt, { plc })).toBeLessThanOrEqual(estimateMos(lo, j, rtt, { plc }) + 1e-12);
        expect(estimateMos(lo, j, rtt + 50, { plc })).toBeLessThanOrEqual(estimateMos(lo, j, rtt, { plc }) + 1e-12);
      }),
      { numRuns: 500 },
    );
  });

  it('MOS is strictly lower with 5 % loss than with none', () => {
    expect(estimateMos(5, 10, 50)).toBeLessThan(estimateMos(0, 10, 50) - 1);
  });
});

describe('leg quality summary', () => {
  it('reports packets, lost, loss %, jitter, RTT and MOS for a leg', () => {
    const leg = new LegStats();
    for (let seq = 0; seq < 100; seq++) if (seq % 25 !== 5) leg.receive.onPacket(seq, seq * 160, seq * 20, 160);
    const q = leg.quality();
    expect(q.packets).toBe(96);
    expect(q.lost).toBe(4);
    expect(q.lossPercent).toBe(4);
    expect(q.jitterMs).toBe(0);
    expect(q.rttMs).toBeNull();
    expect(q.mos).toBeCloseTo(estimateMos(4, 0, null), 10);
    expect(q.mos).toBeLessThan(3);
  });
});
