// The sync-or-async generator runner and the typed emitter used by the registrar.
import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './emitter.ts';
import { run, type Step, wait } from './maybe.ts';

function* sum(a: number | Promise<number>, b: number | Promise<number>): Step<number> {
  const x = yield* wait(a);
  const y = yield* wait(b);
  return x + y;
}

describe('run', () => {
  it('stays synchronous while every value is plain', () => {
    expect(run(sum(1, 2))).toBe(3);
  });

  it('switches to a Promise at the first Promise and keeps going', async () => {
    const r = run(sum(1, Promise.resolve(2)));
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe(3);
  });

  it('throws a rejection back into the generator, so try/finally works as in async code', async () => {
    const log: string[] = [];
    function* g(): Step<string> {
      try {
        yield* wait(Promise.reject(new Error('boom')));
        return 'unreachable';
      } catch (err) {
        log.push((err as Error).message);
        return 'caught';
      } finally {
        log.push('finally');
      }
    }
    expect(await run(g())).toBe('caught');
    expect(log).toEqual(['boom', 'finally']);
  });

  it('propagates synchronous throws synchronously', () => {
    function* g(): Step<number> {
      yield* wait(1);
      throw new TypeError('bad');
    }
    expect(() => run(g())).toThrow(TypeError);
  });
});

describe('TypedEmitter', () => {
  it('calls listeners in order, survives a throwing one, and unsubscribes', () => {
    const errors: string[] = [];
    const e = new TypedEmitter<{ x: [n: number] }>((_err, ev) => errors.push(ev));
    const got: number[] = [];
    e.on('x', () => {
      throw new Error('bad listener');
    });
    const off = e.on('x', (n) => got.push(n));
    e.emit('x', 1);
    off();
    e.emit('x', 2);
    expect(got).toEqual([1]);
    expect(errors).toEqual(['x', 'x']);
    expect(e.listenerCount('x')).toBe(1);
    e.clear();
    expect(e.listenerCount('x')).toBe(0);
  });
});
