// A simulated FXO gateway with N lines: registers its account with digest auth and refreshes it (RFC 3261 §10.2), places inbound calls to `sip:NUMBER@DOMAIN` with a caller number, talks audio and keys, and answers outbound calls like the customer's phone; busy (486) when every line is taken.
import type { IncomingCall } from '../engine/sip/ua/invite.ts';
import type { AudioSpec } from './audio.ts';
import type { SimCall, SimCallEvents } from './call.ts';
import { SimulatorError } from './errors.ts';
import type { PhoneBehaviour, PhoneOptions } from './phone.ts';
import { withDefaults } from './options.ts';
import { SimPhone } from './phone.ts';
import type { RegisterOutcome, Registration } from './registration.ts';
import type { Random } from './random.ts';
import type { DtmfMode } from './talker.ts';

/** Where caller numbers come from. */
export type CallerIdSource =
  | { kind: 'fixed'; number: string }
  | { kind: 'list'; numbers: readonly string[]; order?: 'round-robin' | 'random' }
  | { kind: 'random'; prefix?: string; digits?: number };

/** Hands out caller numbers from a {@link CallerIdSource}. */
export class CallerIds {
  readonly source: CallerIdSource;
  readonly #random: Random;
  #next = 0;

  /** @throws {TypeError} for an empty list or a bad digit count. */
  constructor(source: CallerIdSource, random: Random = Math.random) {
    if (source.kind === 'list' && source.numbers.length === 0) throw new TypeError('callerIds.numbers must not be empty');
    if (source.kind === 'random' && source.digits !== undefined && !(Number.isInteger(source.digits) && source.digits >= 1 && source.digits <= 15)) {
      throw new TypeError('callerIds.digits must be an integer in 1..15');
    }
    this.source = source;
    this.#random = random;
  }

