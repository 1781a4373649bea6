// The registrar: REGISTER processing as a pure request handler that returns the response to send (RFC 3261 §10.3 steps 1–8, §10.2, §20.10, §20.19, §20.23, §21.4.17 423; RFC 3581 / RFC 5626 §5.3 send-to-flow; RFC 5626 §4.2 instance-id + reg-id replacement).
//
// handle(req, source) walks RFC 3261 §10.3 (each refusal in brackets; nothing is stored on a refusal):
//
//   0. source banned by the AuthThrottle (repeated auth failures)             [403, counted: bannedRefusals]
//   1. Request-URI is sip/sips and its domain is served (realmFor)            [416 / 404]
//      (2. Require: handled by the UA core before us)
//   3. digest authentication in realm = the domain's realm                    [401 + WWW-Authenticate; stale=true for
//      an expired/used nonce; 400 for malformed credentials; a failure that starts a ban gets 403]
//   5. AOR from To: a sip/sips URI with a user, in a domain of the same realm [404]  (done before 4: 4 needs the AOR)
//   4. the authenticated user may register that AOR (mayRegister)             [403]
//   6. Contact `*` only alone and with Expires: 0                             [400]
//   7. per contact: expires = contact param ?? Expires header ?? default;
//      0 < expires < minExpires                                                [423 + Min-Expires]
//      clamp to maxExpires; then, under a per-AOR lock, against the stored bindings (URI comparison §19.1.4, or
//      the same +sip.instance and reg-id): same Call-ID and CSeq not higher    [500: "the update MUST be aborted and
//      the request fails"; 500 is §10.3's status for a failed update. No Retry-After: an out-of-order request is
//      stale and must not be retried]; more than maxContactsPerAor            [403, or evict the least recently
//      updated bindings not named by this request]; the whole set is written with one store `put` [500 on failure]
//   8. 200 listing every current binding with its `expires` parameter, and a Date header.
//
// Throttling: failures counted per source (default key: the source IP; a NAT'd office shares one) are
// wrong passwords, unknown users, forged/foreign nonces, malformed credentials and authenticated users
// registering AORs that are not theirs. A first request without credentials and a stale nonce are not
// failures (every honest client causes them). A banned source is answered 403 (not dropped): the UA core
// runs a server transaction that wants a final response, and §21.4.4 tells clients not to repeat a 403.
//
// Expiry: one timer for the whole registrar, armed at the earliest binding deadline (a min-heap of per-AOR
// deadlines with lazy deletion and compaction), so memory is bounded by the number of AORs and `close()`
// leaves nothing scheduled. Bindings whose time has come are also ignored by every read in between.
//
// Time: bindings hold epoch milliseconds, read as `epochAtZero + scheduler.now()` (monotonic, follows a fake
// clock in tests; immune to wall-clock steps while running).
import {
  AuthThrottle,
  DigestAuthenticator,
  parseCredentials,
  type DigestAlgorithm,
  type DigestVerifyFailure,
} from '../auth/index.ts';
import {
  createResponse,
  type NameAddr,
  SipParseError,
  type SipRequest,
  type SipResponse,
  SipUri,
  tryParseUri,
  unquote,
  type Uri,
  uriEquals,
} from '../message/index.ts';
import type { Endpoint } from '../transport/sockets.ts';
import type { Scheduler, TimerHandle } from '../../util/scheduler.ts';
import {
  type Binding,
  canonicalAor,
  compareForLookup,
  contactIsNatted,
  type KeepaliveRecord,
  type LookupTarget,
  normalizeIp,
  type RequestSource,
  targetOf,
  toAor,
} from './binding.ts';
import type { CredentialLookup, Ha1Algorithm } from './credentials.ts';
import { type ListenerErrorHandler, TypedEmitter } from './emitter.ts';
import { type MaybePromise, run, type Step, wait } from './maybe.ts';
import { type BindingStore, InMemoryBindingStore } from './store.ts';

/** What to do when a REGISTER would leave more than `maxContactsPerAor` bindings. */
export type ContactOverflowPolicy = 'evict-oldest' | 'reject';

/** Options of {@link Registrar}. Durations in seconds as on the wire. */
export interface RegistrarOptions {
  /** Shortest expiration accepted; a shorter non-zero request gets 423 (RFC 3261 §10.3 step 7). Default 60. */
  minExpires: number;
  /** Longest expiration granted; longer requests are shortened to it (§10.3 step 7 "MAY choose"). Default 3600. */
  maxExpires: number;
  /** Expiration when neither the contact's `expires` nor an Expires header says (§10.3 step 7). Default 3600. */
  defaultExpires: number;
  /** Bindings kept per AOR at most. Default 10. */
  maxContactsPerAor: number;
  /**
   * When a REGISTER would exceed `maxContactsPerAor`: `'evict-oldest'` (default) removes the least recently
   * updated bindings the request does not name (a device that comes back with a new NAT port is not locked
   * out until its old binding expires); `'reject'` answers 403 and changes nothing.
   */
  overflow: ContactOverflowPolicy;
  /**
   * Challenge and verify digest credentials (§10.3 step 3) and ask `mayRegister` (step 4). Off, anyone may
   * register any AOR of a served domain and nothing is throttled: tests and simulators only. Default true.
   */
  requireAuth: boolean;
  /** Requests that may wait for one AOR's lock (slow asynchronous store) before 503. Default 32. */
  maxQueuedPerAor: number;
  /** The throttle key of a source. Default: its IP address (normalized). */
  throttleKey: (source: RequestSource) => string;
  /** Receives internal faults (store or lookup failures answered 500, throwing listeners). Default console.error. */
  onError: (err: unknown, context: string) => void;
}

