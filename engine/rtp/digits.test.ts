// DigitStream: one digit stream from RFC 4733 and in-band detection without double reports (RFC 4733 §3.2 event codes).
import { describe, expect, it } from 'vitest';
import { DTMF_DIGITS, type DigitEvent, DigitStream, digitToEvent, eventToDigit, isDtmfDigit } from './digits.ts';
import { DtmfReceiver, DtmfSender, writeTelephoneEvent } from './dtmf.ts';
import { DTMF_COL_HZ, DTMF_KEYPAD, DTMF_ROW_HZ, DtmfDetector, dbm0ToAmplitude } from './goertzel.ts';

const ev = (digit: DigitEvent['digit'], source: DigitEvent['source'], startMs: number, durationMs = 100): DigitEvent => ({
  digit,
  source,
  startMs,
  durationMs,
});

describe('digit codes (RFC 4733 §3.2)', () => {
  it('maps events 0–15 to 0-9 * # A-D and 16 to flash, both ways', () => {
    expect(DTMF_DIGITS.join(',')).toBe('0,1,2,3,4,5,6,7,8,9,*,#,A,B,C,D,flash');
    DTMF_DIGITS.forEach((d, i) => {
      expect(digitToEvent(d)).toBe(i);
      expect(eventToDigit(i)).toBe(d);
    });
    expect(eventToDigit(17)).toBeNull();
    expect(isDtmfDigit('#')).toBe(true);
    expect(isDtmfDigit('E')).toBe(false);
    expect(() => digitToEvent('E' as '1')).toThrow(TypeError);
  });
});

describe('DigitStream', () => {
  it('reports a key press sent both as RFC 4733 and as in-band tones once', () => {
    const out: DigitEvent[] = [];
    const s = new DigitStream((e) => out.push(e));
    s.push(ev('5', 'rfc4733', 1000));
    s.push(ev('5', 'inband', 1012, 88));
    expect(out).toEqual([ev('5', 'rfc4733', 1000)]);
    expect(s.suppressed).toBe(1);
  });

  it('keeps two quick presses of the same key from one source, and pairs each with its twin from the other', () => {
    const out: DigitEvent[] = [];
    const s = new DigitStream((e) => out.push(e));
    s.push(ev('1', 'inband', 0, 60));
    s.push(ev('1', 'inband', 100, 60));
    s.push(ev('1', 'rfc4733', -10, 80));
    s.push(ev('1', 'rfc4733', 95, 80));
    expect(out.map((e) => [e.source, e.startMs])).toEqual([
      ['inband', 0],
      ['inband', 100],
    ]);
    expect(s.suppressed).toBe(2);
  });

  it('does not merge different digits or presses far apart in time', () => {
    const out: DigitEvent[] = [];
    const s = new DigitStream((e) => out.push(e));
    s.push(ev('1', 'rfc4733', 0));
    s.push(ev('2', 'inband', 5));
    s.push(ev('1', 'inband', 1000));
    expect(out.map((e) => e.digit)).toEqual(['1', '2', '1']);
  });

  it('merges a gateway that sends both forms: sender → receiver and tones → detector yield each press once', () => {
    const presses = ['3', '#', '3', 'D'] as const;
    const out: DigitEvent[] = [];
    const stream = new DigitStream((e) => out.push(e));
    const rx = new DtmfReceiver((e) => stream.push(e));
    const det = new DtmfDetector((e) => stream.push(e));
    const tx = new DtmfSender();
    for (const p of presses) tx.startDigit(p, 100);
    // Gateway: per 20 ms tick, the telephone-event packets and a PCM frame with the same tone.
    const a = dbm0ToAmplitude(-12);
    const frame = new Int16Array(160);
    const payload = new Uint8Array(4);
    let n = 0;
    for (let t = 0; t < 80; t++) {
      const nowMs = t * 20;
      const pkts = tx.tick(t * 160);
      for (const p of pkts) {
        writeTelephoneEvent(payload, 0, p.event, p.end, p.volume, p.duration);
        rx.receive(p.timestamp, p.marker, payload, 0, 4, nowMs + 20);
      }
      const tone = tx.sendingTone || pkts.some((p) => p.marker) ? pkts[0] : undefined;
      frame.fill(0);
      if (tone) {
        const key = DTMF_KEYPAD.flat().indexOf(DTMF_DIGITS[tone.event]);
        const [fr, fc] = [DTMF_ROW_HZ[key >> 2], DTMF_COL_HZ[key & 3]];
        for (let i = 0; i < 160; i++, n++) frame[i] = Math.round(a * (Math.sin((2 * Math.PI * fr * n) / 8000) + Math.sin((2 * Math.PI * fc * n) / 8000)));
      }
      det.process(frame, nowMs);
      rx.tick(nowMs);
    }
    expect(out.map((e) => e.digit)).toEqual([...presses]);
    expect(stream.suppressed).toBe(presses.length);
  });
});
