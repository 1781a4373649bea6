// Server side of SIP digest authentication: challenges with stateless nonces and verification of credentials from a stored HA1 (RFC 3261 §22.1–§22.4, RFC 7616 §3.3–§3.5 and §5, RFC 8760 §2).
//
// Verification order (each step's refusal in brackets):
//   1. a header value is present                                   [missing]
//   2. it parses as Digest credentials                             [malformed]
//   3. realm equals the expected realm                             [realm-mismatch]
//   4. algorithm is one we offer; qop is absent/auth/auth-int      [unsupported-algorithm, unsupported-qop]
//      (no userhash; nc/cnonce present with qop)                  [unsupported-userhash, malformed]
//   5. the nonce carries our MAC for this realm                    [bad-nonce]; opaque matches [bad-nonce]
//   6. lookupHa1(username, realm, algorithm)                       [unknown-user]
//   7. the request-digest matches, compared in constant time       [wrong-response]
//   8. the nonce is younger than its lifetime                      [stale, stale=true]
//   9. the nc was not used with this nonce before                  [replay, stale=true]
// Staleness is reported only after the digest proved the client knows the password (RFC 7616 §3.3: stale
// means "the nonce was the problem", so the client retries silently with the new nonce), and nonce-counts
// are recorded only for verified requests, so forged requests cannot burn a legitimate client's counts.
//
// No-qop requests (RFC 2069 style, still sent by some SIP phones) carry no nc, hence no replay protection of
// their own; `legacyNoQop` chooses: 'single-use' (default; each nonce authenticates one no-qop request, the
// next one gets stale=true and the phone re-authenticates), 'accept' (a captured request can be replayed
// until the nonce expires), or 'reject'.
import { randomBytes } from 'node:crypto';
import { DigestParseError } from './errors.ts';
import { parseCredentials, serializeChallenge } from './header.ts';
import type { DigestCredentials } from './header.ts';
import { DIGEST_ALGORITHMS, digestHexLength, hexEqual, isSessionAlgorithm, responseOf, toDigestAlgorithm } from './hash.ts';
import type { DigestAlgorithm } from './hash.ts';
import { NonceCodec } from './nonce.ts';
import { NonceCountTracker } from './replay.ts';

/** The clock the authenticator reads (ms since the epoch). Any richer clock object fits. */
export interface DigestClock {
  now(): number;
}

/** What to do with requests that carry no qop (RFC 2069 compatibility). */
export type LegacyNoQopPolicy = 'single-use' | 'accept' | 'reject';

/** Options of {@link DigestAuthenticator}. */
export interface DigestAuthenticatorOptions {
  /** How long a nonce authenticates requests, in seconds (RFC 7616 §5.5). Default 300. */
  nonceLifetimeSeconds: number;
  /**
   * HMAC key of the stateless nonces, ≥ 16 bytes. Default: 32 random bytes per authenticator (nonces then
   * die with the process). Give every node of a cluster the same secret.
   */
  secret: Uint8Array | string | undefined;
  /** Algorithms offered, one WWW-Authenticate value each, in order of preference (RFC 8760 §2.4: SHA-256 first). */
  algorithms: readonly DigestAlgorithm[];
  /** qop values offered in challenges (`auth-int` needs the body at verification). */
  qop: readonly ('auth' | 'auth-int')[];
  /** Policy for requests without qop. Default 'single-use'. */
  legacyNoQop: LegacyNoQopPolicy;
  /** An `opaque` value to put in challenges; credentials must then return it unchanged. Default none. */
  opaque: string | undefined;
  /** Nonces whose nonce-counts are remembered (LRU; bounded memory). Default 65 536. */
  maxTrackedNonces: number;
  /** Replay window below the highest nc seen, 1…32 (1 = strictly increasing). Default 32. */
  ncWindow: number;
  /** The clock. Default the wall clock (`Date.now`). */
  clock: DigestClock;
}

