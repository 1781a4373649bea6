// Injected time for protocol logic: a Scheduler interface with a real (setTimeout) and a fake (test) clock.

/** A handle for a scheduled callback; `cancel()` is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

/** Time source and one-shot timers. Protocol code takes a Scheduler; it never calls setTimeout itself. */
export interface Scheduler {
  /** Milliseconds since an arbitrary origin (monotonic). */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** The real clock: performance.now() and unref'd setTimeout (timers never keep the process alive). */
export class RealScheduler implements Scheduler {
  now(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
}

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A fake clock for tests: time moves only through `advance()`/`runAll()`, timers fire in time order
 * (ties in scheduling order), and `pending` tells whether anything is left scheduled.
 */
export class FakeScheduler implements Scheduler {
  #now: number;
  #seq = 0;
  #timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    if (!Number.isFinite(ms)) throw new TypeError('ms must be a finite number');
    const timer: FakeTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers still scheduled (not fired, not cancelled). */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Time of the next live timer, or undefined. */
  nextAt(): number | undefined {
    const next = this.#next();
    return next?.at;
  }

  #next(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#next();
      if (!next || next.at > target) break;
      this.#now = next.at;
      next.cancelled = true;
      this.#timers = this.#timers.filter((t) => !t.cancelled);
      next.fn();
    }
    this.#now = target;
  }

  /** Fires timers until none is left (bounded, to catch timers that reschedule forever). */
  runAll(maxTimers = 100_000): void {
    for (let i = 0; i < maxTimers; i++) {
      const next = this.#next();
      if (!next) return;
      this.advance(next.at - this.#now);
    }
    throw new Error(`FakeScheduler.runAll: more than ${maxTimers} timers fired`);
  }
}
