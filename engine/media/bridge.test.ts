// Examples for the bridge on fake sockets and a manual clock: header rewrite (RFC 3550 §5.1), PCMU⇄PCMA by table (ITU-T G.711), RFC 4733 relay with payload-type remap, player preemption, unbridge, and the stereo recorder tap.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linearToAlaw, linearToUlaw, ulawCodeToAlaw } from '../codec/g711.ts';
import { readWav } from '../codec/wav.ts';
import { writeTelephoneEvent } from '../rtp/dtmf.ts';
import { goertzelPower } from '../rtp/goertzel.ts';
import { RtpPacket, rtpMarker, rtpPayloadOffset, rtpPayloadType, rtpSeq, rtpSsrc, rtpTimestamp } from '../rtp/packet.ts';
import { Bridge } from './bridge.ts';
import { ManualMediaClock } from './clock.ts';
import { LegStateError, RtpLeg } from './leg.ts';
import type { LegMedia } from './leg.ts';
import { Player } from './player.ts';
import { encodePrompt } from './prompt-cache.ts';
import { StereoRecorder } from './recorder.ts';
import { fakeLegSockets } from './testing.ts';
import type { FakeLegSockets } from './testing.ts';

const GW = '203.0.113.5';
const PHONE = '198.51.100.20';

function media(address: string, codec: 'PCMU' | 'PCMA', te: number | null): LegMedia {
  const pt = codec === 'PCMU' ? 0 : 8;
  return {
    codec,
    sendPayloadType: pt,
    receivePayloadType: pt,
    telephoneEvent: te === null ? null : { sendPayloadType: te, receivePayloadType: te },
    remote: { address, port: 40000, rtcpAddress: address, rtcpPort: 40001 },
    direction: 'sendrecv',
  };
}

interface Side {
  leg: RtpLeg;
  sockets: FakeLegSockets;
  address: string;
}

const legs: RtpLeg[] = [];
afterEach(async () => {
  await Promise.all(legs.splice(0).map((l) => l.close()));
});

function setup(aCodec: 'PCMU' | 'PCMA', bCodec: 'PCMU' | 'PCMA', aTe: number | null = 101, bTe: number | null = 96): { clock: ManualMediaClock; a: Side; b: Side } {
  const clock = new ManualMediaClock();
  const make = (address: string, codec: 'PCMU' | 'PCMA', te: number | null, port: number, ssrc: number): Side => {
    const sockets = fakeLegSockets(port);
    const leg = new RtpLeg(sockets, { clock, ssrc, log: () => {} });
    leg.setMedia(media(address, codec, te));
    legs.push(leg);
    return { leg, sockets, address };
  };
  return { clock, a: make(GW, aCodec, aTe, 30000, 0xaaaa0001), b: make(PHONE, bCodec, bTe, 30002, 0xbbbb0002) };
}

function tone(n: number, hz: number, amp: number, from = 0): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * (from + i)) / 8000)));
}

function packet(seq: number, payload: Uint8Array, opts: { pt?: number; ssrc?: number; ts?: number; marker?: boolean } = {}): Buffer {
  return new RtpPacket({
    payloadType: opts.pt ?? 0,
    sequenceNumber: seq & 0xffff,
    timestamp: (opts.ts ?? 5000 + seq * 160) >>> 0,
    ssrc: opts.ssrc ?? 0x600d,
    marker: opts.marker ?? false,
    payload,
  }).serialize();
}

function g711(pcm: Int16Array, codec: 'PCMU' | 'PCMA'): Uint8Array {
  return Uint8Array.from(pcm, (s) => (codec === 'PCMU' ? linearToUlaw(s) : linearToAlaw(s)));
}

function sent(side: Side): Array<{ seq: number; ts: number; m: boolean; pt: number; ssrc: number; payload: Buffer }> {
  return side.sockets.rtp.take().map(({ data }) => ({
    seq: rtpSeq(data),
    ts: rtpTimestamp(data),
    m: rtpMarker(data),
    pt: rtpPayloadType(data),
    ssrc: rtpSsrc(data),
    payload: Buffer.from(data.subarray(rtpPayloadOffset(data))),
  }));
}