  next(): string {
    const s = this.source;
    switch (s.kind) {
      case 'fixed':
        return s.number;
      case 'list':
        if (s.order === 'random') return s.numbers[Math.floor(this.#random() * s.numbers.length)];
        return s.numbers[this.#next++ % s.numbers.length];
      case 'random': {
        let n = s.prefix ?? '+1555';
        for (let i = 0; i < (s.digits ?? 7); i++) n += String(Math.floor(this.#random() * 10));
        return n;
      }
      default: {
        const never: never = s;
        return never;
      }
    }
  }
}

/** Options of {@link GatewaySimulator}. */
export interface GatewayOptions extends PhoneOptions {
  /** The tenant's gateway account. */
  username: string;
  password: string;
  /** Lines (concurrent calls, both directions). */
  lines: number;
  /** Register on {@link GatewaySimulator.start} (some trunks are static). */
  register: boolean;
  callerIds: CallerIdSource;
  /** What callers say by default. */
  callerAudio: AudioSpec;
  /** Probe tones callers listen for (the agent's tone). */
  probes: readonly number[];
  /** Offer RFC 4733 telephone-events (off: only in-band keys are possible). */
  telephoneEvent: boolean;
  /** How the customer's phone treats calls the server places through this gateway (outbound). */
  customer: PhoneBehaviour;
  /** Random source for caller numbers. */
  random: Random;
}

/** Defaults of {@link GatewayOptions} beyond the phone's. */
export const GATEWAY_DEFAULTS: Readonly<Pick<GatewayOptions, 'lines' | 'register' | 'callerIds' | 'callerAudio' | 'probes' | 'telephoneEvent' | 'customer' | 'product'>> = Object.freeze({
  lines: 8,
  register: true,
  callerIds: Object.freeze({ kind: 'fixed', number: '+15550100' }) as CallerIdSource,
  callerAudio: Object.freeze({ kind: 'tone', frequencies: Object.freeze([600]) }) as AudioSpec,
  probes: Object.freeze([]),
  telephoneEvent: true,
  customer: Object.freeze({ action: 'answer', ringMs: 2000 }) as PhoneBehaviour,
  product: 'Hotline-Sim-Gateway',
});

/** One key sequence to send during a call. */
export interface DtmfStep {
  /** Time after the answer, ms. */
  atMs: number;
  digits: string;
  mode?: DtmfMode;
  durationMs?: number;
  gapMs?: number;
}

/** Options of {@link GatewaySimulator.placeCall}. */
export interface PlaceCallOptions {
  /** The called number: the Request-URI is `sip:NUMBER@DOMAIN`. */
  number: string;
  /** The caller's number (From user); else the next from `callerIds`. */
  caller?: string;
  /** What the caller says (else `callerAudio`). */
  audio?: AudioSpec;
  /** Hang up this long after the answer, ms (undefined: wait for the other side or {@link SimCall.hangup}). */
  talkMs?: number;
  /** Give up (CANCEL) when not answered within this, ms. */
  maxRingMs?: number;
  /** Keys to press after the answer. `inband` in any step makes the call offer no telephone-event. */
  dtmf?: readonly DtmfStep[];
  /** Probe tones to listen for (else the gateway's). */
  probes?: readonly number[];
  /** Extra INVITE headers. */
  headers?: Array<[string, string]>;
  events?: SimCallEvents;
}

/**
 * A gateway with `lines` lines. {@link start} binds and registers; {@link placeCall} calls in;
 * calls from the server (outbound to customers) are answered per `customer`.
 */
export class GatewaySimulator extends SimPhone {
  override readonly options: Readonly<GatewayOptions>;
  readonly callerIds: CallerIds;
  readonly registration: Registration;
  #reserved = 0;
  /** Outbound calls received (the server calling customers), by called number. */
  readonly dialed: string[] = [];

  constructor(options: Pick<GatewayOptions, 'server' | 'domain' | 'username' | 'password'> & Partial<GatewayOptions>) {
    const o = withDefaults(GATEWAY_DEFAULTS, options) as GatewayOptions;
    super(o);
    this.options = Object.freeze(o);
    if (!Number.isInteger(o.lines) || o.lines < 1) throw new TypeError('lines must be a positive integer');
    this.callerIds = new CallerIds(o.callerIds, o.random ?? Math.random);
    this.registration = this.addRegistration(o.username, o.password);
  }

  /** Binds the SIP socket and registers (when `register`); resolves with the registration outcome. */
  async start(): Promise<RegisterOutcome | undefined> {
    await this.listen();
    if (!this.options.register) return undefined;
    return this.registration.start();
  }

  /** Lines in use (ringing or up, both directions). */
  get linesInUse(): number {
    return this.active + this.#reserved;
  }

  /** Lines free. */
  get linesFree(): number {
    return this.options.lines - this.linesInUse;
  }

  /**
   * Places an inbound call (customer → company) on a free line.
   * @throws {SimulatorError} `no-free-line` when every line is in use, `closed` after close.
   */
  async placeCall(opts: PlaceCallOptions): Promise<SimCall> {
    if (this.closed) throw new SimulatorError('closed', 'the gateway is closed');
    if (this.linesFree <= 0) throw new SimulatorError('no-free-line', `all ${this.options.lines} lines are in use`);
    this.#reserved++;
    let call: SimCall;
    try {
      const o = this.options;
      const prompt = await this.audio.prompt(opts.audio ?? o.callerAudio);
      const caller = opts.caller ?? this.callerIds.next();
      const inband = opts.dtmf?.some((s) => s.mode === 'inband') ?? false;
      const user = opts.events ?? {};
      const steps = opts.dtmf ?? [];
      const events: SimCallEvents = {
        ringing: (c) => user.ringing?.(c),
        answered: (c) => {
          for (const s of steps) c.after(s.atMs, () => void c.sendDigits(s.digits, { mode: s.mode, durationMs: s.durationMs, gapMs: s.gapMs }).catch(() => undefined));
          if (opts.talkMs !== undefined) c.after(opts.talkMs, () => void c.hangup());
          user.answered?.(c);
        },
        ended: (c, r) => user.ended?.(c, r),
      };
      call = await this.dial(
        {
          uri: `sip:${opts.number}@${o.domain}`,
          dest: this.serverEndpoint,
          from: `<sip:${caller}@${o.domain}>`,
          credentials: { username: o.username, password: o.password },
          headers: opts.headers,
        },
        { audio: prompt, probes: opts.probes ?? o.probes, telephoneEvent: o.telephoneEvent && !inband, recordPath: this.recordPath(`gateway-${caller}`) },
        events,
      );
      this.track(call);
      if (opts.maxRingMs !== undefined) call.after(opts.maxRingMs, () => {
        if (!call.up) void call.hangup();
      });
    } finally {
      this.#reserved--;
    }
    return call;
  }

  /** Hangs up every call. */
  async hangupAll(): Promise<void> {
    await Promise.all(this.calls.map((c) => c.hangup()));
  }

  protected onIncoming(inc: IncomingCall): void {
    const user = inc.request.uri as { user?: string };
    this.dialed.push(user.user ?? '');
    if (this.linesFree <= 0) {
      inc.reject(486, 'Busy Here');
      return;
    }
    this.#reserved++;
    void this.answerAs(inc, this.options.customer, { probes: this.options.probes, telephoneEvent: this.options.telephoneEvent }, `gateway-out-${user.user ?? ''}`).finally(() => {
      this.#reserved--;
    });
  }
}
