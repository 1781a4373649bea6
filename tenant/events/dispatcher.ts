// Webhook delivery from the durable outbox: at-least-once, exponential backoff with jitter, ordered per call, one sender per delivery across nodes (leases), signed with HMAC-SHA256 (see signature.ts).
//
// Timeline of one delivery (base 1 s, factor 2, cap 1 h, give up after maxAttempts):
//
//   t0       event committed → delivery row 'pending', due t0            (same transaction as the change)
//   t0       claim (lease) → POST → 500            attempts=1, due t0 + 1 s
//   t0+1 s   claim → POST → timeout                attempts=2, due +2 s
//   t0+3 s   claim → POST → 204                    'delivered'
//   …        after maxAttempts failures            'failed' (visible in the API; replay resets it)
//
// A later event of the same call to the same webhook waits until this one is delivered or failed.
import { type Logger, silentLogger } from '../log.ts';
import type { DueDelivery, StoredEvent, Store } from '../store/index.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';

/** Options of {@link WebhookDispatcher}. */
export interface DispatcherOptions {
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  /** The HTTP client. Default the global fetch. */
  fetch?: typeof fetch;
  /** Delay after the first failure. Default 1000 ms; doubled after each further failure. */
  baseDelayMs?: number;
  /** Longest delay between attempts. Default 1 h. */
  maxDelayMs?: number;
  /** Attempts before a delivery is marked failed. Default 15 (about 9 hours with the defaults). */
  maxAttempts?: number;
  /** Random extra delay as a fraction of the delay (spreads retries out). Default 0.2. */
  jitter?: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Requests in flight at most. Default 8. */
  concurrency?: number;
  /** Deliveries read per round. Default 100. */
  batchSize?: number;
  /** How long a claimed delivery is reserved for this sender. Default timeoutMs + 30 s. */
  leaseMs?: number;
  /** Look for due deliveries at least this often (events of other nodes, expired leases). Default 30 s. */
  pollMs?: number;
  logger?: Logger;
}

/** Counters since start. */
export interface DispatcherStats {
  attempts: number;
  delivered: number;
  failedAttempts: number;
  gaveUp: number;
}

/** The JSON body of a webhook request. */
export interface WebhookPayload {
  id: string;
  seq: number;
  type: string;
  tenantId: string;
  callId: string | null;
  agentId: string | null;
  createdAt: number;
  data: StoredEvent['data'];
}

/** The body a webhook receives for an event (exported for receivers' tests). */
export function webhookPayload(e: StoredEvent): WebhookPayload {
  return { id: e.id, seq: e.seq, type: e.type, tenantId: e.tenantId, callId: e.callId, agentId: e.agentId, createdAt: e.createdAt, data: e.data };
}

/**
 * Sends due deliveries: call {@link start} once, {@link wake} after events are committed (or replayed),
 * {@link close} on shutdown. One timer at a time: the next due time, or the poll interval.
 */
export class WebhookDispatcher {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #o: Required<Omit<DispatcherOptions, 'now' | 'fetch' | 'logger'>>;
  readonly #log: Logger;
  readonly #stats: DispatcherStats = { attempts: 0, delivered: 0, failedAttempts: 0, gaveUp: 0 };
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #again = false;
  #started = false;
  #closed = false;
  readonly #inflight = new Set<AbortController>();

