// Calls over the engine: an incoming INVITE session + an RTP leg become a CallControl (answer, play, collect,
// dial and bridge with recording, voicemail, hang up). Media anchored on our ports, one media clock for all.
import { randomUUID } from 'node:crypto';
import { alawDecode, ulawDecode } from '../codec/index.ts';
import type { MediaClock, RtpSink, Tickable } from '../media/index.ts';
import { Bridge, Player, PortAllocator, PromptCache, RealtimeMediaClock, RtpLeg, StereoRecorder } from '../media/index.ts';
import type { PayloadKind } from '../media/leg.ts';
import type { NegotiatedMedia, SessionDescription } from '../sdp/index.ts';
import { SdpError, createAnswer, createOffer, negotiated, parseSdp, writeSdp } from '../sdp/index.ts';
import type { IncomingCall, InviteSessions, OutgoingCall } from '../sip/ua/invite.ts';
import type {
  CallControl,
  CallInfo,
  CollectOptions,
  CollectOutcome,
  Digit,
  DialOptions,
  DialOutcome,
  DialTarget,
  LegInfo,
  PlayOptions,
  PlayOutcome,
  PromptSource,
  RecordingOutcome,
  VoicemailOptions,
} from './types.ts';
import { CallEndedError } from './types.ts';

export interface CallManagerOptions {
  /** Address written into SDP `c=` (what peers send RTP to). */
  rtpAddress: string;
  /** Address the RTP sockets bind to. */
  bindAddress: string;
  rtpPorts: { min: number; max: number };
  /** Codecs in preference order. */
  codecs: ReadonlyArray<'PCMU' | 'PCMA'>;
  /** Bytes of encoded prompts kept in memory. */
  promptCacheBytes: number;
  /** Hang up a call whose caller sends no RTP for this long, ms (0 = never). */
  mediaTimeoutMs: number;
}

export const CALL_MANAGER_DEFAULTS: Readonly<CallManagerOptions> = Object.freeze({
  rtpAddress: '127.0.0.1',
  bindAddress: '0.0.0.0',
  rtpPorts: Object.freeze({ min: 20000, max: 29999 }),
  codecs: Object.freeze(['PCMU', 'PCMA'] as const),
  promptCacheBytes: 64 * 1024 * 1024,
  mediaTimeoutMs: 0,
});

/** Shared media resources for every call: the one media clock, the port range, the prompt cache. */
export class CallManager {
  readonly options: Readonly<CallManagerOptions>;
  readonly sessions: InviteSessions;
  readonly clock: MediaClock;
  readonly ports: PortAllocator;
  readonly prompts: PromptCache;
  readonly #calls = new Set<Call>();

  constructor(sessions: InviteSessions, options: Partial<CallManagerOptions> = {}, clock?: MediaClock) {
    this.options = Object.freeze({ ...CALL_MANAGER_DEFAULTS, ...options });
    this.sessions = sessions;
    this.clock = clock ?? new RealtimeMediaClock();
    this.ports = new PortAllocator({ min: this.options.rtpPorts.min, max: this.options.rtpPorts.max });
    this.prompts = new PromptCache({ maxBytes: this.options.promptCacheBytes });
  }

  /** Calls in progress. */
  get active(): number {
    return this.#calls.size;
  }

  /** @internal */
  async openLeg(): Promise<RtpLeg> {
    return RtpLeg.open(this.ports, { clock: this.clock, mediaTimeoutMs: this.options.mediaTimeoutMs, log: () => {} }, { address: this.options.bindAddress });
  }

  /** @internal */
  sdpOptions(port: number) {
    return { address: this.options.rtpAddress, port, codecs: [...this.options.codecs] };
  }

