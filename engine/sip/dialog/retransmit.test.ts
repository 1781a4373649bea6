// Fake-clock examples for the UAS core's 2xx retransmission (RFC 3261 §13.3.1.4, RFC 6026 §7.1).
import { describe, expect, it } from 'vitest';
import { FakeScheduler } from '../../util/scheduler.ts';
import { TwoXxRetransmitter } from './retransmit.ts';

function setup(t1?: number, t2?: number) {
  const scheduler = new FakeScheduler();
  const sent: number[] = [];
  const timeouts: number[] = [];
  const r = new TwoXxRetransmitter({ scheduler, send: () => sent.push(scheduler.now()), onTimeout: () => timeouts.push(scheduler.now()), t1, t2 });
  return { scheduler, sent, timeouts, r };
}

describe('2xx retransmission (RFC 3261 §13.3.1.4)', () => {
  it('retransmits at intervals T1, 2·T1, 4·T1 … capped at T2, and gives up at 64·T1', () => {
    const { scheduler, sent, timeouts, r } = setup();
    r.start();
    expect(r.state).toBe('running');
    scheduler.runAll();
    expect(sent).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(timeouts).toEqual([32000]);
    expect(r.state).toBe('timed-out');
    expect(r.retransmissions).toBe(10);
    expect(scheduler.pending).toBe(0);
  });

  it('stops as soon as the ACK arrives, with nothing left scheduled', () => {
    const { scheduler, sent, timeouts, r } = setup();
    r.start();
    scheduler.advance(2000);
    r.ackReceived();
    expect(r.state).toBe('acked');
    expect(scheduler.pending).toBe(0);
    scheduler.advance(60_000);
    expect(sent).toEqual([500, 1500]);
    expect(timeouts).toEqual([]);
    r.ackReceived();
    expect(r.state).toBe('acked');
  });

  it('follows custom T1/T2 and sends nothing due at or after 64·T1', () => {
    const { scheduler, sent, timeouts, r } = setup(100, 400);
    r.start();
    scheduler.runAll();
    // 100, 300, 700, then every 400 ms: 1100 … 6300; 6400 = 64·T1 is the give-up.
    const expected = [100, 300, 700];
    for (let t = 1100; t < 6400; t += 400) expected.push(t);
    expect(sent).toEqual(expected);
    expect(timeouts).toEqual([6400]);
  });

  it('stop() cancels without calling onTimeout; start() twice is one schedule', () => {
    const { scheduler, sent, timeouts, r } = setup();
    r.start();
    r.start();
    scheduler.advance(600);
    expect(sent).toEqual([500]);
    r.stop();
    r.stop();
    expect(r.state).toBe('stopped');
    expect(scheduler.pending).toBe(0);
    scheduler.advance(100_000);
    expect(timeouts).toEqual([]);
    r.start();
    expect(scheduler.pending).toBe(0);
  });

  it('an ACK handled inside send() stops the schedule cleanly', () => {
    const scheduler = new FakeScheduler();
    let n = 0;
    const r: TwoXxRetransmitter = new TwoXxRetransmitter({
      scheduler,
      send: () => {
        if (++n === 2) r.ackReceived();
      },
      onTimeout: () => {
        throw new Error('no timeout expected');
      },
    });
    r.start();
    scheduler.runAll();
    expect(n).toBe(2);
    expect(r.state).toBe('acked');
  });

  it('rejects nonsense timer values', () => {
    const scheduler = new FakeScheduler();
    const f = () => undefined;
    expect(() => new TwoXxRetransmitter({ scheduler, send: f, onTimeout: f, t1: 0 })).toThrow(TypeError);
    expect(() => new TwoXxRetransmitter({ scheduler, send: f, onTimeout: f, t1: 500, t2: 100 })).toThrow(TypeError);
  });
});
