// Bridge between two legs: immediate in-place forwarding with header rewrite, PCMU⇄PCMA transcoding by direct table, RFC 4733 events relayed with payload-type remap, and a tick-driven stereo recorder tap (RFC 3550 §5.1, §7.1 translator behaviour; RFC 4733 §2.1; ITU-T G.711).
import { alawDecode, ulawDecode } from '../codec/g711.ts';
import { JitterBuffer } from '../rtp/jitter.ts';
import type { JitterBufferOptions } from '../rtp/jitter.ts';
import { rtpSeq } from '../rtp/packet.ts';
import type { Tickable } from './clock.ts';
import { LegStateError } from './leg.ts';
import type { PayloadKind, RtpLeg, RtpSink } from './leg.ts';
import { ALAW_TO_ULAW_CODE, ULAW_TO_ALAW_CODE } from './lut.ts';
import { rtpSsrcI32 } from './rtp-i32.ts';
import type { StereoRecorder } from './recorder.ts';

/** Options of {@link Bridge}. */
export interface BridgeOptions {
  /**
   * Jitter buffer of each side of the recorder tap: received packets are reordered and played out
   * one per tick, so both channels of the recording stay aligned in time.
   */
  tapJitter: JitterBufferOptions;
}

/** Defaults of {@link BridgeOptions}: a small ring (16 × 20 ms) per side, 40–160 ms deep. */
export const BRIDGE_DEFAULTS: Readonly<BridgeOptions> = Object.freeze({
  tapJitter: Object.freeze({ slots: 16, maxPayload: 320, minDepth: 2, maxDepth: 8, initialDepth: 2 }),
});

/** Counters of one direction of a bridge. */
export interface BridgeDirectionStats {
  /** Audio packets forwarded. */
  forwarded: number;
  /** Of those, transcoded between μ-law and A-law. */
  transcoded: number;
  /** Telephone-event packets relayed. */
  events: number;
  /** Telephone-events dropped: the other leg negotiated none. */
  eventsDropped: number;
  /** Packets the other leg did not send (hold, a player owning its output, closed). */
  notSent: number;
  /** Frames handed to the recorder. */
  recorded: number;
}

/** Which leg is the caller: its audio is the recording's left channel, the other's the right. */
export type CallerSide = 'a' | 'b';

/** One direction of the bridge; also the source identity the receiving leg sees. */
class Flow {
  readonly from: RtpLeg;
  readonly to: RtpLeg;
  readonly stats: BridgeDirectionStats = { forwarded: 0, transcoded: 0, events: 0, eventsDropped: 0, notSent: 0, recorded: 0 };
  /** Incoming SSRC (int32); a change restarts the outgoing mapping (new talkspurt, marker). */
  inSsrc = 0;
  seen = false;
  /** Recorder tap: null while not recording. */
  tap: JitterBuffer | null = null;
  readonly pcm: Int16Array;

  constructor(from: RtpLeg, to: RtpLeg, frameSamples: number) {
    this.from = from;
    this.to = to;
    this.pcm = new Int16Array(frameSamples);
  }
}

/**
 * Connects two legs. Each packet accepted by one leg is forwarded to the other as it arrives (no
 * wait for a tick), rewritten in place: the receiving leg's SSRC, sequence and timestamp space and
 * payload types; audio is transcoded by direct μ-law⇄A-law table when the legs negotiated different
 * codecs; RFC 4733 events are relayed under the other leg's event payload type (dropped when it has
 * none). Nothing is allocated per packet.
 *
 * With {@link record}, each side's audio is also copied into a small jitter buffer on receive and,
 * on every media clock tick, decoded (table lookup into a preallocated frame) and handed to a
 * {@link StereoRecorder}: the caller on the left, the agent on the right. The recorder must run on
 * the same clock (open it with `clock`); it writes one stereo frame per tick.
 *
 * {@link unbridge} (or closing either leg) returns both legs to standalone: a player can play on
 * them again, its first frame starting a new talkspurt.
 */
export class Bridge implements RtpSink, Tickable {
  readonly a: RtpLeg;
  readonly b: RtpLeg;
  readonly #ab: Flow;
  readonly #ba: Flow;
  readonly #opts: BridgeOptions;
  #active = true;
  #recorder: StereoRecorder | null = null;
  /** Clock time the recorder tap started; tap times are relative to it. */
  #tapEpoch = 0;
  #left: Flow;
  #right: Flow;

  /**
   * Bridges `a` and `b` (each may be in one bridge at a time).
   *
   * @throws {TypeError} if `a` and `b` are the same leg or run on different clocks.
   * @throws {LegStateError} `closed` if a leg is closed, `bridged` if a leg is already bridged.
   */
  constructor(a: RtpLeg, b: RtpLeg, options: Partial<BridgeOptions> = {}) {
    if (a === b) throw new TypeError('a leg cannot be bridged to itself');
    if (a.clock !== b.clock) throw new TypeError('bridged legs must run on the same media clock');
    for (const leg of [a, b]) {
      if (leg.closed) throw new LegStateError('closed', `leg ${leg.ports.rtp} is closed`);
      if (leg.hasSink) throw new LegStateError('bridged', `leg ${leg.ports.rtp} is already bridged`);
    }
    this.#opts = { ...BRIDGE_DEFAULTS, ...options };
    const frameSamples = (a.clock.intervalMs * 8000) / 1000;
    this.a = a;
    this.b = b;
    this.#ab = new Flow(a, b, frameSamples);
    this.#ba = new Flow(b, a, frameSamples);
    this.#left = this.#ab;
    this.#right = this.#ba;
    a.setSink(this);
    b.setSink(this);
  }

