// RFC 4733 telephone-events: payload format (§2.3), a table-driven sender (§2.5.1) and a receiver that yields one digit per key press (§2.5.2).
import { readU16, writeU16 } from './bytes.ts';
import { type DigitEvent, type DtmfDigit, MAX_DIGIT_EVENT, digitToEvent, eventToDigit } from './digits.ts';
import { RtpParseError } from './errors.ts';
import { rtpMarker, rtpPayloadEnd, rtpPayloadOffset, rtpTimestamp } from './packet.ts';
import { tsAdd, tsDiff, tsLess } from './seq.ts';

/*
 * RFC 4733 §2.3 payload format:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     event     |E|R| volume    |          duration             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * E: end of event. R: reserved, sent as 0, ignored. volume: power level in −dBm0 (0..63).
 * duration: in timestamp units since the event's RTP timestamp (the event start).
 */

/** Size of one event block. */
export const TELEPHONE_EVENT_SIZE = 4;
/** Byte 1: end bit. */
export const TE_END_MASK = 0x80;
/** Byte 1: reserved bit. */
export const TE_RESERVED_MASK = 0x40;
/** Byte 1: volume. */
export const TE_VOLUME_MASK = 0x3f;
/** Largest duration one event report can carry; longer events are split into segments (§2.5.1.3). */
export const TE_MAX_DURATION = 0xffff;

/** Fields of a telephone-event block. */
export interface TelephoneEventInit {
  event: number;
  end?: boolean;
  reserved?: boolean;
  volume?: number;
  duration: number;
}

/** One RFC 4733 event block (§2.3). */
export class TelephoneEvent {
  event: number;
  end: boolean;
  /** The R bit; kept so that parse → serialize reproduces the bytes. */
  reserved: boolean;
  /** Power level in −dBm0, 0..63. */
  volume: number;
  /** Duration in timestamp units, 0..65535. */
  duration: number;

  /** @throws TypeError naming the field when a value is out of range. */
  constructor(init: TelephoneEventInit) {
    const check = (f: string, v: number, max: number): void => {
      if (!Number.isInteger(v) || v < 0 || v > max) throw new TypeError(`telephone-event ${f} must be an integer in 0..${max}, got ${v}`);
    };
    check('event', init.event, 0xff);
    check('volume', init.volume ?? 0, TE_VOLUME_MASK);
    check('duration', init.duration, TE_MAX_DURATION);
    this.event = init.event;
    this.end = init.end ?? false;
    this.reserved = init.reserved ?? false;
    this.volume = init.volume ?? 0;
    this.duration = init.duration;
  }

  /** See {@link parseTelephoneEvent}. */
  static parse(buf: Uint8Array, offset = 0, length = buf.length - offset): TelephoneEvent {
    return parseTelephoneEvent(buf, offset, length);
  }

  /** Always {@link TELEPHONE_EVENT_SIZE}. */
  get byteLength(): number {
    return TELEPHONE_EVENT_SIZE;
  }

  /**
   * Writes the block at `offset`.
   * @returns 4.
   * @throws RangeError when `buf` is too small.
   */
  serializeInto(buf: Uint8Array, offset = 0): number {
    if (offset < 0 || buf.length - offset < TELEPHONE_EVENT_SIZE) throw new RangeError('telephone-event needs 4 octets');
    return writeTelephoneEvent(buf, offset, this.event, this.end, this.volume, this.duration, this.reserved);
  }

  /** Allocates a 4-octet Buffer. */
  serialize(): Buffer {
    const out = Buffer.allocUnsafe(TELEPHONE_EVENT_SIZE);
    this.serializeInto(out, 0);
    return out;
  }
}

/**
 * Frames the first event block of a telephone-event payload (§2.3). A payload longer than 4
 * octets is not an error here (RFC 2198 redundancy is unwrapped before this layer).
 * @throws RtpParseError `TRUNCATED` when fewer than 4 octets remain.
 */
export function parseTelephoneEvent(buf: Uint8Array, offset = 0, length = buf.length - offset): TelephoneEvent {
  if (offset < 0 || length < 0 || offset + length > buf.length) throw new RangeError('telephone-event parse window outside the buffer');
  if (length < TELEPHONE_EVENT_SIZE) throw new RtpParseError('TRUNCATED', `telephone-event needs 4 octets, got ${length}`);
  const b1 = buf[offset + 1];
  return new TelephoneEvent({
    event: buf[offset],
    end: (b1 & TE_END_MASK) !== 0,
    reserved: (b1 & TE_RESERVED_MASK) !== 0,
    volume: b1 & TE_VOLUME_MASK,
    duration: readU16(buf, offset + 2),
  });
}

