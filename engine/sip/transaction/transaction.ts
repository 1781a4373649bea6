// Client and server transactions executing the tables of tables.ts on an injected scheduler (RFC 3261 §17, RFC 6026).
import type { SipRequest, SipResponse } from '../message/index.ts';
import type { Scheduler, TimerHandle } from '../../util/scheduler.ts';
import type { Interval, TimerName, TxAction, TxInput, TxKind, TxState } from './tables.ts';
import { INITIAL_ACTIONS, INITIAL_STATE, transition } from './tables.ts';

/** Timer values (RFC 3261 §17.1.1.1, Table 4). */
export interface TimerOptions {
  /** RTT estimate, default 500 ms. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  t4: number;
  /** Timer D on unreliable transports, at least 32 s. */
  d: number;
}

export const TIMER_DEFAULTS: Readonly<TimerOptions> = Object.freeze({ t1: 500, t2: 4000, t4: 5000, d: 32_000 });

export class TransactionTimeoutError extends Error {
  readonly code = 'timeout';
  readonly timer: TimerName;
  constructor(timer: TimerName) {
    super(`transaction timed out (Timer ${timer})`);
    this.name = 'TransactionTimeoutError';
    this.timer = timer;
  }
}

export class InvalidStateError extends Error {
  readonly code = 'invalid-state';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}

/** How a transaction puts bytes on the wire; `reliable` says whether retransmissions are needed. */
export interface TxWire {
  readonly reliable: boolean;
  send(bytes: Buffer): void;
}

/** Timers that only run on unreliable transports (retransmissions). */
const RETRANSMIT_TIMERS: ReadonlySet<TimerName> = new Set(['A', 'E', 'G']);
/** Timers that are zero on reliable transports (RFC 3261 Table 4). */
const ZERO_WHEN_RELIABLE: ReadonlySet<TimerName> = new Set(['D', 'I', 'J', 'K']);

/** Shared machinery: state, timers and the action loop. Subclasses say what "send" and "pass up" mean. */
abstract class Transaction {
  readonly kind: TxKind;
  readonly key: string;
  readonly request: SipRequest;
  #state: TxState;
  #timers = new Map<TimerName, TimerHandle>();
  #intervals = new Map<TimerName, number>();
  protected readonly scheduler: Scheduler;
  protected readonly timers: Readonly<TimerOptions>;
  protected readonly wire: TxWire;
  /** Called once when the transaction reaches Terminated. */
  onTerminated: ((tx: Transaction) => void) | undefined;
  /** History of states, for tests and the call timeline. */
  readonly history: TxState[] = [];

  constructor(kind: TxKind, key: string, request: SipRequest, wire: TxWire, scheduler: Scheduler, timers: Readonly<TimerOptions>) {
    this.kind = kind;
    this.key = key;
    this.request = request;
    this.wire = wire;
    this.scheduler = scheduler;
    this.timers = timers;
    this.#state = INITIAL_STATE[kind];
    this.history.push(this.#state);
  }

  get state(): TxState {
    return this.#state;
  }

  get terminated(): boolean {
    return this.#state === 'terminated';
  }

  protected start(): void {
    this.run(INITIAL_ACTIONS[this.kind], undefined);
  }

  /** Feeds an input through the table; returns false when the state ignores it. */
  protected input(input: TxInput, msg: SipResponse | SipRequest | undefined): boolean {
    const t = transition(this.kind, this.#state, input);
    if (!t) return false;
    if (t.next !== this.#state) {
      this.#state = t.next;
      this.history.push(t.next);
    }
    this.run(t.actions, msg, input.type === 'timer' ? input.timer : undefined);
    return true;
  }

  protected run(actions: readonly TxAction[], msg: SipResponse | SipRequest | undefined, firedTimer?: TimerName): void {
    for (const a of actions) {
      switch (a.type) {
        case 'start':
          this.#startTimer(a.timer, a.interval);
          break;
        case 'cancel':
          this.#cancelTimer(a.timer);
          break;
        case 'terminate':
          this.#terminate();
          break;
        case 'timeout':
          this.onTimeout(new TransactionTimeoutError(firedTimer ?? 'B'));
          break;
        default:
          this.act(a.type, msg);
      }
    }
  }

  /** Executes a table action other than timers and termination. */
  protected abstract act(action: 'send-request' | 'send-ack' | 'send-response' | 'pass-up' | 'transport-error', msg: SipResponse | SipRequest | undefined): void;
  protected abstract onTimeout(err: TransactionTimeoutError): void;

  #intervalFor(timer: TimerName, interval: Interval): number {
    const { t1, t2, t4, d } = this.timers;
    const last = this.#intervals.get(timer) ?? t1;
    switch (interval) {
      case 't1':
        return t1;
      case 'double':
        return last * 2;
      case 'double-t2':
        return Math.min(last * 2, t2);
      case 't2':
        return t2;
      case 't4':
        return t4;
      case '64t1':
        return 64 * t1;
      case 'd':
        return d;
    }
  }

  #startTimer(timer: TimerName, interval: Interval): void {
    if (this.wire.reliable && RETRANSMIT_TIMERS.has(timer)) return;
    const ms = this.wire.reliable && ZERO_WHEN_RELIABLE.has(timer) ? 0 : this.#intervalFor(timer, interval);
    this.#intervals.set(timer, ms);
    this.#timers.get(timer)?.cancel();
    this.#timers.set(
      timer,
      this.scheduler.setTimer(ms, () => {
        this.#timers.delete(timer);
        this.input({ type: 'timer', timer }, undefined);
      }),
    );
  }

  #cancelTimer(timer: TimerName): void {
    this.#timers.get(timer)?.cancel();
    this.#timers.delete(timer);
  }

  #terminate(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
    this.onTerminated?.(this);
  }

  /** The transport failed (§17.1.4, §17.2.4). */
  transportError(): void {
    this.input({ type: 'transport-error' }, undefined);
  }

  /** Forces termination (shutdown); no callbacks other than onTerminated. */
  destroy(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.history.push('terminated');
    this.#terminate();
  }
}

