// Adaptive jitter buffer: a power-of-two ring indexed by RTP sequence number on preallocated slots, played out on the media clock tick (RFC 3550 §5.1 sequence/timestamp semantics, §A.8 jitter estimate).
import { rtpMarker, rtpPayloadEnd, rtpPayloadOffset, rtpPayloadType, rtpSeq, rtpTimestamp } from './packet.ts';
import { extendSeq, tsDiff } from './seq.ts';

/** Options of {@link JitterBuffer}. */
export interface JitterBufferOptions {
  /** Ring size, a power of two; bounds how far ahead of the playout point a packet may be stored. */
  slots?: number;
  /** Largest payload stored, octets (G.711 at 20 ms = 160). */
  maxPayload?: number;
  /** Frame duration = tick period, ms. */
  ptimeMs?: number;
  /** RTP clock rate, for the jitter estimate. */
  clockRate?: number;
  /** Playout depth limits in frames. */
  minDepth?: number;
  maxDepth?: number;
  /** Frames buffered before playout starts. */
  initialDepth?: number;
  /** Target depth = ceil(jitterFactor × jitterMs / ptimeMs) + 1, within min..max. */
  jitterFactor?: number;
  /** Ticks over which the depth must stay above target + 1 before one frame is dropped to shrink it. */
  shrinkWindow?: number;
}

/** Frozen defaults for {@link JitterBufferOptions}. */
export const JITTER_BUFFER_DEFAULTS: Readonly<Required<JitterBufferOptions>> = Object.freeze({
  slots: 64,
  maxPayload: 480,
  ptimeMs: 20,
  clockRate: 8000,
  minDepth: 2,
  maxDepth: 12,
  initialDepth: 3,
  jitterFactor: 2,
  shrinkWindow: 50,
});

/**
 * What {@link JitterBuffer.push} did with a packet: `stored`; `late` (behind the playout point);
 * `duplicate`; `invalid` (cannot be framed as RTP); `too-large` (payload over `maxPayload`);
 * `jump` (sequence jump beyond the ring, dropped until a following packet confirms it);
 * `reset` (confirmed jump: the buffer restarted from this packet).
 */
export type JitterPushResult = 'stored' | 'late' | 'duplicate' | 'invalid' | 'too-large' | 'jump' | 'reset';

/**
 * What {@link JitterBuffer.pop} yields for a tick: `frame` (the next packet in sequence),
 * `lost` (the next packet never arrived while later ones did: conceal it, e.g. PLC) or `empty`
 * (nothing to play: still buffering, or the buffer ran dry and playout waits for it to refill).
 */
export type JitterFrameKind = 'frame' | 'lost' | 'empty';

/**
 * The output of a tick. One object per buffer, overwritten by every {@link JitterBuffer.pop}:
 * read it before the next pop. `data` is the slot's preallocated storage; the payload is
 * `data[0, length)`.
 */
export interface JitterFrame {
  kind: JitterFrameKind;
  /** 16-bit sequence number of the frame or of the missing packet (`lost`); -1 for `empty`. */
  seq: number;
  /** Extended sequence number (cycles included); -1 for `empty`. */
  extSeq: number;
  timestamp: number;
  payloadType: number;
  marker: boolean;
  data: Uint8Array;
  length: number;
}

/** Counters of a {@link JitterBuffer}. */
export interface JitterBufferStats {
  received: number;
  played: number;
  /** Concealed: packets that never arrived in time (`lost` frames). */
  lost: number;
  /** Arrived behind the playout point and dropped. */
  late: number;
  duplicates: number;
  invalid: number;
  tooLarge: number;
  /** Dropped to keep the depth at most `maxDepth`. */
  overflowDropped: number;
  /** Missing packets passed over (not concealed) when the depth limit moved the playout point. */
  skipped: number;
  /** Dropped to shrink the depth toward its target after jitter calmed down. */
  shrinkDropped: number;
  /** `empty` ticks while playing (the buffer ran dry). */
  underruns: number;
  /** Restarts after a confirmed sequence jump. */
  resets: number;
}

const EMPTY_VIEW = new Uint8Array(0);
/** Buffer's native copy works on any Uint8Array source and creates no view objects. */
const bufferCopy = Buffer.prototype.copy;
/** Below this size a JS loop beats the native call's overhead. */
const COPY_NATIVE_MIN = 32;

/**
 * Adaptive jitter buffer for one incoming stream. {@link push} copies the payload into a
 * preallocated slot (`ext seq & (slots − 1)`); {@link pop} runs once per media tick and returns
 * the next frame in sequence order. Neither allocates.
 *
 * Playout rules, per tick:
 *   1. Buffering: wait until max(initialDepth, targetDepth) frames are buffered (or the first waited as long).
 *   2. Never more than `maxDepth` behind the newest packet: older frames are dropped.
 *   3. When the depth stayed ≥ target + 2 for a whole `shrinkWindow`, drop one frame.
 *   4. Output the next sequence number if present; `lost` if absent but later packets are here;
 *      otherwise `empty` without advancing, so a late packet is waited for and the depth grows.
 * The target depth follows the interarrival jitter (RFC 3550 §A.8 estimator, in ms).
 */