/** Writes an event block in place without allocating. @returns 4. */
export function writeTelephoneEvent(
  buf: Uint8Array,
  offset: number,
  event: number,
  end: boolean,
  volume: number,
  duration: number,
  reserved = false,
): number {
  buf[offset] = event & 0xff;
  buf[offset + 1] = (end ? TE_END_MASK : 0) | (reserved ? TE_RESERVED_MASK : 0) | (volume & TE_VOLUME_MASK);
  writeU16(buf, offset + 2, duration);
  return TELEPHONE_EVENT_SIZE;
}

// ---------------------------------------------------------------------------------------------
// Sender (§2.5.1)
// ---------------------------------------------------------------------------------------------

/** Options of {@link DtmfSender}. */
export interface DtmfSenderOptions {
  /** RTP clock rate of the telephone-event payload type. */
  clockRate?: number;
  /** Tick period = packet interval in ms (the media clock's 20 ms). */
  ptimeMs?: number;
  /** Minimum time between update packets (§2.5.1.2); rounded up to whole ticks. */
  updateIntervalMs?: number;
  /** How many times the final packet is sent (§2.5.1.4 recommends 3). */
  endRepeats?: number;
  /** Volume field, −dBm0. */
  volume?: number;
  /** Shortest tone sent; shorter requests are lengthened. */
  minDurationMs?: number;
  /** Silence between queued digits. */
  gapMs?: number;
}

/** Frozen defaults for {@link DtmfSenderOptions}. */
export const DTMF_SENDER_DEFAULTS: Readonly<Required<DtmfSenderOptions>> = Object.freeze({
  clockRate: 8000,
  ptimeMs: 20,
  updateIntervalMs: 20,
  endRepeats: 3,
  volume: 10,
  minDurationMs: 40,
  gapMs: 40,
});

/** One packet the sender wants on the wire; the RTP session stamps sequence number and SSRC. */
export interface DtmfPacket {
  /** Marker bit: set on the first packet of an event (§2.5.1.2). */
  marker: boolean;
  /** RTP timestamp: the event (segment) start, the same in every packet of it (§2.5.1.2). */
  timestamp: number;
  event: number;
  end: boolean;
  volume: number;
  /** Duration so far in timestamp units. */
  duration: number;
}

/** Sender states. */
export type DtmfSenderState = 'idle' | 'sending' | 'ending' | 'gap';

/**
 * What a tick means in the current state, classified from the counters:
 * `queued`/`empty` (a digit waits or not), `hold` (no update due yet), `update` (an update is
 * due), `segment` (duration reached 0xFFFF), `end` (duration reached), `repeat`/`repeated`
 * (more end packets to send / the last one), `wait` (gap not over).
 */
export type DtmfSenderInput = 'queued' | 'empty' | 'hold' | 'update' | 'segment' | 'end' | 'repeat' | 'repeated' | 'wait';

/** What the sender does on a transition. */
export type DtmfSenderAction = 'none' | 'start' | 'hold' | 'update' | 'segment' | 'end' | 'lastEnd' | 'rest';

interface SenderRow {
  next: DtmfSenderState;
  action: DtmfSenderAction;
  /** The RFC section the row implements. */
  rfc: string;
}

/*
 * Timeline of a 100 ms digit at ptime 20 ms, 8 kHz, updates every tick, 3 end packets, 40 ms gap:
 *
 *   tick  state→next      packet                       RFC 4733
 *   0     idle→sending    M=1 ts=T dur=160             §2.5.1.2 first packet carries the marker
 *   1..3  sending         ts=T dur=320,480,640         §2.5.1.2 updates keep the event timestamp
 *   4     sending→ending  E=1 ts=T dur=800             §2.5.1.4 final packet
 *   5     ending          E=1 ts=T dur=800             §2.5.1.4 retransmission
 *   6     ending→gap      E=1 ts=T dur=800             §2.5.1.4 third copy
 *   7..8  gap             —                            pause between digits (audio resumes)
 *   9     gap→sending     next digit: M=1, ts = this tick's timestamp
 *
 * With updateIntervalMs 50 the updates come every 3rd tick ("hold" ticks send nothing). A tone
 * longer than 0xFFFF units is cut into segments (§2.5.1.3): the segment's last report has
 * duration 0xFFFF and no E bit; the next segment's timestamp is T + 0xFFFF, without the marker.
 */
