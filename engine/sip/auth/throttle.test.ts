// Throttling of repeated authentication failures: counting window, escalating bans, bounded table (DESIGN.md §6, RFC 3261 §26.3.2.4).
import { describe, expect, it } from 'vitest';
import { AUTH_THROTTLE_DEFAULTS, AuthThrottle } from './throttle.ts';

const IP = '198.51.100.7';

describe('AuthThrottle', () => {
  it('bans a source on its 5th failure within a minute, for 30 s by default', () => {
    const t = new AuthThrottle();
    for (let i = 1; i <= 4; i++) expect(t.recordFailure(IP, i * 1000)).toEqual({ banned: false, newlyBanned: false, bannedUntil: 0, failures: i });
    expect(t.recordFailure(IP, 5000)).toEqual({ banned: true, newlyBanned: true, bannedUntil: 35_000, failures: 0 });
    expect(t.isBanned(IP, 34_999)).toBe(true);
    expect(t.bannedUntil(IP, 20_000)).toBe(35_000);
    expect(t.isBanned(IP, 35_000)).toBe(false);
    expect(t.bannedUntil(IP, 35_000)).toBeUndefined();
    expect(t.isBanned('203.0.113.1', 5000)).toBe(false);
  });

  it('forgets failures older than the window', () => {
    const t = new AuthThrottle({ maxFailures: 3, failureWindowMs: 10_000 });
    t.recordFailure(IP, 0);
    t.recordFailure(IP, 9_000);
    expect(t.recordFailure(IP, 10_000)).toMatchObject({ banned: false, failures: 1 });
  });

  it('doubles each further ban up to the cap, and restarts escalation after a quiet period', () => {
    const t = new AuthThrottle({ maxFailures: 1, banMs: 30_000, banMultiplier: 2, maxBanMs: 100_000, escalationResetMs: 1_000_000 });
    let now = 0;
    const durations: number[] = [];
    for (let i = 0; i < 5; i++) {
      const v = t.recordFailure(IP, now);
      durations.push(v.bannedUntil - now);
      now = v.bannedUntil;
    }
    expect(durations).toEqual([30_000, 60_000, 100_000, 100_000, 100_000]);
    now += 1_000_000;
    expect(t.recordFailure(IP, now).bannedUntil - now).toBe(30_000);
  });

  it('failures during a ban neither extend nor escalate it, but are counted', () => {
    const t = new AuthThrottle({ maxFailures: 1 });
    t.recordFailure(IP, 0);
    expect(t.recordFailure(IP, 10_000)).toEqual({ banned: true, newlyBanned: false, bannedUntil: 30_000, failures: 0 });
    expect(t.isBanned(IP, 30_000)).toBe(false);
    expect(t.stats(0)).toMatchObject({ failures: 2, bans: 1 });
  });

  it('a success clears the failures; an ongoing ban runs to its end', () => {
    const t = new AuthThrottle({ maxFailures: 3 });
    t.recordFailure(IP, 0);
    t.recordFailure(IP, 1);
    t.recordSuccess(IP);
    expect(t.size).toBe(0);
    expect(t.recordFailure(IP, 2)).toMatchObject({ failures: 1 });
    t.recordFailure(IP, 3);
    t.recordFailure(IP, 4); // banned until 30 004
    t.recordSuccess(IP);
    expect(t.isBanned(IP, 30_003)).toBe(true);
    t.recordSuccess(IP, 30_004); // the ban is over: forget the source, escalation included
    expect(t.size).toBe(0);
  });

  it('keeps the table bounded, evicting sources that are not banned first', () => {
    const t = new AuthThrottle({ maxFailures: 2, maxEntries: 3 });
    t.recordFailure('banned', 0);
    t.recordFailure('banned', 0);
    t.recordFailure('a', 1);
    t.recordFailure('b', 2);
    t.recordFailure('c', 3); // full: evicts 'a', the oldest source that is not banned
    expect(t.size).toBe(3);
    expect(t.isBanned('banned', 4)).toBe(true);
    expect(t.stats(4)).toEqual({ failures: 5, bans: 1, currentlyBanned: 1, entries: 3, evictions: 1 });
    expect(t.recordFailure('a', 5)).toMatchObject({ failures: 1 }); // its history was dropped
  });

  it('drops the oldest banned source when every candidate is banned (memory stays bounded under a flood)', () => {
    const t = new AuthThrottle({ maxFailures: 1, maxEntries: 2 });
    t.recordFailure('x', 0);
    t.recordFailure('y', 0);
    t.recordFailure('z', 0);
    expect(t.size).toBe(2);
    expect(t.isBanned('x', 1)).toBe(false);
    expect(t.isBanned('z', 1)).toBe(true);
  });

  it('has frozen defaults and refuses invalid options with a TypeError naming the option', () => {
    expect(Object.isFrozen(AUTH_THROTTLE_DEFAULTS)).toBe(true);
    expect(new AuthThrottle().options).toEqual(AUTH_THROTTLE_DEFAULTS);
    expect(() => new AuthThrottle({ maxFailures: 0 })).toThrow(/maxFailures/);
    expect(() => new AuthThrottle({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => new AuthThrottle({ banMs: 60_000, maxBanMs: 1000 })).toThrow(/maxBanMs/);
  });
});
