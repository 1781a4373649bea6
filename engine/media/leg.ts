// Media endpoint of one call leg: symmetric RTP with one-time latching, SSRC/sequence/timestamp continuity across sources, receive statistics, RTCP SR/RR/SDES/BYE and one DTMF digit stream (RFC 3550 §5.1, §6.1, §6.4, §6.6, §A.1; RFC 4961; RFC 4733 §2.5.2; RFC 5761 §4; RFC 3264 §8.4).
import { randomInt } from 'node:crypto';
import type { RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import type { DigitEvent } from '../rtp/digits.ts';
import { DigitStream } from '../rtp/digits.ts';
import { DtmfReceiver } from '../rtp/dtmf.ts';
import { DtmfDetector } from '../rtp/goertzel.ts';
import {
  RTP_HEADER_SIZE,
  isRtpPacket,
  rtpHasPadding,
  rtpMarker,
  rtpPayloadOffset,
  rtpPayloadType,
  rtpSeq,
  setRtpMarker,
  setRtpPayloadType,
  setRtpSeq,
  setRtpSsrc,
  setRtpTimestamp,
  writeRtpHeader,
} from '../rtp/packet.ts';
import type { RtcpPacket } from '../rtp/rtcp.ts';
import { RtcpBye, RtcpSdes, SDES_CNAME, isRtcpPacket, parseRtcpCompound, serializeRtcpCompound, validateRtcpCompound } from '../rtp/rtcp.ts';
import { seqDiff } from '../rtp/seq.ts';
import type { LegQuality } from '../rtp/stats.ts';
import { LegStats } from '../rtp/stats.ts';
import type { Codec } from '../sdp/offer-answer.ts';
import type { Direction } from '../sdp/model.ts';
import { receives, sends } from '../sdp/model.ts';
import type { MediaClock, Tickable } from './clock.ts';
import { MediaEmitter } from './emitter.ts';
import type { MediaListener, MediaListenerErrorHandler } from './emitter.ts';
import { ALAW_TO_PCM, ULAW_TO_PCM } from './lut.ts';
import { rtpSsrcI32, rtpTimestampI32 } from './rtp-i32.ts';
import { bindRtpPair } from './ports.ts';
import type { BindRtpOptions, PortAllocator, PortPair } from './ports.ts';

/** What a received payload type carries: G.711 audio of one law, or RFC 4733 telephone-events. */
export type PayloadKind = 'PCMU' | 'PCMA' | 'event';

/** The part of a UDP socket a leg uses; `node:dgram` sockets fit, tests may pass fakes. */
export interface MediaSocket {
  send(msg: Uint8Array, offset: number, length: number, port: number, address: string, callback?: (error: Error | null, bytes: number) => void): void;
  on(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}

/** A bound RTP/RTCP socket pair the leg owns ({@link bindRtpPair}'s result fits). */
export interface LegSockets {
  readonly ports: PortPair;
  readonly rtp: MediaSocket;
  readonly rtcp: MediaSocket;
  /** Closes both sockets and gives the ports back; idempotent. */
  close(): Promise<void>;
}

/**
 * What the leg needs from an offer/answer exchange; the `negotiated()` result of engine/sdp fits.
 * Payload types are as each side numbered them: we stamp `sendPayloadType`, we receive `receivePayloadType`.
 */
export interface LegMedia {
  readonly codec: Codec;
  readonly sendPayloadType: number;
  readonly receivePayloadType: number;
  readonly telephoneEvent: { readonly sendPayloadType: number; readonly receivePayloadType: number } | null;
  readonly remote: { readonly address: string; readonly port: number; readonly rtcpAddress: string; readonly rtcpPort: number };
  /** The stream direction from our side (RFC 3264 §6.1, §8.4). */
  readonly direction: Direction;
}

/** Options of {@link RtpLeg}. */
export interface RtpLegOptions {
  /** The media clock: RTCP timing, DTMF timeouts, players and recorders of this leg. */
  clock: MediaClock;
  /** Wall clock (Unix ms) for RTCP NTP timestamps and round-trip time. */
  wallClock: () => number;
  /** Our SSRC; random when undefined (RFC 3550 §8.1). */
  ssrc: number | undefined;
  /** SDES CNAME (RFC 3550 §6.5.1); `hotline-<ssrc>` when undefined. */
  cname: string | undefined;
  /** Mean interval between RTCP reports, ms; each interval is randomized in [0.5, 1.5] × this (RFC 3550 §6.2, §6.3.1). */
  rtcpIntervalMs: number;
  /**
   * Symmetric RTP latching (RFC 4961, DESIGN §6). `auto`: latch once to the first RTP packet coming
   * from the negotiated IP (any port); when the SDP address is private, unroutable or 0.0.0.0, to
   * the first packet's source. `any`: always the first source. There is never a second latch: once
   * latched, packets from any other source are counted and dropped (no "RTP bleed").
   */
  latch: 'auto' | 'any';
  /**
   * In-band DTMF detection (Goertzel) on received audio. `auto`: only when no telephone-event was
   * negotiated. Digits of both detectors are merged into one stream without double reports.
   */
  inbandDtmf: 'auto' | 'on' | 'off';
  /** Emit `timeout` once no RTP arrived for this long after media was set, ms (0 = never). */
  mediaTimeoutMs: number;
  /** Largest payload the leg sends, octets (480 = 60 ms of G.711). */
  maxPayload: number;
  /** Errors thrown by event listeners. */
  onListenerError: MediaListenerErrorHandler | undefined;
  /** Where drops of hostile or malformed input are logged (rate-limited by the leg); a process-wide console.warn by default. */
  log: ((message: string) => void) | undefined;
}

/** Defaults of {@link RtpLegOptions}. */
export const RTP_LEG_DEFAULTS: Readonly<Omit<RtpLegOptions, 'clock'>> = Object.freeze({
  wallClock: Date.now,
  ssrc: undefined,
  cname: undefined,
  rtcpIntervalMs: 5000,
  latch: 'auto',
  inbandDtmf: 'auto',
  mediaTimeoutMs: 0,
  maxPayload: 480,
  onListenerError: undefined,
  log: undefined,
});

/** Counters of a leg (live object; read, do not write). */
export interface RtpLegCounters {
  /** RTP packets accepted from the latched source. */
  rtpIn: number;
  /** Octets of those packets. */
  bytesIn: number;
  /** RTP packets sent (played frames and forwarded packets). */
  rtpOut: number;
  bytesOut: number;
  /** RTP packets from a source other than the latched one (or, before latching, from outside the negotiated IP): dropped. */
  strangers: number;
  /** Datagrams on the RTP port that cannot be framed as RTP (nor RTCP): dropped. */
  malformed: number;
  /** RTP packets with a payload type that was not negotiated: dropped. */
  unknownPayloadType: number;
  /** RTP packets received before {@link RtpLeg.setMedia}: dropped. */
  beforeMedia: number;
  /** Received packets dropped because the direction excludes receiving (RFC 3264 §8.4). */
  holdDroppedIn: number;
  /** Frames not sent because the direction excludes sending (hold, 0.0.0.0). */
  holdDroppedOut: number;
  /** Forwarded packets not sent because a player owns the leg's output. */
  preemptedOut: number;
  rtcpIn: number;
  rtcpOut: number;
  /** RTCP datagrams that cannot be framed or fail RFC 3550 §A.2: dropped. */
  rtcpMalformed: number;
  /** RTCP from a source other than the peer: dropped. */
  rtcpStrangers: number;
  /** Socket 'error' events and synchronous send failures. */
  socketErrors: number;
  /** Exceptions caught in the receive path (a bug, never a crash). */
  handlerErrors: number;
}

/** Events of an {@link RtpLeg}. */
export type RtpLegEvents = {
  /** RTP from this source is now the only one accepted, and our RTP goes there (symmetric RTP). */
  latched: [address: string, port: number];
  /** A key press, from RFC 4733 events or in-band tones (one report per press). */
  digit: [event: DigitEvent];
  /** The peer sent an RTCP BYE for its source (RFC 3550 §6.6). */
  bye: [reason: string | undefined];
  /** No RTP for `mediaTimeoutMs`. */
  timeout: [];
  /** The leg closed (ports released). */
  close: [];
};

/** Why a leg operation was refused. */
export type LegStateErrorCode = 'closed' | 'bridged' | 'no-media';

/** A leg operation in a state that does not allow it. Assert on `code`. */
export class LegStateError extends Error {
  readonly code: LegStateErrorCode;
  constructor(code: LegStateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LegStateError';
    this.code = code;
  }
}

/**
 * Receives every accepted RTP packet of a leg as it arrives (a bridge). Called synchronously from
 * the socket handler with the datagram itself: it may rewrite it in place and send it on, but must
 * not keep it.
 */
export interface RtpSink {
  /** The arrival time is `from.lastArrivalMs` (not passed: a double argument would be boxed per packet). */
  onRtp(from: RtpLeg, buf: Buffer, len: number, payloadStart: number, payloadEnd: number, kind: PayloadKind): void;
  /** The leg closed while this sink was attached. */
  legClosed(leg: RtpLeg): void;
}

/** Something that owns a leg's output for a while (a player); forwarded audio is held back meanwhile. */
export interface OutputOwner {
  /** Another owner took the output (`replaced`) or the leg closed (`closed`). */
  preempted(reason: 'replaced' | 'closed'): void;
}

/** Number of preallocated packet buffers for locally generated frames (a send may still be queued when the next is built). */
const SEND_RING = 8;
const G711_CLOCK_RATE = 8000;
/** Distinct in-band decode lengths kept as views; more (hostile variety) are not analysed. */
const MAX_PCM_VIEWS = 4;

let lastSharedLog = -Infinity;
/** Default drop logger: one line per 10 s for the whole process. */
function sharedLog(message: string): void {
  const now = performance.now();
  if (now - lastSharedLog < 10_000) return;
  lastSharedLog = now;
  console.warn(`media: ${message} (further drops are counted, logged at most every 10 s)`);
}

/** Strips the IPv4-mapped IPv6 prefix (`::ffff:1.2.3.4` → `1.2.3.4`). */
function plainAddress(address: string): string {
  return address.length > 7 && address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The form `node:dgram` reports a source address in (IPv6 compressed, lower case). */
function canonicalAddress(address: string): string {
  const a = plainAddress(address);
  if (isIP(a) === 6) {
    try {
      return new URL(`http://[${a}]/`).hostname.slice(1, -1);
    } catch {
      return a.toLowerCase();
    }
  }
  return a;
}

/**
 * True when an SDP connection address cannot be the source a NAT'd peer's packets come from:
 * unspecified (0.0.0.0 hold, `::`), RFC 1918, shared CGNAT space (RFC 6598), link-local, IPv6
 * unique-local/link-local, or not an IP literal at all. Loopback is a specific host, so it is not.
 */
export function isUnroutableAddress(address: string): boolean {
  const a = plainAddress(address);
  const family = isIP(a);
  if (family === 4) {
    const [p0, p1] = a.split('.').map(Number);
    return (
      p0 === 0 ||
      p0 === 10 ||
      (p0 === 172 && p1 >= 16 && p1 <= 31) ||
      (p0 === 192 && p1 === 168) ||
      (p0 === 100 && p1 >= 64 && p1 <= 127) ||
      (p0 === 169 && p1 === 254)
    );
  }
  if (family === 6) {
    const l = canonicalAddress(a);
    return l === '::' || /^f[cd]/.test(l) || /^fe[89ab]/.test(l);
  }
  return true;
}

function checkPayloadType(field: string, pt: number): void {
  if (!Number.isInteger(pt) || pt < 0 || pt > 127) throw new TypeError(`${field} must be an integer in 0..127, got ${pt}`);
}

/**
 * The media endpoint of one call leg. It owns a bound RTP/RTCP socket pair, and once
 * {@link setMedia} gave it the negotiated remote, it:
 *
 * - accepts RTP only from the peer: latches once (see {@link RtpLegOptions.latch}), then drops and
 *   counts everything else; malformed datagrams are counted and dropped, never thrown;
 * - keeps receive statistics (loss, jitter, RTT, MOS) and sends RTCP SR/RR with SDES every ~5 s on
 *   the media clock, and a BYE on close;
 * - turns RFC 4733 events and (optionally) in-band tones into one `digit` stream;
 * - hands every accepted packet to its sink (a {@link Bridge}) synchronously, for immediate forwarding;
 * - sends one outgoing stream under its own SSRC whatever the source (player frames, forwarded
 *   packets): the sequence number stays continuous, and when the source changes the timestamp jumps
 *   by the real time elapsed and the marker bit is set (RFC 3550 §5.1).
 *
 * Per received packet nothing is allocated: the datagram is parsed in place; locally generated
 * frames are built in preallocated packet buffers.
 */
export class RtpLeg implements Tickable {
  /** Our SSRC. */
  readonly ssrc: number;
  /** Local RTP/RTCP ports. */
  readonly ports: PortPair;
  /** The media clock the leg, its players and recorders run on. */
  readonly clock: MediaClock;
  readonly #sockets: LegSockets;
  readonly #opts: RtpLegOptions;
  readonly #cname: string;
  readonly #events: MediaEmitter<RtpLegEvents>;
  readonly #counters: RtpLegCounters = {
    rtpIn: 0,
    bytesIn: 0,
    rtpOut: 0,
    bytesOut: 0,
    strangers: 0,
    malformed: 0,
    unknownPayloadType: 0,
    beforeMedia: 0,
    holdDroppedIn: 0,
    holdDroppedOut: 0,
    preemptedOut: 0,
    rtcpIn: 0,
    rtcpOut: 0,
    rtcpMalformed: 0,
    rtcpStrangers: 0,
    socketErrors: 0,
    handlerErrors: 0,
  };
  readonly #stats = new LegStats({ clockRate: G711_CLOCK_RATE });
  readonly #wallOffset: number;
  readonly #log: (message: string) => void;
  #lastLogAt = -Infinity;

  // Negotiated media.
  #media: LegMedia | null = null;
  /** Payload type → what it carries (null: not negotiated). */
  readonly #ptKind: (PayloadKind | null)[] = new Array<PayloadKind | null>(128).fill(null);
  #canSend = false;
  #canReceive = false;
  #sendAudioPt = 0;
  #sendEventPt = -1;

  // Latching (symmetric RTP).
  #expectedIp = '';
  #latchAny = false;
  #latchedAddress = '';
  #latchedPort = -1;
  #rtcpLatchedAddress = '';
  #rtcpLatchedPort = -1;
  #dstAddress = '';
  #dstPort = 0;
  #rtcpDstAddress = '';
  #rtcpDstPort = 0;
  /** Peer SSRC as int32 (valid when #hasRemoteSsrc). */
  #remoteSsrc = 0;
  #hasRemoteSsrc = false;
  #lastRxAt = 0;
  /**
   * Clock time the leg was made. Times handed to the statistics and digit detectors on the packet path
   * are whole milliseconds since then, as int32 (unboxed across calls; 1 ms is well below the jitter
   * they measure, and int32 lasts 24 days per leg).
   */
  readonly #epoch: number;
  #lastRxMs = 0;
  #timedOut = false;

  // Outgoing stream.
  readonly #sendRing: Buffer[];
  #sendIdx = 0;
  #outSeq: number;
  /**
   * 32-bit RTP values kept as signed int32 (`| 0`) on the per-packet paths: V8 holds int32 unboxed,
   * whereas a uint32 above 2^31 passed between functions is boxed (an allocation per packet).
   */
  readonly #ssrcI32: number;
  /** Timestamp of the last audio packet sent (int32), and its duration in samples. */
  #lastTs: number;
  #lastSamples = 0;
  #lastSentAt = -1;
  /** Send accounting, handed to the RTCP statistics when a report is built (not per packet). */
  #sentPackets = 0;
  #sentOctets = 0;
  #sentSinceReport = false;
  /** Current source of outgoing packets (a player, a bridge direction); a change starts a talkspurt. */
  #src: object | null = null;
  #seqOffset = 0;
  #tsOffset = 0;

  // Digits.
  readonly #digits: DigitStream;
  #dtmfRx: DtmfReceiver | null = null;
  #inband: DtmfDetector | null = null;
  readonly #pcmStore = new Int16Array(480);
  readonly #pcmViews = new Map<number, Int16Array>();

  // Wiring.
  #sink: RtpSink | null = null;
  #owner: OutputOwner | null = null;
  #nextRtcpAt = Infinity;
  #closed = false;
  #closing: Promise<void> | null = null;

  /**
   * Takes ownership of `sockets` (closed with the leg) and subscribes to the clock. The leg drops
   * all RTP until {@link setMedia}.
   *
   * @throws {TypeError} for invalid options.
   * @throws {MediaStateError} `closed` if the clock is closed.
   */
  constructor(sockets: LegSockets, options: Partial<RtpLegOptions> & Pick<RtpLegOptions, 'clock'>) {
    const opts: RtpLegOptions = { ...RTP_LEG_DEFAULTS, ...options };
    if (opts.ssrc !== undefined && (!Number.isInteger(opts.ssrc) || opts.ssrc < 0 || opts.ssrc > 0xffffffff)) {
      throw new TypeError('ssrc must be a 32-bit unsigned integer');
    }
    if (!(opts.rtcpIntervalMs > 0)) throw new TypeError('rtcpIntervalMs must be positive');
    if (!Number.isInteger(opts.maxPayload) || opts.maxPayload < 1 || opts.maxPayload > 1400) throw new TypeError('maxPayload must be an integer in 1..1400');
    if (!(opts.mediaTimeoutMs >= 0)) throw new TypeError('mediaTimeoutMs must be ≥ 0');
    this.#opts = opts;
    this.#sockets = sockets;
    this.ports = sockets.ports;
    this.clock = opts.clock;
    this.ssrc = opts.ssrc ?? randomInt(0, 0x1_0000_0000);
    this.#cname = opts.cname ?? `hotline-${this.ssrc.toString(16).padStart(8, '0')}`;
    this.#events = new MediaEmitter<RtpLegEvents>(opts.onListenerError);
    this.#log = opts.log ?? sharedLog;
    this.#wallOffset = opts.wallClock() - opts.clock.now();
    this.#outSeq = randomInt(0, 0x10000);
    this.#lastTs = randomInt(0, 0x1_0000_0000) | 0;
    this.#ssrcI32 = this.ssrc | 0;
    const slot = RTP_HEADER_SIZE + opts.maxPayload;
    const arena = Buffer.alloc(SEND_RING * slot);
    this.#sendRing = Array.from({ length: SEND_RING }, (_, i) => arena.subarray(i * slot, (i + 1) * slot));
    this.#epoch = opts.clock.now();
    // Detectors see leg-relative milliseconds; digits go out on the media clock's time base.
    this.#digits = new DigitStream((e) => this.#events.emit('digit', { ...e, startMs: e.startMs + this.#epoch }));
    this.clock.add(this);
    sockets.rtp.on('message', this.#onRtpMessage);
    sockets.rtp.on('error', this.#onSocketError);
    sockets.rtcp.on('message', this.#onRtcpMessage);
    sockets.rtcp.on('error', this.#onSocketError);
  }

  /**
   * Binds an RTP/RTCP pair from `allocator` and makes a leg on it.
   *
   * @throws {PortExhaustedError} when no pair can be bound; the bind error otherwise.
   */
  static async open(
    allocator: PortAllocator,
    options: Partial<RtpLegOptions> & Pick<RtpLegOptions, 'clock'>,
    bind: Partial<BindRtpOptions> = {},
  ): Promise<RtpLeg> {
    const pair = await bindRtpPair(allocator, bind);
    try {
      return new RtpLeg(pair, options);
    } catch (err) {
      await pair.close();
      throw err;
    }
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof RtpLegEvents>(event: K, listener: MediaListener<RtpLegEvents, K>): () => void {
    return this.#events.on(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof RtpLegEvents>(event: K, listener: MediaListener<RtpLegEvents, K>): void {
    this.#events.off(event, listener);
  }

  /** Live counters. */
  get counters(): Readonly<RtpLegCounters> {
    return this.#counters;
  }

  /** Receive/send statistics and RTCP state (engine/rtp). */
  get stats(): LegStats {
    return this.#stats;
  }

  /** Packets, loss, jitter, RTT and estimated MOS of what we receive. */
  quality(): LegQuality {
    return this.#stats.quality();
  }

  /** The negotiated media, null before {@link setMedia}. */
  get media(): LegMedia | null {
    return this.#media;
  }

  /** The codec we send (null before {@link setMedia}). */
  get codec(): Codec | null {
    return this.#media?.codec ?? null;
  }

  /** Whether the direction lets us send (not on hold, remote not 0.0.0.0). */
  get canSend(): boolean {
    return this.#canSend && !this.#closed;
  }

  /** The source RTP is latched to, or null. */
  get latchedSource(): { address: string; port: number } | null {
    return this.#latchedPort < 0 ? null : { address: this.#latchedAddress, port: this.#latchedPort };
  }

  /** Where our RTP goes now: the latched source, else the negotiated address. */
  get destination(): { address: string; port: number } | null {
    return this.#media === null ? null : { address: this.#dstAddress, port: this.#dstPort };
  }

  /** Media clock time (ms) of the last accepted RTP packet (set before the sink is called). */
  get lastArrivalMs(): number {
    return this.#lastRxAt;
  }

  /** SSRC of the peer's stream, or null before its first packet. */
  get remoteSsrc(): number | null {
    return this.#hasRemoteSsrc ? this.#remoteSsrc >>> 0 : null;
  }

  /** What payload type `pt` carries on receive, or null if it was not negotiated. */
  payloadKind(pt: number): PayloadKind | null {
    return this.#ptKind[pt & 0x7f];
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a sink (bridge) receives this leg's packets. */
  get hasSink(): boolean {
    return this.#sink !== null;
  }

  /** Whether an owner (player) holds the output. */
  get outputClaimed(): boolean {
    return this.#owner !== null;
  }

  /**
   * Applies the outcome of offer/answer (first answer, re-INVITE, hold/resume). A change of remote
   * address or port is a signalled move: the latch is released and the next packet from the new
   * negotiated address latches again. Otherwise the latch is kept.
   *
   * @throws {TypeError} for payload types outside 0..127 or a remote port outside 0..65535.
   * @throws {LegStateError} `closed`.
   */
  setMedia(media: LegMedia): void {
    if (this.#closed) throw new LegStateError('closed', 'leg is closed');
    checkPayloadType('sendPayloadType', media.sendPayloadType);
    checkPayloadType('receivePayloadType', media.receivePayloadType);
    if (media.telephoneEvent !== null) {
      checkPayloadType('telephoneEvent.sendPayloadType', media.telephoneEvent.sendPayloadType);
      checkPayloadType('telephoneEvent.receivePayloadType', media.telephoneEvent.receivePayloadType);
    }
    for (const [k, v] of [['remote.port', media.remote.port], ['remote.rtcpPort', media.remote.rtcpPort]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 65535) throw new TypeError(`${k} must be a port number, got ${v}`);
    }
    const prev = this.#media;
    const moved = prev === null || prev.remote.address !== media.remote.address || prev.remote.port !== media.remote.port;
    this.#media = media;
    this.#ptKind.fill(null);
    // The static G.711 types are understood whatever was negotiated (a peer may switch among the codecs we listed).
    this.#ptKind[0] = 'PCMU';
    this.#ptKind[8] = 'PCMA';
    this.#ptKind[media.receivePayloadType] = media.codec;
    if (media.telephoneEvent !== null) this.#ptKind[media.telephoneEvent.receivePayloadType] = 'event';
    this.#sendAudioPt = media.sendPayloadType;
    this.#sendEventPt = media.telephoneEvent?.sendPayloadType ?? -1;
    // Never send to 0.0.0.0 / :: (RFC 3264 §8.4 hold; the kernel would deliver it to this host).
    const nullAddress = media.remote.address === '0.0.0.0' || /^[0:]+$/.test(media.remote.address);
    this.#canSend = sends(media.direction) && media.remote.port !== 0 && !nullAddress;
    this.#canReceive = receives(media.direction);
    if (!this.#canSend) this.#src = null; // the next frame after resuming starts a talkspurt
    if (moved) {
      this.#expectedIp = canonicalAddress(media.remote.address);
      this.#latchAny = this.#opts.latch === 'any' || isUnroutableAddress(media.remote.address);
      this.#latchedPort = -1;
      this.#latchedAddress = '';
      this.#rtcpLatchedPort = -1;
      this.#rtcpLatchedAddress = '';
      this.#dstAddress = media.remote.address;
      this.#dstPort = media.remote.port;
      this.#rtcpDstAddress = media.remote.rtcpAddress;
      this.#rtcpDstPort = media.remote.rtcpPort;
    }
    const wantTe = media.telephoneEvent !== null;
    if (wantTe && this.#dtmfRx === null) this.#dtmfRx = new DtmfReceiver((e) => this.#digits.push(e), { clockRate: G711_CLOCK_RATE });
    if (!wantTe) this.#dtmfRx = null;
    const inband = this.#opts.inbandDtmf === 'on' || (this.#opts.inbandDtmf === 'auto' && !wantTe);
    if (inband && this.#inband === null) this.#inband = new DtmfDetector((e) => this.#digits.push(e));
    if (!inband) this.#inband = null;
    const now = this.clock.now();
    this.#lastRxAt = now;
    this.#timedOut = false;
    if (prev === null) this.#nextRtcpAt = now + (this.#opts.rtcpIntervalMs / 2) * (0.5 + Math.random());
  }

  /**
   * Attaches the sink that gets every accepted packet (a bridge), or detaches it with null.
   * @throws {LegStateError} `bridged` if another sink is attached; `closed`.
   */
  setSink(sink: RtpSink | null): void {
    if (sink !== null) {
      if (this.#closed) throw new LegStateError('closed', 'leg is closed');
      if (this.#sink !== null && this.#sink !== sink) throw new LegStateError('bridged', 'leg is already bridged');
    }
    this.#sink = sink;
  }

  /**
   * Makes `owner` the source of this leg's output (a player starting); a previous owner is told it
   * was replaced. While owned, forwarded packets are held back (counted in `preemptedOut`).
   */
  claimOutput(owner: OutputOwner): void {
    const prev = this.#owner;
    this.#owner = owner;
    if (prev !== null && prev !== owner) prev.preempted('replaced');
  }

  /** Gives the output back if `owner` holds it. */
  releaseOutput(owner: OutputOwner): void {
    if (this.#owner === owner) this.#owner = null;
  }

  // ---------------------------------------------------------------------------------------------
  // Receive path

  readonly #onRtpMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    try {
      this.#receiveRtp(msg, msg.length, rinfo.address, rinfo.port);
    } catch (err) {
      this.#counters.handlerErrors++;
      if (this.#mayLog()) this.#drop(`exception in the RTP receive path: ${String(err)}`);
    }
  };

  readonly #onRtcpMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    try {
      this.#receiveRtcp(msg, msg.length, rinfo.address, rinfo.port);
    } catch (err) {
      this.#counters.handlerErrors++;
      if (this.#mayLog()) this.#drop(`exception in the RTCP receive path: ${String(err)}`);
    }
  };

  readonly #onSocketError = (err: Error): void => {
    this.#counters.socketErrors++;
    if (this.#mayLog()) this.#drop(`socket error on port ${this.ports.rtp}: ${err.message}`);
  };

  /** Whether a drop may be logged now (at most one line per 10 s per leg): checked before a message is built. */
  #mayLog(): boolean {
    const now = performance.now();
    if (now - this.#lastLogAt < 10_000) return false;
    this.#lastLogAt = now;
    return true;
  }

  #drop(message: string): void {
    try {
      this.#log(`leg ${this.ports.rtp}: ${message}`);
    } catch {
      // A broken logger must not break the receive path.
    }
  }

  #receiveRtp(buf: Buffer, len: number, address: string, port: number): void {
    if (this.#closed) return;
    const c = this.#counters;
    // 1. Source: only the latched peer (RFC 4961 symmetric RTP, latched once).
    if (this.#latchedPort >= 0) {
      if (port !== this.#latchedPort || address !== this.#latchedAddress) {
        c.strangers++;
        if (this.#mayLog()) this.#drop(`RTP from ${address}:${port}, latched to ${this.#latchedAddress}:${this.#latchedPort}`);
        return;
      }
    } else if (this.#media === null) {
      c.beforeMedia++;
      return;
    } else if (!this.#latchAny && plainAddress(address) !== this.#expectedIp) {
      c.strangers++;
      if (this.#mayLog()) this.#drop(`RTP from ${address}:${port}, expected ${this.#expectedIp}`);
      return;
    }
    // 2. Framing, in place (RFC 3550 §5.1); RTCP multiplexed on the RTP port goes its own way (RFC 5761 §4).
    if (!isRtpPacket(buf, len, 0)) {
      if (isRtcpPacket(buf, len, 0)) this.#receiveRtcp(buf, len, address, port);
      else {
        c.malformed++;
        if (this.#mayLog()) this.#drop(`datagram of ${len} octets from ${address}:${port} is not RTP`);
      }
      return;
    }
    const start = rtpPayloadOffset(buf, len, 0);
    if (start < 0) {
      c.malformed++;
      if (this.#mayLog()) this.#drop(`RTP packet of ${len} octets from ${address}:${port} cannot be framed`);
      return;
    }
    const kind = this.#ptKind[rtpPayloadType(buf, 0)];
    if (kind === null) {
      c.unknownPayloadType++;
      return;
    }
    if (this.#latchedPort < 0) this.#latch(address, port);
    const end = rtpHasPadding(buf, 0) ? len - buf[len - 1] : len;
    c.rtpIn++;
    c.bytesIn += len;
    this.#stampArrival();
    if (!this.#canReceive) {
      c.holdDroppedIn++;
      return;
    }
    this.#account(buf, start, end, kind);
    const sink = this.#sink;
    if (sink !== null) sink.onRtp(this, buf, len, start, end, kind);
  }

  /*
   * The arrival time is a fractional double. V8 boxes a double (allocates) whenever it crosses a call
   * that is not inlined, so on the packet path it only travels through a field: written here, read
   * where it is used.
   */
  #stampArrival(): void {
    const now = this.clock.now();
    this.#lastRxAt = now;
    this.#lastRxMs = Math.round(now - this.#epoch) | 0;
  }

  /** Statistics and digits of one accepted packet. */
  #account(buf: Buffer, start: number, end: number, kind: PayloadKind): void {
    const ts = rtpTimestampI32(buf, 0);
    const ms = this.#lastRxMs;
    this.#stats.receive.onPacket(rtpSeq(buf, 0), ts, ms, end - start);
    this.#remoteSsrc = rtpSsrcI32(buf, 0);
    this.#hasRemoteSsrc = true;
    if (kind === 'event') {
      if (this.#dtmfRx !== null) this.#dtmfRx.receive(ts, rtpMarker(buf, 0), buf, start, end - start, ms);
    } else if (this.#inband !== null) {
      this.#detectInband(buf, start, end, kind, ms);
    }
  }

  #latch(address: string, port: number): void {
    this.#latchedAddress = address;
    this.#latchedPort = port;
    this.#dstAddress = address;
    this.#dstPort = port;
    if (this.#rtcpLatchedPort < 0) {
      // Until RTCP itself arrives, send it to the latched host (RFC 3605 port or RTP + 1).
      this.#rtcpDstAddress = address;
    }
    this.#events.emit('latched', address, port);
  }

  #detectInband(buf: Buffer, start: number, end: number, kind: PayloadKind, now: number): void {
    const n = end - start;
    if (n <= 0 || n > this.#pcmStore.length) return;
    let pcm = this.#pcmViews.get(n);
    if (pcm === undefined) {
      if (this.#pcmViews.size >= MAX_PCM_VIEWS) return;
      pcm = this.#pcmStore.subarray(0, n);
      this.#pcmViews.set(n, pcm);
    }
    const table = kind === 'PCMU' ? ULAW_TO_PCM : ALAW_TO_PCM;
    for (let i = 0; i < n; i++) pcm[i] = table[buf[start + i]];
    (this.#inband as DtmfDetector).process(pcm, now);
  }

  #receiveRtcp(buf: Buffer, len: number, address: string, port: number): void {
    if (this.#closed) return;
    const c = this.#counters;
    if (this.#media === null) {
      c.beforeMedia++;
      return;
    }
    if (this.#rtcpLatchedPort >= 0) {
      if (port !== this.#rtcpLatchedPort || address !== this.#rtcpLatchedAddress) {
        // RTCP multiplexed on the RTP port comes from the RTP source.
        if (!(port === this.#latchedPort && address === this.#latchedAddress)) {
          c.rtcpStrangers++;
          return;
        }
      }
    } else {
      const host = this.#latchedPort >= 0 ? this.#latchedAddress : this.#latchAny ? null : this.#expectedIp;
      if (host !== null && plainAddress(address) !== plainAddress(host)) {
        c.rtcpStrangers++;
        return;
      }
    }
    let packets: RtcpPacket[];
    try {
      packets = parseRtcpCompound(buf, 0, len);
    } catch {
      c.rtcpMalformed++;
      return;
    }
    if (validateRtcpCompound(packets) !== null) {
      c.rtcpMalformed++;
      return;
    }
    if (this.#rtcpLatchedPort < 0 && !(port === this.#latchedPort && address === this.#latchedAddress)) {
      this.#rtcpLatchedAddress = address;
      this.#rtcpLatchedPort = port;
      this.#rtcpDstAddress = address;
      this.#rtcpDstPort = port;
    }
    c.rtcpIn++;
    this.#stats.onRtcp(packets, this.ssrc, this.clock.now() + this.#wallOffset);
    for (const p of packets) {
      if (p.kind === 'bye' && (!this.#hasRemoteSsrc || p.sources.includes(this.#remoteSsrc >>> 0))) this.#events.emit('bye', p.reason);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Send path

  /**
   * The timestamp of the first packet of a new talkspurt: the last packet's timestamp plus the real
   * time elapsed since it was sent (at least its duration), so the peer's playout stays in step.
   */
  #jumpTs(now: number): number {
    if (this.#lastSentAt < 0) return this.#lastTs;
    const elapsed = Math.round(((now - this.#lastSentAt) * G711_CLOCK_RATE) / 1000);
    return (this.#lastTs + (elapsed > this.#lastSamples ? elapsed : this.#lastSamples)) | 0;
  }

  /**
   * Sends one locally generated G.711 frame (a player's): `length` octets of `payload` from
   * `offset`, in the codec this leg sends ({@link codec}). The header is stamped here: our SSRC, the
   * next sequence number, a timestamp following the previous frame, or — when `source` differs from
   * the previous sender or `restart` is set — jumping by the elapsed time, with the marker bit.
   *
   * @returns whether the frame was sent (false on hold, before media, after close).
   * @throws {RangeError} when `length` exceeds `maxPayload`.
   */
  sendAudio(source: object, restart: boolean, payload: Uint8Array, offset: number, length: number): boolean {
    if (length > this.#opts.maxPayload || length < 0) throw new RangeError(`payload of ${length} octets exceeds maxPayload ${this.#opts.maxPayload}`);
    if (this.#closed || this.#media === null) return false;
    if (!this.#canSend) {
      this.#counters.holdDroppedOut++;
      this.#src = null;
      return false;
    }
    const now = this.clock.now();
    let ts: number;
    let marker = false;
    if (source !== this.#src || restart) {
      ts = this.#jumpTs(now);
      marker = true;
      this.#src = source;
    } else {
      ts = (this.#lastTs + this.#lastSamples) | 0;
    }
    const pkt = this.#sendRing[this.#sendIdx];
    this.#sendIdx = (this.#sendIdx + 1) % SEND_RING;
    writeRtpHeader(pkt, 0, this.#sendAudioPt, this.#outSeq, ts, this.#ssrcI32, marker);
    for (let i = 0; i < length; i++) pkt[RTP_HEADER_SIZE + i] = payload[offset + i];
    this.#outSeq = (this.#outSeq + 1) & 0xffff;
    this.#lastTs = ts;
    this.#lastSamples = length;
    this.#lastSentAt = now;
    this.#send(pkt, RTP_HEADER_SIZE + length, length);
    return true;
  }

  /**
   * Sends a packet received on another leg (a bridge's), rewritten in place into this leg's stream:
   * our SSRC, `payloadType`, and sequence number and timestamp shifted by offsets fixed when
   * `source` became the sender (or `restart`, e.g. the incoming SSRC changed), so that gaps and
   * reordering of the incoming stream are kept, the outgoing sequence stays continuous, and the
   * first packet of the new source carries the marker bit. `audioSamples` is the packet's duration
   * (0 for telephone-events, whose timestamp is the event start).
   *
   * @returns whether it was sent (false on hold, while a player owns the output, before media, after close).
   */
  forward(source: object, restart: boolean, buf: Buffer, len: number, payloadType: number, audioSamples: number): boolean {
    if (this.#closed || this.#media === null) return false;
    if (!this.#canSend) {
      this.#counters.holdDroppedOut++;
      this.#src = null;
      return false;
    }
    if (this.#owner !== null) {
      this.#counters.preemptedOut++;
      if (this.#src === source) this.#src = null;
      return false;
    }
    const inSeq = rtpSeq(buf, 0);
    const inTs = rtpTimestampI32(buf, 0);
    const now = this.clock.now();
    let marker = false;
    if (source !== this.#src || restart) {
      this.#src = source;
      this.#seqOffset = (this.#outSeq - inSeq) & 0xffff;
      this.#tsOffset = (this.#jumpTs(now) - inTs) | 0;
      marker = true;
    }
    const seq = (inSeq + this.#seqOffset) & 0xffff;
    const ts = (inTs + this.#tsOffset) | 0;
    setRtpSeq(buf, seq, 0);
    setRtpTimestamp(buf, ts, 0);
    setRtpSsrc(buf, this.#ssrcI32, 0);
    setRtpPayloadType(buf, payloadType, 0);
    if (marker) setRtpMarker(buf, true, 0);
    if (seqDiff(seq, this.#outSeq) >= 0) {
      this.#outSeq = (seq + 1) & 0xffff;
      if (audioSamples > 0) {
        this.#lastTs = ts;
        this.#lastSamples = audioSamples;
        this.#lastSentAt = now;
      }
    }
    this.#send(buf, len, audioSamples);
    return true;
  }

  /**
   * Tells the leg that a packet of the forwarded stream from `source` with incoming sequence number
   * `inSeq` will not be sent (e.g. a telephone-event the peer did not negotiate), so that the
   * outgoing sequence shows no gap for it (in-order packets only).
   */
  skipForwarded(source: object, inSeq: number): void {
    if (this.#src !== source) return;
    const seq = (inSeq + this.#seqOffset) & 0xffff;
    if (seq === this.#outSeq) this.#seqOffset = (this.#seqOffset - 1) & 0xffff;
  }

  /** Payload type this leg stamps on audio it sends. */
  get sendAudioPayloadType(): number {
    return this.#sendAudioPt;
  }

  /** Payload type this leg stamps on telephone-events it sends, or -1 when none was negotiated. */
  get sendEventPayloadType(): number {
    return this.#sendEventPt;
  }

  #send(pkt: Uint8Array, len: number, payloadOctets: number): void {
    try {
      this.#sockets.rtp.send(pkt, 0, len, this.#dstPort, this.#dstAddress);
    } catch (err) {
      this.#counters.socketErrors++;
      if (this.#mayLog()) this.#drop(`RTP send failed: ${String(err)}`);
      return;
    }
    this.#counters.rtpOut++;
    this.#counters.bytesOut += len;
    this.#sentPackets++;
    this.#sentOctets += payloadOctets;
    this.#sentSinceReport = true;
  }

  /**
   * Hands the send accounting to the RTCP statistics before a report (RFC 3550 §6.4.1 sender info):
   * packet and octet counts, and the last audio packet's timestamp and send time from which the SR
   * timestamp is extrapolated. Done here rather than per packet, which keeps the packet path free of
   * calls that would box 32-bit and time values.
   */
  #syncSendStats(): void {
    if (!this.#sentSinceReport) return;
    this.#sentSinceReport = false;
    const send = this.#stats.send;
    send.onPacketSent(this.#lastTs >>> 0, 0, (this.#lastSentAt < 0 ? this.clock.now() : this.#lastSentAt) + this.#wallOffset);
    send.packets = this.#sentPackets;
    send.octets = this.#sentOctets;
  }

  // ---------------------------------------------------------------------------------------------
  // RTCP and the clock

  /** Builds our compound report: SR (if we sent since the last one) or RR, SDES CNAME, and BYE when closing (RFC 3550 §6.1). */
  #rtcpCompound(bye: string | null): Buffer {
    const wall = this.clock.now() + this.#wallOffset;
    this.#syncSendStats();
    const packets: RtcpPacket[] = [
      this.#stats.buildReport(this.ssrc, this.#hasRemoteSsrc ? this.#remoteSsrc >>> 0 : null, wall),
      new RtcpSdes([{ ssrc: this.ssrc, items: [{ type: SDES_CNAME, text: this.#cname }] }]),
    ];
    if (bye !== null) packets.push(new RtcpBye([this.ssrc], bye === '' ? undefined : bye));
    return serializeRtcpCompound(packets);
  }

  #sendRtcp(bye: string | null, done?: () => void): void {
    if (this.#media === null || this.#rtcpDstPort === 0 || this.#rtcpDstAddress === '0.0.0.0' || this.#rtcpDstAddress === '::') {
      done?.();
      return;
    }
    try {
      const buf = this.#rtcpCompound(bye);
      this.#sockets.rtcp.send(buf, 0, buf.length, this.#rtcpDstPort, this.#rtcpDstAddress, done === undefined ? undefined : () => done());
      this.#counters.rtcpOut++;
    } catch (err) {
      this.#counters.socketErrors++;
      if (this.#mayLog()) this.#drop(`RTCP send failed: ${String(err)}`);
      done?.();
    }
  }

  /** Media clock tick: DTMF end timeouts, the RTCP report schedule, the media timeout. */
  tick(now: number): void {
    if (this.#closed || this.#media === null) return;
    if (this.#dtmfRx !== null) this.#dtmfRx.tick(Math.round(now - this.#epoch));
    if (now >= this.#nextRtcpAt) {
      this.#sendRtcp(null);
      this.#nextRtcpAt = now + this.#opts.rtcpIntervalMs * (0.5 + Math.random());
    }
    const timeout = this.#opts.mediaTimeoutMs;
    if (timeout > 0 && !this.#timedOut && now - this.#lastRxAt >= timeout) {
      this.#timedOut = true;
      this.#events.emit('timeout');
    }
  }

  /**
   * Ends the leg: detaches its bridge and player, sends RTCP BYE (RFC 3550 §6.6), unsubscribes from
   * the clock, closes the sockets (the ports go back to their allocator's quarantine). Idempotent.
   */
  close(reason?: string): Promise<void> {
    this.#closing ??= this.#close(reason ?? '');
    return this.#closing;
  }

  async #close(reason: string): Promise<void> {
    this.#closed = true;
    this.clock.remove(this);
    const sink = this.#sink;
    this.#sink = null;
    const owner = this.#owner;
    this.#owner = null;
    try {
      sink?.legClosed(this);
    } catch {
      // A sink's failure must not keep the ports bound.
    }
    try {
      owner?.preempted('closed');
    } catch {
      // Same.
    }
    // The send callback always runs (sent or failed), so the sockets close after the BYE left.
    await new Promise<void>((resolve) => this.#sendRtcp(reason, resolve));
    this.#sockets.rtp.off('message', this.#onRtpMessage);
    this.#sockets.rtcp.off('message', this.#onRtcpMessage);
    await this.#sockets.close();
    this.#sockets.rtp.off('error', this.#onSocketError);
    this.#sockets.rtcp.off('error', this.#onSocketError);
    this.#events.emit('close');
    this.#events.clear();
  }
}