  /**
   * Takes an incoming INVITE: opens an RTP leg and prepares the SDP answer (the call is not answered yet).
   * @throws SdpError (code 'no-common-codec' → the INVITE was rejected 488) or PortExhaustedError (rejected 503).
   */
  async accept(incoming: IncomingCall, info: Omit<CallInfo, 'id' | 'startedAt' | 'direction'> & { id?: string }): Promise<Call> {
    let leg: RtpLeg;
    try {
      leg = await this.openLeg();
    } catch (err) {
      incoming.reject(503, 'No Media Ports', [['Retry-After', '5']]);
      throw err;
    }
    let answer: SessionDescription;
    let media: NegotiatedMedia;
    try {
      const offer = parseSdp(incoming.offer);
      answer = createAnswer(offer, this.sdpOptions(leg.ports.rtp));
      media = negotiated(answer, offer);
    } catch (err) {
      await leg.close();
      incoming.reject(err instanceof SdpError ? err.status : 488, err instanceof SdpError ? 'Not Acceptable Here' : undefined);
      throw err;
    }
    const call = new Call(this, incoming, leg, writeSdp(answer), media, {
      id: info.id ?? randomUUID(),
      direction: 'inbound',
      caller: info.caller,
      called: info.called,
      calledIdentity: info.calledIdentity,
      startedAt: Date.now(),
    });
    this.#calls.add(call);
    call.ended.then(() => this.#calls.delete(call));
    return call;
  }

  /** Hangs up every call and stops the clock. */
  async close(): Promise<void> {
    await Promise.all([...this.#calls].map((c) => c.hangup('shutdown')));
    this.clock.close();
  }
}

/** Feeds the caller's decoded audio to a recorder (voicemail): left = caller, right = silence. */
class CallerTap implements RtpSink {
  readonly #pcm = new Int16Array(160);
  readonly #rec: StereoRecorder;
  constructor(rec: StereoRecorder) {
    this.#rec = rec;
  }
  onRtp(_from: RtpLeg, buf: Buffer, _len: number, start: number, end: number, kind: PayloadKind): void {
    const n = Math.min(end - start, 160);
    const payload = buf.subarray(start, start + n);
    if (kind === 'PCMU') ulawDecode(payload, this.#pcm, n);
    else if (kind === 'PCMA') alawDecode(payload, this.#pcm, n);
    else return;
    this.#rec.writeLeft(this.#pcm);
  }
  legClosed(): void {}
}

function qualityOf(leg: RtpLeg): NonNullable<LegInfo['quality']> {
  const q = leg.quality();
  return { packets: q.packets, lossPercent: q.lossPercent, jitterMs: q.jitterMs, rttMs: q.rttMs ?? undefined, mos: q.mos };
}

interface Peer {
  out: OutgoingCall;
  leg: RtpLeg;
  target: DialTarget;
  offer: SessionDescription;
  info: LegInfo;
}

/** Ticks between two liveness checks of a call's media (500 × 20 ms = 10 s). */
const LIVENESS_TICKS = 500;

/** One inbound call: the caller's leg plus the agent leg it may get bridged to. */
export class Call implements CallControl, Tickable {
  readonly info: CallInfo;
  readonly #mgr: CallManager;
  readonly #incoming: IncomingCall;
  readonly #leg: RtpLeg;
  readonly #answerSdp: string;
  readonly #media: NegotiatedMedia;
  readonly #player: Player;
  readonly #abort = new AbortController();
  readonly #digitListeners = new Set<(d: Digit) => void>();
  #digits: Digit[] = [];
  #answered = false;
  #peer: Peer | undefined;
  #bridge: Bridge | undefined;
  #recorder: StereoRecorder | undefined;
  #endedBy: 'caller' | 'callee' | 'system' | undefined;
  #resolveEnded!: () => void;
  readonly ended: Promise<void>;
  readonly callerLeg: LegInfo;
  #recording: RecordingOutcome | undefined;

  constructor(mgr: CallManager, incoming: IncomingCall, leg: RtpLeg, answerSdp: string, media: NegotiatedMedia, info: CallInfo) {
    this.#mgr = mgr;
    this.#incoming = incoming;
    this.#leg = leg;
    this.#answerSdp = answerSdp;
    this.#media = media;
    this.info = info;
    this.#player = new Player(leg);
    this.ended = new Promise((r) => (this.#resolveEnded = r));
    this.callerLeg = { id: `${info.id}-a`, role: 'caller', uri: incoming.request.uriText, startedAt: info.startedAt, codec: media.codec };
    mgr.clock.add(this);
    leg.on('digit', (ev) => {
      if (ev.digit === 'flash') return;
      const d = ev.digit as Digit;
      this.#digits.push(d);
      if (this.#digits.length > 64) this.#digits.shift();
      for (const l of [...this.#digitListeners]) l(d);
    });
    leg.on('timeout', () => void this.hangup('media-timeout'));
    incoming.events = {
      ...incoming.events,
      onReinvite: (offer) => this.#reoffer(this.#leg, offer),
      onEnded: (reason) => {
        // The caller's signalling ended (BYE, CANCEL) — or we ended it.
        if (reason === 'remote-bye' || reason === 'cancelled' || reason === 'no-ack' || reason === 'timeout') this.#finish('caller', reason);
      },
    };
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  #ticks = 0;
  #lastIn = { caller: 0, callee: 0 };

  /** @internal media clock: every 10 s, dialogs whose leg received RTP are marked alive (idle-dialog sweep). */
  tick(): void {
    if (++this.#ticks % LIVENESS_TICKS !== 0) return;
    const inCaller = this.#leg.counters.rtpIn;
    if (inCaller !== this.#lastIn.caller) this.#incoming.touch();
    this.#lastIn.caller = inCaller;
    const peer = this.#peer;
    if (peer) {
      const inCallee = peer.leg.counters.rtpIn;
      if (inCallee !== this.#lastIn.callee) peer.out.touch();
      this.#lastIn.callee = inCallee;
    }
  }

  /** The recording of the bridged conversation, once closed. */
  get recording(): RecordingOutcome | undefined {
    return this.#recording;
  }

  /** The callee leg's CDR info, when dialed. */
  get calleeLeg(): LegInfo | undefined {
    return this.#peer?.info;
  }

  #check(): void {
    if (this.#abort.signal.aborted) throw new CallEndedError();
  }

  async answer(): Promise<void> {
    this.#check();
    if (this.#answered) return;
    this.#answered = true;
    this.#leg.setMedia(this.#media);
    this.#incoming.answer(this.#answerSdp);
    this.callerLeg.answeredAt = Date.now();
  }

  onDigit(listener: (d: Digit) => void): () => void {
    this.#digitListeners.add(listener);
    return () => this.#digitListeners.delete(listener);
  }

  async play(source: PromptSource, opts: PlayOptions = {}): Promise<PlayOutcome> {
    this.#check();
    await this.answer();
    const prompt = await this.#mgr.prompts.load(source.key, () => source.render());
    this.#check();
    if (opts.bargeIn && this.#digits.length > 0) return { reason: 'barge-in', digit: this.#digits[0] };
    let barged: Digit | undefined;
    const off = opts.bargeIn
      ? this.onDigit((d) => {
          barged ??= d;
          this.#player.stop();
        })
      : () => {};
    try {
      const res = await this.#player.play(prompt, { loop: opts.loop === true, signal: this.#abort.signal });
      if (this.#abort.signal.aborted) return { reason: 'hangup' };
      if (barged) return { reason: 'barge-in', digit: barged };
      return { reason: res.reason === 'completed' ? 'ended' : 'stopped' };
    } finally {
      off();
    }
  }

  /** Stops whatever is playing (music on hold). */
  stopPlayback(): void {
    this.#player.stop();
  }

  async collect(opts: CollectOptions): Promise<CollectOutcome> {
    this.#check();
    await this.answer();
    let digits = '';
    const buffered = opts.useBuffered === false ? [] : this.#digits.splice(0);
    if (opts.useBuffered === false) this.#digits.length = 0;
    return new Promise<CollectOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (reason: CollectOutcome['reason']) => {
        if (timer) clearTimeout(timer);
        off();
        this.#abort.signal.removeEventListener('abort', onAbort);
        resolve({ digits, reason });
      };
      const arm = (ms: number) => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => done('timeout'), ms);
      };
      const onAbort = () => done('hangup');
      const take = (d: Digit): boolean => {
        if (opts.terminator && d === opts.terminator && digits.length >= opts.minDigits) {
          done('terminator');
          return true;
        }
        digits += d;
        if (digits.length >= opts.maxDigits) {
          done('max-digits');
          return true;
        }
        arm(opts.interDigitTimeoutMs);
        return false;
      };
      const off = this.onDigit((d) => {
        this.#digits.length = 0;
        take(d);
      });
      this.#abort.signal.addEventListener('abort', onAbort);
      arm(opts.firstDigitTimeoutMs);
      for (const d of buffered) if (take(d)) return;
    });
  }

  async dial(opts: DialOptions): Promise<DialOutcome> {
    this.#check();
    await this.answer();
    if (this.#peer) throw new TypeError('dial: already bridged');
    if (opts.targets.length === 0) return { outcome: 'failed' };
    const mgr = this.#mgr;
    const music = opts.music ? this.play(opts.music, { loop: true }).catch(() => undefined) : undefined;
    const peers: Peer[] = [];
    let settled = false;
    let statusSeen = 0;
    return new Promise<DialOutcome>((resolve) => {
      const finish = (out: DialOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#abort.signal.removeEventListener('abort', onAbort);
        if (music) this.#player.stop();
        resolve(out);
      };
      const failAll = (outcome: 'no-answer' | 'hangup') => {
        for (const p of peers) {
          void p.out.hangup();
          void p.leg.close();
        }
        finish({ outcome, status: statusSeen || undefined });
      };
      const timer = setTimeout(() => failAll('no-answer'), opts.timeoutMs);
      const onAbort = () => failAll('hangup');
      this.#abort.signal.addEventListener('abort', onAbort);
      let pending = opts.targets.length;
      for (const target of opts.targets) {
        void mgr.openLeg().then(
          (leg) => {
            if (settled) {
              void leg.close();
              return;
            }
            const offer = createOffer(mgr.sdpOptions(leg.ports.rtp));
            const info: LegInfo = { id: `${this.info.id}-${peers.length + 1}`, role: 'callee', uri: target.uri, label: target.label, startedAt: Date.now() };
            const peer: Peer = { leg, target, offer, info, out: undefined as unknown as OutgoingCall };
            peer.out = mgr.sessions.call(
              {
                uri: target.uri,
                dest: target.dest,
                from: this.#fromHeader(opts.from),
                sdp: writeSdp(offer),
                credentials: target.credentials,
                headers: opts.headers,
              },
              {
                onAnswered: (res) => {
                  if (settled) {
                    void peer.out.bye();
                    void leg.close();
                    return;
                  }
                  try {
                    const media = negotiated(offer, parseSdp(res.body.toString()));
                    leg.setMedia(media);
                    info.codec = media.codec;
                  } catch {
                    void peer.out.bye();
                    void leg.close();
                    if (--pending === 0) finish({ outcome: 'failed', status: 488 });
                    return;
                  }
                  info.answeredAt = Date.now();
                  for (const other of peers) {
                    if (other === peer) continue;
                    void other.out.hangup();
                    void other.leg.close();
                  }
                  this.#player.stop();
                  void this.#connect(peer, opts).then(() => finish({ outcome: 'answered', target, leg: info }));
                },
                onFailed: (status) => {
                  statusSeen = statusSeen === 486 ? 486 : status;
                  void leg.close();
                  if (--pending === 0 && !settled) finish({ outcome: status === 486 || status === 600 ? 'busy' : status === 408 || status === 480 ? 'no-answer' : 'failed', status });
                },
                onReinvite: (sdp) => this.#reoffer(leg, sdp),
                onEnded: (reason) => {
                  info.endedAt = Date.now();
                  info.endReason = reason;
                  if (this.#peer === peer && reason === 'remote-bye') this.#finish('callee', 'agent hung up');
                },
              },
            );
            peers.push(peer);
          },
          () => {
            if (--pending === 0) finish({ outcome: 'failed', status: 503 });
          },
        );
      }
    });
  }

  /**
   * A re-INVITE from a leg's peer (hold with sendonly/inactive/0.0.0.0, unhold, session refresh — RFC 3264 §8):
   * answer it from our port and apply the new direction and address to the leg; undefined → 488.
   */
  #reoffer(leg: RtpLeg, sdp: string): string | undefined {
    try {
      const offer = parseSdp(sdp);
      const answer = createAnswer(offer, this.#mgr.sdpOptions(leg.ports.rtp));
      leg.setMedia(negotiated(answer, offer));
      return writeSdp(answer);
    } catch {
      return undefined;
    }
  }

  /** A name-addr for From: as given when it is one, else `"N" <sip:N@domain>` for a bare number (the caller ID). */
  #fromHeader(from: string): string {
    if (from.includes('<') || /^sips?:/i.test(from)) return from.includes('<') ? from : `<${from}>`;
    const user = from.replace(/[^0-9A-Za-z+*#._-]/g, '') || 'anonymous';
    const domain = this.info.calledIdentity.split('@')[1] || this.#mgr.options.rtpAddress;
    return `"${user}" <sip:${user}@${domain}>`;
  }

  async #connect(peer: Peer, opts: DialOptions): Promise<void> {
    this.#peer = peer;
    this.#bridge = new Bridge(this.#leg, peer.leg);
    if (opts.record) {
      this.#recorder = await StereoRecorder.open(opts.record.path, { clock: this.#mgr.clock });
      this.#bridge.record(this.#recorder, 'a');
    }
  }

  waitForEnd(): Promise<{ endedBy: 'caller' | 'callee' | 'system' }> {
    return this.ended.then(() => ({ endedBy: this.#endedBy ?? 'system' }));
  }

  async voicemail(opts: VoicemailOptions): Promise<RecordingOutcome> {
    this.#check();
    await this.answer();
    const rec = await StereoRecorder.open(opts.path, { clock: this.#mgr.clock });
    this.#leg.setSink(new CallerTap(rec));
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, opts.maxMs);
      const off = this.onDigit((d) => {
        if (opts.endOnHash && d === '#') done();
      });
      const onAbort = () => done();
      this.#abort.signal.addEventListener('abort', onAbort);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    if (!this.#leg.closed) this.#leg.setSink(null);
    const info = await rec.close();
    return { path: opts.path, durationMs: info.durationMs || Date.now() - started, channels: 2 };
  }

  async hangup(reason = 'hangup'): Promise<void> {
    if (this.#endedBy) return;
    if (this.#incoming.state === 'confirmed') await this.#incoming.bye();
    else if (this.#incoming.state !== 'terminated') this.#incoming.reject(480, 'Temporarily Unavailable');
    this.#finish('system', reason);
    await this.ended;
  }

  #finish(by: 'caller' | 'callee' | 'system', reason: string): void {
    if (this.#endedBy) return;
    this.#endedBy = by;
    this.#mgr.clock.remove(this);
    this.#abort.abort(new CallEndedError(reason));
    this.callerLeg.endedAt = Date.now();
    this.callerLeg.endReason = reason;
    this.callerLeg.quality = qualityOf(this.#leg);
    const peer = this.#peer;
    void (async () => {
      this.#player.close();
      this.#bridge?.unbridge();
      if (peer) {
        peer.info.quality = qualityOf(peer.leg);
        if (by !== 'callee') await peer.out.hangup().catch(() => undefined);
        await peer.leg.close();
      }
      if (by !== 'caller' && this.#incoming.state === 'confirmed') await this.#incoming.bye().catch(() => undefined);
      if (this.#recorder) {
        const rec = await this.#recorder.close().catch(() => undefined);
        if (rec) this.#recording = { path: rec.path, durationMs: rec.durationMs, channels: 2 };
      }
      await this.#leg.close();
    })().finally(() => this.#resolveEnded());
  }
}
