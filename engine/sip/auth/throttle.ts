// Throttling of repeated authentication failures per source, with escalating bans and a bounded table (DESIGN.md §6, RFC 3261 §26.1.5 and §26.3.2.4 on guessing and flooding).
//
// Per source (a string the caller chooses: "ip", "ip:port", an IPv6 /64 prefix …) we count failures in a
// fixed window that starts at the first failure. Reaching `maxFailures` bans the source:
//
//   ban n (n = 0, 1, 2 …) lasts  min(banMs · banMultiplier^n, maxBanMs)
//
// e.g. 30 s, 60 s, 120 s … capped at one hour. The escalation level is forgotten after `escalationResetMs`
// without a ban, or on a success. No timers: every call takes the time (`now`, ms) from the caller.
//
// The table is an LRU map bounded by `maxEntries`. When full, the least recently failing source that is not
// banned is evicted (looking at the oldest `EVICTION_SCAN` entries); only if all of those are banned is the
// oldest banned source dropped — memory stays bounded even under a flood from many addresses.
//
// Fixed windows allow up to 2·maxFailures − 1 failures across a window boundary before a ban; that bound is
// the price of O(1) memory per source.

/** Options of {@link AuthThrottle}. */
export interface AuthThrottleOptions {
  /** Failures within `failureWindowMs` that ban the source. Default 5. */
  maxFailures: number;
  /** Length of the failure-counting window, ms. Default 60 000. */
  failureWindowMs: number;
  /** First ban, ms. Default 30 000. */
  banMs: number;
  /** Factor applied to each further ban. Default 2. */
  banMultiplier: number;
  /** Longest ban, ms. Default 3 600 000 (one hour). */
  maxBanMs: number;
  /** Time after the last ban's end without a new ban after which escalation restarts, ms. Default 86 400 000. */
  escalationResetMs: number;
  /** Sources tracked at most. Default 100 000. */
  maxEntries: number;
}

/** Frozen defaults of {@link AuthThrottleOptions}. */
export const AUTH_THROTTLE_DEFAULTS: Readonly<AuthThrottleOptions> = Object.freeze({
  maxFailures: 5,
  failureWindowMs: 60_000,
  banMs: 30_000,
  banMultiplier: 2,
  maxBanMs: 3_600_000,
  escalationResetMs: 86_400_000,
  maxEntries: 100_000,
});

/** How many of the oldest entries eviction inspects looking for one that is not banned. */
const EVICTION_SCAN = 16;

interface Entry {
  windowStart: number;
  failures: number;
  /** End of the current ban, or 0 when not banned. */
  bannedUntil: number;
  /** Bans so far (the escalation level). */
  level: number;
  /** End of the last ban (for the escalation reset). */
  lastBanEnd: number;
}

/** Result of {@link AuthThrottle.recordFailure}. */
export interface AuthThrottleVerdict {
  /** The source is banned now. */
  banned: boolean;
  /** This failure started the ban. */
  newlyBanned: boolean;
  /** End of the ban (ms), or 0 when not banned. */
  bannedUntil: number;
  /** Failures counted in the current window (0 right after a ban starts). */
  failures: number;
}

/** Counters for logs and metrics. */
export interface AuthThrottleStats {
  /** Failures recorded since construction. */
  failures: number;
  /** Bans started since construction. */
  bans: number;
  /** Sources banned at the time asked. */
  currentlyBanned: number;
  /** Sources in the table. */
  entries: number;
  /** Sources dropped to keep the table bounded. */
  evictions: number;
}

/** Bans sources that fail authentication repeatedly. */
export class AuthThrottle {
  /** Effective options, frozen. */
  readonly options: Readonly<AuthThrottleOptions>;
  readonly #map = new Map<string, Entry>();
  #failures = 0;
  #bans = 0;
  #evictions = 0;

  /** @throws {TypeError} naming the option when one is invalid. */
  constructor(options: Partial<AuthThrottleOptions> = {}) {
    const o = { ...AUTH_THROTTLE_DEFAULTS, ...options };
    if (!Number.isInteger(o.maxFailures) || o.maxFailures < 1) throw new TypeError('maxFailures: must be a positive integer');
    if (!(o.failureWindowMs > 0)) throw new TypeError('failureWindowMs: must be positive');
    if (!(o.banMs > 0)) throw new TypeError('banMs: must be positive');
    if (!(o.banMultiplier >= 1)) throw new TypeError('banMultiplier: must be at least 1');
    if (!(o.maxBanMs >= o.banMs)) throw new TypeError('maxBanMs: must be at least banMs');
    if (!(o.escalationResetMs >= 0)) throw new TypeError('escalationResetMs: must not be negative');
    if (!Number.isInteger(o.maxEntries) || o.maxEntries < 1) throw new TypeError('maxEntries: must be a positive integer');
    this.options = Object.freeze(o);
  }