export class JitterBuffer {
  readonly stats: JitterBufferStats = {
    received: 0,
    played: 0,
    lost: 0,
    late: 0,
    duplicates: 0,
    invalid: 0,
    tooLarge: 0,
    overflowDropped: 0,
    skipped: 0,
    shrinkDropped: 0,
    underruns: 0,
    resets: 0,
  };
  /** Interarrival jitter estimate, ms. */
  jitterMs = 0;
  private readonly o: Readonly<Required<JitterBufferOptions>>;
  private readonly mask: number;
  private readonly slotExt: Float64Array;
  private readonly slotTs: Uint32Array;
  private readonly slotLen: Uint32Array;
  private readonly slotPt: Uint8Array;
  private readonly slotMarker: Uint8Array;
  private readonly slotData: Uint8Array[];
  private readonly out: JitterFrame;
  private started = false;
  private playing = false;
  private nextExt = 0;
  private highestExt = 0;
  private bufferingSinceMs = 0;
  private target: number;
  private windowMin = Infinity;
  private windowTicks = 0;
  private badSeq = -1;
  private prevArrivalMs = 0;
  private prevTs = 0;
  private hasPrev = false;

  /** @throws TypeError when `slots` is not a power of two or the depths are inconsistent. */
  constructor(options: JitterBufferOptions = {}) {
    const o = Object.freeze({ ...JITTER_BUFFER_DEFAULTS, ...options });
    if (!Number.isInteger(o.slots) || o.slots < 4 || (o.slots & (o.slots - 1)) !== 0) throw new TypeError('slots must be a power of two ≥ 4');
    if (!Number.isInteger(o.minDepth) || o.minDepth < 1) throw new TypeError('minDepth must be an integer ≥ 1');
    if (!Number.isInteger(o.maxDepth) || o.maxDepth < o.minDepth || o.maxDepth > o.slots / 2) {
      throw new TypeError('maxDepth must be an integer in minDepth..slots/2');
    }
    if (!Number.isInteger(o.maxPayload) || o.maxPayload < 1) throw new TypeError('maxPayload must be a positive integer');
    this.o = o;
    this.mask = o.slots - 1;
    this.slotExt = new Float64Array(o.slots).fill(-1);
    this.slotTs = new Uint32Array(o.slots);
    this.slotLen = new Uint32Array(o.slots);
    this.slotPt = new Uint8Array(o.slots);
    this.slotMarker = new Uint8Array(o.slots);
    const storage = new Uint8Array(o.slots * o.maxPayload);
    this.slotData = Array.from({ length: o.slots }, (_, i) => storage.subarray(i * o.maxPayload, (i + 1) * o.maxPayload));
    this.target = Math.min(o.maxDepth, Math.max(o.minDepth, o.initialDepth));
    this.out = { kind: 'empty', seq: -1, extSeq: -1, timestamp: 0, payloadType: 0, marker: false, data: EMPTY_VIEW, length: 0 };
  }

  /** Frames between the playout point and the newest packet, holes included (0 when empty). */
  get depth(): number {
    return this.started ? Math.max(0, this.highestExt - this.nextExt + 1) : 0;
  }

  /** Depth the buffer currently aims for, in frames. */
  get targetDepth(): number {
    return this.target;
  }

  /** True once playout has started. */
  get isPlaying(): boolean {
    return this.playing;
  }

  /** Forgets every packet and starts buffering again (e.g. the source changed). */
  reset(): void {
    this.slotExt.fill(-1);
    this.started = false;
    this.playing = false;
    this.hasPrev = false;
    this.badSeq = -1;
    this.windowMin = Infinity;
    this.windowTicks = 0;
  }

  /**
   * Takes one RTP packet (`len` octets of `buf`, at `off`) that arrived at `arrivalMs`; copies
   * its payload into a slot. Allocates nothing.
   */
  push(buf: Uint8Array, len: number, arrivalMs: number, off = 0): JitterPushResult {
    const start = rtpPayloadOffset(buf, len, off);
    if (start < 0) {
      this.stats.invalid++;
      return 'invalid';
    }
    const end = rtpPayloadEnd(buf, len, off);
    const plen = end - start;
    if (plen > this.o.maxPayload) {
      this.stats.tooLarge++;
      return 'too-large';
    }
    const seq = rtpSeq(buf, off);
    const ts = rtpTimestamp(buf, off);
    this.stats.received++;
    if (!this.started) {
      this.updateJitter(ts, arrivalMs);
      this.started = true;
      this.nextExt = this.highestExt = seq + 0x10000;
      this.bufferingSinceMs = arrivalMs;
      this.store(this.nextExt, ts, buf, off, start, plen);
      return 'stored';
    }
    const ext = extendSeq(this.highestExt, seq);
    const slot = ext & this.mask;
    if (this.slotExt[slot] === ext) {
      this.stats.duplicates++;
      this.updateJitter(ts, arrivalMs);
      return 'duplicate';
    }
    if (ext - this.nextExt >= this.o.slots || this.nextExt - ext >= this.o.slots) {
      // Beyond the ring either way: a restarted sender, or garbage. Restart only when the next
      // packet follows this one (RFC 3550 §A.1's bad_seq rule), so one stray packet flushes nothing.
      if (seq !== this.badSeq) {
        this.badSeq = (seq + 1) & 0xffff;
        return 'jump';
      }
      this.badSeq = -1;
      this.slotExt.fill(-1);
      this.hasPrev = false;
      this.updateJitter(ts, arrivalMs);
      this.stats.resets++;
      this.nextExt = this.highestExt = ext;
      this.bufferingSinceMs = arrivalMs;
      this.store(ext, ts, buf, off, start, plen);
      return 'reset';
    }
    this.updateJitter(ts, arrivalMs);
    if (ext < this.nextExt) {
      if (this.playing) {
        this.stats.late++;
        return 'late';
      }
      // Still buffering: an earlier packet arrived out of order; start from it.
      this.nextExt = ext;
    }
    if (ext > this.highestExt) this.highestExt = ext;
    this.store(ext, ts, buf, off, start, plen);
    return 'stored';
  }