/** Frozen defaults of {@link RegistrarOptions}. */
export const REGISTRAR_DEFAULTS: Readonly<RegistrarOptions> = Object.freeze({
  minExpires: 60,
  maxExpires: 3600,
  defaultExpires: 3600,
  maxContactsPerAor: 10,
  overflow: 'evict-oldest',
  requireAuth: true,
  maxQueuedPerAor: 32,
  throttleKey: (source: RequestSource) => normalizeIp(source.address),
  onError: (err: unknown, context: string) => console.error(`registrar: ${context}`, err),
});

/** Collaborators of a {@link Registrar}. */
export interface RegistrarDeps {
  /** The clock and timers (expiry). */
  scheduler: Scheduler;
  /** Domains, realms, HA1s and who may register what (the tenant layer). */
  credentials: CredentialLookup;
  /** Where bindings live. Default: a new {@link InMemoryBindingStore}. */
  store?: BindingStore;
  /** Digest challenges and verification. Default: a new one on the registrar's clock. */
  authenticator?: DigestAuthenticator;
  /** Auth-failure throttle, usually shared with the UA core's INVITE challenges. Default: a new one. */
  throttle?: AuthThrottle;
  /** Epoch ms at `scheduler.now() === 0`. Default `Date.now() - scheduler.now()` at construction. */
  epochAtZero?: number;
}

/** Why a binding was removed on request. */
export type UnregisterReason =
  /** the REGISTER gave it expires 0 */
  | 'request'
  /** `Contact: *` with Expires: 0 */
  | 'wildcard'
  /** a REGISTER with the same +sip.instance and reg-id but another Contact URI replaced it (RFC 5626 §6) */
  | 'replaced'
  /** evicted to keep `maxContactsPerAor` */
  | 'evicted';

/** Events of a {@link Registrar}. Every binding argument is the stored (immutable) record. */
export type RegistrarEvents = {
  /** A new binding. */
  registered: [binding: Binding];
  /** A REGISTER rewrote an existing binding (refresh, new Call-ID after a reboot, new q…). */
  refreshed: [binding: Binding, previous: Binding];
  /** A REGISTER removed a binding (or evicted it). */
  unregistered: [binding: Binding, reason: UnregisterReason];
  /** A binding reached its expiry time without refresh. */
  expired: [binding: Binding];
  /** Keepalives failed `failuresBeforeUnreachable` times in a row. */
  unreachable: [binding: Binding];
  /** An unreachable binding answered a keepalive or re-registered. */
  reachable: [binding: Binding];
};

/** Result of one keepalive probe, as reported to {@link Registrar.recordKeepalive}. */
export interface KeepaliveOutcome {
  ok: boolean;
  rttMs?: number;
}

/** What {@link Registrar.recordKeepalive} did. */
export interface KeepaliveUpdate {
  /** The binding as stored now. */
  binding: Binding;
  /** A reachability change caused by this result, if any. */
  transition: 'unreachable' | 'reachable' | undefined;
}

/** Counters for logs and metrics (since construction). */
export interface RegistrarStats {
  requests: number;
  /** 200 responses. */
  ok: number;
  /** 401 for missing credentials (the normal first round trip). */
  challenged: number;
  /** 401 with stale=true. */
  staleNonces: number;
  /** Counted authentication/authorization failures (throttle inputs). */
  authFailures: number;
  /** 403 because the source is banned. */
  bannedRefusals: number;
  /** Bans started by this registrar's failures. */
  bans: number;
  /** 403 because the user may not register the AOR. */
  forbidden: number;
  notFound: number;
  badRequests: number;
  intervalTooBrief: number;
  /** 500 for out-of-order Call-ID/CSeq. */
  outOfOrder: number;
  /** 403 for too many contacts. */
  tooManyContacts: number;
  /** 503 because too many requests waited for one AOR. */
  busy: number;
  /** 500 for store or lookup failures. */
  internalErrors: number;
  registered: number;
  refreshed: number;
  unregistered: number;
  expired: number;
  /** AORs whose expiry this registrar tracks. */
  trackedAors: number;
}

type MutableStats = Omit<RegistrarStats, 'trackedAors'>;

/** One Contact of a REGISTER, validated. */
interface ContactItem {
  uri: SipUri;
  text: string;
  /** Granted expiration in seconds (0 = remove). */
  expires: number;
  q: number | undefined;
  instanceId: string | undefined;
  regId: number | undefined;
}

