// Examples for RFC 4733 telephone-events: payload format (§2.3), sender timeline (§2.5.1), receiver (§2.5.2).
import { describe, expect, it } from 'vitest';
import type { DigitEvent } from './digits.ts';
import { DTMF_SENDER_TABLE, DtmfReceiver, DtmfSender, type DtmfPacket, TelephoneEvent, parseTelephoneEvent, writeTelephoneEvent } from './dtmf.ts';
import { RtpParseError } from './errors.ts';
import { RtpPacket } from './packet.ts';

function runSender(sender: DtmfSender, ticks: number, ts0 = 1000): { tick: number; p: DtmfPacket }[] {
  const out: { tick: number; p: DtmfPacket }[] = [];
  for (let t = 0; t < ticks; t++) for (const p of sender.tick(ts0 + t * 160)) out.push({ tick: t, p });
  return out;
}

function feed(rx: DtmfReceiver, p: DtmfPacket, arrivalMs: number): void {
  const payload = new Uint8Array(4);
  writeTelephoneEvent(payload, 0, p.event, p.end, p.volume, p.duration);
  rx.receive(p.timestamp, p.marker, payload, 0, 4, arrivalMs);
}

describe('telephone-event payload (RFC 4733 §2.3)', () => {
  it('parses event, E, R, volume and duration from a hand-built block', () => {
    const e = parseTelephoneEvent(Uint8Array.from([0x05, 0x8a, 0x03, 0x20]));
    expect(e).toMatchObject({ event: 5, end: true, reserved: false, volume: 10, duration: 800 });
    expect([...e.serialize()]).toEqual([0x05, 0x8a, 0x03, 0x20]);
    const r = parseTelephoneEvent(Uint8Array.from([0x0b, 0x7f, 0xff, 0xff]));
    expect(r).toMatchObject({ event: 11, end: false, reserved: true, volume: 63, duration: 0xffff });
  });

  it('fails with RtpParseError TRUNCATED below 4 octets', () => {
    for (let n = 0; n < 4; n++) {
      try {
        parseTelephoneEvent(new Uint8Array(n));
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(RtpParseError);
        expect((e as RtpParseError).code).toBe('TRUNCATED');
      }
    }
  });

  it('throws TypeError naming the field for out-of-range values', () => {
    expect(() => new TelephoneEvent({ event: 256, duration: 0 })).toThrow(/event/);
    expect(() => new TelephoneEvent({ event: 1, volume: 64, duration: 0 })).toThrow(/volume/);
    expect(() => new TelephoneEvent({ event: 1, duration: 0x10000 })).toThrow(/duration/);
  });
});

describe('DTMF sender (RFC 4733 §2.5.1)', () => {
  it('sends start with marker, updates with the event timestamp, then the end packet 3 times, then a 40 ms gap', () => {
    const s = new DtmfSender();
    s.startDigit('5', 100);
    s.startDigit('#', 100);
    const out = runSender(s, 11);
    const T = 1000;
    expect(out.slice(0, 7).map(({ tick, p }) => [tick, p.marker, p.timestamp, p.event, p.end, p.duration])).toEqual([
      [0, true, T, 5, false, 160],
      [1, false, T, 5, false, 320],
      [2, false, T, 5, false, 480],
      [3, false, T, 5, false, 640],
      [4, false, T, 5, true, 800],
      [5, false, T, 5, true, 800],
      [6, false, T, 5, true, 800],
    ]);
    // Ticks 7 and 8 are the gap; the next digit starts at tick 9 with its own timestamp.
    expect(out[7]).toMatchObject({ tick: 9, p: { marker: true, timestamp: T + 9 * 160, event: 11, duration: 160 } });
    expect(out.every(({ p }) => p.volume === 10)).toBe(true);
  });

  it('sends updates only every 50 ms when asked (rounded up to whole ticks)', () => {
    const s = new DtmfSender({ updateIntervalMs: 50 });
    s.startDigit('1', 200);
    const ticks = runSender(s, 12).filter(({ p }) => !p.end).map(({ tick, p }) => [tick, p.duration]);
    expect(ticks).toEqual([
      [0, 160],
      [3, 640],
      [6, 1120],
    ]);
  });

  it('lengthens tones shorter than the minimum to 40 ms', () => {
    const s = new DtmfSender();
    s.startDigit('2', 5);
    const ends = runSender(s, 10).filter(({ p }) => p.end);
    expect(ends.map(({ p }) => p.duration)).toEqual([320, 320, 320]);
  });

  it('splits an event longer than 0xFFFF units into segments (§2.5.1.3)', () => {
    const s = new DtmfSender();
    s.startDigit('0', 10_000); // 80,000 units
    const out = runSender(s, 510, 0);
    const segEnd = out.find(({ p }) => p.duration === 0xffff);
    expect(segEnd?.p).toMatchObject({ timestamp: 0, end: false });
    const second = out.filter(({ p }) => p.timestamp === 0xffff);
    expect(second.length).toBeGreaterThan(3);
    expect(second.every(({ p }) => !p.marker)).toBe(true);
    expect(second.filter(({ p }) => p.end).map(({ p }) => p.duration)).toEqual([80_000 - 0xffff, 80_000 - 0xffff, 80_000 - 0xffff]);
    expect(out.filter(({ p }) => p.marker).length).toBe(1);
  });

  it('has a table row for every input its classifier produces in each state', () => {
    const s = new DtmfSender({ updateIntervalMs: 60 });
    const seen = new Set<string>();
    s.startDigit('9', 9000);
    s.startDigit('1', 40);
    for (let t = 0; t < 500; t++) {
      const before = s.state;
      s.tick(t * 160);
      seen.add(`${before}->${s.state}`);
    }
    for (const t of seen) {
      const [from, to] = t.split('->') as [keyof typeof DTMF_SENDER_TABLE, string];
      expect(Object.values(DTMF_SENDER_TABLE[from]).some((row) => row?.next === to)).toBe(true);
    }
    expect(s.state).toBe('idle');
  });

  it('rejects unknown digits and non-positive durations with TypeError', () => {
    const s = new DtmfSender();
    expect(() => s.startDigit('E' as '1', 100)).toThrow(TypeError);
    expect(() => s.startDigit('1', 0)).toThrow(TypeError);
  });
});

