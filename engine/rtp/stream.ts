// Outgoing RTP stream of a leg: one SSRC with continuous sequence numbers and timestamps across sources (prompt → bridge → prompt), marker on each new talkspurt (RFC 3550 §5.1, §5.2, §7.2; RFC 3551 §4.1).
import { rtpMarker, rtpPayloadOffset, rtpSeq, rtpSsrc, rtpTimestamp, setRtpMarker, setRtpPayloadType, setRtpSeq, setRtpSsrc, setRtpTimestamp, writeRtpHeader } from './packet.ts';
import { MAX_DROPOUT, seqDiff, seqLess, tsDiff } from './seq.ts';

/** Options of {@link RtpStreamWriter}. The random initial values come from the caller (RFC 3550 §5.1: random seq, ts, SSRC). */
export interface RtpStreamOptions {
  ssrc: number;
  initialSeq: number;
  initialTimestamp: number;
  clockRate?: number;
  /** Frame duration, ms: a local source silent for more than 1.5 frames starts a new talkspurt. */
  ptimeMs?: number;
}

/** What the stream is currently sending. */
export type RtpStreamSource = 'none' | 'local' | 'relay';

/**
 * The sending side of one leg. Locally produced frames ({@link stamp}: prompts, tones, mixes)
 * and packets forwarded from another leg ({@link relay}: the bridge) go out under one SSRC with
 * sequence numbers that continue by one and timestamps that follow the media clock, so the far
 * end sees one stream. Each change of source opens an "epoch" whose first packet carries the
 * marker bit (a new talkspurt, RFC 3551 §4.1); within a relay epoch the source's own gaps and
 * reordering are kept (offsets are constant), so the far end still measures loss and jitter
 * truthfully. Everything is written in place; nothing is allocated per packet.
 */
export class RtpStreamWriter {
  readonly ssrc: number;
  readonly clockRate: number;
  /** Packets and payload octets sent, for the SR (RFC 3550 §6.4.1). */
  packets = 0;
  octets = 0;
  private readonly frameMs: number;
  private src: RtpStreamSource = 'none';
  private epochPending = true;
  private started = false;
  private lastSeq: number;
  private lastTs: number;
  private nextLocalTs = 0;
  private lastSentMs = 0;
  // Relay epoch: offsets from the source's numbering to ours.
  private inSsrc = 0;
  private inFirstSeq = 0;
  private inLastSeq = 0;
  private epochYoung = false;
  private seqOffset = 0;
  private tsOffset = 0;

  /** @throws TypeError when a value is out of range. */
  constructor(options: RtpStreamOptions) {
    const check = (f: string, v: number, max: number): void => {
      if (!Number.isInteger(v) || v < 0 || v > max) throw new TypeError(`${f} must be an integer in 0..${max}, got ${v}`);
    };
    check('ssrc', options.ssrc, 0xffffffff);
    check('initialSeq', options.initialSeq, 0xffff);
    check('initialTimestamp', options.initialTimestamp, 0xffffffff);
    this.ssrc = options.ssrc;
    this.clockRate = options.clockRate ?? 8000;
    this.frameMs = options.ptimeMs ?? 20;
    // "last" values sit one before the initial ones, so the first packet carries them.
    this.lastSeq = (options.initialSeq - 1) & 0xffff;
    this.lastTs = options.initialTimestamp >>> 0;
  }

  /** Current source. */
  get source(): RtpStreamSource {
    return this.src;
  }

  /** Sequence number of the last packet sent. */
  get lastSequenceNumber(): number {
    return this.lastSeq;
  }

  /** Timestamp of the newest packet sent. */
  get lastTimestamp(): number {
    return this.lastTs;
  }

  /** RTP timestamp the media clock is at, `nowMs` on the clock passed to stamp/relay: for SRs. */
  timestampAt(nowMs: number): number {
    return (this.lastTs + Math.round(((nowMs - this.lastSentMs) * this.clockRate) / 1000)) >>> 0;
  }

  /** Makes the next packet open a new talkspurt even if the source kind stays the same (e.g. the bridge moved to another leg). */
  switchSource(): void {
    this.epochPending = true;
  }

  /** Timestamp for the first packet of a new epoch: after the last one by the time that passed (at least one unit). */
  private epochTimestamp(nowMs: number): number {
    if (!this.started) return this.lastTs;
    const elapsed = Math.round(((nowMs - this.lastSentMs) * this.clockRate) / 1000);
    return (this.lastTs + (elapsed > 0 ? elapsed : 1)) >>> 0;
  }

