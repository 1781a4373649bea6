// Sequence-number and timestamp arithmetic modulo 2^16 / 2^32 and source validation with extended sequence numbers (RFC 3550 §A.1, RFC 1982 serial arithmetic).

/** Sequence numbers are 16 bits (RFC 3550 §5.1). */
export const RTP_SEQ_MOD = 0x10000;
/** A jump forward of less than this many is in-order progress, possibly with loss (RFC 3550 §A.1). */
export const MAX_DROPOUT = 3000;
/** A jump backward of at most this many is a duplicate or reordered packet (RFC 3550 §A.1). */
export const MAX_MISORDER = 100;
/** Sequential packets needed before a new source is valid (RFC 3550 §A.1). */
export const MIN_SEQUENTIAL = 2;

/** `(a + n) mod 2^16`. */
export function seqAdd(a: number, n: number): number {
  return (a + n) & 0xffff;
}

/**
 * Signed distance `a − b` modulo 2^16, in −32768..32767: positive when `a` comes after `b`.
 * `seqDiff(2, 65535) === 3`.
 */
export function seqDiff(a: number, b: number): number {
  return ((((a - b) & 0xffff) ^ 0x8000) - 0x8000) | 0;
}

/** True when `a` comes strictly before `b` in 16-bit serial order (RFC 1982). `seqLess(65535, 0) === true`. */
export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

/** `(a + n) mod 2^32`, unsigned. */
export function tsAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Signed distance `a − b` between two 32-bit timestamps, in −2^31..2^31−1. */
export function tsDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** True when timestamp `a` comes strictly before `b` in 32-bit serial order. */
export function tsLess(a: number, b: number): boolean {
  return tsDiff(a, b) < 0;
}

/**
 * Extends a 16-bit sequence number to the extended value nearest to `reference` (an extended
 * sequence number): `extendSeq(65535, 2) === 65538`. Valid while the true distance is under 2^15.
 */
export function extendSeq(reference: number, seq: number): number {
  return reference + seqDiff(seq, reference & 0xffff);
}

/** Options for {@link SequenceTracker}. */
export interface SequenceTrackerOptions {
  /** Sequential packets required before the source is declared valid. Default {@link MIN_SEQUENTIAL}. */
  minSequential?: number;
  maxDropout?: number;
  maxMisorder?: number;
}

/** Frozen defaults for {@link SequenceTrackerOptions}. */
export const SEQUENCE_TRACKER_DEFAULTS: Readonly<Required<SequenceTrackerOptions>> = Object.freeze({
  minSequential: MIN_SEQUENTIAL,
  maxDropout: MAX_DROPOUT,
  maxMisorder: MAX_MISORDER,
});

/**
 * Per-source sequence state of RFC 3550 §A.1 (`init_seq` / `update_seq`): probation of a new
 * source, the cycle count that extends 16-bit numbers, and restart after a large jump confirmed
 * by two sequential packets. Plain numeric fields; {@link update} allocates nothing.
 */
export class SequenceTracker {
  /** Highest sequence number seen (16 bits). */
  maxSeq = 0;
  /** Shifted count of sequence number wrap-arounds (multiples of 2^16). */
  cycles = 0;
  /** First sequence number counted after (re)initialisation. */
  baseSeq = 0;
  /** Last "bad" sequence number + 1, expected next if the source restarted. */
  badSeq = RTP_SEQ_MOD + 1;
  /** Sequential packets still needed before the source is valid. */
  probation: number;
  /** Packets accepted (counted by `update` returning true), RFC 3550 §A.3 `received`. */
  received = 0;
  /** True once the first packet has been seen. */
  started = false;
  /** Number of confirmed restarts (large jumps followed by a sequential packet); stats reset their interval counters on a change. */
  restarts = 0;
  private readonly minSequential: number;
  private readonly maxDropout: number;
  private readonly maxMisorder: number;

  constructor(options: SequenceTrackerOptions = {}) {
    const o = { ...SEQUENCE_TRACKER_DEFAULTS, ...options };
    if (!Number.isInteger(o.minSequential) || o.minSequential < 1) throw new TypeError('minSequential must be an integer ≥ 1');
    this.minSequential = o.minSequential;
    this.maxDropout = o.maxDropout;
    this.maxMisorder = o.maxMisorder;
    this.probation = o.minSequential;
  }

  /** RFC 3550 §A.1 `init_seq`. */
  private init(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
  }

  /**
   * RFC 3550 §A.1 `update_seq`. Returns true when the packet counts (source valid; in-order,
   * duplicate or reordered), false while on probation or after an unconfirmed large jump.
   */
  update(seq: number): boolean {
    seq &= 0xffff;
    if (!this.started) {
      this.started = true;
      this.init(seq);
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = this.minSequential;
    }
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      // Packets must be in sequence during probation.
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.init(seq);
          this.received++;
          return true;
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return false;
    } else if (udelta < this.maxDropout) {
      // In order, with permissible gap.
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - this.maxMisorder) {
      // The sequence number made a very large jump.
      if (seq === this.badSeq) {
        // Two sequential packets: assume the other side restarted without telling us.
        this.init(seq);
        this.restarts++;
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return false;
      }
    }
    // else: duplicate or reordered packet.
    this.received++;
    return true;
  }

  /** Extended highest sequence number received: cycles + max_seq (RFC 3550 §6.4.1). */
  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  /** Packets expected since the base: extended max − base + 1 (RFC 3550 §A.3); 0 before the source is valid. */
  get expected(): number {
    if (!this.started || this.probation > 0) return 0;
    return this.extendedMax - this.baseSeq + 1;
  }
}