describe('Bridge forwarding', () => {
  it('forwards at once, rewriting SSRC, sequence and timestamp into the other leg’s stream; same codec keeps the payload (RFC 3550 §5.1)', () => {
    const { a, b } = setup('PCMU', 'PCMU');
    const bridge = new Bridge(a.leg, b.leg);
    const payloads = [0, 1, 2, 3].map((k) => g711(tone(160, 440, 5000, k * 160), 'PCMU'));
    payloads.forEach((p, k) => a.sockets.rtp.deliver(packet(65534 + k, p), GW, 41000)); // wraps
    const out = sent(b);
    expect(out).toHaveLength(4); // no tick needed
    expect(out.map((o) => o.payload)).toEqual(payloads.map((p) => Buffer.from(p)));
    expect(out.every((o) => o.ssrc === 0xbbbb0002 && o.pt === 0)).toBe(true);
    expect(out.map((o) => (o.seq - out[0].seq) & 0xffff)).toEqual([0, 1, 2, 3]);
    expect(out.map((o) => (o.ts - out[0].ts) >>> 0)).toEqual([0, 160, 320, 480]);
    expect(out.map((o) => o.m)).toEqual([true, false, false, false]);
    expect(bridge.stats.aToB).toMatchObject({ forwarded: 4, transcoded: 0 });
    expect(b.sockets.rtp.sent).toHaveLength(0);
  });

  it('transcodes PCMU⇄PCMA by the direct table and stamps the other leg’s payload type (ITU-T G.711)', () => {
    const { a, b } = setup('PCMU', 'PCMA');
    const bridge = new Bridge(a.leg, b.leg);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    a.sockets.rtp.deliver(packet(1, all.subarray(0, 160)), GW, 41000);
    a.sockets.rtp.deliver(packet(2, all.subarray(96, 256)), GW, 41000);
    const toB = sent(b);
    expect(toB.map((o) => o.pt)).toEqual([8, 8]);
    expect(toB[0].payload).toEqual(Buffer.from(all.subarray(0, 160).map(ulawCodeToAlaw)));
    expect(toB[1].payload).toEqual(Buffer.from(all.subarray(96, 256).map(ulawCodeToAlaw)));
    const alaw = g711(tone(160, 1000, 9000), 'PCMA');
    b.sockets.rtp.deliver(packet(7, alaw, { pt: 8 }), PHONE, 42000);
    const toA = sent(a);
    expect(toA[0].pt).toBe(0);
    expect(toA[0].payload).toEqual(Buffer.from(g711(tone(160, 1000, 9000), 'PCMA').map((c) => linearToUlaw(alawDecode1(c)))));
    expect(bridge.stats.aToB.transcoded).toBe(2);
    expect(bridge.stats.bToA.transcoded).toBe(1);
  });

  it('relays RFC 4733 events under the other leg’s payload type, and drops them without a sequence gap when it has none (RFC 4733 §2.1)', () => {
    const { a, b } = setup('PCMU', 'PCMU', 101, 96);
    new Bridge(a.leg, b.leg);
    const ev = new Uint8Array(4);
    writeTelephoneEvent(ev, 0, 9, false, 10, 160);
    a.sockets.rtp.deliver(packet(1, new Uint8Array(160)), GW, 41000);
    a.sockets.rtp.deliver(packet(2, ev, { pt: 101, marker: true }), GW, 41000);
    const out = sent(b);
    expect(out.map((o) => o.pt)).toEqual([0, 96]);
    expect(out[1].payload).toEqual(Buffer.from(ev));
    expect(out[1].m).toBe(true);

    const noTe = setup('PCMU', 'PCMU', 101, null);
    const bridge = new Bridge(noTe.a.leg, noTe.b.leg);
    noTe.a.sockets.rtp.deliver(packet(1, new Uint8Array(160)), GW, 41000);
    noTe.a.sockets.rtp.deliver(packet(2, ev, { pt: 101 }), GW, 41000);
    noTe.a.sockets.rtp.deliver(packet(3, new Uint8Array(160)), GW, 41000);
    const out2 = sent(noTe.b);
    expect(out2.map((o) => o.pt)).toEqual([0, 0]);
    expect((out2[1].seq - out2[0].seq) & 0xffff).toBe(1);
    expect(bridge.stats.aToB.eventsDropped).toBe(1);
  });

  it('a new incoming SSRC starts a new talkspurt (marker, timestamp re-based) with the sequence still continuous', () => {
    const { a, b, clock } = setup('PCMU', 'PCMU');
    new Bridge(a.leg, b.leg);
    a.sockets.rtp.deliver(packet(10, new Uint8Array(160), { ssrc: 1 }), GW, 41000);
    clock.advance();
    a.sockets.rtp.deliver(packet(900, new Uint8Array(160), { ssrc: 2, ts: 1 }), GW, 41000);
    const out = sent(b);
    expect(out.map((o) => o.m)).toEqual([true, true]);
    expect((out[1].seq - out[0].seq) & 0xffff).toBe(1);
    expect((out[1].ts - out[0].ts) >>> 0).toBe(160);
  });

  it('holds back forwarded audio while a player owns a leg, then resumes with a marker (prompt into a bridged call)', async () => {
    const { a, b, clock } = setup('PCMU', 'PCMU');
    const bridge = new Bridge(a.leg, b.leg);
    const player = new Player(b.leg);
    const done = player.play(encodePrompt('notice', new Int16Array(320).fill(1000)));
    for (let i = 0; i < 4; i++) {
      clock.advance();
      a.sockets.rtp.deliver(packet(i, new Uint8Array(160).fill(0x11)), GW, 41000);
    }
    expect((await done).reason).toBe('completed');
    const out = sent(b);
    // Tick 1: prompt frame, packet 0 held back; tick 2: last prompt frame, then packets 1..3 go through.
    expect(out.map((o) => (o.payload[0] === 0x11 ? 'fwd' : 'prompt'))).toEqual(['prompt', 'prompt', 'fwd', 'fwd', 'fwd']);
    expect(out.map((o) => o.m)).toEqual([true, false, true, false, false]);
    expect(out.map((o) => (o.seq - out[0].seq) & 0xffff)).toEqual([0, 1, 2, 3, 4]);
    expect(bridge.stats.aToB.notSent).toBe(1);
    expect(b.leg.counters.preemptedOut).toBe(1);
  });

  it('unbridge returns both legs to standalone; a player can play again and another bridge can form', async () => {
    const { a, b, clock } = setup('PCMU', 'PCMA');
    const bridge = new Bridge(a.leg, b.leg);
    expect(() => new Bridge(a.leg, b.leg)).toThrow(LegStateError);
    try {
      new Bridge(b.leg, a.leg);
    } catch (err) {
      expect((err as LegStateError).code).toBe('bridged');
    }
    expect(() => new Bridge(a.leg, a.leg)).toThrow(TypeError);
    a.sockets.rtp.deliver(packet(1, new Uint8Array(160)), GW, 41000);
    bridge.unbridge();
    bridge.unbridge();
    expect(bridge.active).toBe(false);
    a.sockets.rtp.deliver(packet(2, new Uint8Array(160)), GW, 41000);
    expect(sent(b)).toHaveLength(1);
    const done = new Player(b.leg).play(encodePrompt('p', new Int16Array(160)));
    clock.advance();
    expect((await done).reason).toBe('completed');
    const out = sent(b);
    expect(out).toHaveLength(1);
    expect(out[0].m).toBe(true);
    const again = new Bridge(a.leg, b.leg);
    expect(again.active).toBe(true);
  });

  it('ends when a leg closes', async () => {
    const { a, b } = setup('PCMU', 'PCMU');
    const bridge = new Bridge(a.leg, b.leg);
    await a.leg.close();
    expect(bridge.active).toBe(false);
    expect(b.leg.hasSink).toBe(false);
    expect(() => new Bridge(a.leg, b.leg)).toThrow(LegStateError);
  });
});

