// Per-leg RTP statistics: loss (RFC 3550 §A.3), interarrival jitter (§A.8), RTT from LSR/DLSR (§6.4.1), SR/RR building and an E-model MOS estimate (ITU-T G.107, simplified).
import { compactNtpFromUnixMs, msToNtpShort, ntpFromUnixMs, ntpShortToMs } from './ntp.ts';
import {
  CUMULATIVE_LOST_MAX,
  CUMULATIVE_LOST_MIN,
  type RtcpPacket,
  type RtcpReportBlock,
  RtcpReceiverReport,
  RtcpSenderReport,
} from './rtcp.ts';
import { SequenceTracker, tsDiff } from './seq.ts';

/** Options of {@link ReceiveStats}. */
export interface ReceiveStatsOptions {
  /** RTP clock rate of the stream's payload (8000 for G.711 and telephone-event). */
  clockRate?: number;
  /** RFC 3550 §A.1 probation; 1 accepts a source on its first packet. */
  minSequential?: number;
}

/** Frozen defaults for {@link ReceiveStatsOptions}. */
export const RECEIVE_STATS_DEFAULTS: Readonly<Required<ReceiveStatsOptions>> = Object.freeze({ clockRate: 8000, minSequential: 1 });

/**
 * Receive-side statistics of one RTP source. {@link onPacket} is called per packet and allocates
 * nothing; report blocks are built once per RTCP interval.
 */
export class ReceiveStats {
  readonly clockRate: number;
  /** Sequence validation and extended numbers (RFC 3550 §A.1). */
  readonly seq: SequenceTracker;
  /** Every packet handed to {@link onPacket}, valid or not. */
  packetsSeen = 0;
  /** Packets not counted: source on probation or an unconfirmed sequence jump (§A.1). */
  discarded = 0;
  /** Payload octets of counted packets. */
  octets = 0;
  /** Interarrival jitter estimate J in timestamp units (§A.8), unrounded. */
  jitter = 0;
  /** Fraction lost (0..255) computed by the last {@link reportBlock}. */
  fractionLost = 0;
  /** Middle 32 bits of the NTP timestamp of the last SR received (0 = none). */
  lastSr = 0;
  /** Arrival time (ms, caller's wall clock) of that SR. */
  lastSrArrivalMs = 0;
  private prevArrivalMs = 0;
  private prevRtpTs = 0;
  private hasPrev = false;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private seenRestarts = 0;

  constructor(options: ReceiveStatsOptions = {}) {
    const o = { ...RECEIVE_STATS_DEFAULTS, ...options };
    if (!(o.clockRate > 0)) throw new TypeError('clockRate must be positive');
    this.clockRate = o.clockRate;
    this.seq = new SequenceTracker({ minSequential: o.minSequential });
  }

  /**
   * Accounts one received packet: sequence validation, octets and the jitter update
   * J += (|D(i−1,i)| − J)/16 where D is the difference of relative transit times in timestamp
   * units (§6.4.1, §A.8). `arrivalMs` is the receive time on any monotonic millisecond clock.
   * @returns whether the packet counted (false during probation or after an unconfirmed jump).
   */
  onPacket(seq: number, rtpTimestamp: number, arrivalMs: number, payloadOctets: number): boolean {
    this.packetsSeen++;
    if (!this.seq.update(seq)) {
      this.discarded++;
      return false;
    }
    if (this.seq.restarts !== this.seenRestarts) {
      // init_seq() also resets the interval counters (§A.1).
      this.seenRestarts = this.seq.restarts;
      this.expectedPrior = 0;
      this.receivedPrior = 0;
      this.hasPrev = false;
    }
    this.octets += payloadOctets;
    if (this.hasPrev) {
      const d = ((arrivalMs - this.prevArrivalMs) * this.clockRate) / 1000 - tsDiff(rtpTimestamp, this.prevRtpTs);
      this.jitter += ((d < 0 ? -d : d) - this.jitter) / 16;
    }
    this.prevArrivalMs = arrivalMs;
    this.prevRtpTs = rtpTimestamp >>> 0;
    this.hasPrev = true;
    return true;
  }

