// The media clock: one drift-corrected 20 ms tick (G.711 frame, RFC 3551 §4.5 default ptime) driving every player, mixer, recorder and jitter buffer.
import { RealScheduler } from '../util/scheduler.ts';
import type { Scheduler, TimerHandle } from '../util/scheduler.ts';
import { MediaStateError } from './errors.ts';

/** Something driven by the media clock. `tick` must be quick and must not allocate per call. */
export interface Tickable {
  /**
   * @param now ideal time of this tick in ms on the clock's time base (start + index × interval), not
   *   the moment the callback happens to run.
   * @param tickIndex absolute tick number; indexes of skipped ticks are never delivered, so a jump
   *   tells how many frame slots were lost.
   */
  tick(now: number, tickIndex: number): void;
}

/** The clock interface every media component depends on (real or manual). */
export interface MediaClock {
  /** Tick period in ms (20). */
  readonly intervalMs: number;
  /** Index the next tick will carry. */
  readonly nextTickIndex: number;
  /** Number of subscribers. */
  readonly size: number;
  /** Current time in ms on the clock's time base. */
  now(): number;
  /**
   * Subscribes; adding twice has no effect. Safe during a tick (takes effect from the next tick).
   * @throws {MediaStateError} `closed` after close().
   */
  add(t: Tickable): void;
  /** Unsubscribes; safe during a tick (a removed subscriber is not called again). Idempotent. */
  remove(t: Tickable): void;
  /** Stops ticking and drops every subscriber; leaves no timer. Idempotent. */
  close(): void;
}

/** Counters of a {@link RealtimeMediaClock}. */
export interface MediaClockStats {
  /** Ticks delivered. */
  ticks: number;
  /** Ticks dropped because the process fell more than `maxCatchUpTicks` behind. */
  skippedTicks: number;
  /** Ticks delivered late enough to be run back-to-back with another (catch-up). */
  catchUpTicks: number;
  /** Worst delay between a tick's ideal time and when it ran, ms. */
  maxLatenessMs: number;
  /** Exceptions thrown by subscribers. */
  errors: number;
}

/** Options of {@link RealtimeMediaClock}. */
export interface MediaClockOptions {
  /** Tick period, ms. */
  intervalMs: number;
  /**
   * When the process falls behind (GC pause, blocked event loop), how many missed ticks are still run
   * back-to-back to catch up. Older missed ticks are skipped and counted.
   */
  maxCatchUpTicks: number;
  /** Time and timers; the real clock by default. */
  scheduler: Scheduler;
  /** Called when a subscriber throws; the tick goes on with the next subscriber. */
  onError: (err: unknown, t: Tickable) => void;
}

/** Defaults of {@link MediaClockOptions}. */
export const MEDIA_CLOCK_DEFAULTS: Readonly<Omit<MediaClockOptions, 'scheduler' | 'onError'>> = Object.freeze({
  intervalMs: 20,
  maxCatchUpTicks: 5,
});

function defaultOnError(): (err: unknown) => void {
  let lastLog = -Infinity;
  return (err) => {
    const now = performance.now();
    if (now - lastLog < 1000) return;
    lastLog = now;
    console.error('media clock: a subscriber threw', err);
  };
}

/** Subscriber bookkeeping and dispatch shared by the real and manual clocks. */
abstract class TickDispatcher {
  readonly intervalMs: number;
  /** Copy-on-write: a tick iterates over the array it started with; add/remove build a new one. */
  #subscribers: readonly Tickable[] = [];
  #removed = new Set<Tickable>();
  #dispatching = false;
  #closed = false;
  #next = 0;
  readonly #onError: (err: unknown, t: Tickable) => void;
  /** Exceptions thrown by subscribers. */
  protected errorCount = 0;

