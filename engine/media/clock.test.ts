// Examples for the media clock: absolute 20 ms targets (no drift), catch-up/skip bounds, subscriber semantics, fake clock.
import { describe, expect, it } from 'vitest';
import { FakeScheduler } from '../util/scheduler.ts';
import type { Scheduler, TimerHandle } from '../util/scheduler.ts';
import { ManualMediaClock, MEDIA_CLOCK_DEFAULTS, RealtimeMediaClock } from './clock.ts';
import type { Tickable } from './clock.ts';
import { MediaStateError } from './errors.ts';

/** Records every tick it gets. */
class Recorder implements Tickable {
  readonly ticks: Array<[number, number]> = [];
  tick(now: number, index: number): void {
    this.ticks.push([now, index]);
  }
  get indexes(): number[] {
    return this.ticks.map((t) => t[1]);
  }
}

/** A scheduler whose time jumps without firing timers on the way, like an event loop that was blocked. */
class StallScheduler implements Scheduler {
  t = 0;
  timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  now(): number {
    return this.t;
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }
  get pending(): number {
    return this.timers.filter((x) => x.live).length;
  }
  /** Sets the time to `to`, then fires whatever became due (once each). */
  stallTo(to: number): void {
    this.t = to;
    const due = this.timers.filter((x) => x.live && x.at <= to);
    this.timers = this.timers.filter((x) => x.live && x.at > to);
    for (const x of due) x.fn();
  }
}

describe('RealtimeMediaClock on a fake scheduler', () => {
  it('delivers tick n at start + (n+1)·20 ms exactly, with consecutive indexes', () => {
    const s = new FakeScheduler(1000);
    const clock = new RealtimeMediaClock({ scheduler: s });
    const r = new Recorder();
    clock.add(r);
    s.advance(200);
    expect(r.ticks).toEqual(Array.from({ length: 10 }, (_, n) => [1000 + (n + 1) * 20, n]));
    expect(clock.stats).toMatchObject({ ticks: 10, skippedTicks: 0, catchUpTicks: 0, maxLatenessMs: 0 });
    clock.close();
    expect(s.pending).toBe(0);
  });

  it('keeps no timer while it has no subscribers, and continues the tick indexes after idling', () => {
    const s = new FakeScheduler();
    const clock = new RealtimeMediaClock({ scheduler: s });
    expect(s.pending).toBe(0);
    const r = new Recorder();
    clock.add(r);
    expect(s.pending).toBe(1);
    s.advance(60);
    clock.remove(r);
    expect(s.pending).toBe(0);
    expect(clock.running).toBe(false);
    s.advance(1000);
    clock.add(r);
    s.advance(40);
    expect(r.indexes).toEqual([0, 1, 2, 3, 4]);
    expect(r.ticks[3][0]).toBe(1060 + 20);
    clock.close();
    expect(s.pending).toBe(0);
  });

  it('does not drift when timers fire late: targets are absolute', () => {
    const s = new StallScheduler();
    const clock = new RealtimeMediaClock({ scheduler: s });
    const r = new Recorder();
    clock.add(r);
    // Every timer fires 7 ms late; a relative scheduler would slip 7 ms per tick.
    for (let i = 0; i < 100; i++) s.stallTo(s.timers.find((x) => x.live)!.at + 7);
    expect(r.indexes).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(r.ticks[99][0]).toBe(20 * 100);
    expect(s.now()).toBeLessThan(20 * 100 + 20);
    expect(clock.stats.maxLatenessMs).toBe(7);
    clock.close();
  });

  it('runs missed ticks back-to-back after a short stall, and skips beyond maxCatchUpTicks', () => {
    expect(MEDIA_CLOCK_DEFAULTS.maxCatchUpTicks).toBe(5);
    const s = new StallScheduler();
    const clock = new RealtimeMediaClock({ scheduler: s });
    const r = new Recorder();
    clock.add(r);
    s.stallTo(20);
    expect(r.indexes).toEqual([0]);
    s.stallTo(90); // ticks 1, 2, 3 were due at 40, 60, 80
    expect(r.indexes).toEqual([0, 1, 2, 3]);
    expect(clock.stats.catchUpTicks).toBe(2);
    s.stallTo(1090); // ticks 4…53 due: 50 missed, the last 5 run
    expect(r.indexes.slice(4)).toEqual([49, 50, 51, 52, 53]);
    expect(r.ticks.slice(4).map((t) => t[0])).toEqual([1000, 1020, 1040, 1060, 1080]);
    expect(clock.stats.skippedTicks).toBe(45);
    expect(s.timers.find((x) => x.live)?.at).toBe(1100);
    clock.close();
    expect(s.pending).toBe(0);
  });

  it('reports a throwing subscriber and still ticks the others', () => {
    const s = new FakeScheduler();
    const errors: unknown[] = [];
    const clock = new RealtimeMediaClock({ scheduler: s, onError: (e) => errors.push(e) });
    const r = new Recorder();
    clock.add({ tick: () => { throw new Error('boom'); } });
    clock.add(r);
    s.advance(40);
    expect(errors).toHaveLength(2);
    expect(r.indexes).toEqual([0, 1]);
    expect(clock.stats.errors).toBe(2);
    clock.close();
  });

  it('refuses subscribers after close, and close is idempotent', () => {
    const clock = new RealtimeMediaClock({ scheduler: new FakeScheduler() });
    clock.close();
    clock.close();
    expect(() => clock.add(new Recorder())).toThrow(MediaStateError);
    expect(() => new RealtimeMediaClock({ maxCatchUpTicks: 0 })).toThrow(TypeError);
    expect(() => new RealtimeMediaClock({ intervalMs: 0 })).toThrow(TypeError);
  });
});

