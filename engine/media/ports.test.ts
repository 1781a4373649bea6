// Examples for the RTP port allocator and socket-pair binding (RFC 3550 §11: even RTP port, RTCP = RTP + 1).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeScheduler } from '../util/scheduler.ts';
import { PORT_ALLOCATOR_DEFAULTS, PortAllocator, PortExhaustedError, bindRtpPair } from './ports.ts';
import type { BoundRtpPair } from './ports.ts';

describe('PortAllocator', () => {
  it('uses 20000-29999 by default: 5000 even RTP ports with RTCP on the next odd one (RFC 3550 §11)', () => {
    expect(PORT_ALLOCATOR_DEFAULTS).toEqual({ min: 20000, max: 29999, quarantineMs: 5000 });
    expect(Object.isFrozen(PORT_ALLOCATOR_DEFAULTS)).toBe(true);
    const a = new PortAllocator({ clock: new FakeScheduler() });
    expect(a.capacity).toBe(5000);
    expect(a.allocate()).toEqual({ rtp: 20000, rtcp: 20001 });
    expect(a.allocate()).toEqual({ rtp: 20002, rtcp: 20003 });
  });

  it('starts at the next even port when the range starts odd, and keeps RTCP inside the range', () => {
    const a = new PortAllocator({ min: 30001, max: 30006, clock: new FakeScheduler() });
    expect(a.capacity).toBe(2);
    expect([a.allocate().rtp, a.allocate().rtp]).toEqual([30002, 30004]);
    expect(() => new PortAllocator({ min: 30001, max: 30002 })).toThrow(TypeError);
    expect(() => new PortAllocator({ min: 0 })).toThrow(/min/);
    expect(() => new PortAllocator({ quarantineMs: -1 })).toThrow(/quarantineMs/);
  });

  it('throws PortExhaustedError when every pair is in use', () => {
    const a = new PortAllocator({ min: 40000, max: 40003, clock: new FakeScheduler() });
    a.allocate();
    a.allocate();
    try {
      a.allocate();
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PortExhaustedError);
      expect((err as PortExhaustedError).code).toBe('ports-exhausted');
      expect((err as PortExhaustedError).inUse).toBe(2);
    }
  });

  it('keeps a released pair in quarantine for quarantineMs, then hands it out again', () => {
    const clock = new FakeScheduler();
    const a = new PortAllocator({ min: 40000, max: 40001, quarantineMs: 5000, clock });
    const p = a.allocate();
    expect(a.release(p.rtp)).toBe(true);
    expect(a.quarantined).toBe(1);
    clock.advance(4999);
    expect(() => a.allocate()).toThrow(PortExhaustedError);
    clock.advance(1);
    expect(a.available).toBe(1);
    expect(a.allocate()).toEqual(p);
  });

  it('hands out the pair released longest ago first', () => {
    const clock = new FakeScheduler();
    const a = new PortAllocator({ min: 40000, max: 40005, quarantineMs: 10, clock });
    const [x, y, z] = [a.allocate(), a.allocate(), a.allocate()];
    a.release(z.rtp);
    clock.advance(1);
    a.release(x.rtp);
    clock.advance(1);
    a.release(y.rtp);
    clock.advance(100);
    expect([a.allocate().rtp, a.allocate().rtp, a.allocate().rtp]).toEqual([z.rtp, x.rtp, y.rtp]);
  });

  it('ignores releases of ports it did not hand out, and double releases', () => {
    const a = new PortAllocator({ min: 40000, max: 40009, clock: new FakeScheduler() });
    const p = a.allocate();
    expect(a.release(p.rtcp)).toBe(false);
    expect(a.release(40002)).toBe(false);
    expect(a.release(12)).toBe(false);
    expect(a.release(p.rtp)).toBe(true);
    expect(a.release(p.rtp)).toBe(false);
    expect(a.inUse).toBe(0);
  });
});

describe('bindRtpPair', () => {
  const opened: Array<BoundRtpPair | Socket> = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) {
      if ('ports' in s) await s.close();
      else await new Promise<void>((r) => s.close(() => r()));
    }
  });

  function foreign(port: number, address: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
      s.once('error', reject);
      s.bind(port, address, () => resolve(s));
    });
  }

  it('binds RTP and RTCP sockets on 127.0.0.1 and frees the pair on close', async () => {
    const clock = new FakeScheduler();
    const a = new PortAllocator({ min: 41000, max: 41199, clock });
    const pair = await bindRtpPair(a, { address: '127.0.0.1' });
    opened.push(pair);
    expect(pair.rtp.address()).toMatchObject({ address: '127.0.0.1', port: pair.ports.rtp });
    expect(pair.rtcp.address()).toMatchObject({ port: pair.ports.rtp + 1 });
    expect(pair.ports.rtp % 2).toBe(0);
    expect(a.isAllocated(pair.ports.rtp)).toBe(true);
    await pair.close();
    await pair.close();
    expect(a.isAllocated(pair.ports.rtp)).toBe(false);
    expect(a.quarantined).toBe(1);
  });

  it('binds on ::1 (IPv6)', async () => {
    const a = new PortAllocator({ min: 41200, max: 41399, clock: new FakeScheduler() });
    const pair = await bindRtpPair(a, { address: '::1' });
    opened.push(pair);
    expect(pair.rtp.address()).toMatchObject({ address: '::1', family: 'IPv6' });
  });

  it('skips pairs whose RTP or RTCP port another program holds (EADDRINUSE)', async () => {
    const clock = new FakeScheduler();
    // Find a free block first (other tests may hold ports), then occupy its first RTP and second RTCP port.
    const probe = new PortAllocator({ min: 41400, max: 41999, clock });
    const base = await bindRtpPair(probe, { address: '127.0.0.1' });
    const start = base.ports.rtp;
    await base.close();
    opened.push(await foreign(start, '127.0.0.1'), await foreign(start + 3, '127.0.0.1'));
    const a = new PortAllocator({ min: start, max: start + 99, clock });
    const pair = await bindRtpPair(a, { address: '127.0.0.1' });
    opened.push(pair);
    expect(pair.ports.rtp).toBeGreaterThanOrEqual(start + 4);
    // The busy pairs rest in quarantine instead of being retried at once.
    expect(a.isAllocated(start)).toBe(false);
    expect(a.quarantined).toBe(2);
  });

  it('gives up with PortExhaustedError when every pair is taken', async () => {
    const clock = new FakeScheduler();
    const probe = new PortAllocator({ min: 42000, max: 42999, clock });
    const base = await bindRtpPair(probe, { address: '127.0.0.1' });
    const start = base.ports.rtp;
    await base.close();
    opened.push(await foreign(start, '127.0.0.1'));
    const a = new PortAllocator({ min: start, max: start + 1, clock });
    await expect(bindRtpPair(a, { address: '127.0.0.1' })).rejects.toBeInstanceOf(PortExhaustedError);
    expect(a.inUse).toBe(0);
  });

  it('refuses a non-literal address', async () => {
    await expect(bindRtpPair(new PortAllocator(), { address: 'localhost' })).rejects.toThrow(TypeError);
  });
});
