// SDP offer/answer for G.711 voice (RFC 3264 §5, §6, §8; RFC 4733 §7.1 telephone-event; RFC 3551 §6).
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { SdpError } from './errors.ts';
import type { Connection, Direction, MediaDescription, RtpPayload, SessionDescription } from './model.ts';
import {
  DIRECTIONS,
  directionOf,
  formatEventList,
  isHold,
  isNullAddress,
  parseEventList,
  receives,
  sends,
} from './model.ts';
import { parseSdp } from './parse.ts';
import { writeSdp } from './write.ts';

/** The voice codecs the engine speaks (ITU-T G.711 μ-law and A-law, 8 kHz mono). */
export type Codec = 'PCMU' | 'PCMA';

/** Static payload type of each codec (RFC 3551 §6, Table 4). */
export const CODEC_PAYLOAD_TYPES: Readonly<Record<Codec, number>> = Object.freeze({ PCMU: 0, PCMA: 8 });

/** Transport protocols accepted for audio (plain RTP; SRTP profiles are rejected with port 0). */
const ACCEPTED_PROTOCOLS = new Set(['RTP/AVP', 'RTP/AVPF']);

/** Default telephone-event events when an offer has no fmtp (RFC 4733 §7.1.1: 0-15). */
const DEFAULT_EVENTS = '0-15';

/** What we put in our own SDP: where we receive and what we accept. */
export interface LocalMediaOptions {
  /** Our RTP address (IPv4 or IPv6 literal); written in `c=` and `o=`. */
  address: string;
  /** Our RTP port (RTCP is port + 1). */
  port: number;
  /** Codecs in our preference order (offers); the set we accept (answers). */
  codecs: readonly Codec[];
  /** Whether we offer/accept RFC 4733 telephone-events. */
  telephoneEvent: boolean;
  /** Dynamic payload type for telephone-event in our offers (96..127). Answers reuse the offerer's. */
  telephoneEventPayloadType: number;
  /** Events we can receive, as an RFC 4733 event list. */
  telephoneEvents: string;
  /** Packetization time we want to receive, ms (`a=ptime`). */
  ptime: number;
  /** The direction we want (`sendonly` to hold, RFC 3264 §8.4). Answers intersect it with the offer's. */
  direction: Direction;
  /** `s=` text. */
  sessionName: string;
  /** Origin state carried across the offers and answers of one session (RFC 3264 §8). */
  origin: SdpOrigin | undefined;
}

/** Defaults of {@link LocalMediaOptions} (`address` and `port` have none). */
export const LOCAL_MEDIA_DEFAULTS: Readonly<Omit<LocalMediaOptions, 'address' | 'port'>> = Object.freeze({
  codecs: Object.freeze(['PCMU', 'PCMA'] as Codec[]),
  telephoneEvent: true,
  telephoneEventPayloadType: 101,
  telephoneEvents: '0-16',
  ptime: 20,
  direction: 'sendrecv',
  sessionName: 'hotline',
  origin: undefined,
});

/** Options of {@link createOffer} and {@link createAnswer}: address and port, the rest defaulted. */
export type SdpOptions = Partial<LocalMediaOptions> & Pick<LocalMediaOptions, 'address' | 'port'>;

/** Options of {@link SdpOrigin}. */
export interface SdpOriginOptions {
  /** Our address for `o=` (IP literal). */
  address: string;
  /** `o=` username; `-` by default (RFC 4566 §5.2). */
  username?: string;
  /** Numeric session id; random by default. */
  sessionId?: string;
  /** Version of the first description; 1 by default. */
  sessionVersion?: bigint;
}

/**
 * The `o=` state of one session as we describe it. Each new description we send is stamped: the
 * version stays the same when the description did not change and goes up by exactly one when it did
 * (RFC 3264 §8: "the version in the origin field MUST increment by one", and an unchanged version
 * promises an unchanged description). Keep one per dialog and pass it to every offer and answer.
 */
