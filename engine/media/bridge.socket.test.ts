// Real-socket test: a gateway and a phone (plain dgram sockets) exchange 10 s of 20 ms G.711 audio through two RtpLegs and a Bridge on loopback; what arrives is compared with what was sent (RFC 3550 §5.1 continuity, ITU-T G.711 transcoding, RFC 3550 §6.4 reports), with one call recorded.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linearToAlaw, linearToUlaw, ulawCodeToAlaw, alawCodeToUlaw } from '../codec/g711.ts';
import { readWav } from '../codec/wav.ts';
import { goertzelPower } from '../rtp/goertzel.ts';
import { RtpPacket, rtpMarker, rtpPayloadOffset, rtpPayloadType, rtpSeq, rtpSsrc, rtpTimestamp } from '../rtp/packet.ts';
import { isRtcpPacket, parseRtcpCompound } from '../rtp/rtcp.ts';
import { Bridge } from './bridge.ts';
import { RealtimeMediaClock } from './clock.ts';
import { RtpLeg } from './leg.ts';
import type { LegMedia } from './leg.ts';
import { PortAllocator } from './ports.ts';
import { StereoRecorder } from './recorder.ts';

type Codec = 'PCMU' | 'PCMA';
const PACKETS = 500; // 10 s of 20 ms frames per direction
const HOST = '127.0.0.1';

/** A peer endpoint: sends a known signal, keeps copies of what it receives. */
interface Endpoint {
  socket: Socket;
  codec: Codec;
  hz: number;
  ssrc: number;
  seq0: number;
  sent: Buffer[];
  rtp: Buffer[];
  rtcp: Buffer[];
}

/** Packet i of an endpoint's stream: a tone plus deterministic noise, so every payload differs. */
function payloadFor(ep: Endpoint, i: number): Uint8Array {
  const out = new Uint8Array(160);
  let lcg = (ep.ssrc ^ (i * 2654435761)) >>> 0;
  for (let k = 0; k < 160; k++) {
    lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0;
    const n = i * 160 + k;
    const s = Math.round(6000 * Math.sin((2 * Math.PI * ep.hz * n) / 8000) + ((lcg >>> 16) % 601) - 300);
    out[k] = ep.codec === 'PCMU' ? linearToUlaw(s) : linearToAlaw(s);
  }
  return out;
}

function legMedia(codec: Codec, port: number): LegMedia {
  const pt = codec === 'PCMU' ? 0 : 8;
  return {
    codec,
    sendPayloadType: pt,
    receivePayloadType: pt,
    telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101 },
    // RTCP is sent to the endpoint's own socket too, so that reports can be checked.
    remote: { address: HOST, port, rtcpAddress: HOST, rtcpPort: port },
    direction: 'sendrecv',
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
const clocks: RealtimeMediaClock[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  // Nothing left open: no UDP socket, no media clock timer.
  await new Promise((r) => setImmediate(r));
  expect(process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap')).toEqual([]);
  expect(clocks.every((c) => !c.running && c.size === 0)).toBe(true);
});

async function endpoint(codec: Codec, hz: number, ssrc: number): Promise<Endpoint> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, HOST, () => r()));
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  const ep: Endpoint = { socket, codec, hz, ssrc, seq0: (ssrc * 7) & 0xffff, sent: [], rtp: [], rtcp: [] };
  socket.on('message', (m) => (isRtcpPacket(m) ? ep.rtcp : ep.rtp).push(Buffer.from(m)));
  return ep;
}

