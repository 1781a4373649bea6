// Properties of RFC 4733 telephone-events: payload round trip and sender → lossy network → receiver (§2.3, §2.5.1, §2.5.2).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTMF_DIGITS, type DigitEvent, type DtmfDigit } from './digits.ts';
import { DtmfReceiver, DtmfSender, type DtmfPacket, TelephoneEvent, parseTelephoneEvent, writeTelephoneEvent } from './dtmf.ts';
import { RtpParseError } from './errors.ts';

/** Small deterministic PRNG so one fast-check seed drives the whole network model. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sent {
  press: number;
  p: DtmfPacket;
  sendMs: number;
}

describe('telephone-event payload properties (RFC 4733 §2.3)', () => {
  it('parse(serialize(x)) ≡ x and serialize(parse(bytes)) ≡ bytes for every 4-octet block', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        const e = parseTelephoneEvent(bytes);
        expect([...e.serialize()]).toEqual([...bytes]);
        expect(new TelephoneEvent(e).serialize()).toEqual(e.serialize());
      }),
      { numRuns: 1000 },
    );
  });

  it('every truncation fails with RtpParseError; longer input frames its first block', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        try {
          const e = parseTelephoneEvent(bytes);
          expect(bytes.length).toBeGreaterThanOrEqual(4);
          expect(e.event).toBe(bytes[0]);
        } catch (err) {
          expect(err).toBeInstanceOf(RtpParseError);
          expect(bytes.length).toBeLessThan(4);
        }
      }),
    );
  });
});

describe('DTMF sender → lossy network → receiver (RFC 4733 §2.5)', () => {
  const arbPress = fc.record({
    digit: fc.constantFrom(...DTMF_DIGITS) as fc.Arbitrary<DtmfDigit>,
    durationMs: fc.integer({ min: 40, max: 400 }),
  });

  it('yields each press exactly once, in order, when at least one of its packets arrives; exact duration when an end arrives', () => {
    fc.assert(
      fc.property(
        fc.array(arbPress, { minLength: 1, maxLength: 8 }),
        fc.integer(),
        fc.double({ min: 0, max: 0.7, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.integer({ min: 0, max: 50 }),
        fc.constantFrom(20, 40, 50),
        fc.integer({ min: 1, max: 3 }),
        (presses, seed, loss, dupRate, jitterMs, updateIntervalMs, endRepeats) => {
          const rnd = mulberry32(seed);
          const sender = new DtmfSender({ updateIntervalMs, endRepeats });
          for (const pr of presses) sender.startDigit(pr.digit, pr.durationMs);
          // Transmit: one tick per 20 ms until the sender is idle.
          const sent: Sent[] = [];
          let press = -1;
          for (let t = 0; t < 10_000 && !(sender.state === 'idle' && sender.pending === 0 && t > 0); t++) {
            for (const p of sender.tick(t * 160)) {
              if (p.marker) press++;
              sent.push({ press, p, sendMs: t * 20 });
            }
          }
          // Network: loss, duplicates, delay jitter below the inter-digit spacing (reorders within a press).
          const arrivals: { at: number; s: Sent }[] = [];
          for (const s of sent) {
            const copies = rnd() < loss ? 0 : rnd() < dupRate ? 2 : 1;
            for (let c = 0; c < copies; c++) arrivals.push({ at: s.sendMs + 5 + rnd() * jitterMs, s });
          }
          arrivals.sort((a, b) => a.at - b.at);
          const got: DigitEvent[] = [];
          // The timeout (tested on its own) is longer than any press here, so only end packets and newer events report.
          const rx = new DtmfReceiver((e) => got.push(e), { timeoutMs: 1000 });
          let nextTick = 0;
          for (const a of arrivals) {
            while (nextTick + 20 <= a.at) rx.tick((nextTick += 20));
            const payload = new Uint8Array(4);
            writeTelephoneEvent(payload, 0, a.s.p.event, a.s.p.end, a.s.p.volume, a.s.p.duration);
            rx.receive(a.s.p.timestamp, a.s.p.marker, payload, 0, 4, a.at);
          }
          rx.tick(nextTick + 10_000);
          // Expected: presses with at least one delivered packet, in order.
          const delivered = new Set(arrivals.map((a) => a.s.press));
          const endDelivered = new Set(arrivals.filter((a) => a.s.p.end).map((a) => a.s.press));
          const expected = presses.map((pr, i) => ({ ...pr, i })).filter((pr) => delivered.has(pr.i));
          expect(got.map((g) => g.digit)).toEqual(expected.map((e) => e.digit));
          expected.forEach((e, k) => {
            const full = Math.ceil(Math.max(e.durationMs, 40) / 20) * 20;
            if (endDelivered.has(e.i)) expect(got[k].durationMs).toBe(full);
            else expect(got[k].durationMs).toBeLessThanOrEqual(full);
            expect(got[k].source).toBe('rfc4733');
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