export class SdpOrigin {
  /** `o=` username. */
  readonly username: string;
  /** `o=` session id. */
  readonly sessionId: string;
  /** `o=` address. */
  readonly address: string;
  #version: bigint;
  #last: string | null = null;

  /** @throws {TypeError} if `address` is not an IP literal or `sessionId` is not numeric. */
  constructor(opts: SdpOriginOptions) {
    if (isIP(opts.address) === 0) throw new TypeError('SdpOrigin: address must be an IP literal');
    const sessionId = opts.sessionId ?? String(randomInt(1, 2 ** 31 - 1));
    if (!/^\d{1,20}$/.test(sessionId)) throw new TypeError('SdpOrigin: sessionId must be numeric');
    const username = opts.username ?? '-';
    if (username === '' || /\s/.test(username)) throw new TypeError('SdpOrigin: username must be a non-empty token');
    this.username = username;
    this.sessionId = sessionId;
    this.address = opts.address;
    this.#version = opts.sessionVersion ?? 1n;
    if (this.#version < 0n) throw new TypeError('SdpOrigin: sessionVersion must not be negative');
  }

  /** Version of the last description stamped (or the initial version if none yet). */
  get version(): bigint {
    return this.#version;
  }

  /**
   * Returns the version for a description whose text (with the version left out) is `body`:
   * unchanged if `body` equals the last one, previous + 1 otherwise (RFC 3264 §8).
   */
  stamp(body: string): bigint {
    if (this.#last !== null && this.#last !== body) this.#version += 1n;
    this.#last = body;
    return this.#version;
  }
}

/** The direction to offer to put a stream on hold (RFC 3264 §8.4): sendrecv→sendonly, recvonly→inactive. */
export function holdDirection(direction: Direction): Direction {
  return directionOf(sends(direction), false);
}

/** The answer's direction for an offered one (RFC 3264 §6.1), limited to what we want. */
export function answerDirection(offered: Direction, wanted: Direction): Direction {
  return directionOf(receives(offered) && sends(wanted), sends(offered) && receives(wanted));
}

function resolveOptions(opts: SdpOptions): LocalMediaOptions {
  const o: LocalMediaOptions = { ...LOCAL_MEDIA_DEFAULTS, ...stripUndefined(opts) } as LocalMediaOptions;
  if (typeof o.address !== 'string' || isIP(o.address) === 0) throw new TypeError('address must be an IPv4 or IPv6 literal');
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new TypeError('port must be an integer in 1..65535');
  if (!Array.isArray(o.codecs) || o.codecs.length === 0 || o.codecs.some((c) => c !== 'PCMU' && c !== 'PCMA')) {
    throw new TypeError('codecs must be a non-empty list of PCMU and PCMA');
  }
  if (!Number.isInteger(o.telephoneEventPayloadType) || o.telephoneEventPayloadType < 96 || o.telephoneEventPayloadType > 127) {
    throw new TypeError('telephoneEventPayloadType must be a dynamic payload type in 96..127');
  }
  if (parseEventList(o.telephoneEvents) === null) throw new TypeError('telephoneEvents must be an RFC 4733 event list like 0-16');
  if (!Number.isInteger(o.ptime) || o.ptime < 10 || o.ptime > 200) throw new TypeError('ptime must be an integer number of ms in 10..200');
  if (!DIRECTIONS.includes(o.direction)) throw new TypeError('direction must be sendrecv, sendonly, recvonly or inactive');
  if (typeof o.sessionName !== 'string' || /[\r\n]/.test(o.sessionName)) throw new TypeError('sessionName must be one line of text');
  if (o.origin !== undefined && !(o.origin instanceof SdpOrigin)) throw new TypeError('origin must be an SdpOrigin');
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function localConnection(address: string): Connection {
  return { addressType: isIP(address) === 6 ? 'IP6' : 'IP4', address };
}

function codecPayload(codec: Codec, payloadType: number): RtpPayload {
  return { payloadType, encoding: codec, clockRate: 8000, channels: 1, fmtp: null };
}

function eventPayload(payloadType: number, events: string): RtpPayload {
  return { payloadType, encoding: 'telephone-event', clockRate: 8000, channels: 1, fmtp: events };
}

/** Stamps the origin version (RFC 3264 §8) on a description built with any version. */
function stamp(desc: SessionDescription, origin: SdpOrigin): SessionDescription {
  const unversioned: SessionDescription = { ...desc, origin: { ...desc.origin, sessionVersion: 0n } };
  const version = origin.stamp(writeSdp(unversioned));
  return { ...desc, origin: { ...desc.origin, sessionVersion: version } };
}

function originFor(opts: LocalMediaOptions): SdpOrigin {
  return opts.origin ?? new SdpOrigin({ address: opts.address });
}

function baseDescription(opts: LocalMediaOptions, origin: SdpOrigin, timing: SessionDescription['timing'], media: MediaDescription[]): SessionDescription {
  return {
    origin: {
      username: origin.username,
      sessionId: origin.sessionId,
      sessionVersion: origin.version,
      addressType: isIP(origin.address) === 6 ? 'IP6' : 'IP4',
      address: origin.address,
    },
    name: opts.sessionName,
    connection: localConnection(opts.address),
    timing,
    direction: null,
    media,
  };
}

/**
 * Builds our offer (RFC 3264 §5): one audio stream on `address:port`, RTP/AVP, our codecs in
 * preference order, telephone-event on our dynamic payload type (101) with our event list, `a=ptime`,
 * and the direction (`sendonly` for hold, RFC 3264 §8.4). With the same `origin` as an earlier
 * description, the version goes up by one if anything changed (RFC 3264 §8).
 *
 * @throws {TypeError} naming the option that is invalid.
 */
export function createOffer(options: SdpOptions): SessionDescription {
  const opts = resolveOptions(options);
  const origin = originFor(opts);
  const payloads: RtpPayload[] = opts.codecs.map((c) => codecPayload(c, CODEC_PAYLOAD_TYPES[c]));
  // Remove duplicates while keeping the preference order.
  const unique = payloads.filter((p, i) => payloads.findIndex((q) => q.payloadType === p.payloadType) === i);
  if (opts.telephoneEvent) unique.push(eventPayload(opts.telephoneEventPayloadType, formatEventList(parseEventList(opts.telephoneEvents) ?? [])));
  const media: MediaDescription = {
    type: 'audio',
    port: opts.port,
    portCount: 1,
    protocol: 'RTP/AVP',
    formats: unique.map((p) => String(p.payloadType)),
    payloads: unique,
    connection: localConnection(opts.address),
    direction: opts.direction,
    ptime: opts.ptime,
    maxptime: null,
    rtcp: null,
  };
  return stamp(baseDescription(opts, origin, { start: 0, stop: 0 }, [media]), origin);
}

function isSupportedCodecPayload(p: RtpPayload, codecs: readonly Codec[]): Codec | null {
  if (p.clockRate !== 8000 || p.channels !== 1) return null;
  const name = p.encoding.toUpperCase();
  return (codecs as readonly string[]).includes(name) ? (name as Codec) : null;
}

function isEventPayload(p: RtpPayload): boolean {
  return p.encoding.toLowerCase() === 'telephone-event' && p.clockRate === 8000;
}

/** Whether an offered stream can carry our audio at all (ignoring codecs). */
function isUsableAudio(m: MediaDescription): boolean {
  return m.type === 'audio' && m.port !== 0 && ACCEPTED_PROTOCOLS.has(m.protocol.toUpperCase()) && m.connection !== null;
}

/** The payload of the first offered codec we support, in the offerer's order (RFC 3264 §6.1). */
function chooseCodec(m: MediaDescription, codecs: readonly Codec[]): { payload: RtpPayload; codec: Codec } | null {
  for (const p of m.payloads) {
    const codec = isSupportedCodecPayload(p, codecs);
    if (codec !== null) return { payload: p, codec };
  }
  return null;
}

function rejected(m: MediaDescription, connection: Connection): MediaDescription {
  return {
    type: m.type,
    port: 0,
    portCount: 1,
    protocol: m.protocol,
    // RFC 3264 §6: a rejected stream still lists at least one format; echo the offer's.
    formats: m.formats,
    payloads: [],
    connection,
    direction: m.direction,
    ptime: null,
    maxptime: null,
    rtcp: null,
  };
}

/**
 * Builds our answer to an offer (RFC 3264 §6). The first audio stream on plain RTP that offers a
 * codec we support is accepted: its codec is the first one the offerer listed that we support, with
 * the offerer's payload type number; telephone-event is kept with the offerer's (dynamic) payload
 * type and the events both sides know (RFC 4733 §7.1.1); the direction follows §6.1 (sendonly ↔
 * recvonly, inactive stays inactive), limited by `direction`. Every other stream (video, SRTP, a
 * second audio stream, already disabled) is rejected with port 0, keeping the number and order of
 * m-lines. `t=` is copied from the offer (§6).
 *
 * @throws {SdpError} `no-common-codec` (status 488) when no audio stream is usable; parse errors
 *   when `offer` is text that does not parse.
 * @throws {TypeError} naming the option that is invalid.
 */
export function createAnswer(offer: SessionDescription | string, options: SdpOptions): SessionDescription {
  const opts = resolveOptions(options);
  const parsed = typeof offer === 'string' ? parseSdp(offer) : offer;
  const origin = originFor(opts);
  const connection = localConnection(opts.address);
  const ourEvents = parseEventList(opts.telephoneEvents) ?? [];
  let accepted = false;
  const media = parsed.media.map((m): MediaDescription => {
    if (accepted || !isUsableAudio(m)) return rejected(m, connection);
    const choice = chooseCodec(m, opts.codecs);
    if (choice === null) return rejected(m, connection);
    accepted = true;
    const payloads: RtpPayload[] = [codecPayload(choice.codec, choice.payload.payloadType)];
    if (opts.telephoneEvent) {
      const te = m.payloads.find(isEventPayload);
      if (te !== undefined) {
        const offered = parseEventList(te.fmtp ?? DEFAULT_EVENTS) ?? parseEventList(DEFAULT_EVENTS) ?? [];
        const common = offered.filter((e) => ourEvents.includes(e));
        if (common.length > 0) payloads.push(eventPayload(te.payloadType, formatEventList(common)));
      }
    }
    return {
      type: 'audio',
      port: opts.port,
      portCount: 1,
      protocol: m.protocol,
      formats: payloads.map((p) => String(p.payloadType)),
      payloads,
      connection,
      direction: answerDirection(m.direction, opts.direction),
      ptime: opts.ptime,
      maxptime: null,
      rtcp: null,
    };
  });
  if (!accepted) {
    throw new SdpError('no-common-codec', 'no audio stream offers PCMU or PCMA over RTP/AVP (RFC 3264 §6): 488 Not Acceptable Here');
  }
  return stamp(baseDescription(opts, origin, parsed.timing, media), origin);
}

/** Where to send RTP and RTCP for a negotiated stream. */
export interface RemoteRtpAddress {
  readonly addressType: 'IP4' | 'IP6';
  readonly address: string;
  readonly port: number;
  /** `a=rtcp` address, else the RTP address (RFC 3605). */
  readonly rtcpAddress: string;
  /** `a=rtcp` port, else RTP port + 1 (RFC 3550 §11). */
  readonly rtcpPort: number;
}

/** The outcome of an offer/answer exchange for the audio stream. */
export interface NegotiatedMedia {
  /** Index of the audio m-line in both descriptions. */
  readonly mediaIndex: number;
  readonly codec: Codec;
  readonly clockRate: 8000;
  /** Payload type to stamp on the audio we send (the number in the remote description). */
  readonly sendPayloadType: number;
  /** Payload type of the audio we receive (the number in our description). */
  readonly receivePayloadType: number;
  /** RFC 4733 events, when both descriptions list telephone-event/8000; null otherwise. */
  readonly telephoneEvent: {
    /** Payload type for the events we send (remote's number). */
    readonly sendPayloadType: number;
    /** Payload type of the events we receive (our number). */
    readonly receivePayloadType: number;
    /** Events the remote said it can receive (RFC 4733 §7.1.1). */
    readonly events: readonly number[];
  } | null;
  readonly remote: RemoteRtpAddress;
  /** Packetization the remote asked to receive (its `a=ptime`), 20 ms when absent. */
  readonly ptime: number;
  /**
   * The stream direction from our side: we send if we said so and the remote receives (and its
   * address is not 0.0.0.0, RFC 3264 §8.4); we receive if we said so and the remote sends.
   */
  readonly direction: Direction;
  /** The remote has put us on hold (sendonly/inactive/0.0.0.0, RFC 3264 §8.4). */
  readonly remoteHold: boolean;
}

/**
 * Reads the result of an offer/answer exchange from our description and the remote one, whichever
 * was the offer: the first m-line that is live audio on both sides, the first codec in the remote's
 * list that our description also has, payload types as each side numbered them (RFC 3264 §5.1: a
 * description lists what its writer wants to receive), telephone-event on each side, where to send,
 * ptime and direction.
 *
 * @throws {SdpError} `media-mismatch` if the m-line counts differ (RFC 3264 §6), `no-common-codec`
 *   if no audio stream is live with a common codec.
 */
export function negotiated(local: SessionDescription, remote: SessionDescription): NegotiatedMedia {
  if (local.media.length !== remote.media.length) {
    throw new SdpError('media-mismatch', `m-line count differs: ours ${local.media.length}, theirs ${remote.media.length} (RFC 3264 §6)`);
  }
  for (let i = 0; i < local.media.length; i++) {
    const lm = local.media[i];
    const rm = remote.media[i];
    if (!isUsableAudio(lm) || !isUsableAudio(rm) || rm.connection === null) continue;
    let pair: { codec: Codec; send: number; receive: number } | null = null;
    for (const rp of rm.payloads) {
      const codec = isSupportedCodecPayload(rp, ['PCMU', 'PCMA']);
      if (codec === null) continue;
      const lp = lm.payloads.find((p) => isSupportedCodecPayload(p, [codec]) !== null);
      if (lp === undefined) continue;
      pair = { codec, send: rp.payloadType, receive: lp.payloadType };
      break;
    }
    if (pair === null) continue;
    const rte = rm.payloads.find(isEventPayload);
    const lte = lm.payloads.find(isEventPayload);
    const telephoneEvent = rte !== undefined && lte !== undefined
      ? {
          sendPayloadType: rte.payloadType,
          receivePayloadType: lte.payloadType,
          events: parseEventList(rte.fmtp ?? DEFAULT_EVENTS) ?? parseEventList(DEFAULT_EVENTS) ?? [],
        }
      : null;
    const conn = rm.connection;
    const canSend = sends(lm.direction) && receives(rm.direction) && !isNullAddress(conn);
    const canReceive = receives(lm.direction) && sends(rm.direction);
    return {
      mediaIndex: i,
      codec: pair.codec,
      clockRate: 8000,
      sendPayloadType: pair.send,
      receivePayloadType: pair.receive,
      telephoneEvent,
      remote: {
        addressType: conn.addressType,
        address: conn.address,
        port: rm.port,
        rtcpAddress: rm.rtcp?.connection?.address ?? conn.address,
        rtcpPort: rm.rtcp?.port ?? rm.port + 1,
      },
      ptime: rm.ptime ?? 20,
      direction: directionOf(canSend, canReceive),
      remoteHold: isHold(rm),
    };
  }
  throw new SdpError('no-common-codec', 'no live audio stream with a common codec');
}

/**
 * Whether `next` is the same description version as `previous` from the same origin, so a
 * re-INVITE carrying it changes nothing (RFC 3264 §8).
 */
export function isSameVersion(previous: SessionDescription, next: SessionDescription): boolean {
  const a = previous.origin;
  const b = next.origin;
  return a.username === b.username && a.sessionId === b.sessionId && a.address === b.address && a.sessionVersion === b.sessionVersion;
}
