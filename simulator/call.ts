// One simulated call leg on a phone (gateway line or softphone): INVITE session + RTP leg + talker + ear (+ recorder), offer/answer (RFC 3264 §5, §6), hold/unhold by re-INVITE (§8.4), timings and an outcome for reports (RFC 3261 §13, §15).
import { randomUUID } from 'node:crypto';
import type { MediaClock, PortAllocator, Prompt } from '../engine/media/index.ts';
import { RtpLeg, StereoRecorder } from '../engine/media/index.ts';
import type { LegQuality } from '../engine/rtp/stats.ts';
import type { Direction, SessionDescription } from '../engine/sdp/index.ts';
import { SdpOrigin, createAnswer, createOffer, negotiated, parseSdp, writeSdp } from '../engine/sdp/index.ts';
import type { SipResponse, Uri } from '../engine/sip/message/index.ts';
import type { IncomingCall, InviteSessions, OutgoingCall } from '../engine/sip/ua/invite.ts';
import type { ClientCredentials } from '../engine/sip/ua/user-agent.ts';
import type { Endpoint } from '../engine/sip/transport/sockets.ts';
import type { Scheduler, TimerHandle } from '../engine/util/scheduler.ts';
import type { HearingSegment } from './ear.ts';
import { Ear } from './ear.ts';
import { SimulatorError } from './errors.ts';
import { withDefaults } from './options.ts';
import type { SendDigitsOptions } from './talker.ts';
import { Talker } from './talker.ts';

/** Media resources a phone shares with its calls: the one media clock, the RTP port range, the address. */
export interface SimMedia {
  clock: MediaClock;
  ports: PortAllocator;
  /** Address RTP sockets bind to and SDP advertises (an IP literal). */
  address: string;
}

/** What the calls of a phone need. */
export interface CallContext {
  sessions: InviteSessions;
  media: SimMedia;
  scheduler: Scheduler;
}

/** Media behaviour of one call. */
export interface CallMediaOptions {
  /** Looped while the call is up; null sends nothing. */
  audio: Prompt | null;
  /** Frequencies the ear looks for (the other side's test tone). */
  probes: readonly number[];
  /** Stereo WAV of the call: left = what this phone heard, right = what it sent (a path, or a path from the call id). */
  recordPath: string | ((callId: string) => string) | undefined;
  /** Offer/accept RFC 4733 telephone-events (off: key presses go in-band). */
  telephoneEvent: boolean;
}

/** Defaults of {@link CallMediaOptions}. */
export const CALL_MEDIA_DEFAULTS: Readonly<CallMediaOptions> = Object.freeze({ audio: null, probes: Object.freeze([]), recordPath: undefined, telephoneEvent: true });

/** How a call leg ended up. */
export type CallOutcome = 'answered' | 'busy' | 'declined' | 'no-answer' | 'cancelled' | 'rejected' | 'failed' | 'timeout';

/** The record of a finished call leg (times in ms; `startedAt` is wall-clock Unix ms). */
export interface SimCallResult {
  id: string;
  direction: 'outgoing' | 'incoming';
  /** User part of From (the caller's number or extension). */
  from: string;
  /** User part of the Request-URI (the called number or extension). */
  to: string;
  requestUri: string;
  callId: string | undefined;
  outcome: CallOutcome;
  /** Final SIP status (the one received for outgoing calls, the one sent for incoming ones). */
  status: number | undefined;
  endReason: string | undefined;
  endedBy: 'local' | 'remote' | undefined;
  startedAt: number;
  /** INVITE → first 18x. */
  ringingMs: number | undefined;
  /** INVITE → 200 (sent or received). */
  setupMs: number | undefined;
  /** 200 → end. */
  talkMs: number | undefined;
  quality: LegQuality | undefined;
  /** What this phone heard, by segment; `startMs` relative to the INVITE. */
  heard: HearingSegment[];
  digitsHeard: string;
  digitsSent: string;
  framesSent: number;
  recording: string | undefined;
}

