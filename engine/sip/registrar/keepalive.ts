// Keepalive of registered flows: OPTIONS pings to each binding on an interval, reachability after consecutive failures (RFC 3261 §11 OPTIONS; the RFC 5626 §4.4 / §5.4 idea of flow keepalives, server-driven; DESIGN.md: gateways answer OPTIONS as keepalive).
//
// Round timeline (interval I, concurrency C):
//
//   t=0        start(): first round scheduled at I
//   t=I        round 1: list the live bindings, keep those `select` accepts, probe them C at a time
//   t=I+d      round 1 done (d = its duration); the next round starts at max(I+d, 2I)  — rounds never overlap
//   …
// Each probe is `sendOptions(binding)` (the UA core sends OPTIONS through a client transaction to the
// binding's flow); a probe that throws, rejects, answers { ok: false } or is still pending after
// `probeTimeoutMs` is a failure. The result is recorded on the binding by the registrar, which marks it
// unreachable after `failuresBeforeUnreachable` failures in a row and reachable again on a success.
import type { Scheduler, TimerHandle } from '../../util/scheduler.ts';
import type { Binding } from './binding.ts';
import { type ListenerErrorHandler, TypedEmitter } from './emitter.ts';
import type { MaybePromise } from './maybe.ts';
import type { KeepaliveOutcome, KeepaliveUpdate } from './registrar.ts';

/** Options of {@link KeepalivePinger}. */
export interface KeepalivePingerOptions {
  /** Time between the starts of two rounds, ms. Default 30 000. */
  intervalMs: number;
  /** Consecutive failures that mark a binding unreachable. Default 3. */
  failuresBeforeUnreachable: number;
  /** Probes in flight at most. Default 16. */
  concurrency: number;
  /** A probe not settled after this long is a failure, ms. Default 32 000 (Timer F = 64·T1). */
  probeTimeoutMs: number;
  /** Which bindings to probe (e.g. only gateway accounts, by `binding.authUser`). Default: all. */
  select: (binding: Binding) => boolean;
  /** Receives errors of the registrar's store and of throwing listeners. Default console.error. */
  onError: (err: unknown, context: string) => void;
}

/** Frozen defaults of {@link KeepalivePingerOptions}. */
export const KEEPALIVE_DEFAULTS: Readonly<KeepalivePingerOptions> = Object.freeze({
  intervalMs: 30_000,
  failuresBeforeUnreachable: 3,
  concurrency: 16,
  probeTimeoutMs: 32_000,
  select: () => true,
  onError: (err: unknown, context: string) => console.error(`keepalive: ${context}`, err),
});

/** Sends one OPTIONS to a binding's flow; resolves with the outcome (the UA core implements it). */
export type SendOptions = (binding: Binding) => Promise<KeepaliveOutcome>;

/** What the pinger needs from the registrar (a {@link Registrar} fits). */
export interface KeepaliveSubject {
  allBindings(): MaybePromise<Binding[]>;
  recordKeepalive(binding: Binding, outcome: KeepaliveOutcome, failuresBeforeUnreachable: number): MaybePromise<KeepaliveUpdate | undefined>;
}

/** Collaborators of a {@link KeepalivePinger}. */
export interface KeepalivePingerDeps {
  scheduler: Scheduler;
  registrar: KeepaliveSubject;
  sendOptions: SendOptions;
}

/** Events of a {@link KeepalivePinger}. */
export type KeepaliveEvents = {
  /** One probe finished and was recorded (`binding` as stored after it). */
  probed: [binding: Binding, outcome: KeepaliveOutcome];
  /** The binding just became unreachable (the registrar emits the same event). */
  unreachable: [binding: Binding];
  /** The binding just became reachable again (the registrar emits the same event). */
  reachable: [binding: Binding];
};

/** Summary of one round. */
export interface KeepaliveRound {
  /** Bindings probed. */
  probed: number;
  ok: number;
  failed: number;
}

/** Counters since construction. */
export interface KeepaliveStats {
  rounds: number;
  probes: number;
  failures: number;
  timeouts: number;
  /** Probes in flight now. */
  inFlight: number;
}

/** Pings registered bindings with OPTIONS on an interval; see the file header for the timeline. */
export class KeepalivePinger {
  /** Effective options, frozen. */
  readonly options: Readonly<KeepalivePingerOptions>;
  readonly #scheduler: Scheduler;
  readonly #registrar: KeepaliveSubject;
  readonly #send: SendOptions;
  readonly #events: TypedEmitter<KeepaliveEvents>;
  #timer: TimerHandle | undefined;
  #round: Promise<KeepaliveRound> | undefined;
  #started = false;
  #closed = false;
  readonly #stats = { rounds: 0, probes: 0, failures: 0, timeouts: 0, inFlight: 0 };

