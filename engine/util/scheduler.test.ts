import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeScheduler, RealScheduler } from './scheduler.ts';

describe('FakeScheduler', () => {
  it('fires timers in time order, ties in scheduling order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }), (delays) => {
        const s = new FakeScheduler();
        const fired: Array<[number, number]> = [];
        delays.forEach((d, i) => s.setTimer(d, () => fired.push([s.now(), i])));
        s.runAll();
        const expected = delays.map((d, i) => [d, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(fired).toEqual(expected);
        expect(s.pending).toBe(0);
      }),
    );
  });

  it('does not fire cancelled timers and advances time exactly', () => {
    const s = new FakeScheduler(100);
    let a = 0;
    let b = 0;
    const h = s.setTimer(50, () => a++);
    s.setTimer(60, () => b++);
    h.cancel();
    s.advance(55);
    expect(s.now()).toBe(155);
    expect(a).toBe(0);
    expect(b).toBe(0);
    s.advance(5);
    expect(b).toBe(1);
    expect(s.pending).toBe(0);
  });

  it('runs timers scheduled by timers within the same advance', () => {
    const s = new FakeScheduler();
    const times: number[] = [];
    s.setTimer(10, () => {
      times.push(s.now());
      s.setTimer(10, () => times.push(s.now()));
    });
    s.advance(25);
    expect(times).toEqual([10, 20]);
  });
});

describe('RealScheduler', () => {
  it('fires after the delay and can be cancelled', async () => {
    const s = new RealScheduler();
    const t0 = s.now();
    let cancelledFired = false;
    s.setTimer(5, () => {
      cancelledFired = true;
    }).cancel();
    const at = await new Promise<number>((resolve) => s.setTimer(15, () => resolve(s.now())));
    expect(at - t0).toBeGreaterThanOrEqual(14);
    expect(cancelledFired).toBe(false);
  });
});