type Plan = { kind: 'fetch' } | { kind: 'wildcard' } | { kind: 'contacts'; items: ContactItem[] };

interface RequestMeta {
  aor: string;
  callId: string;
  cseq: number;
  source: RequestSource;
  userAgent: string | undefined;
  authUser: string | undefined;
  now: number;
}

interface ApplyOk {
  ok: true;
  next: Binding[];
  changed: boolean;
  expired: Binding[];
  registered: Binding[];
  refreshed: Array<[Binding, Binding]>;
  unregistered: Array<[Binding, UnregisterReason]>;
}

type ApplyResult = ApplyOk | { ok: false; refusal: 'out-of-order' | 'too-many' };

interface LockEntry {
  waiters: Array<() => void>;
}

interface HeapEntry {
  at: number;
  aor: string;
}

/**
 * Processes REGISTER requests (RFC 3261 §10.3), keeps bindings in a {@link BindingStore}, expires them on
 * the injected clock, and answers location lookups with the flow to send to.
 */
export class Registrar {
  /** Effective options, frozen. */
  readonly options: Readonly<RegistrarOptions>;
  /** The binding store in use. */
  readonly store: BindingStore;
  readonly #scheduler: Scheduler;
  readonly #credentials: CredentialLookup;
  readonly #auth: DigestAuthenticator;
  readonly #throttle: AuthThrottle;
  readonly #epochAtZero: number;
  readonly #events: TypedEmitter<RegistrarEvents>;
  readonly #locks = new Map<string, LockEntry>();
  readonly #deadlines = new Map<string, number>();
  #heap: HeapEntry[] = [];
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #closed = false;
  readonly #stats: MutableStats = {
    requests: 0,
    ok: 0,
    challenged: 0,
    staleNonces: 0,
    authFailures: 0,
    bannedRefusals: 0,
    bans: 0,
    forbidden: 0,
    notFound: 0,
    badRequests: 0,
    intervalTooBrief: 0,
    outOfOrder: 0,
    tooManyContacts: 0,
    busy: 0,
    internalErrors: 0,
    registered: 0,
    refreshed: 0,
    unregistered: 0,
    expired: 0,
  };
  readonly #lookupHa1 = (username: string, realm: string, algorithm: DigestAlgorithm): MaybePromise<string | undefined> =>
    this.#credentials.ha1(username, realm, ha1AlgorithmOf(algorithm));

  /** @throws {TypeError} naming the option when one is invalid. */
  constructor(deps: RegistrarDeps, options: Partial<RegistrarOptions> = {}) {
    const o = { ...REGISTRAR_DEFAULTS, ...options };
    if (!Number.isInteger(o.minExpires) || o.minExpires < 0) throw new TypeError('minExpires: must be an integer ≥ 0');
    if (!Number.isInteger(o.maxExpires) || o.maxExpires < Math.max(1, o.minExpires)) {
      throw new TypeError('maxExpires: must be an integer ≥ max(1, minExpires)');
    }
    if (!Number.isInteger(o.defaultExpires) || o.defaultExpires < Math.max(1, o.minExpires) || o.defaultExpires > o.maxExpires) {
      throw new TypeError('defaultExpires: must be an integer within [max(1, minExpires), maxExpires]');
    }
    if (!Number.isInteger(o.maxContactsPerAor) || o.maxContactsPerAor < 1) throw new TypeError('maxContactsPerAor: must be a positive integer');
    if (o.overflow !== 'evict-oldest' && o.overflow !== 'reject') throw new TypeError('overflow: must be evict-oldest or reject');
    if (!Number.isInteger(o.maxQueuedPerAor) || o.maxQueuedPerAor < 0) throw new TypeError('maxQueuedPerAor: must be an integer ≥ 0');
    if (typeof o.throttleKey !== 'function') throw new TypeError('throttleKey: must be a function');
    if (typeof o.onError !== 'function') throw new TypeError('onError: must be a function');
    if (deps.scheduler === undefined) throw new TypeError('scheduler: required');
    if (deps.credentials === undefined) throw new TypeError('credentials: required');
    this.options = Object.freeze(o);
    this.#scheduler = deps.scheduler;
    this.#credentials = deps.credentials;
    this.store = deps.store ?? new InMemoryBindingStore();
    this.#epochAtZero = deps.epochAtZero ?? Date.now() - deps.scheduler.now();
    this.#auth = deps.authenticator ?? new DigestAuthenticator({ clock: { now: () => this.now() } });
    this.#throttle = deps.throttle ?? new AuthThrottle();
    const onError: ListenerErrorHandler = (err, event) => o.onError(err, `listener for '${event}'`);
    this.#events = new TypedEmitter<RegistrarEvents>(onError);
  }

  /** The registrar's time, epoch ms (`epochAtZero + scheduler.now()`). */
  now(): number {
    return this.#epochAtZero + this.#scheduler.now();
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof RegistrarEvents>(event: K, listener: (...args: RegistrarEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof RegistrarEvents>(event: K, listener: (...args: RegistrarEvents[K]) => void): void {
    this.#events.off(event, listener);
  }

  /** Counters for logs and metrics. */
  stats(): RegistrarStats {
    return { ...this.#stats, trackedAors: this.#deadlines.size };
  }

  /**
   * Processes one REGISTER that reached the UA core through a server transaction and returns the response
   * to send (the registrar sends nothing itself). Synchronous when the credential lookup and the store
   * answer synchronously; a Promise otherwise. Store and lookup failures are answered 500 (and reported to
   * `onError`); malformed headers 400; after `close()` 503.
   * @param source the flow the request arrived on (recorded in each binding: requests go back through it).
   * @throws {TypeError} when `req` is not a REGISTER.
   * @throws {SipParseError} only when the request lacks what any response needs (Via, From, To, Call-ID,
   *   CSeq), which the UA core checks before.
   */
  handle(req: SipRequest, source: RequestSource): MaybePromise<SipResponse> {
    if (req.method !== 'REGISTER') throw new TypeError(`req: expected a REGISTER, got ${req.method}`);
    this.#stats.requests++;
    return run(this.#handle(req, source));
  }

  /**
   * Where to send a request for `aor`: one target per live binding, reachable first, then by q (absent =
   * 1.0), then most recently refreshed. Each target's destination is the flow the REGISTER came from (see
   * {@link LookupTarget}). `[]` when the AOR is unknown or not a SIP URI with a user.
   */
  lookup(aor: string | Uri): MaybePromise<LookupTarget[]> {
    const key = toAor(aor);
    if (key === undefined) return [];
    const self = this;
    return run(
      (function* (): Step<LookupTarget[]> {
        const list = yield* wait(self.store.get(key));
        const now = self.now();
        const live = list.filter((b) => b.expiresAt > now).sort(compareForLookup);
        return live.map((b) => {
          const uri = tryParseUri(b.contact);
          return targetOf(b, uri instanceof SipUri ? uri : undefined);
        });
      })(),
    );
  }

  /** The live bindings of `aor` in stored order (least recently updated first). */
  bindings(aor: string | Uri): MaybePromise<Binding[]> {
    const key = toAor(aor);
    if (key === undefined) return [];
    const self = this;
    return run(
      (function* (): Step<Binding[]> {
        const list = yield* wait(self.store.get(key));
        const now = self.now();
        return list.filter((b) => b.expiresAt > now);
      })(),
    );
  }

  /** Every live binding in the store (for keepalive rounds and admin views). */
  allBindings(): MaybePromise<Binding[]> {
    const self = this;
    return run(
      (function* (): Step<Binding[]> {
        const aors = yield* wait(self.store.aors());
        const out: Binding[] = [];
        for (const aor of [...aors]) {
          const list = yield* wait(self.store.get(aor));
          const now = self.now();
          for (const b of list) if (b.expiresAt > now) out.push(b);
        }
        return out;
      })(),
    );
  }

  /**
   * Starts tracking the expiry of every binding already in the store (after a restart with a persistent
   * store). Bindings already past their time expire at once.
   */
  restore(): MaybePromise<void> {
    const self = this;
    return run(
      (function* (): Step<void> {
        const aors = yield* wait(self.store.aors());
        for (const aor of [...aors]) {
          const list = yield* wait(self.store.get(aor));
          self.#track(aor, list);
        }
      })(),
    );
  }

  /**
   * Records a keepalive result on the binding with the same AOR, Contact and source flow (a result for a
   * flow that has since been replaced is ignored: `undefined`). `failuresBeforeUnreachable` consecutive
   * failures mark it unreachable (event 'unreachable'); a success marks it reachable again ('reachable').
   * @throws {TypeError} when `failuresBeforeUnreachable` is not a positive integer.
   */
  recordKeepalive(binding: Binding, outcome: KeepaliveOutcome, failuresBeforeUnreachable: number): MaybePromise<KeepaliveUpdate | undefined> {
    if (!Number.isInteger(failuresBeforeUnreachable) || failuresBeforeUnreachable < 1) {
      throw new TypeError('failuresBeforeUnreachable: must be a positive integer');
    }
    return run(this.#withLock(binding.aor, () => this.#recordKeepalive(binding, outcome, failuresBeforeUnreachable)));
  }

  /**
   * Stops the registrar: cancels the expiry timer, forgets tracked deadlines and listeners; later REGISTERs
   * get 503. Idempotent. The store is not the registrar's: it is left as it is.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    this.#deadlines.clear();
    this.#events.clear();
  }

  // ---- REGISTER processing ---------------------------------------------------------------------

  *#handle(req: SipRequest, source: RequestSource): Step<SipResponse> {
    try {
      return yield* this.#steps(req, source);
    } catch (err) {
      if (err instanceof SipParseError && err.status !== undefined && err.status >= 400 && err.status < 500) {
        this.#stats.badRequests++;
        return this.#reply(req, 400, err.header === undefined ? 'Bad Request' : `Bad ${err.header}`);
      }
      this.#stats.internalErrors++;
      this.options.onError(err, 'REGISTER failed');
      return this.#reply(req, 500);
    }
  }

  *#steps(req: SipRequest, source: RequestSource): Step<SipResponse> {
    if (this.#closed) return this.#reply(req, 503);
    const o = this.options;
    const now = this.now();
    const throttleKey = o.requireAuth ? o.throttleKey(source) : '';
    if (o.requireAuth && this.#throttle.isBanned(throttleKey, now)) {
      this.#stats.bannedRefusals++;
      return this.#reply(req, 403, 'Too Many Authentication Failures');
    }

    // Step 1: a domain we serve.
    const ruri = req.uri;
    if (!(ruri instanceof SipUri)) {
      this.#stats.badRequests++;
      return this.#reply(req, 416);
    }
    const ruriHost = ruri.host.toLowerCase();
    const realm = yield* wait(this.#credentials.realmFor(ruriHost));
    if (realm === undefined) {
      this.#stats.notFound++;
      return this.#reply(req, 404, 'Domain Not Served');
    }

    // Step 3: authentication.
    let authUser: string | undefined;
    if (o.requireAuth) {
      const header = pickAuthorization(req.authorization(), realm);
      const result = yield* wait(
        this.#auth.verify({ header, method: 'REGISTER', realm, lookupHa1: this.#lookupHa1 }),
      );
      if (!result.ok) return this.#refuseAuth(req, realm, result, throttleKey, now);
      this.#throttle.recordSuccess(throttleKey, now);
      authUser = result.username;
    }

    // Step 5: the address-of-record, valid for the Request-URI's realm.
    const toUri = req.to().uri;
    if (!(toUri instanceof SipUri) || toUri.user === undefined || toUri.user.length === 0) {
      this.#stats.notFound++;
      return this.#reply(req, 404, 'Invalid Address-of-Record');
    }
    const aorHost = toUri.host.toLowerCase();
    const aorRealm = aorHost === ruriHost ? realm : yield* wait(this.#credentials.realmFor(aorHost));
    if (aorRealm !== realm) {
      this.#stats.notFound++;
      return this.#reply(req, 404, 'Address-of-Record Not In Domain');
    }
    const aor = canonicalAor(toUri);

    // Step 4: authorization for that AOR.
    if (authUser !== undefined) {
      const allowed = yield* wait(this.#credentials.mayRegister(authUser, realm, { user: toUri.user, host: aorHost }));
      if (!allowed) {
        this.#stats.forbidden++;
        const banned = this.#countFailure(throttleKey, now);
        return this.#reply(req, 403, banned ? 'Too Many Authentication Failures' : 'Not Allowed To Register This AOR');
      }
    }

    // Steps 6 and 7 (the parts that need no stored state).
    const plan = this.#plan(req);
    if ('status' in plan) return plan.response;
    const meta: RequestMeta = {
      aor,
      callId: req.callId,
      cseq: req.cseq().seq,
      source,
      userAgent: req.userAgent,
      authUser,
      now,
    };

    const lock = this.#locks.get(aor);
    if (lock !== undefined && lock.waiters.length >= o.maxQueuedPerAor) {
      this.#stats.busy++;
      return this.#reply(req, 503, undefined, [['Retry-After', '5']]);
    }
    const outcome = yield* this.#withLock(aor, () => this.#commit(meta, plan));
    if (!outcome.ok) {
      if (outcome.refusal === 'out-of-order') {
        this.#stats.outOfOrder++;
        return this.#reply(req, 500, 'Out Of Order');
      }
      this.#stats.tooManyContacts++;
      return this.#reply(req, 403, 'Too Many Contacts');
    }

    // Step 8.
    this.#stats.ok++;
    const replyNow = this.now();
    const headers: Array<[string, string]> = [];
    for (const b of outcome.next) headers.push(['Contact', contactValue(b, replyNow)]);
    headers.push(['Date', new Date(replyNow).toUTCString()]);
    return this.#reply(req, 200, undefined, headers);
  }

  /** Steps 6–7 without stored state: wildcard rules, per-contact expiration, 423. */
  #plan(req: SipRequest): Plan | { status: number; response: SipResponse } {
    const o = this.options;
    const expiresHeader = req.expires();
    if (req.isWildcardContact()) {
      if (expiresHeader !== 0) return this.#bad(req, 'Wildcard Contact Needs Expires: 0');
      return { kind: 'wildcard' };
    }
    const contacts: NameAddr[] = req.contacts();
    if (contacts.length === 0) return { kind: 'fetch' };
    if (contacts.length > 2 * o.maxContactsPerAor) {
      this.#stats.tooManyContacts++;
      return { status: 403, response: this.#reply(req, 403, 'Too Many Contacts') };
    }
    const items: ContactItem[] = [];
    for (const c of contacts) {
      if (!(c.uri instanceof SipUri)) return this.#bad(req, 'Contact Must Be A SIP URI');
      const requested = c.expires ?? expiresHeader ?? o.defaultExpires;
      if (requested > 0 && requested < o.minExpires) {
        this.#stats.intervalTooBrief++;
        return { status: 423, response: this.#reply(req, 423, undefined, [['Min-Expires', String(o.minExpires)]]) };
      }
      const instance = c.params.get('+sip.instance');
      const instanceId = typeof instance === 'string' ? unquote(instance) : undefined;
      const reg = c.params.get('reg-id');
      const regId = instanceId !== undefined && typeof reg === 'string' && /^\d{1,9}$/.test(reg) ? Number(reg) : undefined;
      const item: ContactItem = {
        uri: c.uri,
        text: c.uri.toString(),
        expires: Math.min(requested, o.maxExpires),
        q: c.q,
        instanceId,
        regId,
      };
      // The same contact twice in one request: the last one counts.
      const dup = items.findIndex((x) => uriEquals(x.uri, item.uri) || sameInstance(x, item));
      if (dup >= 0) items.splice(dup, 1);
      items.push(item);
    }
    return { kind: 'contacts', items };
  }

  #bad(req: SipRequest, reason: string): { status: number; response: SipResponse } {
    this.#stats.badRequests++;
    return { status: 400, response: this.#reply(req, 400, reason) };
  }

  *#commit(meta: RequestMeta, plan: Plan): Step<ApplyResult> {
    const current = yield* wait(this.store.get(meta.aor));
    const now = this.now();
    const result = applyRegister(current, plan, { ...meta, now }, this.options);
    if (!result.ok) return result;
    if (result.changed) yield* wait(this.store.put(meta.aor, result.next));
    this.#track(meta.aor, result.next);
    const s = this.#stats;
    s.expired += result.expired.length;
    s.unregistered += result.unregistered.length;
    s.registered += result.registered.length;
    s.refreshed += result.refreshed.length;
    const ev = this.#events;
    for (const b of result.expired) ev.emit('expired', b);
    for (const [b, reason] of result.unregistered) ev.emit('unregistered', b, reason);
    for (const b of result.registered) ev.emit('registered', b);
    for (const [b, prev] of result.refreshed) {
      ev.emit('refreshed', b, prev);
      if (!prev.reachable) ev.emit('reachable', b);
    }
    return result;
  }

  #refuseAuth(req: SipRequest, realm: string, result: DigestVerifyFailure, throttleKey: string, now: number): SipResponse {
    if (result.reason === 'missing') {
      this.#stats.challenged++;
      return this.#challenge(req, realm, false);
    }
    if (result.stale) {
      this.#stats.staleNonces++;
      return this.#challenge(req, realm, true);
    }
    const banned = this.#countFailure(throttleKey, now);
    if (banned) return this.#reply(req, 403, 'Too Many Authentication Failures');
    if (result.reason === 'malformed') {
      this.#stats.badRequests++;
      return this.#reply(req, 400, 'Malformed Authorization');
    }
    return this.#challenge(req, realm, false);
  }

  /** Counts an auth failure; true when the source is banned now. */
  #countFailure(throttleKey: string, now: number): boolean {
    if (!this.options.requireAuth) return false;
    this.#stats.authFailures++;
    const v = this.#throttle.recordFailure(throttleKey, now);
    if (v.newlyBanned) this.#stats.bans++;
    return v.banned;
  }

  #challenge(req: SipRequest, realm: string, stale: boolean): SipResponse {
    const headers: Array<[string, string]> = this.#auth.challenge(realm, { stale }).map((v) => ['WWW-Authenticate', v]);
    return this.#reply(req, 401, undefined, headers);
  }

  #reply(req: SipRequest, status: number, reason?: string, headers?: Array<[string, string]>): SipResponse {
    return createResponse(req, status, reason, headers === undefined ? undefined : { headers });
  }

  // ---- keepalive -------------------------------------------------------------------------------

  *#recordKeepalive(binding: Binding, outcome: KeepaliveOutcome, threshold: number): Step<KeepaliveUpdate | undefined> {
    const list = yield* wait(this.store.get(binding.aor));
    const now = this.now();
    const i = list.findIndex((b) => b.contact === binding.contact && sameFlow(b.source, binding.source));
    if (i < 0 || list[i].expiresAt <= now) return undefined;
    const b = list[i];
    const record: KeepaliveRecord = { ok: outcome.ok, rttMs: outcome.ok ? outcome.rttMs : undefined, at: now };
    const failures = outcome.ok ? 0 : b.keepaliveFailures + 1;
    const reachable = outcome.ok ? true : b.reachable && failures < threshold;
    const updated: Binding = Object.freeze({ ...b, lastKeepalive: record, keepaliveFailures: failures, reachable });
    const next = list.slice();
    next[i] = updated;
    yield* wait(this.store.put(binding.aor, next));
    const transition = b.reachable === reachable ? undefined : reachable ? 'reachable' : 'unreachable';
    if (transition !== undefined) this.#events.emit(transition, updated);
    return { binding: updated, transition };
  }

  // ---- per-AOR serialization -------------------------------------------------------------------

  /**
   * Runs `body` while holding `aor`'s lock. Uncontended and synchronous, this costs a Map set and delete;
   * a body that awaits keeps others waiting (their number is bounded by `maxQueuedPerAor` in handle).
   */
  *#withLock<R>(aor: string, body: () => Step<R>): Step<R> {
    for (;;) {
      const held = this.#locks.get(aor);
      if (held === undefined) break;
      yield* wait(new Promise<void>((resolve) => held.waiters.push(resolve)));
    }
    const entry: LockEntry = { waiters: [] };
    this.#locks.set(aor, entry);
    try {
      return yield* body();
    } finally {
      this.#locks.delete(aor);
      for (const w of entry.waiters) w();
    }
  }

  // ---- expiry ----------------------------------------------------------------------------------

  /** Notes the earliest deadline of `aor` after a write and re-arms the timer if it moved earlier. */
  #track(aor: string, list: readonly Binding[]): void {
    if (this.#closed) return;
    let min = Infinity;
    for (const b of list) if (b.expiresAt < min) min = b.expiresAt;
    if (min === Infinity) {
      this.#deadlines.delete(aor);
      if (this.#deadlines.size === 0) this.#disarm();
      return;
    }
    if (this.#deadlines.get(aor) === min) return;
    this.#deadlines.set(aor, min);
    heapPush(this.#heap, { at: min, aor });
    if (this.#heap.length > 2 * this.#deadlines.size + 64) this.#compact();
    this.#arm();
  }

  #compact(): void {
    const heap: HeapEntry[] = [];
    for (const [aor, at] of this.#deadlines) heapPush(heap, { at, aor });
    this.#heap = heap;
  }

  /** Nothing left to expire: no timer, no heap. */
  #disarm(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#heap = [];
  }

  #arm(): void {
    if (this.#closed) return;
    const heap = this.#heap;
    while (heap.length > 0 && this.#deadlines.get(heap[0].aor) !== heap[0].at) heapPop(heap);
    if (heap.length === 0) return;
    const at = heap[0].at;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#scheduler.setTimer(Math.max(0, at - this.now()), () => this.#fire());
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#closed) return;
    const now = this.now();
    const heap = this.#heap;
    const due: string[] = [];
    while (heap.length > 0 && heap[0].at <= now) {
      const e = heapPop(heap);
      if (this.#deadlines.get(e.aor) === e.at) {
        this.#deadlines.delete(e.aor);
        due.push(e.aor);
      }
    }
    for (const aor of due) {
      try {
        const r = run(this.#withLock(aor, () => this.#expire(aor)));
        if (r instanceof Promise) r.catch((err: unknown) => this.options.onError(err, `expiring ${aor}`));
      } catch (err) {
        this.options.onError(err, `expiring ${aor}`);
      }
    }
    this.#arm();
  }

  *#expire(aor: string): Step<void> {
    const list = yield* wait(this.store.get(aor));
    const now = this.now();
    const live: Binding[] = [];
    const gone: Binding[] = [];
    for (const b of list) (b.expiresAt > now ? live : gone).push(b);
    if (gone.length > 0) yield* wait(this.store.put(aor, live));
    this.#track(aor, live);
    this.#stats.expired += gone.length;
    for (const b of gone) this.#events.emit('expired', b);
  }
}

// ---- the binding update of §10.3 steps 6–7, as a pure function ------------------------------------

/**
 * Applies a REGISTER's plan to the stored bindings of one AOR. Stored order is least recently updated
 * first; written bindings go to the end. Expired bindings are dropped (reported as expired).
 */
function applyRegister(current: readonly Binding[], plan: Plan, meta: RequestMeta, o: Readonly<RegistrarOptions>): ApplyResult {
  const now = meta.now;
  const live: Binding[] = [];
  const expired: Binding[] = [];
  for (const b of current) (b.expiresAt > now ? live : expired).push(b);
  const base: ApplyOk = { ok: true, next: live, changed: expired.length > 0, expired, registered: [], refreshed: [], unregistered: [] };
  const outOfOrder = (b: Binding): boolean => b.callId === meta.callId && meta.cseq <= b.cseq;

  if (plan.kind === 'fetch') return base;
  if (plan.kind === 'wildcard') {
    // Step 6: remove every binding, unless one of them saw this Call-ID with a CSeq not lower.
    if (live.some(outOfOrder)) return { ok: false, refusal: 'out-of-order' };
    return { ...base, next: [], changed: base.changed || live.length > 0, unregistered: live.map((b) => [b, 'wildcard']) };
  }

  const original = new Set<Binding>(live);
  let list: Binding[] = live.slice();
  /** new binding → the stored binding it refreshes */
  const predecessor = new Map<Binding, Binding>();
  /** stored binding → why it is gone (when not refreshed) */
  const fate = new Map<Binding, UnregisterReason>();
  let changed = base.changed;

  for (const item of plan.items) {
    const matched = list.filter((b) => contactMatches(b, item));
    for (const b of matched) if (original.has(b) && outOfOrder(b)) return { ok: false, refusal: 'out-of-order' };
    if (matched.length > 0) {
      list = list.filter((b) => !matched.includes(b));
      changed = true;
    }
    let refreshes: Binding | undefined;
    for (const b of matched) {
      const orig = original.has(b) ? b : predecessor.get(b);
      predecessor.delete(b);
      if (orig === undefined) continue;
      if (refreshes === undefined && item.expires > 0 && sameUri(orig, item)) refreshes = orig;
      else fate.set(orig, item.expires === 0 ? 'request' : 'replaced');
    }
    if (item.expires > 0) {
      const nb = makeBinding(item, refreshes, meta);
      list.push(nb);
      changed = true;
      if (refreshes !== undefined) predecessor.set(nb, refreshes);
    }
  }

  if (list.length > o.maxContactsPerAor) {
    if (o.overflow === 'reject') return { ok: false, refusal: 'too-many' };
    let excess = list.length - o.maxContactsPerAor;
    const evicted = new Set<Binding>();
    for (const b of list) {
      if (excess === 0) break;
      if (!original.has(b)) continue;
      evicted.add(b);
      fate.set(b, 'evicted');
      excess--;
    }
    if (excess > 0) return { ok: false, refusal: 'too-many' };
    list = list.filter((b) => !evicted.has(b));
  }

  const registered: Binding[] = [];
  const refreshed: Array<[Binding, Binding]> = [];
  for (const b of list) {
    if (original.has(b)) continue;
    const prev = predecessor.get(b);
    if (prev === undefined) registered.push(b);
    else refreshed.push([b, prev]);
  }
  return { ok: true, next: list, changed, expired, registered, refreshed, unregistered: [...fate] };
}

function makeBinding(item: ContactItem, prev: Binding | undefined, meta: RequestMeta): Binding {
  const src = meta.source;
  const source: Endpoint = { transport: src.transport, address: src.address, port: src.port };
  const sameSource = prev !== undefined && sameFlow(prev.source, source);
  return Object.freeze({
    aor: meta.aor,
    contact: item.text,
    expiresAt: meta.now + item.expires * 1000,
    q: item.q,
    callId: meta.callId,
    cseq: meta.cseq,
    source,
    localSocket: src.localSocket,
    userAgent: meta.userAgent,
    registeredAt: prev?.registeredAt ?? meta.now,
    updatedAt: meta.now,
    instanceId: item.instanceId,
    regId: item.regId,
    authUser: meta.authUser,
    nat: contactIsNatted(item.uri, source),
    reachable: true,
    keepaliveFailures: 0,
    lastKeepalive: sameSource ? prev.lastKeepalive : undefined,
  });
}

/** RFC 3261 §10.3 step 7 URI comparison, or RFC 5626 §6 same instance-id and reg-id. */
function contactMatches(b: Binding, item: ContactItem): boolean {
  if (item.instanceId !== undefined && item.regId !== undefined && b.instanceId === item.instanceId && b.regId === item.regId) return true;
  return sameUri(b, item);
}

function sameUri(b: Binding, item: ContactItem): boolean {
  if (b.contact === item.text) return true;
  const u = tryParseUri(b.contact);
  return u !== undefined && uriEquals(u, item.uri);
}

function sameInstance(a: ContactItem, b: ContactItem): boolean {
  return a.instanceId !== undefined && a.regId !== undefined && a.instanceId === b.instanceId && a.regId === b.regId;
}

function sameFlow(a: Endpoint, b: Endpoint): boolean {
  return a.transport === b.transport && a.port === b.port && normalizeIp(a.address) === normalizeIp(b.address);
}

/** A Contact value of the 200: the URI, q, instance and reg-id, and the remaining seconds (§10.3 step 8). */
function contactValue(b: Binding, now: number): string {
  let s = `<${b.contact}>`;
  if (b.q !== undefined) s += `;q=${formatQ(b.q)}`;
  if (b.instanceId !== undefined) s += `;+sip.instance="${b.instanceId.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  if (b.regId !== undefined) s += `;reg-id=${b.regId}`;
  return `${s};expires=${Math.max(0, Math.ceil((b.expiresAt - now) / 1000))}`;
}

function formatQ(q: number): string {
  return q === 1 ? '1' : q === 0 ? '0' : q.toFixed(3).replace(/0+$/, '');
}

function ha1AlgorithmOf(a: DigestAlgorithm): Ha1Algorithm {
  return a === 'SHA-256' || a === 'SHA-256-sess' ? 'SHA-256' : 'MD5';
}

/** The Authorization line for `realm` among several (one per realm, RFC 3261 §22.3); else the first. */
function pickAuthorization(lines: string[], realm: string): string | undefined {
  if (lines.length <= 1) return lines[0];
  for (const line of lines) {
    try {
      if (parseCredentials(line).realm === realm) return line;
    } catch {
      // unparsable: not this realm's
    }
  }
  return lines[0];
}

// ---- a binary min-heap of deadlines -------------------------------------------------------------

function heapPush(h: HeapEntry[], e: HeapEntry): void {
  h.push(e);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p].at <= e.at) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = e;
}

function heapPop(h: HeapEntry[]): HeapEntry {
  const top = h[0];
  const last = h.pop() as HeapEntry;
  if (h.length > 0) {
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r].at < h[l].at ? r : l;
      if (h[c].at >= last.at) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
  return top;
}