export const DTMF_SENDER_TABLE: Readonly<Record<DtmfSenderState, Partial<Record<DtmfSenderInput, SenderRow>>>> = Object.freeze({
  idle: {
    queued: { next: 'sending', action: 'start', rfc: 'RFC 4733 §2.5.1.2' },
    empty: { next: 'idle', action: 'none', rfc: '' },
  },
  sending: {
    hold: { next: 'sending', action: 'hold', rfc: 'RFC 4733 §2.5.1.2' },
    update: { next: 'sending', action: 'update', rfc: 'RFC 4733 §2.5.1.2' },
    segment: { next: 'sending', action: 'segment', rfc: 'RFC 4733 §2.5.1.3' },
    end: { next: 'ending', action: 'end', rfc: 'RFC 4733 §2.5.1.4' },
    repeated: { next: 'gap', action: 'lastEnd', rfc: 'RFC 4733 §2.5.1.4' },
  },
  ending: {
    repeat: { next: 'ending', action: 'end', rfc: 'RFC 4733 §2.5.1.4' },
    repeated: { next: 'gap', action: 'lastEnd', rfc: 'RFC 4733 §2.5.1.4' },
  },
  gap: {
    wait: { next: 'gap', action: 'rest', rfc: '' },
    queued: { next: 'sending', action: 'start', rfc: 'RFC 4733 §2.5.1.2' },
    empty: { next: 'idle', action: 'none', rfc: '' },
  },
});

const NO_PACKETS: readonly DtmfPacket[] = Object.freeze([]);

/**
 * Sends RFC 4733 events for queued digits. Driven by the media clock: call {@link tick} once per
 * packet interval with the RTP timestamp of that interval; it returns the packets to send now.
 * No timers inside.
 */
export class DtmfSender {
  private readonly o: Readonly<Required<DtmfSenderOptions>>;
  private readonly samplesPerTick: number;
  private readonly updateTicks: number;
  private readonly gapTicks: number;
  private readonly queue: { event: number; duration: number }[] = [];
  private st: DtmfSenderState = 'idle';
  private event = 0;
  /** Total duration of the current tone in timestamp units. */
  private total = 0;
  /** Timestamp units covered so far, over all segments. */
  private elapsed = 0;
  /** Timestamp of the current segment, and the units of the segments before it. */
  private segTs = 0;
  private segBase = 0;
  private sinceUpdate = 0;
  private firstOfSegment = false;
  private endsSent = 0;
  private gapLeft = 0;

  constructor(options: DtmfSenderOptions = {}) {
    this.o = Object.freeze({ ...DTMF_SENDER_DEFAULTS, ...options });
    if (!(this.o.ptimeMs > 0) || !(this.o.clockRate > 0)) throw new TypeError('ptimeMs and clockRate must be positive');
    if (!Number.isInteger(this.o.endRepeats) || this.o.endRepeats < 1) throw new TypeError('endRepeats must be an integer ≥ 1');
    this.samplesPerTick = Math.round((this.o.ptimeMs * this.o.clockRate) / 1000);
    this.updateTicks = Math.max(1, Math.ceil(this.o.updateIntervalMs / this.o.ptimeMs));
    this.gapTicks = Math.max(0, Math.ceil(this.o.gapMs / this.o.ptimeMs));
  }

  /** Current state. */
  get state(): DtmfSenderState {
    return this.st;
  }

  /** True while a tone is being reported (before its end packets): the audio stream should pause. */
  get sendingTone(): boolean {
    return this.st === 'sending';
  }

  /** Digits waiting after the current one. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues a key press of `durationMs` (at least `minDurationMs`, and two ticks; rounded up to whole ticks).
   * @throws TypeError for an unknown digit or a non-positive duration.
   */
  startDigit(digit: DtmfDigit, durationMs: number): void {
    if (!(durationMs > 0) || !Number.isFinite(durationMs)) throw new TypeError(`durationMs must be positive, got ${durationMs}`);
    const ms = Math.max(durationMs, this.o.minDurationMs);
    const ticks = Math.max(2, Math.ceil(ms / this.o.ptimeMs));
    this.queue.push({ event: digitToEvent(digit), duration: ticks * this.samplesPerTick });
  }

  /** Drops queued digits (the current one still finishes with its end packets). */
  clearQueue(): void {
    this.queue.length = 0;
  }

