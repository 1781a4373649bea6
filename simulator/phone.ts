// The common core of simulated phones (gateway lines, softphones): a UserAgent with INVITE sessions (OPTIONS keepalives answered by the UA core, RFC 3261 §11.2), registrations, shared media, and how a phone treats a ringing call (ring, answer, decline, busy, never answer; talk, hold, hang up).
import path from 'node:path';
import type { MediaClock } from '../engine/media/index.ts';
import { PortAllocator, RealtimeMediaClock } from '../engine/media/index.ts';
import type { IncomingCall } from '../engine/sip/ua/invite.ts';
import { InviteSessions } from '../engine/sip/ua/invite.ts';
import { UserAgent } from '../engine/sip/ua/user-agent.ts';
import type { Endpoint } from '../engine/sip/transport/sockets.ts';
import type { Scheduler } from '../engine/util/scheduler.ts';
import { RealScheduler } from '../engine/util/scheduler.ts';
import type { AudioSpec } from './audio.ts';
import { AudioLibrary } from './audio.ts';
import type { CallContext, CallMediaOptions, SimCall, SimCallEvents, SimMedia } from './call.ts';
import { SimCall as Call } from './call.ts';
import type { RegistrationOptions } from './registration.ts';
import { withDefaults } from './options.ts';
import { Registration } from './registration.ts';

/** Where the SIP server is and which domain to use. */
export interface ServerAddress {
  host: string;
  port: number;
}

/** Options every simulated phone takes. */
export interface PhoneOptions {
  /** The SIP server (registrar, and where calls go). */
  server: ServerAddress;
  /** The tenant's domain (AORs, Request-URIs, digest realm). */
  domain: string;
  /** Local SIP address (UDP); port 0 picks a free one. */
  bind: { host: string; port: number };
  /** User-Agent header. */
  product: string;
  /** Shared media (clock, ports, address); when absent the phone makes its own from `rtpPorts`. */
  media: SimMedia | undefined;
  /** RTP port range of a phone's own media. */
  rtpPorts: { min: number; max: number };
  /** Timers for ring, talk and refresh; the real clock by default. */
  scheduler: Scheduler | undefined;
  /** Rendered audio, shared between phones. */
  audio: AudioLibrary | undefined;
  /** Record every call to `DIR/<phone>-<call id>.wav` (left heard, right sent). */
  recordDir: string | undefined;
  /** Registration timing (expires, refresh ratio, retry). */
  registration: Partial<Pick<RegistrationOptions, 'expires' | 'refreshRatio' | 'retryMs'>>;
}

/** Defaults of {@link PhoneOptions}. */
export const PHONE_DEFAULTS: Readonly<Omit<PhoneOptions, 'server' | 'domain'>> = Object.freeze({
  bind: Object.freeze({ host: '127.0.0.1', port: 0 }),
  product: 'Hotline-Simulator',
  media: undefined,
  rtpPorts: Object.freeze({ min: 30000, max: 39999 }),
  scheduler: undefined,
  audio: undefined,
  recordDir: undefined,
  registration: Object.freeze({}),
});

/** How a phone treats a call that rings it. */
export interface PhoneBehaviour {
  /** `answer` after `ringMs`; `decline` (603) after `ringMs`; `busy` (486) at once; `no-answer`: ring until cancelled. */
  action: 'answer' | 'decline' | 'no-answer' | 'busy';
  /** Ringing time before answering or declining, ms. */
  ringMs: number;
  /** Hang up this long after answering, ms (undefined: wait for the other side). */
  talkMs?: number;
  /** What it says while the call is up. */
  audio?: AudioSpec;
  /** Put the other side on hold `afterMs` after answering, for `durationMs`. */
  hold?: { afterMs: number; durationMs: number };
  /** A ringing call left unanswered this long is refused 480, ms. */
  maxRingMs?: number;
}

/** Defaults of {@link PhoneBehaviour}. */
export const BEHAVIOUR_DEFAULTS: Readonly<PhoneBehaviour> = Object.freeze({ action: 'answer', ringMs: 1000, maxRingMs: 120_000 });

/** The media of a phone's own: a real-time clock and a port allocator. */
export function ownMedia(address: string, ports: { min: number; max: number }): SimMedia & { clock: MediaClock } {
  return { clock: new RealtimeMediaClock(), ports: new PortAllocator({ min: ports.min, max: ports.max }), address };
}

/**
 * A SIP user agent with phones on it. Subclasses decide what incoming INVITEs mean ({@link onIncoming}).
 * OPTIONS keepalives from the server are answered 200 by the UA core.
 */
export abstract class SimPhone {
  readonly options: Readonly<PhoneOptions>;
  readonly ua: UserAgent;
  readonly sessions: InviteSessions;
  readonly media: SimMedia;
  readonly scheduler: Scheduler;
  readonly audio: AudioLibrary;
  readonly #ownsMedia: boolean;
  readonly #calls = new Set<SimCall>();
  readonly #registrations: Registration[] = [];
  #closed = false;
  #listening = false;
  /** Calls finished so far. */
  readonly finished: SimCall[] = [];
  /** Keep finished calls in {@link finished} (off for long load runs that collect results themselves). */
  keepFinished = true;