  constructor(store: Store, opts: DispatcherOptions = {}) {
    this.#store = store;
    this.#now = opts.now ?? Date.now;
    this.#fetch = opts.fetch ?? fetch;
    this.#log = opts.logger ?? silentLogger();
    const timeoutMs = opts.timeoutMs ?? 10_000;
    this.#o = {
      baseDelayMs: opts.baseDelayMs ?? 1000,
      maxDelayMs: opts.maxDelayMs ?? 3_600_000,
      maxAttempts: opts.maxAttempts ?? 15,
      jitter: opts.jitter ?? 0.2,
      timeoutMs,
      concurrency: opts.concurrency ?? 8,
      batchSize: opts.batchSize ?? 100,
      leaseMs: opts.leaseMs ?? timeoutMs + 30_000,
      pollMs: opts.pollMs ?? 30_000,
    };
  }

  /** Counters since construction. */
  get stats(): Readonly<DispatcherStats> {
    return { ...this.#stats };
  }

  /** Starts sending (deliveries left in the outbox by a previous run go out first). Idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.wake();
  }

  /** Looks for due deliveries now (after a commit or a replay). */
  wake(): void {
    if (!this.#started || this.#closed) return;
    void this.#run();
  }

  /** The delay before attempt `attempts + 1` after `attempts` failures (without jitter). */
  backoff(attempts: number): number {
    return Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  }

  /** Resolves when no round is running (tests). */
  async idle(): Promise<void> {
    while (this.#round !== undefined) await this.#round;
  }

  #run(): Promise<void> {
    if (this.#round !== undefined) {
      this.#again = true;
      return this.#round;
    }
    this.#clearTimer();
    this.#round = (async () => {
      let next: number | undefined;
      try {
        do {
          this.#again = false;
          const due = await this.#store.outbox.due(this.#now(), this.#o.batchSize);
          const progressed = await this.#sendAll(due);
          // a delivered event may unblock the next one of its call; a full batch may have more behind it
          if (progressed || due.length === this.#o.batchSize) this.#again = true;
        } while (this.#again && !this.#closed);
        next = await this.#store.outbox.nextDueAt();
      } catch (err) {
        this.#log.error({ err }, 'webhook round failed');
        next = this.#now() + this.#o.baseDelayMs;
      }
      this.#schedule(next);
    })().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  #schedule(at: number | undefined): void {
    if (this.#closed) return;
    this.#clearTimer();
    const delay = Math.max(0, Math.min(at === undefined ? Infinity : at - this.#now(), this.#o.pollMs));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, delay);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #sendAll(due: DueDelivery[]): Promise<boolean> {
    let progressed = false;
    let i = 0;
    const worker = async (): Promise<void> => {
      while (i < due.length && !this.#closed) {
        const d = due[i++];
        if (await this.#attempt(d)) progressed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, due.length) }, worker));
    return progressed;
  }

  /** One attempt of one delivery. @returns true when it was delivered. */
  async #attempt(d: DueDelivery): Promise<boolean> {
    const outbox = this.#store.outbox;
    const now = this.#now();
    if (!(await outbox.claim(d.webhook.id, d.event.seq, now, now + this.#o.leaseMs))) return false;
    const attempt = d.delivery.attempts + 1;
    const body = JSON.stringify(webhookPayload(d.event));
    const ac = new AbortController();
    this.#inflight.add(ac);
    const timer = setTimeout(() => ac.abort(new Error(`timed out after ${this.#o.timeoutMs} ms`)), this.#o.timeoutMs);
    this.#stats.attempts++;
    let status: number | null = null;
    let error: string;
    try {
      const res = await this.#fetch(d.webhook.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: ac.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Hotline-Webhooks/1',
          'x-hotline-event-id': d.event.id,
          'x-hotline-event-type': d.event.type,
          'x-hotline-delivery-attempt': String(attempt),
          [SIGNATURE_HEADER]: signatureHeader(d.webhook.secret, Math.floor(this.#now() / 1000), body),
        },
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (status >= 200 && status < 300) {
        await outbox.delivered(d.webhook.id, d.event.seq, status, this.#now());
        this.#stats.delivered++;
        return true;
      }
      error = `HTTP ${status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      error = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
      this.#inflight.delete(ac);
    }
    const giveUp = attempt >= this.#o.maxAttempts;
    const delay = this.backoff(attempt) * (1 + Math.random() * this.#o.jitter);
    this.#stats.failedAttempts++;
    if (giveUp) this.#stats.gaveUp++;
    this.#log.warn({ webhookId: d.webhook.id, eventId: d.event.id, attempt, status, error, giveUp }, 'webhook delivery failed');
    try {
      await outbox.attemptFailed(d.webhook.id, d.event.seq, { status, error, nextAttemptAt: this.#now() + delay, giveUp });
    } catch (err) {
      // the lease expires and the delivery is tried again: at-least-once holds
      this.#log.error({ err }, 'recording a failed delivery failed');
    }
    return false;
  }

  /** Stops: no new rounds, requests in flight are aborted (their deliveries stay pending). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    for (const ac of this.#inflight) ac.abort(new Error('dispatcher closed'));
    await this.idle();
    this.#clearTimer();
  }
}
