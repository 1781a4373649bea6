// Client registration of a simulated phone: REGISTER with digest auth, refresh before expiry with the same Call-ID and a rising CSeq, un-REGISTER with expires 0 (RFC 3261 §10.2, §10.2.4, §22.2).
import type { SipResponse } from '../engine/sip/message/index.ts';
import { SipRequest, generateCallId, generateTag } from '../engine/sip/message/index.ts';
import type { Endpoint } from '../engine/sip/transport/sockets.ts';
import type { UserAgent } from '../engine/sip/ua/user-agent.ts';
import type { TimerHandle } from '../engine/util/scheduler.ts';
import { withDefaults } from './options.ts';

/** Options of {@link Registration}. */
export interface RegistrationOptions {
  /** Registrar to send to. */
  server: Endpoint;
  /** The domain (Request-URI `sip:DOMAIN`, AOR `sip:USER@DOMAIN`, digest realm). */
  domain: string;
  username: string;
  password: string;
  /** Expiration asked for, s. */
  expires: number;
  /** Refresh when this share of the granted expiration has passed (0 < r < 1). */
  refreshRatio: number;
  /** Wait before retrying a failed refresh, ms. */
  retryMs: number;
}

/** Defaults of {@link RegistrationOptions}. */
export const REGISTRATION_DEFAULTS: Readonly<Pick<RegistrationOptions, 'expires' | 'refreshRatio' | 'retryMs'>> = Object.freeze({
  expires: 300,
  refreshRatio: 0.5,
  retryMs: 5000,
});

export type RegistrationState = 'idle' | 'registering' | 'registered' | 'failed' | 'unregistered';

/** The outcome of one REGISTER exchange. */
export interface RegisterOutcome {
  ok: boolean;
  /** Final status (0 on timeout or transport failure). */
  status: number;
  /** Expiration granted, s (when ok). */
  expires?: number;
  /** Why it failed. */
  reason?: string;
}

/** Events of a {@link Registration}. */
export interface RegistrationEvents {
  registered?(outcome: RegisterOutcome, refresh: boolean): void;
  failed?(outcome: RegisterOutcome): void;
}

/**
 * Keeps one AOR registered: {@link start} registers (answering the digest challenge), then refreshes at
 * `refreshRatio` of the granted time (§10.2.4), retrying after failures; {@link stop} removes the binding.
 */
export class Registration {
  readonly options: Readonly<RegistrationOptions>;
  readonly #ua: UserAgent;
  readonly #callId = generateCallId();
  readonly #tag = generateTag();
  #cseq = 1;
  #timer: TimerHandle | undefined;
  #state: RegistrationState = 'idle';
  #stopped = false;
  events: RegistrationEvents;
  /** Successful REGISTERs (first and refreshes). */
  registrations = 0;
  /** The last outcome. */
  last: RegisterOutcome | undefined;

  constructor(ua: UserAgent, options: Pick<RegistrationOptions, 'server' | 'domain' | 'username' | 'password'> & Partial<RegistrationOptions>, events: RegistrationEvents = {}) {
    this.options = Object.freeze(withDefaults(REGISTRATION_DEFAULTS, options));
    if (!(this.options.refreshRatio > 0 && this.options.refreshRatio < 1)) throw new TypeError('refreshRatio must be in (0, 1)');
    if (!Number.isInteger(this.options.expires) || this.options.expires < 1) throw new TypeError('expires must be a positive integer');
    this.#ua = ua;
    this.events = events;
  }

  get state(): RegistrationState {
    return this.#state;
  }

  /** The address-of-record. */
  get aor(): string {
    return `sip:${this.options.username}@${this.options.domain}`;
  }

  /** Registers now; resolves with the first outcome (refreshes then run on their own). */
  async start(): Promise<RegisterOutcome> {
    this.#stopped = false;
    this.#state = 'registering';
    return this.#register(false);
  }

  #build(expires: number): SipRequest {
    const o = this.options;
    const aor = this.aor;
    return new SipRequest({
      method: 'REGISTER',
      uri: `sip:${o.domain}`,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<${aor}>;tag=${this.#tag}`],
        ['To', `<${aor}>`],
        ['Call-ID', this.#callId],
        ['CSeq', `${this.#cseq} REGISTER`],
        ['Contact', `<${this.#ua.contactUri(o.username)}>`],
        ['Expires', String(expires)],
        ['User-Agent', this.#ua.options.product],
      ],
    });
  }

  async #send(expires: number): Promise<{ res?: SipResponse; error?: string }> {
    const req = this.#build(expires);
    try {
      const res = await this.#ua.request(req, this.options.server, { credentials: { username: this.options.username, password: this.options.password } });
      // The digest retry used CSeq + 1: continue after what the final response carries (§10.2.4).
      this.#cseq = Math.max(this.#cseq, res.cseq().seq) + 1;
      return { res };
    } catch (err) {
      this.#cseq++;
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  async #register(refresh: boolean): Promise<RegisterOutcome> {
    const { res, error } = await this.#send(this.options.expires);
    let outcome: RegisterOutcome;
    if (res && res.status >= 200 && res.status < 300) {
      outcome = { ok: true, status: res.status, expires: this.#granted(res) };
    } else {
      outcome = { ok: false, status: res?.status ?? 0, reason: error ?? `${res?.status} ${res?.reason}` };
    }
    this.last = outcome;
    if (this.#stopped) return outcome;
    if (outcome.ok) {
      this.registrations++;
      this.#state = 'registered';
      this.#schedule(Math.max(1, outcome.expires ?? this.options.expires) * 1000 * this.options.refreshRatio);
      this.events.registered?.(outcome, refresh);
    } else {
      this.#state = 'failed';
      // A refused first REGISTER (wrong password, unknown domain) is final; a failed refresh is retried.
      if (refresh) this.#schedule(this.options.retryMs);
      this.events.failed?.(outcome);
    }
    return outcome;
  }

  /** The expiration the registrar granted our contact (its `expires` parameter, else Expires). */
  #granted(res: SipResponse): number {
    const ours = this.#ua.contactUri(this.options.username);
    for (const c of res.contacts()) {
      if (c.uri.toString() === ours && c.expires !== undefined) return c.expires;
    }
    return res.expires() ?? this.options.expires;
  }

  #schedule(ms: number): void {
    this.#timer?.cancel();
    this.#timer = this.#ua.scheduler.setTimer(ms, () => {
      this.#timer = undefined;
      if (!this.#stopped) void this.#register(true);
    });
  }

  /** Stops refreshing and removes the binding (REGISTER with Expires: 0); resolves when answered. */
  async stop(): Promise<RegisterOutcome | undefined> {
    if (this.#stopped) return undefined;
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#state !== 'registered' && this.#state !== 'failed') {
      this.#state = 'unregistered';
      return undefined;
    }
    const { res, error } = await this.#send(0);
    this.#state = 'unregistered';
    return res ? { ok: res.status < 300, status: res.status } : { ok: false, status: 0, reason: error };
  }

  /** Stops refreshing without signalling (shutdown of a broken link). */
  cancel(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