describe('subscriber changes during a tick', () => {
  it('ManualMediaClock: a removed subscriber is not called again, an added one starts next tick', () => {
    const clock = new ManualMediaClock();
    const late = new Recorder();
    const added = new Recorder();
    clock.add({
      tick(_now, index) {
        if (index === 1) {
          clock.remove(late);
          clock.add(added);
        }
      },
    });
    clock.add(late);
    clock.advance(3);
    expect(late.indexes).toEqual([0]);
    expect(added.indexes).toEqual([2]);
    expect(clock.size).toBe(2);
    clock.close();
  });

  it('RealtimeMediaClock: same rules while driven by its scheduler; close during a tick stops the rest', () => {
    const s = new FakeScheduler();
    const clock = new RealtimeMediaClock({ scheduler: s });
    const late = new Recorder();
    const added = new Recorder();
    clock.add({
      tick(_now, index) {
        if (index === 1) {
          clock.remove(late);
          clock.add(added);
        }
        if (index === 3) clock.close();
      },
    });
    clock.add(late);
    s.advance(200);
    expect(late.indexes).toEqual([0]);
    expect(added.indexes).toEqual([2]);
    expect(s.pending).toBe(0);
  });
});

describe('ManualMediaClock', () => {
  it('advances by exact ticks: tick n at start + (n+1)·20 ms', () => {
    const clock = new ManualMediaClock({ start: 500 });
    const r = new Recorder();
    clock.add(r);
    clock.add(r);
    clock.advance(1000);
    expect(r.ticks).toHaveLength(1000);
    r.ticks.forEach(([now, n], i) => {
      expect(n).toBe(i);
      expect(now).toBe(500 + (i + 1) * 20);
    });
    expect(clock.now()).toBe(500 + 1000 * 20);
    expect(clock.nextTickIndex).toBe(1000);
    clock.close();
    expect(() => clock.advance()).toThrow(MediaStateError);
  });
});

describe('RealtimeMediaClock in real time', () => {
  it('ticks 100 ± 2 times in 2 s and its lateness does not accumulate', async () => {
    const clock = new RealtimeMediaClock();
    const late: number[] = [];
    clock.add({ tick: (now) => void late.push(performance.now() - now) });
    await new Promise((r) => setTimeout(r, 2000));
    clock.close();
    expect(clock.running).toBe(false);
    expect(late.length).toBeGreaterThanOrEqual(98);
    expect(late.length).toBeLessThanOrEqual(102);
    // Each tick runs a little after its absolute target; the error of the last ticks is no larger than a
    // timer's lateness (a relative timer would be ~1 ms × 100 ticks behind by now).
    const tail = late.slice(-10);
    expect(Math.max(...tail)).toBeLessThan(25);
    expect(clock.stats.skippedTicks).toBe(0);
  });
});