  constructor(intervalMs: number, onError: ((err: unknown, t: Tickable) => void) | undefined) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new TypeError('intervalMs must be a positive number');
    this.intervalMs = intervalMs;
    this.#onError = onError ?? defaultOnError();
  }

  get nextTickIndex(): number {
    return this.#next;
  }

  protected set nextIndex(n: number) {
    this.#next = n;
  }

  protected get nextIndex(): number {
    return this.#next;
  }

  get size(): number {
    return this.#subscribers.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  add(t: Tickable): void {
    if (this.#closed) throw new MediaStateError('closed', 'media clock is closed');
    if (typeof t?.tick !== 'function') throw new TypeError('subscriber must have a tick(now, tickIndex) method');
    this.#removed.delete(t);
    if (this.#subscribers.includes(t)) return;
    this.#subscribers = [...this.#subscribers, t];
    if (this.#subscribers.length === 1) this.started();
  }

  remove(t: Tickable): void {
    const i = this.#subscribers.indexOf(t);
    if (i < 0) return;
    this.#subscribers = this.#subscribers.filter((s) => s !== t);
    if (this.#dispatching) this.#removed.add(t);
    if (this.#subscribers.length === 0) this.stopped();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscribers = [];
    this.stopped();
  }

  /** Delivers tick `index` at ideal time `now` to every subscriber. */
  protected dispatch(now: number, index: number): void {
    const list = this.#subscribers;
    this.#dispatching = true;
    try {
      for (let i = 0; i < list.length && !this.#closed; i++) {
        const t = list[i];
        if (this.#removed.size > 0 && this.#removed.has(t)) continue;
        try {
          t.tick(now, index);
        } catch (err) {
          this.errorCount++;
          try {
            this.#onError(err, t);
          } catch {
            // A throwing error handler must not stop the clock.
          }
        }
      }
    } finally {
      this.#dispatching = false;
      if (this.#removed.size > 0) this.#removed.clear();
    }
  }

  /** The first subscriber arrived. */
  protected abstract started(): void;
  /** The last subscriber left, or the clock closed. */
  protected abstract stopped(): void;
}

/**
 * The real media clock. Tick n is due at `epoch + n × interval`, an absolute target: each timer is set
 * for the next target, not for "interval from now", so timer lateness never accumulates (drift stays
 * bounded by one timer's lateness, ~1–2 ms).
 *
 * Falling behind — timeline with interval 20 ms and maxCatchUpTicks 5:
 *
 * | event                         | ticks run                          | counters            |
 * |-------------------------------|------------------------------------|---------------------|
 * | timer fires 3 ms late         | n                                  | maxLatenessMs ≥ 3   |
 * | loop blocked 70 ms            | n, n+1, n+2, n+3 back-to-back       | catchUpTicks += 3   |
 * | loop blocked 1 s (50 missed)  | the last 5 (n+45…n+49) back-to-back | skippedTicks += 45  |
 *
 * Catching up keeps players and jitter buffers in step with real time after a short stall; skipping
 * beyond that avoids bursting a second of audio at a peer whose jitter buffer would drop it anyway.
 * Skipped indexes are never delivered, so subscribers can see the gap in `tickIndex`.
 *
 * The clock only runs while it has subscribers (no timer when idle, tick indexes continue across idle
 * periods). Its timers come from the injected Scheduler (unref'd with the real one: the clock alone
 * does not keep the process alive).
 */
export class RealtimeMediaClock extends TickDispatcher implements MediaClock {
  readonly #scheduler: Scheduler;
  readonly #maxCatchUp: number;
  #epoch = 0;
  #timer: TimerHandle | null = null;
  readonly #stats: MediaClockStats = { ticks: 0, skippedTicks: 0, catchUpTicks: 0, maxLatenessMs: 0, errors: 0 };

  /** @throws {TypeError} for an invalid interval or catch-up bound. */
  constructor(options: Partial<MediaClockOptions> = {}) {
    const opts = { ...MEDIA_CLOCK_DEFAULTS, ...options };
    super(opts.intervalMs, opts.onError);
    if (!Number.isInteger(opts.maxCatchUpTicks) || opts.maxCatchUpTicks < 1) throw new TypeError('maxCatchUpTicks must be an integer ≥ 1');
    this.#scheduler = opts.scheduler ?? new RealScheduler();
    this.#maxCatchUp = opts.maxCatchUpTicks;
  }

  now(): number {
    return this.#scheduler.now();
  }

  /** Counters (a snapshot). */
  get stats(): Readonly<MediaClockStats> {
    return { ...this.#stats, errors: this.errorCount };
  }

  /** Whether a timer is armed. */
  get running(): boolean {
    return this.#timer !== null;
  }

  protected started(): void {
    // The next tick is one interval from now; indexes continue from where they stopped.
    this.#epoch = this.#scheduler.now() + this.intervalMs - this.nextIndex * this.intervalMs;
    this.#arm();
  }

  protected stopped(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #arm(): void {
    const target = this.#epoch + this.nextIndex * this.intervalMs;
    const delay = Math.max(1, Math.ceil(target - this.#scheduler.now()));
    this.#timer = this.#scheduler.setTimer(delay, this.#onTimer);
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    if (this.closed || this.size === 0) return;
    const now = this.#scheduler.now();
    const I = this.intervalMs;
    const due = Math.floor((now - this.#epoch) / I);
    let n = this.nextIndex;
    if (due >= n) {
      const missed = due - n + 1;
      if (missed > this.#maxCatchUp) {
        const skip = missed - this.#maxCatchUp;
        this.#stats.skippedTicks += skip;
        n += skip;
      }
      this.#stats.catchUpTicks += due - n;
      for (; n <= due && !this.closed && this.size > 0; n++) {
        const ideal = this.#epoch + n * I;
        const late = this.#scheduler.now() - ideal;
        if (late > this.#stats.maxLatenessMs) this.#stats.maxLatenessMs = late;
        this.nextIndex = n + 1;
        this.#stats.ticks++;
        this.dispatch(ideal, n);
      }
    }
    // A subscriber may have removed the last subscriber or closed the clock during the ticks.
    if (!this.closed && this.size > 0 && this.#timer === null) this.#arm();
  };
}

/**
 * A media clock for tests: time moves only when told, by whole ticks, and tick n is delivered at
 * exactly `start + (n + 1) × interval` (like the real clock, the first tick comes one interval after
 * the start). Same subscriber semantics as the real clock.
 */
export class ManualMediaClock extends TickDispatcher implements MediaClock {
  readonly #start: number;
  #now: number;

  constructor(options: { intervalMs?: number; start?: number; onError?: (err: unknown, t: Tickable) => void } = {}) {
    super(options.intervalMs ?? MEDIA_CLOCK_DEFAULTS.intervalMs, options.onError);
    this.#start = options.start ?? 0;
    this.#now = this.#start;
  }

  now(): number {
    return this.#now;
  }

  /** Exceptions thrown by subscribers so far. */
  get errors(): number {
    return this.errorCount;
  }

  /**
   * Runs `ticks` ticks in order (time moves one interval before each).
   * @throws {MediaStateError} `closed` after close().
   */
  advance(ticks = 1): void {
    if (this.closed) throw new MediaStateError('closed', 'media clock is closed');
    if (!Number.isInteger(ticks) || ticks < 0) throw new TypeError('ticks must be a non-negative integer');
    for (let k = 0; k < ticks && !this.closed; k++) {
      const n = this.nextIndex;
      this.nextIndex = n + 1;
      this.#now = this.#start + (n + 1) * this.intervalMs;
      this.dispatch(this.#now, n);
    }
  }

  protected started(): void {}
  protected stopped(): void {}
}