  /** Records an SR from this source for the LSR/DLSR fields of our next report (§6.4.1). */
  onSenderReport(ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.lastSr = (((ntpSeconds & 0xffff) << 16) | (ntpFraction >>> 16)) >>> 0;
    this.lastSrArrivalMs = arrivalMs;
  }

  /** Packets counted (RFC 3550 §A.3 `received`). */
  get received(): number {
    return this.seq.received;
  }
  /** Packets expected (§A.3). */
  get expected(): number {
    return this.seq.expected;
  }
  /** Cumulative packets lost: expected − received; negative when duplicates outnumber losses (§A.3). */
  get cumulativeLost(): number {
    return this.seq.expected - this.seq.received;
  }
  /** Jitter in milliseconds. */
  get jitterMs(): number {
    return (this.jitter * 1000) / this.clockRate;
  }

  /**
   * Builds the reception report for this source and starts a new interval for the fraction lost
   * (§A.3). `nowMs` is on the same clock as the `arrivalMs` given to {@link onSenderReport}.
   */
  reportBlock(ssrc: number, nowMs: number): RtcpReportBlock {
    const expected = this.seq.expected;
    const received = this.seq.received;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = received;
    const lostInterval = expectedInterval - receivedInterval;
    this.fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    const lost = expected - received;
    return {
      ssrc: ssrc >>> 0,
      fractionLost: this.fractionLost,
      cumulativeLost: lost > CUMULATIVE_LOST_MAX ? CUMULATIVE_LOST_MAX : lost < CUMULATIVE_LOST_MIN ? CUMULATIVE_LOST_MIN : lost,
      highestSeq: this.seq.extendedMax >>> 0,
      jitter: Math.trunc(this.jitter) >>> 0,
      lastSr: this.lastSr,
      delaySinceLastSr: this.lastSr === 0 ? 0 : msToNtpShort(nowMs - this.lastSrArrivalMs),
    };
  }
}

/**
 * Round-trip time from a reception report (RFC 3550 §6.4.1): A − LSR − DLSR in 1/65536 s, where A
 * is the report's arrival time as compact NTP. Returns null when LSR is 0 (no SR received yet)
 * or the result is negative (clock trouble).
 */
export function computeRttMs(arrivalCompactNtp: number, lastSr: number, delaySinceLastSr: number): number | null {
  if (lastSr === 0) return null;
  const rtt = (arrivalCompactNtp - lastSr - delaySinceLastSr) >>> 0;
  if (rtt >= 0x8000_0000) return null;
  return ntpShortToMs(rtt);
}

/** Options of {@link SendStats}. */
export interface SendStatsOptions {
  clockRate?: number;
}

/** What the remote side last reported about our stream (§6.4.1), plus the RTT derived from it. */
export interface RemoteReport {
  fractionLost: number;
  cumulativeLost: number;
  jitter: number;
  highestSeq: number;
}

/** Send-side statistics of our own stream: SR sender info and what the peer reports back. */
export class SendStats {
  readonly clockRate: number;
  /** Packets sent (SR sender's packet count, §6.4.1). */
  packets = 0;
  /** Payload octets sent (SR sender's octet count). */
  octets = 0;
  /** Last round-trip time in ms, null until a report with LSR ≠ 0 arrived. */
  rttMs: number | null = null;
  /** The last reception report about our stream, null until one arrived. */
  remote: RemoteReport | null = null;
  /** Compact NTP time of the last SR we built (0 = none). */
  lastSrCompact = 0;
  private lastRtpTs = 0;
  private lastSentMs = 0;
  private sentSinceReport = false;

  constructor(options: SendStatsOptions = {}) {
    const clockRate = options.clockRate ?? 8000;
    if (!(clockRate > 0)) throw new TypeError('clockRate must be positive');
    this.clockRate = clockRate;
  }

