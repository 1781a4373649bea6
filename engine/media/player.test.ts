// Examples for the player on a manual media clock: exact paced frames, marker bit and timestamp jump on start (RFC 3550 §5.1, RFC 3551 §4.1), completion, barge-in stop, loop with silence, replacement, hold.
import { afterEach, describe, expect, it } from 'vitest';
import { writeTelephoneEvent } from '../rtp/dtmf.ts';
import { RtpPacket, rtpMarker, rtpPayloadOffset, rtpPayloadType, rtpSeq, rtpSsrc, rtpTimestamp } from '../rtp/packet.ts';
import { ManualMediaClock } from './clock.ts';
import { RtpLeg } from './leg.ts';
import type { LegMedia } from './leg.ts';
import { Player } from './player.ts';
import type { PlaybackResult } from './player.ts';
import { encodePrompt } from './prompt-cache.ts';
import { fakeLegSockets } from './testing.ts';
import type { FakeLegSockets } from './testing.ts';

const PEER = '203.0.113.5';

function media(over: Partial<LegMedia> = {}): LegMedia {
  return {
    codec: 'PCMU',
    sendPayloadType: 0,
    receivePayloadType: 0,
    telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101 },
    remote: { address: PEER, port: 40000, rtcpAddress: PEER, rtcpPort: 40001 },
    direction: 'sendrecv',
    ...over,
  };
}

/** A prompt whose every sample differs from frame to frame: a rising ramp. */
function ramp(samples: number, key = 'ramp'): ReturnType<typeof encodePrompt> {
  return encodePrompt(key, Int16Array.from({ length: samples }, (_, i) => (i * 37) % 20000 - 10000));
}

const legs: RtpLeg[] = [];
afterEach(async () => {
  await Promise.all(legs.splice(0).map((l) => l.close()));
});

function setup(m: LegMedia = media()): { clock: ManualMediaClock; leg: RtpLeg; sockets: FakeLegSockets; player: Player } {
  const clock = new ManualMediaClock();
  const sockets = fakeLegSockets();
  const leg = new RtpLeg(sockets, { clock, ssrc: 0x1234, log: () => {} });
  leg.setMedia(m);
  legs.push(leg);
  return { clock, leg, sockets, player: new Player(leg) };
}

function frames(sockets: FakeLegSockets): Array<{ seq: number; ts: number; m: boolean; pt: number; ssrc: number; payload: Buffer }> {
  return sockets.rtp.sent.map(({ data }) => ({
    seq: rtpSeq(data),
    ts: rtpTimestamp(data),
    m: rtpMarker(data),
    pt: rtpPayloadType(data),
    ssrc: rtpSsrc(data),
    payload: data.subarray(rtpPayloadOffset(data)),
  }));
}