  constructor(options: Pick<PhoneOptions, 'server' | 'domain'> & Partial<PhoneOptions>) {
    this.options = Object.freeze(withDefaults(PHONE_DEFAULTS, options));
    this.scheduler = this.options.scheduler ?? new RealScheduler();
    this.ua = new UserAgent({ transport: { host: this.options.bind.host, port: this.options.bind.port, tcp: false }, product: this.options.product, scheduler: this.scheduler });
    this.sessions = new InviteSessions(this.ua, { onIncoming: (c) => this.#incoming(c) });
    this.#ownsMedia = this.options.media === undefined;
    this.media = this.options.media ?? ownMedia(this.options.bind.host === '0.0.0.0' ? '127.0.0.1' : this.options.bind.host, this.options.rtpPorts);
    this.audio = this.options.audio ?? new AudioLibrary();
  }

  /** Binds the SIP socket. */
  async listen(): Promise<void> {
    if (this.#listening) return;
    await this.ua.listen();
    this.#listening = true;
  }

  /** The SIP server as a transport endpoint. */
  get serverEndpoint(): Endpoint {
    return { transport: 'udp', address: this.options.server.host, port: this.options.server.port };
  }

  /** Our SIP port. */
  get port(): number {
    return this.ua.transport.port;
  }

  /** Calls in progress (ringing or up). */
  get active(): number {
    return this.#calls.size;
  }

  /** The live calls. */
  get calls(): readonly SimCall[] {
    return [...this.#calls];
  }

  get closed(): boolean {
    return this.#closed;
  }

  protected get context(): CallContext {
    return { sessions: this.sessions, media: this.media, scheduler: this.scheduler };
  }

  /** Creates (not starts) a registration of `username` on this UA. */
  protected addRegistration(username: string, password: string): Registration {
    const r = new Registration(this.ua, { server: this.serverEndpoint, domain: this.options.domain, username, password, ...this.options.registration });
    this.#registrations.push(r);
    return r;
  }

  /** The recording path of a new call, when recording. */
  protected recordPath(label: string): ((callId: string) => string) | undefined {
    const dir = this.options.recordDir;
    return dir ? (id) => path.join(dir, `${label.replace(/[^\w.+-]/g, '_')}-${id}.wav`) : undefined;
  }

  /** Tracks a call until it ends. */
  protected track(call: SimCall): void {
    this.#calls.add(call);
    void call.ended.then(() => {
      this.#calls.delete(call);
      if (this.keepFinished) this.finished.push(call);
    });
  }

  #incoming(inc: IncomingCall): void {
    if (this.#closed) {
      inc.reject(503, 'Service Unavailable');
      return;
    }
    try {
      this.onIncoming(inc);
    } catch {
      inc.reject(500);
    }
  }

  /** An INVITE for this UA (the core already sent 100 Trying). */
  protected abstract onIncoming(inc: IncomingCall): void;

  /**
   * Takes a ringing call and plays `behaviour` on it: ring, then answer/decline, or busy at once, or ring
   * until cancelled; once answered, talk `audio`, hold/unhold, hang up after `talkMs`.
   */
  protected async answerAs(
    inc: IncomingCall,
    behaviour: PhoneBehaviour,
    media: Partial<CallMediaOptions>,
    label: string,
    events: SimCallEvents = {},
  ): Promise<SimCall | undefined> {
    const b = withDefaults(BEHAVIOUR_DEFAULTS, behaviour);
    if (b.action === 'busy') {
      inc.reject(486, 'Busy Here');
      return undefined;
    }
    const audio = b.audio ? await this.audio.prompt(b.audio) : (media.audio ?? null);
    let call: SimCall;
    try {
      call = await Call.accept(this.context, inc, { ...media, audio, recordPath: media.recordPath ?? this.recordPath(label) }, events);
    } catch {
      return undefined;
    }
    this.track(call);
    if (call.done) return call;
    call.ring();
    switch (b.action) {
      case 'decline':
        call.after(b.ringMs, () => call.reject(603));
        break;
      case 'no-answer':
        call.after(b.maxRingMs ?? 120_000, () => call.reject(480));
        break;
      case 'answer':
        call.after(b.ringMs, () => {
          try {
            call.answer();
          } catch {
            return;
          }
          if (b.hold) {
            const h = b.hold;
            call.after(h.afterMs, () => {
              void call.hold().then(() => call.after(h.durationMs, () => void call.unhold().catch(() => undefined)), () => undefined);
            });
          }
          if (b.talkMs !== undefined) call.after(b.talkMs, () => void call.hangup());
        });
        break;
    }
    return call;
  }

  /** Dials out on this UA (helper for subclasses). */
  protected dial(target: Parameters<typeof Call.dial>[1], media: Partial<CallMediaOptions>, events: SimCallEvents): Promise<SimCall> {
    return Call.dial(this.context, target, media, events);
  }

  /** The registrations of this phone. */
  get registrations(): readonly Registration[] {
    return this.#registrations;
  }

  /**
   * Hangs up every call, removes the registrations (unless `unregister` is false), closes the sockets and,
   * when the media is the phone's own, stops its clock. Idempotent.
   */
  async close(opts: { unregister?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const calls = [...this.#calls];
    await Promise.all(calls.map((c) => c.hangup().catch(() => undefined)));
    // Calls whose far end never answers our BYE/CANCEL end by their transactions; do not wait forever.
    let timer: { cancel(): void } | undefined;
    await Promise.race([Promise.all(calls.map((c) => c.ended)), new Promise((r) => (timer = this.scheduler.setTimer(2000, () => r(undefined))))]);
    timer?.cancel();
    if (opts.unregister !== false && this.#listening) {
      await Promise.all(this.#registrations.map((r) => r.stop().catch(() => undefined)));
    } else {
      for (const r of this.#registrations) r.cancel();
    }
    this.sessions.close();
    await Promise.all(calls.map((c) => c.ended));
    await this.ua.close();
    if (this.#ownsMedia) this.media.clock.close();
  }
}