/** Frozen defaults of {@link DigestAuthenticatorOptions}. */
export const DIGEST_AUTHENTICATOR_DEFAULTS: Readonly<DigestAuthenticatorOptions> = Object.freeze({
  nonceLifetimeSeconds: 300,
  secret: undefined,
  algorithms: Object.freeze(['SHA-256', 'MD5'] as const),
  qop: Object.freeze(['auth'] as const),
  legacyNoQop: 'single-use',
  opaque: undefined,
  maxTrackedNonces: 65_536,
  ncWindow: 32,
  clock: Object.freeze({ now: () => Date.now() }),
});

/** Why verification refused the request. See the file header for the order of checks. */
export type DigestFailureReason =
  | 'missing'
  | 'malformed'
  | 'unknown-user'
  | 'wrong-response'
  | 'stale'
  | 'replay'
  | 'realm-mismatch'
  | 'bad-nonce'
  | 'unsupported-algorithm'
  | 'unsupported-qop'
  | 'unsupported-userhash'
  | 'uri-mismatch';

/** Accepted: the request comes from `username`. */
export interface DigestVerifySuccess {
  ok: true;
  username: string;
  algorithm: DigestAlgorithm;
  /** `undefined` for a no-qop (RFC 2069 style) request. */
  qop: 'auth' | 'auth-int' | undefined;
}

/**
 * Refused. Answer with 401/407 and fresh challenges, passing `stale` to {@link DigestAuthenticator.challenge}
 * (true for 'stale' and 'replay': the client knew the password, only the nonce was used up); 'malformed'
 * may also be answered 400. `username` is set once the credentials parsed (for logs and throttling).
 */
export interface DigestVerifyFailure {
  ok: false;
  reason: DigestFailureReason;
  stale: boolean;
  username: string | undefined;
}

/** Outcome of {@link DigestAuthenticator.verify}: discriminate on `ok`. */
export type DigestVerifyResult = DigestVerifySuccess | DigestVerifyFailure;

/**
 * Looks up the HA1 the credential store keeps for a user: H(username ":" realm ":" password) with the
 * algorithm's hash function (MD5 for MD5/MD5-sess, SHA-256 for SHA-256/SHA-256-sess), as lowercase hex —
 * see `computeHa1`. Returns `undefined` for an unknown user. May answer synchronously (the fast path) or
 * with a Promise.
 */
export type Ha1Lookup<R extends string | undefined | Promise<string | undefined> = string | undefined | Promise<string | undefined>> = (
  username: string,
  realm: string,
  algorithm: DigestAlgorithm,
) => R;

/** Parameters of {@link DigestAuthenticator.verify}. */
export interface DigestVerifyParams<R extends string | undefined | Promise<string | undefined>> {
  /**
   * The `Authorization` / `Proxy-Authorization` value, `undefined` when the request had none — or all of
   * them (a request may carry credentials for several realms, RFC 3261 §22.3): the first one whose realm is
   * `realm` is verified.
   */
  header: string | readonly string[] | undefined;
  /** The request method (for ACK/CANCEL the method of the request itself, RFC 3261 §22.1). */
  method: string;
  /** The realm this request must authenticate in (the tenant's domain). */
  realm: string;
  lookupHa1: Ha1Lookup<R>;
  /** The message body, needed for qop=auth-int (pass an empty array for no body); without it auth-int is refused. */
  body?: Uint8Array;
  /**
   * If given, the credentials' `uri` must equal it exactly (RFC 3261 §22.4 / RFC 7616 §3.4.6); otherwise the
   * uri is only used as the digest input. Leave it out behind proxies that rewrite the Request-URI.
   */
  requestUri?: string;
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function ncValue(nc: string): number {
  return Number.parseInt(nc, 16);
}

/**
 * Challenges requests and verifies their digest credentials. Holds no per-challenge state: nonces are
 * self-verifying (see nonce.ts); the only state is the bounded nonce-count table for replay protection.
 */
export class DigestAuthenticator {
  /** The effective options (defaults applied), frozen. `secret` is not exposed. */
  readonly options: Readonly<Omit<DigestAuthenticatorOptions, 'secret'>>;
  readonly #codec: NonceCodec;
  readonly #tracker: NonceCountTracker;
  readonly #clock: DigestClock;
  readonly #lifetimeMs: number;
  readonly #offered: ReadonlySet<DigestAlgorithm>;