  private store(ext: number, ts: number, buf: Uint8Array, off: number, start: number, plen: number): void {
    const slot = ext & this.mask;
    this.slotExt[slot] = ext;
    this.slotTs[slot] = ts;
    this.slotLen[slot] = plen;
    this.slotPt[slot] = rtpPayloadType(buf, off);
    this.slotMarker[slot] = rtpMarker(buf, off) ? 1 : 0;
    const dst = this.slotData[slot];
    if (plen >= COPY_NATIVE_MIN) bufferCopy.call(buf, dst, 0, start, start + plen);
    else for (let i = 0; i < plen; i++) dst[i] = buf[start + i];
  }

  /** RFC 3550 §A.8 estimator in ms, and the target depth derived from it. */
  private updateJitter(ts: number, arrivalMs: number): void {
    if (this.hasPrev) {
      const d = arrivalMs - this.prevArrivalMs - (tsDiff(ts, this.prevTs) * 1000) / this.o.clockRate;
      this.jitterMs += ((d < 0 ? -d : d) - this.jitterMs) / 16;
      const want = Math.ceil((this.o.jitterFactor * this.jitterMs) / this.o.ptimeMs) + 1;
      this.target = want < this.o.minDepth ? this.o.minDepth : want > this.o.maxDepth ? this.o.maxDepth : want;
    }
    this.prevArrivalMs = arrivalMs;
    this.prevTs = ts;
    this.hasPrev = true;
  }

  /**
   * Runs one playout tick at `nowMs` and returns the frame to play (see {@link JitterFrame};
   * the object is reused). Allocates nothing.
   */
  pop(nowMs: number): JitterFrame {
    const out = this.out;
    if (!this.started) return this.empty();
    if (!this.playing) {
      const want = Math.min(this.o.maxDepth, Math.max(this.o.initialDepth, this.target));
      if (this.depth < want && nowMs - this.bufferingSinceMs < want * this.o.ptimeMs) return this.empty();
      this.playing = true;
      this.windowMin = Infinity;
      this.windowTicks = 0;
    }
    // Never more than maxDepth behind the newest packet.
    while (this.highestExt - this.nextExt + 1 > this.o.maxDepth) {
      if (this.slotExt[this.nextExt & this.mask] === this.nextExt) this.stats.overflowDropped++;
      else this.stats.skipped++;
      this.nextExt++;
    }
    // Shrink toward the target when the depth stayed high for a whole window.
    const span = this.highestExt - this.nextExt + 1;
    if (span < this.windowMin) this.windowMin = span;
    if (++this.windowTicks >= this.o.shrinkWindow) {
      if (this.windowMin >= this.target + 2) {
        if (this.slotExt[this.nextExt & this.mask] === this.nextExt) this.stats.shrinkDropped++;
        else this.stats.skipped++;
        this.nextExt++;
      }
      this.windowMin = Infinity;
      this.windowTicks = 0;
    }
    const ext = this.nextExt;
    const slot = ext & this.mask;
    if (this.slotExt[slot] === ext) {
      out.kind = 'frame';
      out.seq = ext & 0xffff;
      out.extSeq = ext;
      out.timestamp = this.slotTs[slot];
      out.payloadType = this.slotPt[slot];
      out.marker = this.slotMarker[slot] === 1;
      out.data = this.slotData[slot];
      out.length = this.slotLen[slot];
      this.nextExt++;
      this.stats.played++;
      return out;
    }
    if (this.highestExt > ext) {
      out.kind = 'lost';
      out.seq = ext & 0xffff;
      out.extSeq = ext;
      out.marker = false;
      out.data = EMPTY_VIEW;
      out.length = 0;
      this.nextExt++;
      this.stats.lost++;
      return out;
    }
    this.stats.underruns++;
    return this.empty();
  }

  private empty(): JitterFrame {
    const out = this.out;
    out.kind = 'empty';
    out.seq = -1;
    out.extSeq = -1;
    out.marker = false;
    out.data = EMPTY_VIEW;
    out.length = 0;
    return out;
  }
}