/** The events a call reports to its phone. */
export interface SimCallEvents {
  ringing?(call: SimCall): void;
  answered?(call: SimCall): void;
  ended?(call: SimCall, result: SimCallResult): void;
}

function userOf(uri: Uri | undefined): string {
  if (uri === undefined) return '';
  const u = uri as { user?: string; number?: string };
  return u.user ?? u.number ?? '';
}

function outcomeOfStatus(status: number): CallOutcome {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 408 || status === 480) return 'no-answer';
  if (status === 487) return 'cancelled';
  return 'rejected';
}

/**
 * A call leg of a simulated phone. Create it with {@link SimCall.dial} (outgoing) or {@link SimCall.accept}
 * (incoming, then {@link ring}/{@link answer}/{@link reject}); {@link ended} resolves with its record once
 * the session is over and the media resources are released.
 */
export class SimCall {
  readonly id: string = randomUUID();
  readonly direction: 'outgoing' | 'incoming';
  readonly leg: RtpLeg;
  readonly ear: Ear;
  readonly talker: Talker;
  readonly from: string;
  readonly to: string;
  readonly requestUri: string;
  readonly startedAt = Date.now();
  /** Media-clock ms of the INVITE (sent or received). */
  readonly createdMs: number;
  ringingMs: number | undefined;
  answeredMs: number | undefined;
  endedMs: number | undefined;
  /** Filled for outgoing calls once sent; for incoming calls the session that arrived. */
  session!: OutgoingCall | IncomingCall;
  events: SimCallEvents;
  readonly #ctx: CallContext;
  readonly #opts: CallMediaOptions;
  readonly #origin: SdpOrigin;
  #local: SessionDescription | undefined;
  #remoteOffer: SessionDescription | undefined;
  #recorder: StereoRecorder | undefined;
  #status: number | undefined;
  #outcome: CallOutcome | undefined;
  #endedBy: 'local' | 'remote' | undefined;
  #endReason: string | undefined;
  #digits = '';
  #direction: Direction = 'sendrecv';
  #finished = false;
  readonly #timers = new Set<TimerHandle>();
  #resolve!: (r: SimCallResult) => void;
  readonly ended: Promise<SimCallResult>;
  #result: SimCallResult | undefined;

