// Code that runs synchronously when its collaborators answer synchronously, and asynchronously only when one returns a Promise (the registrar's hot path with an in-memory store stays free of awaits).
//
// Write the logic as a generator and wait on each "maybe promise" with `yield* wait(x)`:
//
//   function* steps(): Step<number> { const a = yield* wait(store.get(k)); return a.length; }
//   const r = run(steps());   // a number if store.get was synchronous, a Promise<number> otherwise
//
// `run` drives the generator in a plain loop while every yielded value is a plain value; at the first
// Promise it continues in an async function. Rejections are thrown back into the generator, so its
// try/catch/finally behave as in ordinary async code.

/** A value, or a Promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** A generator written for {@link run}: yields maybe-promises, receives their settled values. */
export type Step<R> = Generator<unknown, R, unknown>;

/** True for anything with a callable `then` (Promises and thenables). */
export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Waits for a maybe-promise inside a {@link Step} generator: `const x = yield* wait(maybe)`. */
export function* wait<T>(v: MaybePromise<T>): Generator<unknown, T, unknown> {
  return (yield v) as T;
}

/**
 * Runs a {@link Step} generator to completion: synchronously while it only yields plain values, through
 * Promises from the first yielded Promise on.
 * @throws whatever the generator throws (or, once asynchronous, the returned Promise rejects with it).
 */
export function run<R>(gen: Step<R>): MaybePromise<R> {
  let input: unknown;
  for (;;) {
    const step = gen.next(input);
    if (step.done) return step.value;
    const v = step.value;
    if (isPromiseLike(v)) return continueAsync(gen, v);
    input = v;
  }
}

async function continueAsync<R>(gen: Step<R>, first: PromiseLike<unknown>): Promise<R> {
  let pending: unknown = first;
  for (;;) {
    let step: IteratorResult<unknown, R>;
    try {
      const value = isPromiseLike(pending) ? await pending : pending;
      step = gen.next(value);
    } catch (err) {
      step = gen.throw(err);
    }
    if (step.done) return step.value;
    pending = step.value;
  }
}