  /** @throws {TypeError} naming the option when one is invalid. */
  constructor(options: Partial<DigestAuthenticatorOptions> = {}) {
    const o = { ...DIGEST_AUTHENTICATOR_DEFAULTS, ...options };
    if (!(o.nonceLifetimeSeconds > 0)) throw new TypeError('nonceLifetimeSeconds: must be positive');
    if (o.algorithms.length === 0) throw new TypeError('algorithms: offer at least one');
    for (const a of o.algorithms) {
      if (!DIGEST_ALGORITHMS.includes(a)) throw new TypeError(`algorithms: unknown algorithm ${String(a)}`);
    }
    for (const q of o.qop) {
      if (q !== 'auth' && q !== 'auth-int') throw new TypeError(`qop: unknown qop ${String(q)}`);
    }
    if (o.qop.length === 0 && o.legacyNoQop === 'reject') throw new TypeError('qop: no qop offered while legacyNoQop is reject');
    if (o.legacyNoQop !== 'single-use' && o.legacyNoQop !== 'accept' && o.legacyNoQop !== 'reject') {
      throw new TypeError('legacyNoQop: must be single-use, accept or reject');
    }
    this.#codec = new NonceCodec(o.secret ?? randomBytes(32));
    this.#tracker = new NonceCountTracker({ maxNonces: o.maxTrackedNonces, window: o.ncWindow });
    this.#clock = o.clock;
    this.#lifetimeMs = o.nonceLifetimeSeconds * 1000;
    this.#offered = new Set(o.algorithms);
    const { secret: _secret, ...rest } = o;
    this.options = Object.freeze({ ...rest, algorithms: Object.freeze([...o.algorithms]), qop: Object.freeze([...o.qop]) });
  }

