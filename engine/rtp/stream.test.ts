// Outgoing stream continuity across prompt → bridge → prompt switches, marker on new talkspurts (RFC 3550 §5.1, §5.2; RFC 3551 §4.1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRtp, writeRtpHeader } from './packet.ts';
import { PT_PCMA, PT_PCMU, STATIC_AUDIO_PAYLOAD_TYPES, isDynamicPayloadType, samplesPerFrame, staticPayloadType } from './profile.ts';
import { extendSeq, tsDiff } from './seq.ts';
import { RtpStreamWriter } from './stream.ts';

const out = Buffer.alloc(172);

function stamp(w: RtpStreamWriter, nowMs: number) {
  w.stamp(out, 0, PT_PCMU, 160, 160, nowMs);
  return parseRtp(out);
}

function relayed(w: RtpStreamWriter, seq: number, ts: number, ssrc: number, nowMs: number, pt = -1) {
  const b = Buffer.alloc(172);
  writeRtpHeader(b, 0, PT_PCMA, seq & 0xffff, ts >>> 0, ssrc, false);
  const ok = w.relay(b, 172, nowMs, pt);
  return ok ? parseRtp(b) : null;
}

describe('RTP profile (RFC 3551 §6)', () => {
  it('knows the static audio payload types and the dynamic range', () => {
    expect(staticPayloadType(PT_PCMU)).toEqual({ encoding: 'PCMU', clockRate: 8000, channels: 1 });
    expect(staticPayloadType(PT_PCMA)?.encoding).toBe('PCMA');
    expect(staticPayloadType(9)?.clockRate).toBe(8000);
    expect(staticPayloadType(101)).toBeUndefined();
    expect(Object.keys(STATIC_AUDIO_PAYLOAD_TYPES).length).toBe(17);
    expect([95, 96, 127, 128].map(isDynamicPayloadType)).toEqual([false, true, true, false]);
    expect(samplesPerFrame(8000)).toBe(160);
    expect(samplesPerFrame(16000, 30)).toBe(480);
  });
});