export interface ClientTransactionEvents {
  /** A response the TU must see (each 1xx, the final, and — for INVITE — every 2xx retransmission). */
  onResponse(res: SipResponse, tx: ClientTransaction): void;
  /** Timer B/F fired, or the transport failed; the TU treats it as a 408/503 (§8.1.3.1). */
  onError?(err: TransactionTimeoutError | Error, tx: ClientTransaction): void;
}

/**
 * A client transaction: INVITE (§17.1.1) or non-INVITE (§17.1.2). Created by the transaction layer, which
 * feeds it the responses whose branch and CSeq method match (§17.1.3).
 */
export class ClientTransaction extends Transaction {
  #bytes: Buffer;
  #ack: (res: SipResponse) => Buffer;
  #ackBytes: Buffer | undefined;
  #events: ClientTransactionEvents;
  /** The final response, once received. */
  finalResponse: SipResponse | undefined;

  constructor(
    key: string,
    request: SipRequest,
    wire: TxWire,
    scheduler: Scheduler,
    timers: Readonly<TimerOptions>,
    events: ClientTransactionEvents,
    buildAck: (res: SipResponse) => Buffer,
  ) {
    super(request.method === 'INVITE' ? 'ict' : 'nict', key, request, wire, scheduler, timers);
    this.#bytes = request.serialize();
    this.#events = events;
    this.#ack = buildAck;
  }

  /** Sends the request and starts Timers A/B or E/F. */
  begin(): void {
    this.start();
  }

  /** A response matched to this transaction. */
  receive(res: SipResponse): void {
    const s = res.status;
    if (s >= 200) this.finalResponse ??= res;
    const input: TxInput = s < 200 ? { type: 'recv-1xx' } : s < 300 ? { type: 'recv-2xx' } : { type: 'recv-final' };
    this.input(input, res);
  }

  protected act(action: string, msg: SipResponse | SipRequest | undefined): void {
    switch (action) {
      case 'send-request':
        this.wire.send(this.#bytes);
        break;
      case 'send-ack':
        if (msg && !msg.isRequest) this.#ackBytes ??= this.#ack(msg);
        if (this.#ackBytes) this.wire.send(this.#ackBytes);
        break;
      case 'pass-up':
        if (msg && !msg.isRequest) this.#events.onResponse(msg, this);
        break;
      case 'transport-error':
        this.#events.onError?.(new Error('transport error'), this);
        break;
    }
  }

  protected onTimeout(err: TransactionTimeoutError): void {
    this.#events.onError?.(err, this);
  }
}

export interface ServerTransactionEvents {
  /** RFC 6026 §7.1: an ACK for a 2xx that matched this INVITE transaction (rare: same branch). */
  onAck?(ack: SipRequest, tx: ServerTransaction): void;
  /** Timer H fired (no ACK for our final response) or the transport failed. */
  onError?(err: TransactionTimeoutError | Error, tx: ServerTransaction): void;
}

/**
 * A server transaction: INVITE (§17.2.1) or non-INVITE (§17.2.2). The TU answers with `respond()`;
 * retransmitted requests are absorbed or answered with the last response.
 */
export class ServerTransaction extends Transaction {
  #last: Buffer | undefined;
  #lastResponse: SipResponse | undefined;
  events: ServerTransactionEvents = {};
  /** Set when a CANCEL for this INVITE arrived (§9.2). */
  cancelled = false;

  constructor(key: string, request: SipRequest, wire: TxWire, scheduler: Scheduler, timers: Readonly<TimerOptions>) {
    super(request.method === 'INVITE' ? 'ist' : 'nist', key, request, wire, scheduler, timers);
  }

  /** The last response sent. */
  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  /** True once a final response has been sent. */
  get finalSent(): boolean {
    return (this.#lastResponse?.status ?? 0) >= 200;
  }

  /**
   * Sends a response through the transaction.
   * @throws InvalidStateError when the state does not accept it (a second final, or after termination).
   */
  respond(res: SipResponse): void {
    const s = res.status;
    const input: TxInput = s < 200 ? { type: 'send-1xx' } : s < 300 ? { type: 'send-2xx' } : { type: 'send-final' };
    const prev = { last: this.#last, resp: this.#lastResponse };
    this.#last = res.serialize();
    this.#lastResponse = res;
    if (!this.input(input, res)) {
      this.#last = prev.last;
      this.#lastResponse = prev.resp;
      throw new InvalidStateError(`cannot send ${s} in state ${this.state}`);
    }
  }

  /** A retransmission of the request (§17.2.1, §17.2.2). */
  receiveRetransmission(): void {
    this.input({ type: 'recv-request' }, undefined);
  }

  /** An ACK matched to this INVITE transaction (§17.2.1; RFC 6026 §7.1). */
  receiveAck(ack: SipRequest): void {
    this.input({ type: 'recv-ack' }, ack);
  }

  protected act(action: string, msg: SipResponse | SipRequest | undefined): void {
    switch (action) {
      case 'send-response':
        if (this.#last) this.wire.send(this.#last);
        break;
      case 'pass-up':
        if (msg?.isRequest) this.events.onAck?.(msg, this);
        break;
      case 'transport-error':
        this.events.onError?.(new Error('transport error'), this);
        break;
    }
  }

  protected onTimeout(err: TransactionTimeoutError): void {
    this.events.onError?.(err, this);
  }
}

export type AnyTransaction = ClientTransaction | ServerTransaction;