  /** Accounts one sent packet; `nowMs` on the wall clock used for SRs. Allocates nothing. */
  onPacketSent(rtpTimestamp: number, payloadOctets: number, nowMs: number): void {
    this.packets++;
    this.octets += payloadOctets;
    this.lastRtpTs = rtpTimestamp >>> 0;
    this.lastSentMs = nowMs;
    this.sentSinceReport = true;
  }

  /** True when packets were sent since the last report, i.e. the next report should be an SR (§6.4). */
  get isSender(): boolean {
    return this.sentSinceReport;
  }

  /**
   * Sender info for an SR at wall-clock `nowMs` (Unix ms): the NTP time and the RTP timestamp
   * that corresponds to it, extrapolated from the last packet sent (§6.4.1).
   */
  senderInfo(nowMs: number): { ntpSeconds: number; ntpFraction: number; rtpTimestamp: number; packetCount: number; octetCount: number } {
    const ntp = ntpFromUnixMs(nowMs);
    this.lastSrCompact = (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
    this.sentSinceReport = false;
    return {
      ntpSeconds: ntp.seconds,
      ntpFraction: ntp.fraction,
      rtpTimestamp: (this.lastRtpTs + Math.round(((nowMs - this.lastSentMs) * this.clockRate) / 1000)) >>> 0,
      packetCount: this.packets >>> 0,
      octetCount: this.octets >>> 0,
    };
  }

  /** Takes a reception report about our stream that arrived at wall-clock `arrivalMs` (Unix ms); updates RTT (§6.4.1). */
  onReceptionReport(block: RtcpReportBlock, arrivalMs: number): void {
    this.remote = {
      fractionLost: block.fractionLost,
      cumulativeLost: block.cumulativeLost,
      jitter: block.jitter,
      highestSeq: block.highestSeq,
    };
    const rtt = computeRttMs(compactNtpFromUnixMs(arrivalMs), block.lastSr, block.delaySinceLastSr);
    if (rtt !== null) this.rttMs = rtt;
  }
}

/** A leg's quality as the call layer sees it. */
export interface LegQuality {
  /** Packets received and counted. */
  packets: number;
  /** Packets lost (never negative here). */
  lost: number;
  /** lost / expected × 100. */
  lossPercent: number;
  /** Interarrival jitter in ms. */
  jitterMs: number;
  /** Round-trip time in ms, null until measured. */
  rttMs: number | null;
  /** Estimated MOS (1..4.5) from {@link estimateMos}. */
  mos: number;
}

/** Options of {@link LegStats}. */
export interface LegStatsOptions extends ReceiveStatsOptions {
  mos?: MosOptions;
}

/**
 * Receive and send statistics of one leg, with RTCP in and out. All times are wall-clock Unix
 * milliseconds from the injected clock (the same values the caller passes everywhere).
 */
export class LegStats {
  readonly receive: ReceiveStats;
  readonly send: SendStats;
  private readonly mosOptions: MosOptions;

  constructor(options: LegStatsOptions = {}) {
    this.receive = new ReceiveStats(options);
    this.send = new SendStats({ clockRate: options.clockRate });
    this.mosOptions = options.mos ?? {};
  }

  /**
   * Consumes a received compound RTCP packet: an SR from the peer feeds LSR/DLSR, report blocks
   * about `ourSsrc` feed RTT and the remote view of our stream (§6.4).
   */
  onRtcp(packets: readonly RtcpPacket[], ourSsrc: number, arrivalMs: number): void {
    for (const p of packets) {
      if (p.kind === 'sr') this.receive.onSenderReport(p.ntpSeconds, p.ntpFraction, arrivalMs);
      if (p.kind === 'sr' || p.kind === 'rr') {
        for (const b of p.reports) if (b.ssrc === ourSsrc >>> 0) this.send.onReceptionReport(b, arrivalMs);
      }
    }
  }

  /**
   * Our next report (§6.4): an SR when we sent packets since the last report, else an RR; it
   * carries a block about `remoteSsrc` once that source has sent anything.
   */
  buildReport(ourSsrc: number, remoteSsrc: number | null, nowMs: number): RtcpSenderReport | RtcpReceiverReport {
    const reports = remoteSsrc !== null && this.receive.received > 0 ? [this.receive.reportBlock(remoteSsrc, nowMs)] : [];
    if (this.send.isSender) return new RtcpSenderReport({ ssrc: ourSsrc >>> 0, ...this.send.senderInfo(nowMs), reports });
    return new RtcpReceiverReport({ ssrc: ourSsrc >>> 0, reports });
  }