function alawDecode1(code: number): number {
  // Reference A-law decode (ITU-T G.711 Table 1b), independent of the codec tables.
  const c = code ^ 0x55;
  const exp = (c >> 4) & 7;
  const mant = c & 0x0f;
  const mag = exp === 0 ? (mant << 4) + 8 : ((mant << 4) + 0x108) << (exp - 1);
  return c & 0x80 ? mag : -mag;
}

describe('Bridge recorder tap', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotline-bridge-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records a stereo WAV: the caller’s tone on the left, the agent’s on the right, time-aligned', async () => {
    const { a, b, clock } = setup('PCMU', 'PCMA');
    const bridge = new Bridge(a.leg, b.leg);
    const path = join(dir, 'call.wav');
    const rec = await StereoRecorder.open(path, { clock });
    bridge.record(rec, 'a');
    const ticks = 100;
    for (let t = 0; t < ticks; t++) {
      a.sockets.rtp.deliver(packet(t, g711(tone(160, 440, 8000, t * 160), 'PCMU')), GW, 41000);
      b.sockets.rtp.deliver(packet(t, g711(tone(160, 1336, 8000, t * 160), 'PCMA'), { pt: 8 }), PHONE, 42000);
      clock.advance();
    }
    bridge.stopRecording();
    const info = await rec.close();
    expect(info.frames).toBe(ticks * 160);
    const wav = readWav(await readFile(path));
    expect(wav.channels).toBe(2);
    const left = Int16Array.from({ length: wav.frames }, (_, i) => wav.data[2 * i]);
    const right = Int16Array.from({ length: wav.frames }, (_, i) => wav.data[2 * i + 1]);
    const mid = 40 * 160;
    const n = 4000;
    const p = (x: Int16Array, hz: number): number => goertzelPower(x, hz, 8000, mid, n);
    expect(p(left, 440)).toBeGreaterThan(1000 * p(left, 1336));
    expect(p(right, 1336)).toBeGreaterThan(1000 * p(right, 440));
    // Both sides start on the same tick (same jitter-buffer depth): the first non-silent sample is at the same frame.
    const firstSound = (x: Int16Array): number => x.findIndex((s) => Math.abs(s) > 100);
    expect(Math.abs(firstSound(left) - firstSound(right))).toBeLessThanOrEqual(160);
    expect(bridge.stats.aToB.recorded).toBeGreaterThan(ticks - 5);
    expect(bridge.stats.bToA.recorded).toBeGreaterThan(ticks - 5);
    expect(clock.size).toBe(2); // the two legs: recorder and tap unsubscribed
  });

  it('puts leg b on the left when b is the caller', async () => {
    const { a, b, clock } = setup('PCMU', 'PCMU');
    const bridge = new Bridge(a.leg, b.leg);
    const path = join(dir, 'b.wav');
    const rec = await StereoRecorder.open(path, { clock });
    bridge.record(rec, 'b');
    for (let t = 0; t < 30; t++) {
      b.sockets.rtp.deliver(packet(t, g711(tone(160, 700, 8000, t * 160), 'PCMU')), PHONE, 42000);
      clock.advance();
    }
    bridge.unbridge();
    await rec.close();
    const wav = readWav(await readFile(path));
    let l = 0;
    let r = 0;
    for (let i = 0; i < wav.frames; i++) {
      l += Math.abs(wav.data[2 * i]);
      r += Math.abs(wav.data[2 * i + 1]);
    }
    expect(l).toBeGreaterThan(100_000);
    expect(r).toBe(0);
  });
});