  /** Nonces whose counts are tracked now, and how many were forgotten to bound memory. */
  get replayStats(): { trackedNonces: number; evictions: number } {
    return { trackedNonces: this.#tracker.size, evictions: this.#tracker.evictions };
  }

  /**
   * Header values for `WWW-Authenticate` (401) or `Proxy-Authenticate` (407): one per offered algorithm,
   * strongest first (RFC 8760 §2.4), sharing one fresh nonce.
   * @param opts.stale set when the refused request's only fault was an expired or used-up nonce (RFC 7616 §3.3).
   * @throws {TypeError} if `realm` contains CR/LF, or the clock reads a negative time or one beyond 2^48 ms.
   */
  challenge(realm: string, opts?: { stale?: boolean }): string[] {
    const nonce = this.#codec.mint(realm, this.#clock.now());
    const qop = this.options.qop.length > 0 ? [...this.options.qop] : undefined;
    const stale = opts?.stale === true ? true : undefined;
    return this.options.algorithms.map((algorithm) =>
      serializeChallenge({ realm, nonce, opaque: this.options.opaque, stale, algorithm, qop }),
    );
  }

  /**
   * Verifies one request's credentials. Synchronous when `lookupHa1` answers synchronously; a Promise
   * otherwise. Never throws for hostile input: every fault is a refusal with its reason.
   * @throws whatever `lookupHa1` throws (or its Promise rejects with): a store failure is not a refusal.
   */
  verify(params: DigestVerifyParams<string | undefined>): DigestVerifyResult;
  verify(params: DigestVerifyParams<string | undefined | Promise<string | undefined>>): DigestVerifyResult | Promise<DigestVerifyResult>;
  verify(params: DigestVerifyParams<string | undefined | Promise<string | undefined>>): DigestVerifyResult | Promise<DigestVerifyResult> {
    const { header, realm } = params;
    let c: DigestCredentials;
    if (typeof header === 'string') {
      if (header.length === 0) return fail('missing', undefined);
      try {
        c = parseCredentials(header);
      } catch (err) {
        if (err instanceof DigestParseError) return fail('malformed', undefined);
        throw err;
      }
      if (c.realm !== realm) return fail('realm-mismatch', c.username);
    } else {
      const found = header === undefined ? undefined : credentialsForRealm(header, realm);
      if (found === undefined || found === 'missing') return fail('missing', undefined);
      if (found === 'malformed' || found === 'realm-mismatch') return fail(found, undefined);
      c = found;
    }
    const user = c.username;
    const algorithm = toDigestAlgorithm(c.algorithm);
    if (algorithm === undefined || !this.#offered.has(algorithm)) return fail('unsupported-algorithm', user);
    const qop = c.qop;
    if (qop === undefined) {
      if (this.options.legacyNoQop === 'reject') return fail('unsupported-qop', user);
      if (isSessionAlgorithm(algorithm)) return fail('malformed', user);
    } else if (qop === 'auth-int') {
      if (params.body === undefined) return fail('unsupported-qop', user);
    } else if (qop !== 'auth') {
      return fail('unsupported-qop', user);
    }
    if (qop !== undefined && (c.nc === undefined || c.cnonce === undefined)) return fail('malformed', user);
    if (c.userhash === true) return fail('unsupported-userhash', user);
    if (params.requestUri !== undefined && c.uri !== params.requestUri) return fail('uri-mismatch', user);
    const nonceCheck = this.#codec.check(c.nonce, realm);
    if (!nonceCheck.valid) return fail('bad-nonce', user);
    const issuedAt = nonceCheck.issuedAt;
    if (this.options.opaque !== undefined && c.opaque !== this.options.opaque) return fail('bad-nonce', user);
    const nc = c.nc === undefined ? 1 : ncValue(c.nc);
    if (nc < 1) return fail('malformed', user);
    if (c.response.length !== digestHexLength(algorithm)) return fail('wrong-response', user);

    const ha1 = params.lookupHa1(user, realm, algorithm);
    if (isPromiseLike(ha1)) {
      return Promise.resolve(ha1).then((h) => this.#finish(c, algorithm, issuedAt, nc, params.method, params.body, h));
    }
    return this.#finish(c, algorithm, issuedAt, nc, params.method, params.body, ha1);
  }

  #finish(
    c: DigestCredentials,
    algorithm: DigestAlgorithm,
    issuedAt: number,
    nc: number,
    method: string,
    body: Uint8Array | undefined,
    ha1: string | undefined,
  ): DigestVerifyResult {
    const user = c.username;
    if (ha1 === undefined) return fail('unknown-user', user);
    const qop = c.qop as 'auth' | 'auth-int' | undefined;
    const expected = responseOf(algorithm, ha1, c.nonce, method, c.uri, qop, c.nc ?? '', c.cnonce ?? '', body);
    if (!hexEqual(c.response, expected)) return fail('wrong-response', user);
    const age = this.#clock.now() - issuedAt;
    // A nonce from the future (clock step, a cluster node ahead) is treated like an expired one.
    if (age > this.#lifetimeMs || age < -this.#lifetimeMs) return fail('stale', user, true);
    if (qop !== undefined || this.options.legacyNoQop === 'single-use') {
      const verdict = this.#tracker.accept(c.nonce, issuedAt, nc);
      if (verdict === 'replay') return fail('replay', user, true);
      if (verdict === 'forgotten') return fail('stale', user, true);
    }
    return { ok: true, username: user, algorithm, qop };
  }
}

/** The first credentials for `realm` among several values; otherwise why none fits. */
function credentialsForRealm(headers: readonly string[], realm: string): DigestCredentials | 'missing' | 'malformed' | 'realm-mismatch' {
  let outcome: 'missing' | 'malformed' | 'realm-mismatch' = 'missing';
  for (const h of headers) {
    if (h.length === 0) continue;
    try {
      const c = parseCredentials(h);
      if (c.realm === realm) return c;
      outcome = 'realm-mismatch';
    } catch (err) {
      if (!(err instanceof DigestParseError)) throw err;
      if (outcome === 'missing') outcome = 'malformed';
    }
  }
  return outcome;
}

function fail(reason: DigestFailureReason, username: string | undefined, stale = false): DigestVerifyFailure {
  return { ok: false, reason, stale, username };
}
