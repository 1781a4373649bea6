// Keepalive pinger tests: OPTIONS probes on the injected clock, RTT recording, unreachable after N failures, bounded concurrency (RFC 3261 §11; RFC 5626 §4.4 keepalive idea).
import { afterEach, describe, expect, it } from 'vitest';
import type { Binding } from './binding.ts';
import { KeepalivePinger, type SendOptions } from './keepalive.ts';
import type { KeepaliveOutcome, Registrar } from './registrar.ts';
import { register, setup, SOURCE, sync } from './test-helpers.ts';
import type { FakeScheduler } from '../../util/scheduler.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function world(send: SendOptions, options: ConstructorParameters<typeof KeepalivePinger>[1] = {}) {
  const { registrar, scheduler, store } = setup({ requireAuth: false });
  const pinger = new KeepalivePinger({ scheduler, registrar, sendOptions: send }, { onError: () => {}, ...options });
  cleanups.push(() => {
    pinger.close();
    registrar.close();
    expect(scheduler.pending).toBe(0);
  });
  return { registrar, scheduler, store, pinger };
}

function addBindings(registrar: Registrar, n: number, user = 'gw-a'): void {
  const contacts = Array.from({ length: n }, (_, i) => `<sip:${user}@10.0.0.${i + 1}:5060>`);
  expect(sync(registrar.handle(register({ user, contacts, expires: 3600 }), SOURCE)).status).toBe(200);
}