describe('RtpStreamWriter (RFC 3550 §5.1)', () => {
  it('stamps local frames with the initial values, +1 sequence, +160 timestamp and a marker on the first', () => {
    const w = new RtpStreamWriter({ ssrc: 0xabc, initialSeq: 65535, initialTimestamp: 0xffffff00 });
    const ps = [0, 20, 40].map((t) => stamp(w, t));
    expect(ps.map((p) => [p.sequenceNumber, p.timestamp, p.marker, p.ssrc])).toEqual([
      [65535, 0xffffff00, true, 0xabc],
      [0, 0xffffffa0, false, 0xabc],
      [1, 0x40, false, 0xabc],
    ]);
    expect(w.packets).toBe(3);
    expect(w.octets).toBe(480);
  });

  it('starts a new talkspurt with a marker and a timestamp jump after local silence (RFC 3551 §4.1)', () => {
    const w = new RtpStreamWriter({ ssrc: 1, initialSeq: 10, initialTimestamp: 1000 });
    stamp(w, 0);
    stamp(w, 20);
    const p = stamp(w, 520);
    expect(p.sequenceNumber).toBe(12);
    expect(p.marker).toBe(true);
    expect(p.timestamp).toBe(1160 + 500 * 8);
  });

  it('continues sequence and timestamp from a prompt into a bridged source, keeping the source gaps', () => {
    const w = new RtpStreamWriter({ ssrc: 7, initialSeq: 100, initialTimestamp: 5000 });
    stamp(w, 0);
    stamp(w, 20); // seq 101, ts 5160
    const a = relayed(w, 40_000, 9_000_000, 0xfeed, 40);
    const b = relayed(w, 40_001, 9_000_160, 0xfeed, 60);
    const c = relayed(w, 40_003, 9_000_480, 0xfeed, 100); // 40_002 lost at the source
    expect([a, b, c].map((p) => [p?.sequenceNumber, p?.timestamp, p?.marker, p?.ssrc, p?.payloadType])).toEqual([
      [102, 5320, true, 7, PT_PCMA],
      [103, 5480, false, 7, PT_PCMA],
      [105, 5800, false, 7, PT_PCMA],
    ]);
    // Back to a prompt: seq continues after the newest sent, ts follows the clock.
    const d = stamp(w, 120);
    expect([d.sequenceNumber, d.timestamp, d.marker]).toEqual([106, 5800 + 160, true]);
  });

  it('opens a new epoch when the source SSRC changes, and drops packets from before the epoch', () => {
    const w = new RtpStreamWriter({ ssrc: 7, initialSeq: 0, initialTimestamp: 0 });
    relayed(w, 500, 80_000, 1, 0);
    relayed(w, 501, 80_160, 1, 20);
    const n = relayed(w, 9, 123, 2, 40);
    expect([n?.sequenceNumber, n?.timestamp, n?.marker]).toEqual([2, 320, true]);
    w.switchSource();
    const m = relayed(w, 20, 1883, 2, 60);
    expect([m?.sequenceNumber, m?.marker]).toEqual([3, true]);
    expect(relayed(w, 15, 1083, 2, 61)).toBeNull();
  });

  it('rewrites the payload type when asked (telephone-event number of this leg)', () => {
    const w = new RtpStreamWriter({ ssrc: 7, initialSeq: 0, initialTimestamp: 0 });
    expect(relayed(w, 1, 1, 1, 0, 101)?.payloadType).toBe(101);
  });

  it('keeps relaying across the 16-bit wrap of a long call', () => {
    const w = new RtpStreamWriter({ ssrc: 7, initialSeq: 0, initialTimestamp: 0 });
    let ok = 0;
    for (let i = 0; i < 70_000; i++) if (relayed(w, 1000 + i, i * 160, 9, i * 20)) ok++;
    expect(ok).toBe(70_000);
  });

  it('never reuses a sequence number and keeps timestamps in sequence order across any mix of sources', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('stamp' as const), gap: fc.integer({ min: 20, max: 200 }) }),
      fc.record({
        kind: fc.constant('relay' as const),
        gap: fc.integer({ min: 0, max: 60 }),
        src: fc.integer({ min: 0, max: 2 }),
        step: fc.integer({ min: -3, max: 3 }),
      }),
      fc.record({ kind: fc.constant('switch' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.array(op, { maxLength: 200 }), (seq0, ts0, ops) => {
        const w = new RtpStreamWriter({ ssrc: 42, initialSeq: seq0, initialTimestamp: ts0 });
        const srcSeq = [100, 30_000, 65_000];
        let now = 0;
        let ref = seq0 + 0x10000;
        const sent = new Map<number, number>();
        for (const o of ops) {
          let p: ReturnType<typeof parseRtp> | null = null;
          if (o.kind === 'switch') {
            w.switchSource();
            continue;
          }
          now += o.gap;
          if (o.kind === 'stamp') p = stamp(w, now);
          else {
            srcSeq[o.src] += o.step === 0 ? 1 : o.step;
            p = relayed(w, srcSeq[o.src], srcSeq[o.src] * 160, 1000 + o.src, now);
          }
          if (!p) continue;
          const ext = extendSeq(ref, p.sequenceNumber);
          ref = Math.max(ref, ext);
          if (sent.has(ext)) {
            // Only a source's own duplicate (same seq, same ts) may repeat a number.
            expect(o.kind).toBe('relay');
            expect(sent.get(ext)).toBe(p.timestamp);
          }
          sent.set(ext, p.timestamp);
        }
        const bySeq = [...sent.entries()].sort((x, y) => x[0] - y[0]);
        for (let i = 1; i < bySeq.length; i++) expect(tsDiff(bySeq[i][1], bySeq[i - 1][1])).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});
