// The location service behind the registrar: a binding store interface the tenant layer implements (embedded SQLite, PostgreSQL) and an in-memory implementation (RFC 3261 §10.3 step 7: all binding updates of one REGISTER commit together or not at all).
import type { Binding } from './binding.ts';
import type { MaybePromise } from './maybe.ts';

/**
 * Where bindings live, per canonical AOR. The registrar reads an AOR's bindings, computes the new set,
 * and writes it back with one `put`, so a store only needs atomic replacement of one AOR's list.
 * Calls for the same AOR never overlap: the registrar serializes them per AOR in this process (a
 * cluster store should add its own row lock or compare-and-set inside `put`).
 *
 * Methods may answer synchronously (the in-memory store: no await on the registrar's hot path) or with a
 * Promise. A `put` that throws or rejects fails the REGISTER with 500 and changes nothing.
 */
export interface BindingStore {
  /** The bindings of `aor` in the order last written (expired ones may still be there); `[]` when none. */
  get(aor: string): MaybePromise<readonly Binding[]>;
  /** Replaces every binding of `aor` atomically; an empty list removes the AOR. */
  put(aor: string, bindings: readonly Binding[]): MaybePromise<void>;
  /** Every AOR that has bindings (for restoring expiry timers and for keepalive rounds). */
  aors(): MaybePromise<Iterable<string>>;
}

const EMPTY: readonly Binding[] = Object.freeze([]);

/** A {@link BindingStore} in a Map, synchronous. For tests, the simulator and single-node setups. */
export class InMemoryBindingStore implements BindingStore {
  readonly #map = new Map<string, readonly Binding[]>();

  /** Number of AORs with bindings. */
  get size(): number {
    return this.#map.size;
  }

  get(aor: string): readonly Binding[] {
    return this.#map.get(aor) ?? EMPTY;
  }

  put(aor: string, bindings: readonly Binding[]): void {
    if (bindings.length === 0) this.#map.delete(aor);
    else this.#map.set(aor, Object.freeze([...bindings]));
  }

  aors(): string[] {
    return [...this.#map.keys()];
  }

  /** Total number of bindings over all AORs. */
  count(): number {
    let n = 0;
    for (const list of this.#map.values()) n += list.length;
    return n;
  }

  /** Removes everything. */
  clear(): void {
    this.#map.clear();
  }
}
