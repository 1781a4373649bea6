// A small typed event emitter for long-lived objects (legs, players, registrar): listeners keyed by event name with typed
// arguments; a throwing listener is reported, never propagated into packet, tick or protocol code (STYLE.md "Errors and events").

/** An event map: event name → tuple of listener arguments. */
export type EventMap = { [event: string]: unknown[] };

/** A listener for event `K` of map `M`. */
export type Listener<M extends EventMap, K extends keyof M> = (...args: M[K]) => void;

/** Receives errors thrown by listeners. */
export type ListenerErrorHandler = (err: unknown, event: string) => void;

type AnyListener = (...args: unknown[]) => void;

const defaultOnError: ListenerErrorHandler = (err, event) => {
  console.error(`listener for '${event}' threw`, err);
};

/**
 * Typed emitter: `emit` calls listeners in registration order and survives listeners that throw.
 * Meant for rare events (latched, digit, end of playback, registered), not for per-packet notifications.
 */
export class TypedEmitter<M extends EventMap> {
  readonly #listeners = new Map<keyof M, AnyListener[]>();
  readonly #onError: ListenerErrorHandler;

  /** @param onError called with each error a listener throws (default: console.error). */
  constructor(onError: ListenerErrorHandler = defaultOnError) {
    this.#onError = onError;
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    let list = this.#listeners.get(event);
    if (list === undefined) this.#listeners.set(event, (list = []));
    list.push(listener as unknown as AnyListener);
    return () => this.off(event, listener);
  }

  /** Adds a listener called at most once. Returns a function that removes it. */
  once<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    const wrapper = ((...args: M[K]) => {
      this.off(event, wrapper);
      listener(...args);
    }) as Listener<M, K>;
    return this.on(event, wrapper);
  }

  /** Removes one registration of a listener (no-op when absent). */
  off<K extends keyof M>(event: K, listener: Listener<M, K>): void {
    const list = this.#listeners.get(event);
    if (list === undefined) return;
    const i = list.indexOf(listener as unknown as AnyListener);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#listeners.delete(event);
  }

  /** Number of listeners for an event. */
  listenerCount(event: keyof M): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Calls every listener of `event` with `args`; errors go to the error handler. */
  emit<K extends keyof M>(event: K, ...args: M[K]): void {
    const list = this.#listeners.get(event);
    if (list === undefined) return;
    for (const l of list.length === 1 ? list : [...list]) {
      try {
        l(...(args as unknown[]));
      } catch (err) {
        try {
          this.#onError(err, String(event));
        } catch {
          // An error handler that throws is ignored: events never break the emitter's caller.
        }
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