/** Flushes promise continuations (the pinger's rounds run on promises). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeepalivePinger', () => {
  it('probes every binding once per round and records the result and RTT on the binding (RFC 3261 §11)', async () => {
    const seen: string[] = [];
    const { registrar, pinger } = world(async (b) => {
      seen.push(b.contact);
      return { ok: true, rttMs: 12 };
    });
    addBindings(registrar, 3);
    const round = await pinger.runOnce();
    expect(round).toEqual({ probed: 3, ok: 3, failed: 0 });
    expect(seen.sort()).toEqual(['sip:gw-a@10.0.0.1:5060', 'sip:gw-a@10.0.0.2:5060', 'sip:gw-a@10.0.0.3:5060']);
    const list = sync(registrar.bindings('sip:gw-a@a.example'));
    for (const b of list) expect(b.lastKeepalive).toEqual({ ok: true, rttMs: 12, at: registrar.now() });
  });

  it('measures the RTT on the injected clock when the sender does not report it', async () => {
    let scheduler!: FakeScheduler;
    const w = world(
      () =>
        new Promise<KeepaliveOutcome>((resolve) => {
          scheduler.setTimer(37, () => resolve({ ok: true }));
        }),
    );
    scheduler = w.scheduler;
    addBindings(w.registrar, 1);
    const round = w.pinger.runOnce();
    await settle();
    w.scheduler.advance(37);
    await round;
    const [b] = sync(w.registrar.bindings('sip:gw-a@a.example'));
    expect(b.lastKeepalive?.rttMs).toBe(37);
  });

  it('marks a binding unreachable after 3 consecutive failures and reachable again on success, with events on both the pinger and the registrar', async () => {
    let answer = false;
    const { registrar, pinger } = world(async () => ({ ok: answer }));
    addBindings(registrar, 1);
    const events: string[] = [];
    registrar.on('unreachable', (b) => events.push(`registrar unreachable ${b.keepaliveFailures}`));
    registrar.on('reachable', () => events.push('registrar reachable'));
    pinger.on('unreachable', () => events.push('pinger unreachable'));
    pinger.on('reachable', () => events.push('pinger reachable'));
    for (let i = 0; i < 2; i++) await pinger.runOnce();
    let [b] = sync(registrar.bindings('sip:gw-a@a.example'));
    expect(b).toMatchObject({ reachable: true, keepaliveFailures: 2 });
    expect(events).toEqual([]);
    await pinger.runOnce();
    [b] = sync(registrar.bindings('sip:gw-a@a.example'));
    expect(b).toMatchObject({ reachable: false, keepaliveFailures: 3, lastKeepalive: { ok: false, rttMs: undefined } });
    expect(events).toEqual(['registrar unreachable 3', 'pinger unreachable']);
    await pinger.runOnce(); // a fourth failure does not repeat the event
    expect(events).toHaveLength(2);
    // Unreachable bindings sort last in lookups.
    answer = true;
    await pinger.runOnce();
    [b] = sync(registrar.bindings('sip:gw-a@a.example'));
    expect(b).toMatchObject({ reachable: true, keepaliveFailures: 0 });
    expect(events.slice(2)).toEqual(['registrar reachable', 'pinger reachable']);
  });

  it('sorts unreachable bindings after reachable ones in lookups', async () => {
    const { registrar, pinger } = world(async (b) => ({ ok: !b.contact.includes('10.0.0.1:') }), { failuresBeforeUnreachable: 1 });
    addBindings(registrar, 2);
    await pinger.runOnce();
    const targets = sync(registrar.lookup('sip:gw-a@a.example'));
    expect(targets.map((t) => [t.requestUri, t.binding.reachable])).toEqual([
      ['sip:gw-a@10.0.0.2:5060', true],
      ['sip:gw-a@10.0.0.1:5060', false],
    ]);
  });

  it('a new REGISTER makes an unreachable binding reachable again', async () => {
    const { registrar, pinger } = world(async () => ({ ok: false }), { failuresBeforeUnreachable: 1 });
    addBindings(registrar, 1);
    await pinger.runOnce();
    expect(sync(registrar.bindings('sip:gw-a@a.example'))[0].reachable).toBe(false);
    let reachable = 0;
    registrar.on('reachable', () => reachable++);
    sync(registrar.handle(register({ user: 'gw-a', contacts: ['<sip:gw-a@10.0.0.1:5060>'], cseq: 2 }), SOURCE));
    expect(sync(registrar.bindings('sip:gw-a@a.example'))[0]).toMatchObject({ reachable: true, keepaliveFailures: 0 });
    expect(reachable).toBe(1);
  });

  it('counts a throwing or rejecting sender as a failure', async () => {
    let n = 0;
    const { registrar, pinger } = world((() => {
      n++;
      if (n === 1) throw new Error('no route');
      return Promise.reject(new Error('transport error'));
    }) as SendOptions);
    addBindings(registrar, 2);
    expect(await pinger.runOnce()).toEqual({ probed: 2, ok: 0, failed: 2 });
  });

  it('counts a probe still pending after probeTimeoutMs as a failure', async () => {
    const { registrar, scheduler, pinger } = world(() => new Promise<KeepaliveOutcome>(() => {}), { probeTimeoutMs: 5_000 });
    addBindings(registrar, 1);
    const round = pinger.runOnce();
    await settle();
    scheduler.advance(5_000);
    expect(await round).toEqual({ probed: 1, ok: 0, failed: 1 });
    expect(pinger.stats()).toMatchObject({ timeouts: 1, inFlight: 0 });
  });

  it('keeps at most `concurrency` probes in flight', async () => {
    const resolvers: Array<() => void> = [];
    let inFlight = 0;
    let peak = 0;
    const { registrar, pinger } = world(
      () =>
        new Promise<KeepaliveOutcome>((resolve) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          resolvers.push(() => {
            inFlight--;
            resolve({ ok: true, rttMs: 1 });
          });
        }),
      { concurrency: 3 },
    );
    addBindings(registrar, 8);
    const round = pinger.runOnce();
    let resolved = 0;
    while (resolved < 8) {
      await settle();
      expect(inFlight).toBeLessThanOrEqual(3);
      const batch = resolvers.splice(0);
      expect(batch.length).toBeGreaterThan(0);
      for (const r of batch) r();
      resolved += batch.length;
    }
    expect(await round).toEqual({ probed: 8, ok: 8, failed: 0 });
    expect(peak).toBe(3);
  });

  it('runs rounds every intervalMs on the injected clock and leaves no timer after close()', async () => {
    const rounds: number[] = [];
    const { registrar, scheduler, pinger } = world(async () => ({ ok: true, rttMs: 1 }), { intervalMs: 10_000 });
    addBindings(registrar, 1);
    pinger.on('probed', () => rounds.push(scheduler.now()));
    pinger.start();
    pinger.start();
    scheduler.advance(9_999);
    await settle();
    expect(rounds).toEqual([]);
    for (let i = 0; i < 3; i++) {
      scheduler.advance(i === 0 ? 1 : 10_000);
      await pinger.whenIdle();
      await settle();
    }
    expect(rounds).toEqual([10_000, 20_000, 30_000]);
    pinger.close();
    registrar.close();
    expect(scheduler.pending).toBe(0);
  });

  it('probes only the bindings `select` accepts (e.g. gateway accounts)', async () => {
    const probed: string[] = [];
    const { registrar, pinger } = world(
      async (b: Binding) => {
        probed.push(b.aor);
        return { ok: true, rttMs: 1 };
      },
      { select: (b) => b.aor.startsWith('sip:gw-') },
    );
    addBindings(registrar, 1, 'gw-a');
    addBindings(registrar, 1, 'alice');
    await pinger.runOnce();
    expect(probed).toEqual(['sip:gw-a@a.example']);
  });

  it('ignores a result for a binding that re-registered from another flow meanwhile', async () => {
    let release!: () => void;
    const { registrar, pinger } = world(
      () =>
        new Promise<KeepaliveOutcome>((resolve) => {
          release = () => resolve({ ok: false });
        }),
      { failuresBeforeUnreachable: 1 },
    );
    addBindings(registrar, 1);
    const round = pinger.runOnce();
    await settle();
    sync(registrar.handle(register({ user: 'gw-a', contacts: ['<sip:gw-a@10.0.0.1:5060>'], cseq: 2 }), { ...SOURCE, port: 41000 }));
    release();
    await round;
    expect(sync(registrar.bindings('sip:gw-a@a.example'))[0]).toMatchObject({ reachable: true, lastKeepalive: undefined });
  });

  it('validates its options', () => {
    const { registrar, scheduler } = setup({ requireAuth: false });
    const send: SendOptions = async () => ({ ok: true });
    expect(() => new KeepalivePinger({ scheduler, registrar, sendOptions: send }, { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => new KeepalivePinger({ scheduler, registrar, sendOptions: send }, { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new KeepalivePinger({ scheduler, registrar, sendOptions: send }, { failuresBeforeUnreachable: 1.5 })).toThrow(/failuresBeforeUnreachable/);
    registrar.close();
  });
});