describe('DTMF receiver (RFC 4733 §2.5.2)', () => {
  function collect(): { rx: DtmfReceiver; got: DigitEvent[] } {
    const got: DigitEvent[] = [];
    return { rx: new DtmfReceiver((e) => got.push(e)), got };
  }

  it('reports one digit for start, updates and three end packets', () => {
    const s = new DtmfSender();
    s.startDigit('7', 120);
    const { rx, got } = collect();
    for (const { tick, p } of runSender(s, 12)) feed(rx, p, tick * 20);
    expect(got).toEqual([{ digit: '7', durationMs: 120, source: 'rfc4733', startMs: -20 }]);
    expect(rx.stats.duplicates).toBe(2);
  });

  it('reports a press whose end packets were all lost when the next event begins, with the last duration seen', () => {
    const s = new DtmfSender();
    s.startDigit('1', 100);
    s.startDigit('2', 100);
    const { rx, got } = collect();
    for (const { tick, p } of runSender(s, 20)) if (!(p.event === 1 && p.end)) feed(rx, p, tick * 20);
    expect(got.map((e) => [e.digit, e.durationMs])).toEqual([
      ['1', 80],
      ['2', 100],
    ]);
    expect(rx.stats.endsMissed).toBe(1);
  });

  it('reports a press without end packets after the timeout', () => {
    const { rx, got } = collect();
    feed(rx, { marker: true, timestamp: 500, event: 3, end: false, volume: 10, duration: 160 }, 0);
    feed(rx, { marker: false, timestamp: 500, event: 3, end: false, volume: 10, duration: 320 }, 20);
    rx.tick(400);
    expect(got).toEqual([]);
    rx.tick(420);
    expect(got.map((e) => [e.digit, e.durationMs])).toEqual([['3', 40]]);
    // A late end packet for the same press is dropped.
    feed(rx, { marker: false, timestamp: 500, event: 3, end: true, volume: 10, duration: 800 }, 500);
    expect(got.length).toBe(1);
  });

  it('keeps the longest duration when updates arrive out of order', () => {
    const { rx, got } = collect();
    feed(rx, { marker: false, timestamp: 9, event: 4, end: false, volume: 10, duration: 480 }, 60);
    feed(rx, { marker: true, timestamp: 9, event: 4, end: false, volume: 10, duration: 160 }, 61);
    rx.tick(1000);
    expect(got.map((e) => [e.digit, e.durationMs])).toEqual([['4', 60]]);
  });

  it('drops a reordered packet of an older event after a newer one began', () => {
    const { rx, got } = collect();
    feed(rx, { marker: true, timestamp: 1000, event: 1, end: true, volume: 10, duration: 800 }, 0);
    feed(rx, { marker: true, timestamp: 3000, event: 2, end: false, volume: 10, duration: 160 }, 10);
    feed(rx, { marker: false, timestamp: 2000, event: 5, end: false, volume: 10, duration: 480 }, 11);
    rx.tick(10_000);
    expect(got.map((e) => e.digit)).toEqual(['1', '2']);
    expect(rx.stats.late).toBe(1);
  });

  it('reports flash (event 16) and ignores non-DTMF events such as 32 (fax tone)', () => {
    const { rx, got } = collect();
    feed(rx, { marker: true, timestamp: 10, event: 32, end: true, volume: 10, duration: 800 }, 0);
    feed(rx, { marker: true, timestamp: 20, event: 16, end: true, volume: 10, duration: 800 }, 0);
    expect(got.map((e) => e.digit)).toEqual(['flash']);
    expect(rx.stats.ignored).toBe(1);
  });

  it('joins the segments of a 10 s event into one press (§2.5.1.3)', () => {
    const s = new DtmfSender();
    s.startDigit('0', 10_000);
    const { rx, got } = collect();
    for (const { tick, p } of runSender(s, 520, 0xffff0000)) feed(rx, p, tick * 20);
    expect(got.map((e) => [e.digit, e.durationMs])).toEqual([['0', 10_000]]);
  });

  it('reads whole RTP packets with receivePacket', () => {
    const { rx, got } = collect();
    const payload = new TelephoneEvent({ event: 12, end: true, volume: 10, duration: 800 }).serialize();
    const pkt = new RtpPacket({ payloadType: 101, sequenceNumber: 1, timestamp: 42, ssrc: 1, marker: true, payload }).serialize();
    expect(rx.receivePacket(pkt, pkt.length, 100)).toBe(true);
    expect(rx.receivePacket(pkt, 11, 100)).toBe(false);
    expect(got.map((e) => e.digit)).toEqual(['A']);
  });
});