  /** @throws {TypeError} naming the option when one is invalid. */
  constructor(deps: KeepalivePingerDeps, options: Partial<KeepalivePingerOptions> = {}) {
    const o = { ...KEEPALIVE_DEFAULTS, ...options };
    if (!(o.intervalMs > 0) || !Number.isFinite(o.intervalMs)) throw new TypeError('intervalMs: must be a positive finite number');
    if (!Number.isInteger(o.failuresBeforeUnreachable) || o.failuresBeforeUnreachable < 1) {
      throw new TypeError('failuresBeforeUnreachable: must be a positive integer');
    }
    if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw new TypeError('concurrency: must be a positive integer');
    if (!(o.probeTimeoutMs > 0) || !Number.isFinite(o.probeTimeoutMs)) throw new TypeError('probeTimeoutMs: must be a positive finite number');
    if (typeof o.select !== 'function') throw new TypeError('select: must be a function');
    if (typeof deps.sendOptions !== 'function') throw new TypeError('sendOptions: must be a function');
    this.options = Object.freeze(o);
    this.#scheduler = deps.scheduler;
    this.#registrar = deps.registrar;
    this.#send = deps.sendOptions;
    const onError: ListenerErrorHandler = (err, event) => o.onError(err, `listener for '${event}'`);
    this.#events = new TypedEmitter<KeepaliveEvents>(onError);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof KeepaliveEvents>(event: K, listener: (...args: KeepaliveEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof KeepaliveEvents>(event: K, listener: (...args: KeepaliveEvents[K]) => void): void {
    this.#events.off(event, listener);
  }

  /** Counters for logs and metrics. */
  stats(): KeepaliveStats {
    return { ...this.#stats };
  }

  /** Starts the periodic rounds (the first one `intervalMs` from now). Idempotent; no-op after close. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#schedule(this.options.intervalMs);
  }

  /** Runs a round now, or joins the one in progress. Resolves when it is done (never rejects). */
  runOnce(): Promise<KeepaliveRound> {
    if (this.#round !== undefined) return this.#round;
    const round = this.#runRound().finally(() => {
      if (this.#round === round) this.#round = undefined;
    });
    this.#round = round;
    return round;
  }

  /** Resolves when no round is in progress. */
  async whenIdle(): Promise<void> {
    while (this.#round !== undefined) await this.#round;
  }

  /**
   * Stops: cancels the next round and starts no further probe; results of probes still in flight are
   * ignored. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#events.clear();
  }

  #schedule(delay: number): void {
    if (this.#closed) return;
    this.#timer = this.#scheduler.setTimer(delay, () => {
      this.#timer = undefined;
      const startedAt = this.#scheduler.now();
      void this.runOnce().then(() => {
        this.#schedule(Math.max(0, startedAt + this.options.intervalMs - this.#scheduler.now()));
      });
    });
  }

  async #runRound(): Promise<KeepaliveRound> {
    const result: KeepaliveRound = { probed: 0, ok: 0, failed: 0 };
    if (this.#closed) return result;
    this.#stats.rounds++;
    let todo: Binding[];
    try {
      todo = (await this.#registrar.allBindings()).filter((b) => this.options.select(b));
    } catch (err) {
      this.options.onError(err, 'listing bindings');
      return result;
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!this.#closed && next < todo.length) {
        const b = todo[next++];
        const outcome = await this.#probe(b);
        if (this.#closed) return;
        result.probed++;
        if (outcome.ok) result.ok++;
        else result.failed++;
        await this.#record(b, outcome);
      }
    };
    const workers: Promise<void>[] = [];
    for (let i = 0; i < Math.min(this.options.concurrency, todo.length); i++) workers.push(worker());
    await Promise.all(workers);
    return result;
  }

  /** One probe, bounded by probeTimeoutMs; never rejects. */
  async #probe(b: Binding): Promise<KeepaliveOutcome> {
    this.#stats.probes++;
    this.#stats.inFlight++;
    const t0 = this.#scheduler.now();
    let timer: TimerHandle | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = this.#scheduler.setTimer(this.options.probeTimeoutMs, () => resolve('timeout'));
    });
    let outcome: KeepaliveOutcome;
    try {
      const r = await Promise.race([Promise.resolve().then(() => this.#send(b)), timeout]);
      if (r === 'timeout') {
        this.#stats.timeouts++;
        outcome = { ok: false };
      } else {
        outcome = r.ok ? { ok: true, rttMs: r.rttMs ?? this.#scheduler.now() - t0 } : { ok: false };
      }
    } catch {
      outcome = { ok: false };
    } finally {
      timer?.cancel();
      this.#stats.inFlight--;
    }
    if (!outcome.ok) this.#stats.failures++;
    return outcome;
  }

  async #record(b: Binding, outcome: KeepaliveOutcome): Promise<void> {
    let update: KeepaliveUpdate | undefined;
    try {
      update = await this.#registrar.recordKeepalive(b, outcome, this.options.failuresBeforeUnreachable);
    } catch (err) {
      this.options.onError(err, `recording keepalive of ${b.contact}`);
      return;
    }
    if (update === undefined || this.#closed) return;
    this.#events.emit('probed', update.binding, outcome);
    if (update.transition !== undefined) this.#events.emit(update.transition, update.binding);
  }
}
