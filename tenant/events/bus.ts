// The in-process event bus behind the live stream: events are published after their transaction commits; in a PostgreSQL cluster, events committed by other nodes arrive through LISTEN/NOTIFY and are read from the outbox.
import { type Logger, silentLogger } from '../log.ts';
import type { StoredEvent, Store } from '../store/index.ts';

/** Subscriber of the bus. */
export type EventListener = (event: StoredEvent) => void;

/**
 * Fans committed events out to subscribers (SSE connections, the webhook dispatcher's wake-up). Call
 * {@link committed} after the transaction that wrote them commits; with {@link follow}, events written by
 * other nodes are fetched from the outbox when they notify.
 */
export class EventBus {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #listeners = new Set<EventListener>();
  /** Seqs published locally and not yet passed by the catch-up cursor. */
  readonly #local = new Set<number>();
  #cursor = 0;
  #catchingUp: Promise<void> | undefined;
  #again = false;
  #unlisten: (() => void) | undefined;

  constructor(store: Store, opts: { logger?: Logger } = {}) {
    this.#store = store;
    this.#log = opts.logger ?? silentLogger();
  }

  /** Adds a subscriber; returns a function that removes it. */
  subscribe(fn: EventListener): () => void {
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }

  /** Number of subscribers. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Publishes events this process committed (in seq order) and tells other nodes. */
  committed(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
      if (this.#unlisten !== undefined) this.#local.add(e.seq);
      this.#emit(e);
    }
    if (this.#unlisten !== undefined) {
      this.#store.notify('event', String(events[events.length - 1].seq)).catch((err: unknown) => this.#log.warn({ err }, 'event notify failed'));
    }
  }

  /** Follows events committed by other nodes (PostgreSQL LISTEN/NOTIFY); from the current end of the outbox on. */
  async follow(): Promise<void> {
    if (this.#unlisten !== undefined) return;
    this.#cursor = await this.#store.outbox.lastSeq();
    this.#unlisten = await this.#store.listen('event', (_seq, { local }) => {
      if (!local) void this.#catchUp();
    });
  }

  #catchUp(): Promise<void> {
    if (this.#catchingUp !== undefined) {
      this.#again = true;
      return this.#catchingUp;
    }
    this.#catchingUp = (async () => {
      do {
        this.#again = false;
        try {
          for (;;) {
            const batch = await this.#store.outbox.after(this.#cursor, 500);
            for (const e of batch) {
              this.#cursor = e.seq;
              if (this.#local.delete(e.seq)) continue;
              this.#emit(e);
            }
            if (batch.length < 500) break;
          }
          for (const s of this.#local) if (s <= this.#cursor) this.#local.delete(s);
        } catch (err) {
          this.#log.error({ err }, 'reading events of other nodes failed');
        }
      } while (this.#again);
    })().finally(() => {
      this.#catchingUp = undefined;
    });
    return this.#catchingUp;
  }

  #emit(e: StoredEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(e);
      } catch (err) {
        this.#log.error({ err }, 'event listener threw');
      }
    }
  }

  /** Stops following and drops every subscriber. */
  close(): void {
    this.#unlisten?.();
    this.#unlisten = undefined;
    this.#listeners.clear();
  }
}