describe('Bridge over real UDP sockets (loopback)', () => {
  it('relays 10 s of 20 ms G.711 both ways without loss, in sequence, byte-exact or correctly transcoded, and records one call', async () => {
    const clock = new RealtimeMediaClock();
    clocks.push(clock);
    cleanups.push(() => clock.close());
    const base = 44000 + 2 * Math.floor(Math.random() * 4000);
    const allocator = new PortAllocator({ min: base, max: base + 39 });
    const dir = await mkdtemp(join(tmpdir(), 'hotline-bridge-sock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    // Call 1: PCMU gateway ⇄ PCMU phone, recorded. Call 2: PCMU gateway ⇄ PCMA phone (transcoded).
    const calls: Array<{ gw: Endpoint; phone: Endpoint; a: RtpLeg; b: RtpLeg; bridge: Bridge }> = [];
    for (const [phoneCodec, k] of [['PCMU', 1], ['PCMA', 2]] as const) {
      const gw = await endpoint('PCMU', 440, 0x1000 + k);
      const phone = await endpoint(phoneCodec, 1000, 0x2000 + k);
      const a = await RtpLeg.open(allocator, { clock, log: () => {} }, { address: HOST });
      const b = await RtpLeg.open(allocator, { clock, log: () => {} }, { address: HOST });
      cleanups.push(() => a.close(), () => b.close());
      a.setMedia(legMedia('PCMU', gw.socket.address().port));
      b.setMedia(legMedia(phoneCodec, phone.socket.address().port));
      calls.push({ gw, phone, a, b, bridge: new Bridge(a, b) });
    }
    const rec = await StereoRecorder.open(join(dir, 'call1.wav'), { clock });
    calls[0].bridge.record(rec, 'a');

    // Paced senders: absolute 20 ms targets, every endpoint one packet per slot.
    const send = (ep: Endpoint, i: number, port: number): void => {
      const pkt = new RtpPacket({
        payloadType: ep.codec === 'PCMU' ? 0 : 8,
        sequenceNumber: (ep.seq0 + i) & 0xffff,
        timestamp: (ep.ssrc * 1000 + i * 160) >>> 0,
        ssrc: ep.ssrc,
        marker: i === 0,
        payload: payloadFor(ep, i),
      }).serialize();
      ep.sent.push(pkt);
      ep.socket.send(pkt, port, HOST);
    };
    const t0 = performance.now();
    for (let i = 0; i < PACKETS; i++) {
      const wait = t0 + i * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      for (const c of calls) {
        send(c.gw, i, c.a.ports.rtp);
        send(c.phone, i, c.b.ports.rtp);
      }
    }
    const deadline = performance.now() + 2000;
    while (calls.some((c) => c.gw.rtp.length < PACKETS || c.phone.rtp.length < PACKETS) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    calls[0].bridge.stopRecording();
    const info = await rec.close();

    for (const { gw, phone, a, b, bridge } of calls) {
      for (const [from, to, outLeg] of [[gw, phone, b], [phone, gw, a]] as const) {
        const got = to.rtp;
        expect(got.length, `${from.codec}→${to.codec} packets`).toBe(PACKETS);
        const seq0 = rtpSeq(got[0]);
        const ts0 = rtpTimestamp(got[0]);
        for (let i = 0; i < PACKETS; i++) {
          const p = got[i];
          expect((rtpSeq(p) - seq0) & 0xffff).toBe(i);
          expect((rtpTimestamp(p) - ts0) >>> 0).toBe(i * 160);
          expect(rtpSsrc(p)).toBe(outLeg.ssrc);
          expect(rtpMarker(p)).toBe(i === 0);
          expect(rtpPayloadType(p)).toBe(to.codec === 'PCMU' ? 0 : 8);
          const sentPayload = from.sent[i].subarray(12);
          const expected = from.codec === to.codec ? sentPayload : sentPayload.map(from.codec === 'PCMU' ? ulawCodeToAlaw : alawCodeToUlaw);
          expect(p.subarray(rtpPayloadOffset(p)).equals(Buffer.from(expected))).toBe(true);
        }
        // At least one SR from the leg reached the endpoint (first report within 3.75 s).
        expect(to.rtcp.length).toBeGreaterThanOrEqual(1);
        expect(parseRtcpCompound(to.rtcp[0])[0].kind).toBe('sr');
      }
      expect(bridge.stats.aToB.forwarded).toBe(PACKETS);
      expect(bridge.stats.bToA.forwarded).toBe(PACKETS);
      for (const leg of [a, b]) {
        expect(leg.quality()).toMatchObject({ packets: PACKETS, lost: 0 });
        expect(leg.counters).toMatchObject({ strangers: 0, malformed: 0, handlerErrors: 0, socketErrors: 0 });
      }
    }
    expect(calls[1].bridge.stats.aToB.transcoded).toBe(PACKETS);

    // The recording: ~10 s, caller's 440 Hz on the left, agent's 1000 Hz on the right.
    expect(info.durationMs).toBeGreaterThan(9000);
    const wav = readWav(await readFile(info.path));
    const left = Int16Array.from({ length: wav.frames }, (_, i) => wav.data[2 * i]);
    const right = Int16Array.from({ length: wav.frames }, (_, i) => wav.data[2 * i + 1]);
    const from = Math.floor(wav.frames / 2);
    const p = (x: Int16Array, hz: number): number => goertzelPower(x, hz, 8000, from, 8000);
    expect(p(left, 440)).toBeGreaterThan(100 * p(left, 1000));
    expect(p(right, 1000)).toBeGreaterThan(100 * p(right, 440));
    expect(calls[0].bridge.stats.aToB.recorded).toBeGreaterThan(PACKETS * 0.95);
  }, 20_000);
});