function settled(p: Promise<PlaybackResult>): { result: PlaybackResult | null } {
  const box: { result: PlaybackResult | null } = { result: null };
  void p.then((r) => (box.result = r));
  return box;
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Player', () => {
  it('sends one cached frame per tick, marker on the first, then completes (RFC 3550 §5.1)', async () => {
    const { clock, sockets, player } = setup();
    const prompt = ramp(560); // 3.5 frames → 4, the last padded with silence
    const box = settled(player.play(prompt));
    expect(sockets.rtp.sent).toHaveLength(0); // nothing before the next tick
    clock.advance(3);
    await flush();
    expect(box.result).toBeNull();
    expect(player.playing).toBe(true);
    clock.advance();
    await flush();
    expect(box.result).toEqual({ reason: 'completed', frames: 4, framesSent: 4 });
    clock.advance(5);
    const out = frames(sockets);
    expect(out).toHaveLength(4);
    for (let i = 0; i < 4; i++) {
      expect(out[i].payload).toEqual(Buffer.from(prompt.pcmu.subarray(i * 160, (i + 1) * 160)));
      expect((out[i].seq - out[0].seq) & 0xffff).toBe(i);
      expect((out[i].ts - out[0].ts) >>> 0).toBe(i * 160);
      expect(out[i]).toMatchObject({ m: i === 0, pt: 0, ssrc: 0x1234 });
    }
    expect(clock.size).toBe(1); // only the leg: the player unsubscribed
  });

  it('plays the A-law frames on a PCMA leg, with the negotiated payload type', async () => {
    const { clock, sockets, player } = setup(media({ codec: 'PCMA', sendPayloadType: 8, receivePayloadType: 8 }));
    const prompt = ramp(320);
    const done = player.play(prompt);
    clock.advance(2);
    expect((await done).reason).toBe('completed');
    const out = frames(sockets);
    expect(out.map((f) => f.pt)).toEqual([8, 8]);
    expect(Buffer.concat(out.map((f) => f.payload))).toEqual(Buffer.from(prompt.pcma));
  });

  it('stops on barge-in: a DTMF digit stops the prompt and no frame follows', async () => {
    const { clock, sockets, leg, player } = setup();
    leg.on('digit', () => player.stop());
    const done = player.play(ramp(160 * 50));
    clock.advance(5);
    const ev = new Uint8Array(4);
    writeTelephoneEvent(ev, 0, 1, true, 10, 800);
    sockets.rtp.deliver(new RtpPacket({ payloadType: 101, sequenceNumber: 1, timestamp: 0, ssrc: 9, marker: true, payload: ev }).serialize(), PEER, 41000);
    expect(await done).toEqual({ reason: 'stopped', frames: 5, framesSent: 5 });
    clock.advance(5);
    expect(sockets.rtp.sent).toHaveLength(5);
    expect(player.playing).toBe(false);
  });

  it('loops with silence between rounds (hold music) until stopped', async () => {
    const { clock, sockets, player } = setup();
    const prompt = ramp(320);
    const done = player.play(prompt, { loop: true, gapMs: 40 });
    clock.advance(9);
    player.stop();
    expect((await done).frames).toBe(9);
    const out = frames(sockets);
    const kinds = out.map((f) => (f.payload.every((b) => b === 0xff) ? 'S' : f.payload.equals(Buffer.from(prompt.pcmu.subarray(0, 160))) ? 'P0' : 'P1'));
    expect(kinds).toEqual(['P0', 'P1', 'S', 'S', 'P0', 'P1', 'S', 'S', 'P0']);
    expect(out.map((f) => f.m)).toEqual([true, false, false, false, false, false, false, false, false]);
    expect(out.every((f, i) => ((f.seq - out[0].seq) & 0xffff) === i && ((f.ts - out[0].ts) >>> 0) === i * 160)).toBe(true);
  });

  it('a new playback replaces the running one: sequence continuous, marker and timestamp jump on its start', async () => {
    const { clock, sockets, leg, player } = setup();
    const first = player.play(ramp(1600, 'a'));
    clock.advance(3);
    const other = new Player(leg);
    const second = other.play(ramp(320, 'b'));
    expect(await first).toEqual({ reason: 'replaced', frames: 3, framesSent: 3 });
    clock.advance(2);
    expect((await second).reason).toBe('completed');
    const out = frames(sockets);
    expect(out.map((f) => f.m)).toEqual([true, false, false, true, false]);
    expect(out.map((f) => (f.seq - out[0].seq) & 0xffff)).toEqual([0, 1, 2, 3, 4]);
    expect(out.map((f) => (f.ts - out[0].ts) >>> 0)).toEqual([0, 160, 320, 480, 640]);
  });

  it('ends `closed` when the leg closes, and resolves `closed` at once on a closed leg', async () => {
    const { clock, leg, player } = setup();
    const done = player.play(ramp(1600));
    clock.advance(2);
    await leg.close();
    expect((await done).reason).toBe('closed');
    expect(await player.play(ramp(160))).toEqual({ reason: 'closed', frames: 0, framesSent: 0 });
  });

  it('stops when its AbortSignal fires (the caller hung up)', async () => {
    const { clock, player } = setup();
    const ac = new AbortController();
    const done = player.play(ramp(1600), { signal: ac.signal });
    clock.advance(2);
    ac.abort();
    expect(await done).toMatchObject({ reason: 'stopped', frames: 2 });
    const pre = new AbortController();
    pre.abort();
    expect((await player.play(ramp(160), { signal: pre.signal })).reason).toBe('stopped');
  });

  it('keeps time on hold: frames are consumed but not sent (RFC 3264 §8.4)', async () => {
    const { clock, sockets, player } = setup(media({ direction: 'recvonly' }));
    const done = player.play(ramp(480));
    clock.advance(3);
    expect(await done).toEqual({ reason: 'completed', frames: 3, framesSent: 0 });
    expect(sockets.rtp.sent).toHaveLength(0);
  });

  it('refuses prompts whose frames are not one clock interval, and empty lists', () => {
    const { player } = setup();
    expect(() => player.play(encodePrompt('x', new Int16Array(480), 240))).toThrow(TypeError);
    expect(() => player.play([])).toThrow(TypeError);
  });
});
