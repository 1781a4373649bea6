// Checks that the per-packet media paths allocate nothing (DESIGN §4): a million packets through receive → bridge → forward, with and without transcoding, and a million played frames, without a single young-generation GC — with realistic values (32-bit timestamps and SSRCs above 2^31, fractional clock times), which V8 would box if they crossed a call as doubles.
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import { PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { RtpPacket } from '../rtp/packet.ts';
import { Bridge } from './bridge.ts';
import type { MediaClock } from './clock.ts';
import { RtpLeg } from './leg.ts';
import type { LegMedia, LegSockets, MediaSocket } from './leg.ts';

/** A socket that sends nowhere and keeps nothing. */
class NullSocket extends EventEmitter implements MediaSocket {
  sent = 0;
  send(): void {
    this.sent++;
  }
}

function sockets(port: number): LegSockets & { rtp: NullSocket } {
  return { ports: { rtp: port, rtcp: port + 1 }, rtp: new NullSocket(), rtcp: new NullSocket(), close: async () => {} };
}

function media(codec: 'PCMU' | 'PCMA', port: number): LegMedia {
  const pt = codec === 'PCMU' ? 0 : 8;
  return {
    codec,
    sendPayloadType: pt,
    receivePayloadType: pt,
    telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101 },
    remote: { address: '127.0.0.1', port, rtcpAddress: '127.0.0.1', rtcpPort: port + 1 },
    direction: 'sendrecv',
  };
}

/** A clock whose time is fractional, like performance.now() (the time lives in a field: a double in a closure variable would itself be boxed on every update). */
class FractionalClock implements MediaClock {
  readonly intervalMs = 20;
  readonly nextTickIndex = 0;
  readonly size = 0;
  t = 1_234_567.891;
  now(): number {
    this.t += 0.0173;
    return this.t;
  }
  add(): void {}
  remove(): void {}
  close(): void {}
}

/** Young-generation collections (scavenges) that start while `fn` runs (not those of the test runner around it). */
async function scavengesDuring(fn: () => void): Promise<number> {
  const starts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) starts.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  fn();
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return starts.filter((t) => t >= t0 && t <= t1).length;
}

const N = 1_000_000;
const WARMUP = 400_000;
const MAX_WINDOWS = 8;

/**
 * Warms up, then counts scavenges over windows of N packets until one window is clean, at most
 * MAX_WINDOWS (and 20 s). A steady allocation shows in every window; code still waiting for the
 * optimizing compiler (which boxes doubles, and lags on a busy machine, e.g. CI running many test files
 * at once) only spoils the first windows.
 */
async function measure(run: (count: number, base: number) => void): Promise<{ runs: number; scavenges: number }> {
  run(WARMUP, 0);
  let runs = WARMUP;
  let scavenges = -1;
  const deadline = performance.now() + 20_000;
  for (let k = 0; k < MAX_WINDOWS && scavenges !== 0 && (k === 0 || performance.now() < deadline); k++) {
    const base = runs;
    scavenges = await scavengesDuring(() => run(N, base));
    runs += N;
  }
  return { runs, scavenges };
}

describe('allocation-free per-packet paths (DESIGN §4)', () => {
  for (const [from, to] of [
    ['PCMU', 'PCMU'],
    ['PCMU', 'PCMA'],
  ] as const) {
    it(`receive → bridge → forward ${from}→${to}: a million packets, no scavenge`, async () => {
      const clock = new FractionalClock();
      const sa = sockets(30000);
      const sb = sockets(30002);
      const a = new RtpLeg(sa, { clock, log: () => {} });
      const b = new RtpLeg(sb, { clock, log: () => {} });
      a.setMedia(media(from, 40000));
      b.setMedia(media(to, 40002));
      const bridge = new Bridge(a, b);
      const pkt = new RtpPacket({ payloadType: from === 'PCMU' ? 0 : 8, sequenceNumber: 0, timestamp: 0, ssrc: 0x9abcdef0, payload: new Uint8Array(160).fill(0x55) }).serialize();
      const rinfo: RemoteInfo = { address: '127.0.0.1', port: 40000, family: 'IPv4', size: pkt.length };
      const onMessage = sa.rtp.listeners('message')[0] as (msg: Buffer, r: RemoteInfo) => void;
      const run = (count: number, base: number): void => {
        for (let i = 0; i < count; i++) {
          const seq = base + i;
          pkt[2] = (seq >>> 8) & 0xff;
          pkt[3] = seq & 0xff;
          const ts = (0xf000_0000 + seq * 160) >>> 0;
          pkt[4] = ts >>> 24;
          pkt[5] = (ts >>> 16) & 0xff;
          pkt[6] = (ts >>> 8) & 0xff;
          pkt[7] = ts & 0xff;
          pkt[1] = from === 'PCMU' ? 0 : 8; // the bridge rewrote it in place
          pkt[8] = 0x9a; // and the SSRC
          pkt[9] = 0xbc;
          pkt[10] = 0xde;
          pkt[11] = 0xf0;
          onMessage(pkt, rinfo);
        }
      };
      const { runs, scavenges } = await measure(run);
      expect(bridge.stats.aToB.forwarded).toBe(runs);
      expect(sb.rtp.sent).toBe(runs);
      expect(scavenges).toBe(0);
    }, 45_000);
  }

  it('a leg sending a million locally generated frames: no scavenge', async () => {
    const clock = new FractionalClock();
    const s = sockets(30000);
    const leg = new RtpLeg(s, { clock, log: () => {} });
    leg.setMedia(media('PCMU', 40000));
    const frame = new Uint8Array(160).fill(0x7f);
    const source = {};
    const run = (count: number): void => {
      for (let i = 0; i < count; i++) leg.sendAudio(source, false, frame, 0, 160);
    };
    const { runs, scavenges } = await measure(run);
    expect(s.rtp.sent).toBe(runs);
    expect(scavenges).toBe(0);
  }, 45_000);
});
