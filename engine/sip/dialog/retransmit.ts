// The UAS core's 2xx retransmission until ACK, and its give-up after 64·T1 (RFC 3261 §13.3.1.4; RFC 6026 §7.1).
import type { Scheduler, TimerHandle } from '../../util/scheduler.ts';

/** Options of {@link TwoXxRetransmitter}. */
export interface TwoXxRetransmitterOptions {
  /** The injected clock. */
  scheduler: Scheduler;
  /** Sends the 2xx again (through the INVITE server transaction, which is in Accepted, RFC 6026 §7.1). */
  send: () => void;
  /**
   * No ACK after 64·T1: the dialog is confirmed but the session should end — the UA core sends BYE
   * (RFC 3261 §13.3.1.4).
   */
  onTimeout: () => void;
  /** RTT estimate T1 in ms (default 500). */
  t1?: number;
  /** Cap of the retransmit interval T2 in ms (default 4000). */
  t2?: number;
}

/** Default T1 and T2 (RFC 3261 §17.1.1.1, Table 4). */
export const TWO_XX_RETRANSMIT_DEFAULTS: Readonly<{ t1: number; t2: number }> = Object.freeze({ t1: 500, t2: 4000 });

/** Where a {@link TwoXxRetransmitter} is. */
export type TwoXxRetransmitState = 'idle' | 'running' | 'acked' | 'timed-out' | 'stopped';

/**
 * Retransmits a 2xx to INVITE until its ACK arrives (RFC 3261 §13.3.1.4) — on every transport, since the
 * ACK is end-to-end. The transaction sends the 2xx once; `start()` then schedules the retransmissions:
 *
 * ```
 *  time (T1 = 500 ms, T2 = 4 s)   event
 *  0                              2xx sent by the transaction; start()
 *  T1            = 0.5 s          retransmit #1, next interval 2·T1
 *  3·T1          = 1.5 s          retransmit #2, next interval 4·T1
 *  7·T1          = 3.5 s          retransmit #3, next interval min(8·T1, T2) = T2
 *  7·T1 + T2     = 7.5 s          retransmit #4, then every T2: 11.5, 15.5 … 31.5 s
 *  64·T1         = 32 s           no ACK: stop, onTimeout() (the UA core sends BYE)
 * ```
 * A retransmission due at or after 64·T1 is not sent. `ackReceived()` or `stop()` cancels everything;
 * after any of the three, nothing is left scheduled.
 */
export class TwoXxRetransmitter {
  #scheduler: Scheduler;
  #send: () => void;
  #onTimeout: () => void;
  #t1: number;
  #t2: number;
  #state: TwoXxRetransmitState = 'idle';
  #retransmit: TimerHandle | undefined;
  #giveUp: TimerHandle | undefined;
  #deadline = 0;
  #count = 0;

  /** @throws TypeError when `t1` or `t2` is not a positive finite number, or `t2` < `t1`. */
  constructor(opts: TwoXxRetransmitterOptions) {
    const t1 = opts.t1 ?? TWO_XX_RETRANSMIT_DEFAULTS.t1;
    const t2 = opts.t2 ?? TWO_XX_RETRANSMIT_DEFAULTS.t2;
    if (!(Number.isFinite(t1) && t1 > 0)) throw new TypeError('t1 must be a positive number of ms');
    if (!(Number.isFinite(t2) && t2 >= t1)) throw new TypeError('t2 must be a number of ms not below t1');
    this.#scheduler = opts.scheduler;
    this.#send = opts.send;
    this.#onTimeout = opts.onTimeout;
    this.#t1 = t1;
    this.#t2 = t2;
  }

  /** Where it is: `idle` before start, `running`, then `acked`, `timed-out` or `stopped`. */
  get state(): TwoXxRetransmitState {
    return this.#state;
  }

  /** How many retransmissions were sent (the transaction's first send not counted). */
  get retransmissions(): number {
    return this.#count;
  }

  /**
   * Starts the schedule; call right after the 2xx was first sent.
   * A second call is ignored.
   */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'running';
    const now = this.#scheduler.now();
    this.#deadline = now + 64 * this.#t1;
    this.#giveUp = this.#scheduler.setTimer(64 * this.#t1, () => this.#timedOut());
    this.#schedule(this.#t1, now);
  }

  /** The ACK for the 2xx arrived: stop retransmitting. Idempotent; ignored unless running. */
  ackReceived(): void {
    if (this.#state !== 'running') return;
    this.#state = 'acked';
    this.#cancel();
  }

  /** Stops without calling back (the call ended, the UA closes). Idempotent. */
  stop(): void {
    if (this.#state === 'running' || this.#state === 'idle') this.#state = 'stopped';
    this.#cancel();
  }

  #schedule(interval: number, from: number): void {
    if (from + interval >= this.#deadline) return;
    this.#retransmit = this.#scheduler.setTimer(interval, () => {
      this.#retransmit = undefined;
      if (this.#state !== 'running') return;
      this.#count++;
      this.#send();
      if (this.#state === 'running') this.#schedule(Math.min(2 * interval, this.#t2), from + interval);
    });
  }

  #timedOut(): void {
    this.#giveUp = undefined;
    if (this.#state !== 'running') return;
    this.#state = 'timed-out';
    this.#cancel();
    this.#onTimeout();
  }

  #cancel(): void {
    this.#retransmit?.cancel();
    this.#giveUp?.cancel();
    this.#retransmit = undefined;
    this.#giveUp = undefined;
  }
}