  /** Summary for the call layer: packets, loss, jitter, RTT and estimated MOS. */
  quality(): LegQuality {
    const expected = this.receive.expected;
    const lost = Math.max(0, this.receive.cumulativeLost);
    const lossPercent = expected > 0 ? (lost * 100) / expected : 0;
    const jitterMs = this.receive.jitterMs;
    const rttMs = this.send.rttMs;
    return { packets: this.receive.received, lost, lossPercent, jitterMs, rttMs, mos: estimateMos(lossPercent, jitterMs, rttMs, this.mosOptions) };
  }
}

/** Options of the E-model estimate. */
export interface MosOptions {
  /** Packet-loss concealment in use (G.711 Appendix I): Bpl 25.1 instead of 4.3. Default false. */
  plc?: boolean;
  /** Equipment impairment Ie of the codec; 0 for G.711. */
  ie?: number;
  /** Packet-loss robustness Bpl; overrides the `plc` choice. */
  bpl?: number;
  /** Packetization delay in ms added to the mouth-to-ear delay (20 for 20 ms frames). */
  packetizationMs?: number;
  /** Jitter-buffer delay in ms; default 2 × jitterMs. */
  jitterBufferMs?: number;
}

/** Frozen defaults for {@link MosOptions}. */
export const MOS_DEFAULTS: Readonly<Required<Omit<MosOptions, 'bpl' | 'jitterBufferMs'>>> = Object.freeze({ plc: false, ie: 0, packetizationMs: 20 });

/**
 * E-model transmission rating R, simplified from ITU-T G.107 with default values for everything
 * but delay and loss:
 *
 *   R      = 93.2 − Id − Ie_eff                       (R0 − Is ≈ 93.2, A = 0)
 *   d      = rttMs/2 + jitterBufferMs + packetizationMs   (one-way mouth-to-ear delay, ms;
 *                                                       jitterBufferMs defaults to 2 × jitterMs, rtt unknown → 0)
 *   Id     = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)  (Cole & Rosenbluth's fit of G.107's Idd; H = step)
 *   Ie_eff = Ie + (95 − Ie) · Ppl / (Ppl + Bpl)       (G.107 §3.6 with BurstR = 1, random loss)
 *
 * with Ppl the loss in percent; G.711: Ie = 0, Bpl = 4.3 without PLC, 25.1 with PLC (G.113 App. I).
 */
export function rFactor(lossPercent: number, jitterMs: number, rttMs: number | null, options: MosOptions = {}): number {
  const ie = options.ie ?? MOS_DEFAULTS.ie;
  const bpl = options.bpl ?? ((options.plc ?? MOS_DEFAULTS.plc) ? 25.1 : 4.3);
  const ppl = Math.min(100, Math.max(0, lossPercent));
  const d = Math.max(0, rttMs ?? 0) / 2 + (options.jitterBufferMs ?? 2 * Math.max(0, jitterMs)) + (options.packetizationMs ?? MOS_DEFAULTS.packetizationMs);
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  const ieEff = ie + ((95 - ie) * ppl) / (ppl + bpl);
  return 93.2 - id - ieEff;
}

/**
 * MOS-CQE from R (ITU-T G.107 Annex B): 1 for R < 0, 4.5 for R > 100, else
 * 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶, clamped to 1..4.5. Non-decreasing in R.
 */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  const mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
  return Math.min(4.5, Math.max(1, mos));
}

/** Estimated MOS from loss, jitter and RTT (see {@link rFactor} for the formula). Non-increasing in each input. */
export function estimateMos(lossPercent: number, jitterMs: number, rttMs: number | null, options: MosOptions = {}): number {
  return mosFromR(rFactor(lossPercent, jitterMs, rttMs, options));
}