  /** Whether the legs are still bridged. */
  get active(): boolean {
    return this.#active;
  }

  /** Counters per direction (live objects). */
  get stats(): { readonly aToB: Readonly<BridgeDirectionStats>; readonly bToA: Readonly<BridgeDirectionStats> } {
    return { aToB: this.#ab.stats, bToA: this.#ba.stats };
  }

  /** The recorder fed by the tap, or null. */
  get recorder(): StereoRecorder | null {
    return this.#recorder;
  }

  /** @internal per packet, from the receiving leg's socket handler. */
  onRtp(from: RtpLeg, buf: Buffer, len: number, payloadStart: number, payloadEnd: number, kind: PayloadKind): void {
    const f = from === this.a ? this.#ab : this.#ba;
    const to = f.to;
    const ssrc = rtpSsrcI32(buf, 0);
    const restart = !f.seen || ssrc !== f.inSsrc;
    f.inSsrc = ssrc;
    f.seen = true;
    if (kind === 'event') {
      const pt = to.sendEventPayloadType;
      if (pt < 0) {
        f.stats.eventsDropped++;
        to.skipForwarded(f, rtpSeq(buf, 0));
        return;
      }
      if (to.forward(f, restart, buf, len, pt, 0)) f.stats.events++;
      else f.stats.notSent++;
      return;
    }
    // The tap copies the payload as received, before it is transcoded in place.
    // Times relative to the start of recording, as int32: unboxed, and exact enough for a jitter estimate.
    if (f.tap !== null) f.tap.push(buf, len, (from.lastArrivalMs - this.#tapEpoch) | 0, 0);
    const out = to.codec;
    if (out !== null && out !== kind) {
      const table = kind === 'PCMU' ? ULAW_TO_ALAW_CODE : ALAW_TO_ULAW_CODE;
      for (let i = payloadStart; i < payloadEnd; i++) buf[i] = table[buf[i]];
      f.stats.transcoded++;
    }
    if (to.forward(f, restart, buf, len, to.sendAudioPayloadType, payloadEnd - payloadStart)) f.stats.forwarded++;
    else f.stats.notSent++;
  }

  /**
   * Starts feeding `recorder`: the `caller` leg's audio on the left channel, the other on the right.
   * Replaces a previous recorder (which is left open: its owner closes it).
   *
   * @throws {LegStateError} `closed` after unbridge.
   */
  record(recorder: StereoRecorder, caller: CallerSide = 'a'): void {
    if (!this.#active) throw new LegStateError('closed', 'bridge is no longer active');
    this.#recorder = recorder;
    this.#tapEpoch = this.a.clock.now();
    this.#left = caller === 'a' ? this.#ab : this.#ba;
    this.#right = caller === 'a' ? this.#ba : this.#ab;
    for (const f of [this.#ab, this.#ba]) {
      if (f.tap === null) f.tap = new JitterBuffer(this.#opts.tapJitter);
      else f.tap.reset();
    }
    this.a.clock.add(this);
  }

  /** Stops feeding the recorder (does not close it). */
  stopRecording(): void {
    this.#recorder = null;
    this.a.clock.remove(this);
    this.#ab.tap = null;
    this.#ba.tap = null;
  }

  /** @internal recorder tap: one frame per side per tick. */
  tick(now: number): void {
    const rec = this.#recorder;
    if (rec === null) return;
    if (this.#tapFrame(this.#left, now)) rec.writeLeft(this.#left.pcm);
    if (this.#tapFrame(this.#right, now)) rec.writeRight(this.#right.pcm);
  }

  #tapFrame(f: Flow, now: number): boolean {
    const tap = f.tap;
    if (tap === null) return false;
    const frame = tap.pop((now - this.#tapEpoch) | 0);
    if (frame.kind !== 'frame') return false; // lost or empty: the recorder writes silence for this side
    const kind = f.from.payloadKind(frame.payloadType);
    const pcm = f.pcm;
    const n = frame.length < pcm.length ? frame.length : pcm.length;
    if (kind === 'PCMU') ulawDecode(frame.data, pcm, n);
    else if (kind === 'PCMA') alawDecode(frame.data, pcm, n);
    else return false;
    if (n < pcm.length) pcm.fill(0, n);
    f.stats.recorded++;
    return true;
  }

  /** @internal a leg closed: the bridge ends. */
  legClosed(): void {
    this.unbridge();
  }

  /** Ends the bridge: both legs go back to standalone; the recorder stops being fed (not closed). Idempotent. */
  unbridge(): void {
    if (!this.#active) return;
    this.#active = false;
    this.stopRecording();
    if (!this.a.closed) this.a.setSink(null);
    if (!this.b.closed) this.b.setSink(null);
  }
}
