// Examples for the talker on a manual media clock and fake sockets: paced looped audio, RFC 4733 event packets (§2.5.1.2 marker and fixed timestamp, §2.5.1.4 three end packets) with the audio paused, in-band tone pairs the engine's Goertzel detector decodes.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualMediaClock, RtpLeg, encodePrompt } from '../engine/media/index.ts';
import type { LegMedia } from '../engine/media/index.ts';
import { ULAW_TO_PCM } from '../engine/media/lut.ts';
import type { DigitEvent } from '../engine/rtp/digits.ts';
import { parseTelephoneEvent } from '../engine/rtp/dtmf.ts';
import { DtmfDetector } from '../engine/rtp/goertzel.ts';
import { rtpMarker, rtpPayloadOffset, rtpPayloadType, rtpSeq, rtpTimestamp } from '../engine/rtp/packet.ts';
import { fakeLegSockets } from '../engine/media/testing.ts';
import type { FakeLegSockets } from '../engine/media/testing.ts';
import { tonePcm } from './audio.ts';
import { SimulatorError } from './errors.ts';
import { Talker } from './talker.ts';

const PEER = '203.0.113.5';

function media(te = true): LegMedia {
  return {
    codec: 'PCMU',
    sendPayloadType: 0,
    receivePayloadType: 0,
    telephoneEvent: te ? { sendPayloadType: 101, receivePayloadType: 101 } : null,
    remote: { address: PEER, port: 40000, rtcpAddress: PEER, rtcpPort: 40001 },
    direction: 'sendrecv',
  };
}

const legs: RtpLeg[] = [];
afterEach(async () => {
  await Promise.all(legs.splice(0).map((l) => l.close()));
});

function setup(te = true): { clock: ManualMediaClock; leg: RtpLeg; sockets: FakeLegSockets; talker: Talker } {
  const clock = new ManualMediaClock();
  const sockets = fakeLegSockets();
  const leg = new RtpLeg(sockets, { clock, ssrc: 0xabcd, log: () => {} });
  leg.setMedia(media(te));
  legs.push(leg);
  const talker = new Talker(leg);
  talker.say(encodePrompt('tone', tonePcm([600], 1000)));
  talker.start();
  return { clock, leg, sockets, talker };
}

function packets(s: FakeLegSockets) {
  return s.rtp.sent.map(({ data }) => ({ seq: rtpSeq(data), ts: rtpTimestamp(data), m: rtpMarker(data), pt: rtpPayloadType(data), payload: data.subarray(rtpPayloadOffset(data)) }));
}

describe('Talker', () => {
  it('sends one 20 ms frame per tick with continuous sequence numbers and timestamps, looping its audio', () => {
    const { clock, sockets, talker } = setup();
    clock.advance(120); // 2.4 s of a 1 s prompt: it loops
    const p = packets(sockets);
    expect(p).toHaveLength(120);
    for (let i = 1; i < p.length; i++) {
      expect(p[i].seq).toBe((p[i - 1].seq + 1) & 0xffff);
      expect(p[i].ts).toBe((p[i - 1].ts + 160) >>> 0);
      expect(p[i].payload.length).toBe(160);
    }
    expect(p[0].m).toBe(true);
    // The loop seam: frame 50 is frame 0 again.
    expect(Buffer.compare(p[50].payload, p[0].payload)).toBe(0);
    expect(talker.framesSent).toBe(120);
  });

  it('sends a key as RFC 4733 events: marker on the first packet, one timestamp, three end packets, audio paused (RFC 4733 §2.5.1)', async () => {
    const { clock, sockets, talker } = setup();
    clock.advance(5);
    sockets.rtp.take();
    let done = false;
    void talker.sendDigits('5', { durationMs: 100, gapMs: 40 }).then(() => (done = true));
    clock.advance(12);
    const p = packets(sockets);
    const ev = p.filter((x) => x.pt === 101);
    // 100 ms = 5 reports (4 updates + the end), then 2 more copies of the end.
    expect(ev).toHaveLength(7);
    expect(ev[0].m).toBe(true);
    expect(ev.slice(1).every((x) => !x.m)).toBe(true);
    expect(new Set(ev.map((x) => x.ts)).size).toBe(1);
    const blocks = ev.map((x) => parseTelephoneEvent(x.payload));
    expect(blocks.map((b) => b.event)).toEqual(Array(7).fill(5));
    expect(blocks.map((b) => b.end)).toEqual([false, false, false, false, true, true, true]);
    expect(blocks.map((b) => b.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    // The stream stays one sequence; audio stops during the event and comes back as a new talkspurt.
    for (let i = 1; i < p.length; i++) expect(p[i].seq).toBe((p[i - 1].seq + 1) & 0xffff);
    const firstEvent = p.findIndex((x) => x.pt === 101);
    const lastEvent = p.map((x) => x.pt).lastIndexOf(101);
    expect(p.slice(firstEvent, lastEvent + 1).every((x) => x.pt === 101)).toBe(true);
    const resumed = p[lastEvent + 1];
    expect(resumed.pt).toBe(0);
    expect(resumed.m).toBe(true);
    await Promise.resolve();
    expect(done).toBe(true);
    expect(talker.digitsSent).toBe('5');
  });

  it('gives consecutive keys distinct timestamps even when it sends no audio (RFC 4733 §2.5.1.2)', () => {
    const { clock, sockets, talker } = setup();
    talker.say(null);
    void talker.sendDigits('12', { durationMs: 60, gapMs: 40 });
    clock.advance(20);
    const ev = packets(sockets).filter((x) => x.pt === 101);
    const starts = ev.filter((x) => x.m);
    expect(starts).toHaveLength(2);
    expect(starts[1].ts).not.toBe(starts[0].ts);
    expect(parseTelephoneEvent(starts[1].payload).event).toBe(2);
  });

  it('falls back to in-band tone pairs without telephone-event; the engine detector hears the keys (ITU-T Q.23)', () => {
    const { clock, sockets, talker } = setup(false);
    talker.say(null);
    void talker.sendDigits('9*', { durationMs: 100, gapMs: 100 });
    clock.advance(30);
    const p = packets(sockets);
    expect(p.every((x) => x.pt === 0)).toBe(true);
    const heard: DigitEvent[] = [];
    const det = new DtmfDetector((e) => heard.push(e));
    const pcm = new Int16Array(160);
    p.forEach((x, i) => {
      for (let j = 0; j < 160; j++) pcm[j] = ULAW_TO_PCM[x.payload[j]];
      det.process(pcm, i * 20);
    });
    // Trailing silence lets the detector end the second key.
    pcm.fill(0);
    for (let i = 0; i < 10; i++) det.process(pcm, (p.length + i) * 20);
    expect(heard.map((e) => e.digit).join('')).toBe('9*');
  });

  it('refuses characters that are not DTMF keys', () => {
    const { talker } = setup();
    expect(() => talker.sendDigits('12x')).toThrow(SimulatorError);
  });
});