  /** Classifies a tick in the current state: the table's input. */
  private classify(): DtmfSenderInput {
    switch (this.st) {
      case 'idle':
        return this.queue.length > 0 ? 'queued' : 'empty';
      case 'sending': {
        const next = this.elapsed + this.samplesPerTick;
        if (next >= this.total && this.total - this.segBase <= TE_MAX_DURATION) return this.o.endRepeats === 1 ? 'repeated' : 'end';
        if (next - this.segBase >= TE_MAX_DURATION) return 'segment';
        return this.firstOfSegment || this.sinceUpdate + 1 >= this.updateTicks ? 'update' : 'hold';
      }
      case 'ending':
        return this.endsSent + 1 >= this.o.endRepeats ? 'repeated' : 'repeat';
      case 'gap':
        if (this.gapLeft > 0) return 'wait';
        return this.queue.length > 0 ? 'queued' : 'empty';
      default: {
        const never: never = this.st;
        return never;
      }
    }
  }

  /**
   * Advances one packet interval. `timestamp` is the RTP timestamp of this interval on the
   * stream's timeline; a new event takes it as its timestamp.
   * @returns the packets to send now (often none).
   */
  tick(timestamp: number): readonly DtmfPacket[] {
    const input = this.classify();
    const row = DTMF_SENDER_TABLE[this.st][input];
    if (!row) throw new Error(`DTMF sender: no transition for ${this.st}/${input}`);
    this.st = row.next;
    switch (row.action) {
      case 'none':
        return NO_PACKETS;
      case 'rest':
        this.gapLeft--;
        return NO_PACKETS;
      case 'start': {
        const d = this.queue.shift();
        if (!d) return NO_PACKETS;
        this.event = d.event;
        this.total = d.duration;
        this.segTs = timestamp >>> 0;
        this.segBase = 0;
        this.elapsed = this.samplesPerTick;
        this.sinceUpdate = 0;
        this.firstOfSegment = false;
        this.endsSent = 0;
        return [this.packet(true, false, this.elapsed)];
      }
      case 'hold':
        this.elapsed += this.samplesPerTick;
        this.sinceUpdate++;
        return NO_PACKETS;
      case 'update':
        this.elapsed += this.samplesPerTick;
        this.sinceUpdate = 0;
        this.firstOfSegment = false;
        return [this.packet(false, false, this.elapsed - this.segBase)];
      case 'segment': {
        this.elapsed += this.samplesPerTick;
        const out = this.packet(false, false, TE_MAX_DURATION);
        this.segTs = tsAdd(this.segTs, TE_MAX_DURATION);
        this.segBase += TE_MAX_DURATION;
        this.sinceUpdate = 0;
        this.firstOfSegment = true;
        return [out];
      }
      case 'end':
      case 'lastEnd':
        this.elapsed = this.total;
        this.endsSent++;
        if (row.action === 'lastEnd') this.gapLeft = this.gapTicks;
        return [this.packet(false, true, this.total - this.segBase)];
      default: {
        const never: never = row.action;
        return never;
      }
    }
  }

  private packet(marker: boolean, end: boolean, duration: number): DtmfPacket {
    return { marker, timestamp: this.segTs, event: this.event, end, volume: this.o.volume, duration: Math.min(duration, TE_MAX_DURATION) };
  }
}

// ---------------------------------------------------------------------------------------------
// Receiver (§2.5.2)
// ---------------------------------------------------------------------------------------------

/** Options of {@link DtmfReceiver}. */
export interface DtmfReceiverOptions {
  clockRate?: number;
  /** Report an event whose end never arrived after this long without packets for it. */
  timeoutMs?: number;
}

/** Frozen defaults for {@link DtmfReceiverOptions}. */
export const DTMF_RECEIVER_DEFAULTS: Readonly<Required<DtmfReceiverOptions>> = Object.freeze({ clockRate: 8000, timeoutMs: 400 });

/** Counters of {@link DtmfReceiver}. */
export interface DtmfReceiverStats {
  packets: number;
  /** Packets for an event already reported (retransmitted ends, duplicates). */
  duplicates: number;
  /** Packets for an event older than the current one (reordered past a newer event). */
  late: number;
  /** Packets with events other than 0–16, or payloads shorter than 4 octets. */
  ignored: number;
  /** Events reported without an end packet: a newer event started or the timeout ran out. */
  endsMissed: number;
  digits: number;
}

/** Remembered reported event timestamps, to drop their retransmitted ends. */
const RECENT_EVENTS = 16;

/**
 * Turns a stream of telephone-event packets — with loss, duplicates, redundant end packets and
 * reordering — into one {@link DigitEvent} per key press. Events are keyed by RTP timestamp
 * (§2.5.2.1). A press is reported on its first end packet; if every end packet is lost, when a
 * newer event begins or after `timeoutMs` without packets ({@link tick}). Segments of a long
 * event (§2.5.1.3) are joined into one press.
 */