  /**
   * Writes a 12-octet header for a locally produced frame of `samples` timestamp units at `off`
   * (payload follows the header) and advances the stream. `nowMs` is the media clock time of
   * the frame. @returns 12, the header size.
   */
  stamp(buf: Uint8Array, off: number, payloadType: number, samples: number, payloadOctets: number, nowMs: number): number {
    let marker = false;
    let ts: number;
    const silentTooLong = this.started && nowMs - this.lastSentMs > 1.5 * this.frameMs;
    if (this.src !== 'local' || this.epochPending || silentTooLong) {
      ts = this.epochTimestamp(nowMs);
      marker = true;
      this.src = 'local';
      this.epochPending = false;
    } else {
      ts = this.nextLocalTs;
    }
    const seq = (this.lastSeq + 1) & 0xffff;
    writeRtpHeader(buf, off, payloadType, seq, ts, this.ssrc, marker);
    this.sent(seq, ts, nowMs, payloadOctets);
    this.nextLocalTs = (ts + samples) >>> 0;
    return 12;
  }

  /**
   * Rewrites a packet received from another leg in place for sending on this stream: SSRC,
   * sequence number and timestamp mapped onto ours, payload type replaced when
   * `payloadType ≥ 0` (e.g. the telephone-event number negotiated on this leg), marker set on
   * the first packet of a new epoch. A new epoch starts on {@link switchSource}, after local
   * frames, when the source's SSRC changes or when its sequence jumps more than MAX_DROPOUT.
   * @returns false (send nothing) when the packet cannot be framed or predates the epoch (it
   *   would reuse sequence numbers already sent).
   */
  relay(buf: Uint8Array, len: number, nowMs: number, payloadType = -1, off = 0): boolean {
    const start = rtpPayloadOffset(buf, len, off);
    if (start < 0) return false;
    const inSeq = rtpSeq(buf, off);
    const inTs = rtpTimestamp(buf, off);
    const inSsrc = rtpSsrc(buf, off);
    let marker = rtpMarker(buf, off);
    const jump = seqDiff(inSeq, this.inLastSeq);
    if (this.src !== 'relay' || this.epochPending || inSsrc !== this.inSsrc || jump > MAX_DROPOUT || jump < -MAX_DROPOUT) {
      const ts = this.epochTimestamp(nowMs);
      this.seqOffset = (((this.lastSeq + 1 - inSeq) % 0x10000) + 0x10000) % 0x10000;
      this.tsOffset = (ts - inTs) >>> 0;
      this.inSsrc = inSsrc;
      this.inFirstSeq = inSeq;
      this.inLastSeq = inSeq;
      this.src = 'relay';
      this.epochPending = false;
      marker = true;
      this.epochYoung = true;
    } else if (this.epochYoung && seqLess(inSeq, this.inFirstSeq)) {
      // From before this epoch: its number would repeat one already sent.
      return false;
    }
    if (seqLess(this.inLastSeq, inSeq)) this.inLastSeq = inSeq;
    // Far enough from the start, serial comparison with it would wrap: stop checking.
    if (this.epochYoung && seqDiff(this.inLastSeq, this.inFirstSeq) > 0x4000) this.epochYoung = false;
    const seq = (inSeq + this.seqOffset) & 0xffff;
    const ts = (inTs + this.tsOffset) >>> 0;
    setRtpSeq(buf, seq, off);
    setRtpTimestamp(buf, ts, off);
    setRtpSsrc(buf, this.ssrc, off);
    if (payloadType >= 0) setRtpPayloadType(buf, payloadType, off);
    setRtpMarker(buf, marker, off);
    this.sent(seq, ts, nowMs, off + len - start);
    return true;
  }

  private sent(seq: number, ts: number, nowMs: number, payloadOctets: number): void {
    // Keep the newest sequence number and timestamp (a relayed source may reorder).
    if (!this.started || seqLess(this.lastSeq, seq)) this.lastSeq = seq;
    if (!this.started || tsDiff(ts, this.lastTs) > 0) this.lastTs = ts;
    this.started = true;
    this.lastSentMs = nowMs;
    this.packets++;
    this.octets += payloadOctets;
  }
}
