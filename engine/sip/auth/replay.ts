// Nonce-count replay protection with bounded memory (RFC 7616 §3.4 `nc` and §5.5, sliding window after RFC 4303 §3.4.3).
//
// Per nonce we keep the highest nc accepted and a 32-bit bitmap of the nc values just below it:
//
//   bit d set  ⇔  nc = highest − d was accepted        (bit 0 is `highest` itself)
//
//   nc > highest                 → fresh; the window slides up by nc − highest
//   highest − nc ≥ window        → replay (too old to tell)
//   bit (highest − nc) set       → replay
//   otherwise                    → fresh; the bit is set
//
// A window (default 32) rather than "strictly greater" lets a UA send several requests with one nonce whose
// order changes on the way (UDP, parallel REGISTER/SUBSCRIBE), while each nc still counts once.
//
// Memory is bounded by an LRU map of nonces. Forgetting a nonce must not make its old nc values fresh again,
// so eviction raises a watermark: the newest issue time among evicted nonces. A nonce that is not tracked and
// was issued at or before the watermark may have been evicted, so its freshness is unknown ('forgotten'):
// the caller treats it as stale and the client simply re-authenticates with a new nonce. Every evicted nonce
// has issuedAt ≤ watermark, so an untracked nonce issued after it was never used — fresh is then safe.

/** Largest supported window: the bitmap is one 32-bit word. */
export const MAX_NC_WINDOW = 32;

interface NonceState {
  issuedAt: number;
  highest: number;
  bitmap: number;
}

/** Outcome of {@link NonceCountTracker.accept}. */
export type NonceCountVerdict = 'fresh' | 'replay' | 'forgotten';

/** Options of {@link NonceCountTracker}. */
export interface NonceCountTrackerOptions {
  /** Nonces remembered at most (LRU). */
  maxNonces: number;
  /** How far below the highest nc an unseen nc is still accepted, 1…32 (1 = strictly increasing). */
  window: number;
}

/** Default tracker options. */
export const NONCE_COUNT_TRACKER_DEFAULTS: Readonly<NonceCountTrackerOptions> = Object.freeze({ maxNonces: 65_536, window: 32 });

/** Remembers which nonce-counts were used with which nonce, within bounded memory. */
export class NonceCountTracker {
  readonly #map = new Map<string, NonceState>();
  readonly #max: number;
  readonly #window: number;
  #watermark = -1;
  #evictions = 0;

  /** @throws {TypeError} if `maxNonces` < 1 or `window` is outside 1…32. */
  constructor(options: Partial<NonceCountTrackerOptions> = {}) {
    const o = { ...NONCE_COUNT_TRACKER_DEFAULTS, ...options };
    if (!Number.isInteger(o.maxNonces) || o.maxNonces < 1) throw new TypeError('maxNonces: must be a positive integer');
    if (!Number.isInteger(o.window) || o.window < 1 || o.window > MAX_NC_WINDOW) throw new TypeError('window: must be an integer in 1…32');
    this.#max = o.maxNonces;
    this.#window = o.window;
  }

  /** Nonces currently tracked. */
  get size(): number {
    return this.#map.size;
  }

  /** Nonces forgotten to keep memory bounded, since construction. */
  get evictions(): number {
    return this.#evictions;
  }

  /**
   * Records `nc` for `nonce` if it was not used before. Call it only after the request-digest was verified,
   * so that forged requests cannot burn a client's counts.
   * @param issuedAt the nonce's issue time (from its MAC-checked timestamp), used for the eviction watermark.
   * @param nc the nonce-count, ≥ 1.
   */
  accept(nonce: string, issuedAt: number, nc: number): NonceCountVerdict {
    const map = this.#map;
    const state = map.get(nonce);
    if (state === undefined) {
      if (issuedAt <= this.#watermark) return 'forgotten';
      if (map.size >= this.#max) this.#evictOldest();
      map.set(nonce, { issuedAt, highest: nc, bitmap: 1 });
      return 'fresh';
    }
    // Move to the most-recently-used end.
    map.delete(nonce);
    map.set(nonce, state);
    if (nc > state.highest) {
      const shift = nc - state.highest;
      state.bitmap = shift >= MAX_NC_WINDOW ? 1 : ((state.bitmap << shift) | 1) >>> 0;
      state.highest = nc;
      return 'fresh';
    }
    const d = state.highest - nc;
    if (d >= this.#window) return 'replay';
    const bit = (1 << d) >>> 0;
    if ((state.bitmap & bit) !== 0) return 'replay';
    state.bitmap = (state.bitmap | bit) >>> 0;
    return 'fresh';
  }

  #evictOldest(): void {
    const first = this.#map.entries().next();
    if (first.done) return;
    const [nonce, state] = first.value;
    this.#map.delete(nonce);
    this.#evictions++;
    if (state.issuedAt > this.#watermark) this.#watermark = state.issuedAt;
  }
}