export class DtmfReceiver {
  readonly stats: DtmfReceiverStats = { packets: 0, duplicates: 0, late: 0, ignored: 0, endsMissed: 0, digits: 0 };
  private readonly onDigit: (e: DigitEvent) => void;
  private readonly clockRate: number;
  private readonly timeoutMs: number;
  private active = false;
  private reported = false;
  private hasAny = false;
  private curTs = 0;
  private curEvent = 0;
  private curDuration = 0;
  private segBase = 0;
  private startMs = 0;
  private lastArrivalMs = 0;
  private readonly recent = new Float64Array(RECENT_EVENTS).fill(-1);
  private recentAt = 0;

  constructor(onDigit: (e: DigitEvent) => void, options: DtmfReceiverOptions = {}) {
    const o = { ...DTMF_RECEIVER_DEFAULTS, ...options };
    if (!(o.clockRate > 0)) throw new TypeError('clockRate must be positive');
    this.onDigit = onDigit;
    this.clockRate = o.clockRate;
    this.timeoutMs = o.timeoutMs;
  }

  /**
   * Takes a whole RTP packet of the telephone-event payload type (the caller demultiplexes by
   * payload type). Returns false when the packet cannot be framed.
   */
  receivePacket(buf: Uint8Array, len: number, arrivalMs: number, off = 0): boolean {
    const start = rtpPayloadOffset(buf, len, off);
    if (start < 0) return false;
    const end = rtpPayloadEnd(buf, len, off);
    return this.receive(rtpTimestamp(buf, off), rtpMarker(buf, off), buf, start, end - start, arrivalMs);
  }

  /**
   * Takes one telephone-event payload with its RTP timestamp and marker bit.
   * Returns false when the payload is shorter than 4 octets.
   */
  receive(timestamp: number, marker: boolean, payload: Uint8Array, offset: number, length: number, arrivalMs: number): boolean {
    this.stats.packets++;
    if (length < TELEPHONE_EVENT_SIZE) {
      this.stats.ignored++;
      return false;
    }
    const event = payload[offset];
    const end = (payload[offset + 1] & TE_END_MASK) !== 0;
    const duration = readU16(payload, offset + 2);
    if (event > MAX_DIGIT_EVENT) {
      this.stats.ignored++;
      return true;
    }
    const ts = timestamp >>> 0;
    if (this.wasReported(ts)) {
      this.stats.duplicates++;
      return true;
    }
    // An older event's packet after a newer event began is late, unless its marker says a new event starts (sender reset).
    if (this.hasAny && ts !== this.curTs && tsLess(ts, this.curTs) && !marker) {
      this.stats.late++;
      return true;
    }
    if (this.active && ts !== this.curTs) {
      if (!marker && event === this.curEvent && tsDiff(ts, this.curTs) === TE_MAX_DURATION) {
        // Next segment of a long event (§2.5.1.3).
        this.remember(this.curTs);
        this.segBase += TE_MAX_DURATION;
        this.curTs = ts;
        this.curDuration = duration;
        this.lastArrivalMs = arrivalMs;
        if (end) this.report(false);
        return true;
      }
      // A newer event began: the current one lost all its end packets.
      this.report(true);
    }
    if (!this.active || ts !== this.curTs) {
      this.active = true;
      this.reported = false;
      this.hasAny = true;
      this.curTs = ts;
      this.curEvent = event;
      this.curDuration = duration;
      this.segBase = 0;
      this.startMs = arrivalMs - (duration * 1000) / this.clockRate;
    } else if (duration > this.curDuration) {
      this.curDuration = duration;
    }
    this.lastArrivalMs = arrivalMs;
    if (end) this.report(false);
    return true;
  }

  /** Reports a press whose end packets never came, once `timeoutMs` passed without packets for it. */
  tick(nowMs: number): void {
    if (this.active && !this.reported && nowMs - this.lastArrivalMs >= this.timeoutMs) this.report(true);
  }

  private report(missedEnd: boolean): void {
    if (!this.active || this.reported) return;
    this.reported = true;
    this.active = false;
    this.remember(this.curTs);
    if (missedEnd) this.stats.endsMissed++;
    this.stats.digits++;
    const digit = eventToDigit(this.curEvent);
    if (digit === null) return;
    this.onDigit({ digit, durationMs: ((this.segBase + this.curDuration) * 1000) / this.clockRate, source: 'rfc4733', startMs: this.startMs });
  }

  private remember(ts: number): void {
    this.recent[this.recentAt] = ts;
    this.recentAt = (this.recentAt + 1) % RECENT_EVENTS;
  }

  private wasReported(ts: number): boolean {
    for (let i = 0; i < RECENT_EVENTS; i++) if (this.recent[i] === ts) return true;
    return false;
  }
}