  /** Sources in the table. */
  get size(): number {
    return this.#map.size;
  }

  /** True while `source` is banned. Call it before authenticating; refuse (e.g. 403, or drop) when true. */
  isBanned(source: string, now: number): boolean {
    const e = this.#map.get(source);
    if (e === undefined || e.bannedUntil === 0) return false;
    if (e.bannedUntil > now) return true;
    e.bannedUntil = 0; // the ban is over; its end stays in lastBanEnd for escalation
    return false;
  }

  /** End of the source's ban (ms) if it is banned at `now`, e.g. for a Retry-After; otherwise `undefined`. */
  bannedUntil(source: string, now: number): number | undefined {
    return this.isBanned(source, now) ? this.#map.get(source)?.bannedUntil : undefined;
  }

  /**
   * Counts one authentication failure from `source` (a wrong password, an unknown user, a forged nonce —
   * not a stale nonce, which honest clients cause). Failures while already banned are counted in the
   * statistics only; they neither extend nor escalate the ban.
   */
  recordFailure(source: string, now: number): AuthThrottleVerdict {
    this.#failures++;
    const map = this.#map;
    let e = map.get(source);
    if (e === undefined) {
      if (map.size >= this.options.maxEntries) this.#evict(now);
      e = { windowStart: now, failures: 0, bannedUntil: 0, level: 0, lastBanEnd: 0 };
    } else {
      map.delete(source); // re-inserted below: most recently failing at the end
    }
    map.set(source, e);
    if (e.bannedUntil !== 0) {
      if (e.bannedUntil > now) return { banned: true, newlyBanned: false, bannedUntil: e.bannedUntil, failures: e.failures };
      e.bannedUntil = 0;
    }
    const o = this.options;
    if (e.level > 0 && now - e.lastBanEnd >= o.escalationResetMs) e.level = 0;
    if (now - e.windowStart >= o.failureWindowMs || now < e.windowStart) {
      e.windowStart = now;
      e.failures = 0;
    }
    e.failures++;
    if (e.failures < o.maxFailures) return { banned: false, newlyBanned: false, bannedUntil: 0, failures: e.failures };
    const duration = Math.min(o.banMs * o.banMultiplier ** e.level, o.maxBanMs);
    e.bannedUntil = now + duration;
    e.lastBanEnd = e.bannedUntil;
    e.level++;
    e.failures = 0;
    e.windowStart = now;
    this.#bans++;
    return { banned: true, newlyBanned: true, bannedUntil: e.bannedUntil, failures: 0 };
  }

  /**
   * A successful authentication from `source`: its failures are cleared. If it is not banned the source is
   * forgotten entirely (escalation restarts); an ongoing ban runs to its end.
   * @param now lets a ban that has ended count as over even if {@link isBanned} was not called since.
   */
  recordSuccess(source: string, now?: number): void {
    const e = this.#map.get(source);
    if (e === undefined) return;
    if (e.bannedUntil === 0 || (now !== undefined && e.bannedUntil <= now)) this.#map.delete(source);
    else e.failures = 0;
  }

  /** Counters; `currentlyBanned` scans the table (call it at metrics time, not per request). */
  stats(now: number): AuthThrottleStats {
    let currentlyBanned = 0;
    for (const e of this.#map.values()) if (e.bannedUntil > now) currentlyBanned++;
    return { failures: this.#failures, bans: this.#bans, currentlyBanned, entries: this.#map.size, evictions: this.#evictions };
  }

  #evict(now: number): void {
    let victim: string | undefined;
    let first: string | undefined;
    let scanned = 0;
    for (const [source, e] of this.#map) {
      first ??= source;
      if (e.bannedUntil <= now) {
        victim = source;
        break;
      }
      if (++scanned >= EVICTION_SCAN) break;
    }
    victim ??= first;
    if (victim !== undefined) {
      this.#map.delete(victim);
      this.#evictions++;
    }
  }
}