  private constructor(ctx: CallContext, direction: 'outgoing' | 'incoming', leg: RtpLeg, opts: CallMediaOptions, ids: { from: string; to: string; requestUri: string }, events: SimCallEvents) {
    this.#ctx = ctx;
    this.direction = direction;
    this.leg = leg;
    this.#opts = opts;
    this.from = ids.from;
    this.to = ids.to;
    this.requestUri = ids.requestUri;
    this.events = events;
    this.createdMs = ctx.media.clock.now();
    this.#origin = new SdpOrigin({ address: ctx.media.address });
    this.ended = new Promise((r) => (this.#resolve = r));
    this.ear = new Ear(() => ctx.media.clock.now(), { probes: opts.probes, onFrame: (f) => this.#recorder?.writeLeft(f) });
    this.talker = new Talker(leg, { onFrame: (f) => this.#recorder?.writeRight(f) });
    this.talker.say(opts.audio);
    leg.setSink(this.ear);
    leg.on('digit', (e) => {
      this.#digits += e.digit;
    });
  }

  static async #openLeg(ctx: CallContext): Promise<RtpLeg> {
    return RtpLeg.open(ctx.media.ports, { clock: ctx.media.clock, log: () => {} }, { address: ctx.media.address });
  }

  async #startRecording(): Promise<void> {
    const r = this.#opts.recordPath;
    const file = typeof r === 'function' ? r(this.id) : r;
    if (file) this.#recorder = await StereoRecorder.open(file, { clock: this.#ctx.media.clock });
  }

  /**
   * Places an outgoing call (INVITE with our offer; digest retry with `credentials`).
   * @throws {PortExhaustedError} when no RTP port pair is free.
   */
  static async dial(
    ctx: CallContext,
    target: { uri: string; dest: Endpoint; from: string; to?: string; credentials?: ClientCredentials; headers?: Array<[string, string]> },
    media: Partial<CallMediaOptions> = {},
    events: SimCallEvents = {},
  ): Promise<SimCall> {
    const opts = withDefaults(CALL_MEDIA_DEFAULTS, media);
    const leg = await SimCall.#openLeg(ctx);
    const fromUser = /sip:([^@;>]+)@/.exec(target.from)?.[1] ?? '';
    const toUser = /^sips?:([^@;>]+)@/.exec(target.uri)?.[1] ?? '';
    const call = new SimCall(ctx, 'outgoing', leg, opts, { from: fromUser, to: toUser, requestUri: target.uri }, events);
    try {
      await call.#startRecording();
    } catch (err) {
      await leg.close();
      throw err;
    }
    const offer = call.#offer('sendrecv');
    call.#local = offer;
    call.session = ctx.sessions.call(
      { uri: target.uri, dest: target.dest, from: target.from, to: target.to, sdp: writeSdp(offer), credentials: target.credentials, headers: target.headers },
      {
        onProgress: (res) => call.#onProgress(res),
        onAnswered: (res) => call.#onAnswered(res),
        onFailed: (status) => {
          call.#status = status;
          call.#outcome = outcomeOfStatus(status);
          if (call.#endedBy === undefined) call.#endedBy = status === 487 ? 'local' : 'remote';
        },
        onReinvite: (sdp) => call.#onReinvite(sdp),
        onEnded: (reason, detail) => void call.#finish(reason, detail),
      },
    );
    return call;
  }

  /**
   * Takes an incoming INVITE: opens an RTP leg and prepares the answer to its offer. An INVITE without
   * an offer, or with one we cannot answer, is rejected 488 and the returned call is already ending.
   * @throws {PortExhaustedError} (the INVITE was rejected 503).
   */
  static async accept(ctx: CallContext, incoming: IncomingCall, media: Partial<CallMediaOptions> = {}, events: SimCallEvents = {}): Promise<SimCall> {
    const opts = withDefaults(CALL_MEDIA_DEFAULTS, media);
    let leg: RtpLeg;
    try {
      leg = await SimCall.#openLeg(ctx);
    } catch (err) {
      incoming.reject(503, 'No Media Ports');
      throw err;
    }
    const req = incoming.request;
    const call = new SimCall(ctx, 'incoming', leg, opts, { from: userOf(req.from().uri), to: userOf(req.uri), requestUri: req.uriText }, events);
    call.session = incoming;
    incoming.events = {
      ...incoming.events,
      onReinvite: (sdp) => call.#onReinvite(sdp),
      onEnded: (reason, detail) => void call.#finish(reason, detail),
    };
    try {
      await call.#startRecording();
    } catch {
      // The call goes on unrecorded.
    }
    if (incoming.state === 'terminated') {
      // Cancelled while the leg was opening.
      void call.#finish(incoming.endReason ?? 'cancelled');
      return call;
    }
    try {
      call.#remoteOffer = parseSdp(incoming.offer);
      call.#local = createAnswer(call.#remoteOffer, call.#sdpOptions('sendrecv'));
    } catch {
      call.reject(488);
    }
    return call;
  }

  #sdpOptions(direction: Direction) {
    return { address: this.#ctx.media.address, port: this.leg.ports.rtp, telephoneEvent: this.#opts.telephoneEvent, origin: this.#origin, direction };
  }

  #offer(direction: Direction): SessionDescription {
    return createOffer(this.#sdpOptions(direction));
  }

  #onProgress(res: SipResponse): void {
    if (res.status < 180 || this.ringingMs !== undefined) return;
    this.ringingMs = this.#ctx.media.clock.now();
    this.events.ringing?.(this);
  }

  #onAnswered(res: SipResponse): void {
    this.#status = res.status;
    this.#outcome = 'answered';
    this.answeredMs = this.#ctx.media.clock.now();
    try {
      this.leg.setMedia(negotiated(this.#local as SessionDescription, parseSdp(res.body.toString())));
    } catch {
      // An answer we cannot use: hang up (RFC 3264 §6 — nothing to talk over).
      this.#endReason = 'bad-answer-sdp';
      void this.hangup();
      return;
    }
    this.ear.mark('answered');
    this.talker.start();
    this.events.answered?.(this);
  }

  #onReinvite(sdp: string): string | undefined {
    if (!sdp || this.#finished) return undefined;
    try {
      const offer = parseSdp(sdp);
      const answer = createAnswer(offer, this.#sdpOptions('sendrecv'));
      const media = negotiated(answer, offer);
      this.leg.setMedia(media);
      this.#local = answer;
      this.#directionChanged(media.direction, 'held');
      return writeSdp(answer);
    } catch {
      return undefined;
    }
  }

  /** Incoming: 180 Ringing (RFC 3261 §13.3.1.1). */
  ring(): void {
    if (this.direction !== 'incoming' || this.#finished) return;
    (this.session as IncomingCall).progress(180);
    this.ringingMs ??= this.#ctx.media.clock.now();
    this.events.ringing?.(this);
  }

  /**
   * Incoming: answers 200 with our SDP and starts talking.
   * @throws {SimulatorError} `invalid-state` when the call can no longer be answered.
   */
  answer(): void {
    const inc = this.session as IncomingCall;
    if (this.direction !== 'incoming' || this.#finished || inc.state === 'terminated' || inc.state === 'confirmed') {
      throw new SimulatorError('invalid-state', 'answer: the call is not ringing');
    }
    const local = this.#local as SessionDescription;
    inc.answer(writeSdp(local));
    this.#status = 200;
    this.#outcome = 'answered';
    this.answeredMs = this.#ctx.media.clock.now();
    this.leg.setMedia(negotiated(local, this.#remoteOffer as SessionDescription));
    this.ear.mark('answered');
    this.talker.start();
    this.events.answered?.(this);
  }

  /** Incoming: refuses with a final status (486 busy, 603 decline, 480 no answer…). */
  reject(status: number): void {
    if (this.direction !== 'incoming' || this.#finished) return;
    this.#status = status;
    this.#outcome = outcomeOfStatus(status);
    this.#endedBy = 'local';
    (this.session as IncomingCall).reject(status);
  }

  /** Whether the call is up (answered, not ended). */
  get up(): boolean {
    return this.answeredMs !== undefined && !this.#finished;
  }

  /** Whether the call has ended. */
  get done(): boolean {
    return this.#finished;
  }

  /** Keys received (RFC 4733 or in-band), in order. */
  get digitsHeard(): string {
    return this.#digits;
  }

  /** Starts a new hearing segment (e.g. `bridged` once the agent answered). */
  mark(label: string): void {
    this.ear.mark(label);
  }

  /** Runs `fn` after `ms` unless the call ended first. */
  after(ms: number, fn: () => void): void {
    if (this.#finished) return;
    const h = this.#ctx.scheduler.setTimer(ms, () => {
      this.#timers.delete(h);
      if (!this.#finished) fn();
    });
    this.#timers.add(h);
  }

  /** Sends key presses (see {@link Talker.sendDigits}); the call must be up. */
  sendDigits(digits: string, opts: Partial<SendDigitsOptions> = {}): Promise<void> {
    if (!this.up) return Promise.reject(new SimulatorError('invalid-state', 'sendDigits: the call is not up'));
    return this.talker.sendDigits(digits, opts);
  }

  /**
   * Puts the other side on hold: re-INVITE offering `sendonly` (RFC 3264 §8.4); resolves with the status and
   * the direction the other side answered (`recvonly` when it accepted).
   */
  hold(): Promise<{ status: number; remoteDirection: Direction | undefined }> {
    return this.#reoffer('sendonly');
  }

  /** Takes the other side off hold: re-INVITE offering `sendrecv`. */
  unhold(): Promise<{ status: number; remoteDirection: Direction | undefined }> {
    return this.#reoffer('sendrecv');
  }

  async #reoffer(direction: Direction): Promise<{ status: number; remoteDirection: Direction | undefined }> {
    if (!this.up) throw new SimulatorError('invalid-state', 're-INVITE: the call is not up');
    const offer = this.#offer(direction);
    const r = await this.session.reinvite(writeSdp(offer));
    if (r.status >= 300 || !r.sdp) return { status: r.status, remoteDirection: undefined };
    const answer = parseSdp(r.sdp);
    if (!this.#finished) {
      const media = negotiated(offer, answer);
      this.leg.setMedia(media);
      this.#local = offer;
      this.#directionChanged(media.direction, 'hold');
    }
    return { status: r.status, remoteDirection: answer.media[0]?.direction };
  }

  /** Starts a hearing segment when the stream direction changes: `hold`/`held` (we hold / are held), `resumed`. */
  #directionChanged(direction: Direction, holdLabel: 'hold' | 'held'): void {
    if (direction === this.#direction) return;
    this.#direction = direction;
    this.ear.mark(direction === 'sendrecv' ? 'resumed' : holdLabel);
  }

  /** Ends the call whatever its state: CANCEL or BYE (outgoing), 480 or BYE (incoming). */
  async hangup(): Promise<void> {
    if (this.#finished) return;
    this.#endedBy ??= 'local';
    const s = this.session;
    if (this.direction === 'incoming' && s.state !== 'confirmed') {
      this.reject(480);
      return;
    }
    if (s.state === 'confirmed') await s.bye();
    else await (s as OutgoingCall).hangup();
  }

  async #finish(reason: string, detail?: string): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.endedMs = this.#ctx.media.clock.now();
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    this.#endReason ??= detail ? `${reason} ${detail}` : reason;
    if (reason === 'remote-bye' || reason === 'cancelled') this.#endedBy ??= 'remote';
    if (reason === 'local-bye') this.#endedBy ??= 'local';
    if (this.#outcome === undefined) {
      if (reason === 'cancelled') this.#outcome = 'cancelled';
      else if (reason === 'timeout') this.#outcome = 'timeout';
      else this.#outcome = 'failed';
    }
    this.talker.stop();
    const quality = this.answeredMs !== undefined ? this.leg.quality() : undefined;
    let recording: string | undefined;
    if (this.#recorder) {
      const info = await this.#recorder.close().catch(() => undefined);
      recording = info?.path;
    }
    await this.leg.close();
    const t0 = this.createdMs;
    this.#result = {
      id: this.id,
      direction: this.direction,
      from: this.from,
      to: this.to,
      requestUri: this.requestUri,
      callId: this.session.request.callId,
      outcome: this.#outcome,
      status: this.#status,
      endReason: this.#endReason,
      endedBy: this.#endedBy,
      startedAt: this.startedAt,
      ringingMs: this.ringingMs === undefined ? undefined : this.ringingMs - t0,
      setupMs: this.answeredMs === undefined ? undefined : this.answeredMs - t0,
      talkMs: this.answeredMs === undefined ? undefined : this.endedMs - this.answeredMs,
      quality,
      heard: this.ear.segments.map((s) => ({ ...s, startMs: s.startMs - t0, firstVoicedMs: s.firstVoicedMs === null ? null : s.firstVoicedMs - t0, toneFrames: { ...s.toneFrames } })),
      digitsHeard: this.#digits,
      digitsSent: this.talker.digitsSent,
      framesSent: this.talker.framesSent,
      recording,
    };
    try {
      this.events.ended?.(this, this.#result);
    } catch {
      // A listener's failure must not keep the call from ending.
    }
    this.#resolve(this.#result);
  }

  /** The record, once ended. */
  get result(): SimCallResult | undefined {
    return this.#result;
  }
}
