// Benchmark: RTP relay cost per packet — a bridged call (two RtpLegs + Bridge, RFC 3550 header rewrite in place) against a bare node:dgram echo relay written here, in the same run, with the load generator in a separate process.
//
// This file is also the load generator: run as a child (`node relay.bench.ts --hotline-rtp-load`) it creates UDP
// endpoints (a gateway or phone each), sends 20 ms-style RTP packets on a schedule with the send time stamped in the
// payload, and measures loss and latency of what comes back. capacity.bench.ts uses it too.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bridge } from '../../engine/media/bridge.ts';
import { RealtimeMediaClock } from '../../engine/media/clock.ts';
import { ManualMediaClock } from '../../engine/media/clock.ts';
import { RtpLeg } from '../../engine/media/leg.ts';
import type { LegMedia, LegSockets, MediaSocket } from '../../engine/media/leg.ts';
import { PortAllocator } from '../../engine/media/ports.ts';
import { RtpPacket } from '../../engine/rtp/packet.ts';
import { FULL_RATE, QUICK_RATE, measureRate, rate, round, summarize } from '../harness.ts';
import type { BenchContext, BenchResult, BenchSuite } from '../harness.ts';

const HOST = '127.0.0.1';
const GENERATOR_FLAG = '--hotline-rtp-load';
const PAYLOAD = 160;
const PACKET = 12 + PAYLOAD;
/** Latency histogram resolution and range. */
const BUCKET_MS = 0.05;
const BUCKETS = 40_000; // 2 s

// ---------------------------------------------------------------------------------------------------------------
// Machine load: this box is shared, so each window also reports how busy the whole machine was.

/** Busy and total CPU jiffies of the whole machine (Linux /proc/stat), or null elsewhere. */
function machineJiffies(): { busy: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Measures the whole machine's CPU use between `start()` and `stop()`, in % of one core. */
export function machineLoad(): { stop(): number } {
  const a = machineJiffies();
  return {
    stop(): number {
      const b = machineJiffies();
      if (a === null || b === null || b.total === a.total) return NaN;
      return ((b.busy - a.busy) / (b.total - a.total)) * 100 * os.cpus().length;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Load generator: parent side

/** What the generator measured over a window. */
export interface LoadReport {
  /** Packets sent in the window. */
  sent: number;
  /** Of those, received back (through the relay) before the drain ended. */
  received: number;
  lossPct: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU of the generator process over the window, % of one core. */
  cpuPct: number;
  /** Worst lateness of a scheduled send, ms (the generator falling behind). */
  maxSendLagMs: number;
  windowMs: number;
}

type Request =
  | { type: 'add'; count: number; payloadType: number }
  | { type: 'connect'; pairs: Array<[id: number, port: number]> }
  | { type: 'start'; ids: number[]; intervalMs: number }
  | { type: 'remove'; ids: number[] }
  | { type: 'begin' }
  | { type: 'end'; drainMs: number };

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/**
 * A load generator in its own process (so it does not share the relay's event loop or its CPU
 * accounting). Endpoints (a gateway or a phone each) send one RTP packet per interval at a random
 * phase to their relay port, from a pool of shared UDP sockets on 127.0.0.1 where the relay's
 * answers come back (symmetric RTP); the send time stamped in each payload gives the latency.
 */
export class RtpLoadGenerator {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #exited: Promise<void>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (m: Reply) => {
      const p = this.#pending.get(m.id);
      if (p === undefined) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      for (const p of this.#pending.values()) p.reject(new Error('load generator exited'));
      this.#pending.clear();
    });
  }

  /** Starts the generator process; its endpoints share `sockets` UDP sockets. */
  static async spawn(options: { sockets?: number } = {}): Promise<RtpLoadGenerator> {
    const child = fork(fileURLToPath(import.meta.url), [GENERATOR_FLAG, `--sockets=${options.sockets ?? 32}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    });
    return new RtpLoadGenerator(child);
  }

  #call<T>(req: Request): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, ...req });
    });
  }

  /** Creates `count` endpoints; returns their ids and local ports. */
  add(count: number, payloadType = 0): Promise<Array<{ id: number; port: number }>> {
    return this.#call({ type: 'add', count, payloadType });
  }

  /** Points endpoint `id` at relay port `port`. */
  connect(pairs: Array<[id: number, port: number]>): Promise<void> {
    return this.#call({ type: 'connect', pairs });
  }

  /** Starts sending from these endpoints every `intervalMs` (one interval for the whole generator). */
  start(ids: number[], intervalMs: number): Promise<void> {
    return this.#call({ type: 'start', ids, intervalMs });
  }

  /** Stops and closes these endpoints. */
  remove(ids: number[]): Promise<void> {
    return this.#call({ type: 'remove', ids });
  }

  /** Opens a measurement window. */
  begin(): Promise<void> {
    return this.#call({ type: 'begin' });
  }

  /** Closes the window, waits `drainMs` for packets in flight, and reports. */
  end(drainMs = 300): Promise<LoadReport> {
    return this.#call({ type: 'end', drainMs });
  }

  /** Ends the process. */
  async close(): Promise<void> {
    if (this.#child.connected) this.#child.disconnect();
    await Promise.race([this.#exited, new Promise((r) => setTimeout(r, 2000))]);
    if (this.#child.exitCode === null) this.#child.kill();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Load generator: child side

interface Endpoint {
  id: number;
  /** Shared with other endpoints. */
  socket: Socket;
  /** Relay port this endpoint sends to. */
  dest: number;
  ring: Buffer[];
  ri: number;
  seq: number;
  ts: number;
  ssrc: number;
  pt: number;
  phase: number;
  active: boolean;
}

function generatorMain(): void {
  const poolArg = process.argv.find((a) => a.startsWith('--sockets='));
  const poolSize = poolArg === undefined ? 32 : Number(poolArg.slice('--sockets='.length));
  const pool: Socket[] = [];
  const endpoints = new Map<number, Endpoint>();
  let nextId = 1;
  let order: Endpoint[] = [];
  let intervalMs = 20;
  let cycleStart = 0;
  let cursor = 0;
  let timer: NodeJS.Timeout | null = null;
  // Window.
  let inWindow = false;
  let ws = 0;
  let we = Infinity;
  let sent = 0;
  let received = 0;
  let maxSendLag = 0;
  let cpu0 = process.cpuUsage();
  const hist = new Uint32Array(BUCKETS + 1);
  let maxLatency = 0;

  const onMessage = (msg: Buffer): void => {
    const now = performance.now();
    if (msg.length < 20 || msg[1] >= 192) return; // RTCP or junk
    const stamp = msg.readDoubleLE(12);
    if (stamp < ws || stamp > we) return;
    const lat = now - stamp;
    received++;
    const b = Math.min(BUCKETS, Math.max(0, Math.floor(lat / BUCKET_MS)));
    hist[b]++;
    if (lat > maxLatency) maxLatency = lat;
  };

  const send = (ep: Endpoint, due: number): void => {
    const buf = ep.ring[ep.ri];
    ep.ri = (ep.ri + 1) & 3;
    buf[1] = ep.pt;
    buf.writeUInt16BE(ep.seq, 2);
    buf.writeUInt32BE(ep.ts, 4);
    const now = performance.now();
    buf.writeDoubleLE(now, 12);
    ep.seq = (ep.seq + 1) & 0xffff;
    ep.ts = (ep.ts + PAYLOAD) >>> 0;
    if (inWindow) {
      sent++;
      if (now - due > maxSendLag) maxSendLag = now - due;
    }
    try {
      ep.socket.send(buf, 0, PACKET, ep.dest, HOST);
    } catch {
      // A socket closed under a pending send: ignore.
    }
  };

  const pump = (): void => {
    timer = null;
    const now = performance.now();
    let guard = 0;
    while (order.length > 0 && guard++ < 200_000) {
      if (cursor >= order.length) {
        cursor = 0;
        cycleStart += intervalMs;
      }
      const ep = order[cursor];
      const due = cycleStart + ep.phase;
      if (due > now) break;
      send(ep, due);
      cursor++;
    }
    // Far behind (a stall): drop the backlog rather than burst it.
    if (now - cycleStart > 10 * intervalMs) {
      cycleStart = now - (now % intervalMs) - intervalMs;
      cursor = 0;
    }
    if (order.length > 0) timer = setTimeout(pump, 1);
  };

  const reorder = (): void => {
    const now = performance.now();
    order = [...endpoints.values()].filter((e) => e.active).sort((a, b) => a.phase - b.phase);
    if (timer === null && order.length > 0) {
      cycleStart = now - (now % intervalMs);
    }
    const offset = now - cycleStart;
    cursor = order.findIndex((e) => e.phase > offset);
    if (cursor < 0) cursor = order.length;
    if (timer === null && order.length > 0) timer = setTimeout(pump, 1);
  };

  const handle = async (req: Request): Promise<unknown> => {
    switch (req.type) {
      case 'add': {
        // Endpoints share a small pool of sockets: each socket then reads many packets per wakeup,
        // which keeps the generator much cheaper per packet than the relay it measures.
        while (pool.length < poolSize) {
          const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
          await new Promise<void>((r) => socket.bind(0, HOST, () => r()));
          socket.on('message', onMessage);
          socket.on('error', () => {});
          pool.push(socket);
        }
        const out: Array<{ id: number; port: number }> = [];
        for (let k = 0; k < req.count; k++) {
          const id = nextId++;
          const socket = pool[id % pool.length];
          const ring = Array.from({ length: 4 }, () => {
            const b = Buffer.alloc(PACKET, 0xff);
            b[0] = 0x80;
            b.writeUInt32BE(0x5000_0000 + id, 8);
            b.writeUInt32BE(id, 20);
            return b;
          });
          endpoints.set(id, { id, socket, dest: 0, ring, ri: 0, seq: (id * 977) & 0xffff, ts: id * 16000, ssrc: 0x5000_0000 + id, pt: req.payloadType, phase: 0, active: false });
          out.push({ id, port: socket.address().port });
        }
        return out;
      }
      case 'connect':
        for (const [id, port] of req.pairs) {
          const ep = endpoints.get(id);
          if (ep === undefined) throw new Error(`no endpoint ${id}`);
          ep.dest = port;
        }
        return null;
      case 'start':
        intervalMs = req.intervalMs;
        for (const id of req.ids) {
          const ep = endpoints.get(id);
          if (ep === undefined) continue;
          ep.phase = Math.random() * intervalMs;
          ep.active = true;
        }
        reorder();
        return null;
      case 'remove':
        for (const id of req.ids) {
          const ep = endpoints.get(id);
          if (ep === undefined) continue;
          endpoints.delete(id);
          ep.active = false;
        }
        reorder();
        return null;
      case 'begin':
        hist.fill(0);
        sent = 0;
        received = 0;
        maxSendLag = 0;
        maxLatency = 0;
        ws = performance.now();
        we = Infinity;
        inWindow = true;
        cpu0 = process.cpuUsage();
        return null;
      case 'end': {
        inWindow = false;
        we = performance.now();
        const cpu = process.cpuUsage(cpu0);
        await new Promise((r) => setTimeout(r, req.drainMs));
        const pct = (q: number): number => {
          const target = Math.ceil(q * received);
          let acc = 0;
          for (let i = 0; i <= BUCKETS; i++) {
            acc += hist[i];
            if (acc >= target && target > 0) return (i + 1) * BUCKET_MS;
          }
          return BUCKETS * BUCKET_MS; // nothing came back: "beyond the histogram" (JSON has no NaN)
        };
        const windowMs = we - ws;
        const report: LoadReport = {
          sent,
          received,
          lossPct: sent === 0 ? 0 : (100 * (sent - Math.min(sent, received))) / sent,
          p50Ms: pct(0.5),
          p90Ms: pct(0.9),
          p99Ms: pct(0.99),
          maxMs: maxLatency,
          cpuPct: ((cpu.user + cpu.system) / 1000 / windowMs) * 100,
          maxSendLagMs: maxSendLag,
          windowMs,
        };
        return report;
      }
      default: {
        const never: never = req;
        throw new Error(`unknown request ${JSON.stringify(never)}`);
      }
    }
  };

  process.on('message', (m: Request & { id: number }) => {
    handle(m).then(
      (value) => process.send?.({ id: m.id, ok: true, value }),
      (err: unknown) => process.send?.({ id: m.id, ok: false, error: String(err) }),
    );
  });
  process.on('disconnect', () => {
    if (timer !== null) clearTimeout(timer);
    for (const socket of pool) socket.close();
    process.exit(0);
  });
  process.send?.({ ready: true });
}

if (process.argv.includes(GENERATOR_FLAG)) generatorMain();

// ---------------------------------------------------------------------------------------------------------------
// Relays under test (in this process)

/** A relay between endpoint pairs: relay port i faces generator endpoint i; pairs (2k, 2k+1) are one call. */
interface Relay {
  ports: number[];
  forwarded(): number;
  close(): Promise<void>;
}

function g711Media(port: number): LegMedia {
  return {
    codec: 'PCMU',
    sendPayloadType: 0,
    receivePayloadType: 0,
    telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101 },
    remote: { address: HOST, port, rtcpAddress: HOST, rtcpPort: port },
    direction: 'sendrecv',
  };
}

/** Ours: per call two RtpLegs on one media clock, bridged. */
export async function bridgedRelay(genPorts: number[], allocator: PortAllocator, clock: RealtimeMediaClock): Promise<Relay & { legs: RtpLeg[]; bridges: Bridge[] }> {
  const legs: RtpLeg[] = [];
  const bridges: Bridge[] = [];
  for (let i = 0; i < genPorts.length; i += 2) {
    const a = await RtpLeg.open(allocator, { clock, log: () => {} }, { address: HOST });
    const b = await RtpLeg.open(allocator, { clock, log: () => {} }, { address: HOST });
    a.setMedia(g711Media(genPorts[i]));
    b.setMedia(g711Media(genPorts[i + 1]));
    legs.push(a, b);
    bridges.push(new Bridge(a, b));
  }
  return {
    ports: legs.map((l) => l.ports.rtp),
    legs,
    bridges,
    forwarded: () => {
      let n = 0;
      for (const b of bridges) n += b.stats.aToB.forwarded + b.stats.bToA.forwarded;
      return n;
    },
    close: async () => {
      await Promise.all(legs.map((l) => l.close()));
    },
  };
}

/** The baseline: per call two plain dgram sockets, each echoing what it receives out of the other to the other endpoint. */
async function bareRelay(genPorts: number[]): Promise<Relay> {
  const sockets: Socket[] = [];
  let forwarded = 0;
  for (let i = 0; i < genPorts.length; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, HOST, () => r()));
    sockets.push(s);
  }
  for (let i = 0; i < sockets.length; i++) {
    const out = sockets[i ^ 1];
    const port = genPorts[i ^ 1];
    sockets[i].on('message', (msg) => {
      out.send(msg, 0, msg.length, port, HOST);
      forwarded++;
    });
  }
  return {
    ports: sockets.map((s) => s.address().port),
    forwarded: () => forwarded,
    close: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The suite

interface RunFigures {
  /** CPU of every process on the machine over the window, % of one core (relay and generator included). */
  machinePct: number;
  /** Relay CPU per forwarded packet, µs. */
  usPerPacket: number;
  /** Forwarded packets per second of wall time. */
  pps: number;
  cpuPct: number;
  load: LoadReport;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runOnce(kind: 'bare' | 'ours', gen: RtpLoadGenerator, calls: number, warmupMs: number, windowMs: number, allocator: PortAllocator, clock: RealtimeMediaClock): Promise<RunFigures> {
  const eps = await gen.add(2 * calls);
  const genPorts = eps.map((e) => e.port);
  const relay = kind === 'bare' ? await bareRelay(genPorts) : await bridgedRelay(genPorts, allocator, clock);
  await gen.connect(eps.map((e, i) => [e.id, relay.ports[i]]));
  await gen.start(
    eps.map((e) => e.id),
    20,
  );
  await sleep(warmupMs);
  await gen.begin();
  const machine = machineLoad();
  const cpu0 = process.cpuUsage();
  const f0 = relay.forwarded();
  const t0 = performance.now();
  await sleep(windowMs);
  const cpu = process.cpuUsage(cpu0);
  const machinePct = machine.stop();
  const f1 = relay.forwarded();
  const t1 = performance.now();
  const load = await gen.end(300);
  await gen.remove(eps.map((e) => e.id));
  await relay.close();
  const cpuUs = cpu.user + cpu.system;
  const n = Math.max(1, f1 - f0);
  return { machinePct, usPerPacket: cpuUs / n, pps: (n * 1000) / (t1 - t0), cpuPct: (cpuUs / 1000 / (t1 - t0)) * 100, load };
}

/** A socket that sends nowhere: isolates the JavaScript cost of the relay path from the system calls. */
class NullSocket extends EventEmitter implements MediaSocket {
  sent = 0;
  send(): void {
    this.sent++;
  }
}

function nullSockets(port: number): LegSockets & { rtp: NullSocket } {
  return { ports: { rtp: port, rtcp: port + 1 }, rtp: new NullSocket(), rtcp: new NullSocket(), close: async () => {} };
}

/**
 * The JavaScript path alone, per packet: 'message' → RtpLeg (latch check, in-place framing, stats)
 * → Bridge → RtpLeg.forward (header rewrite) → send, on sockets that send nowhere. Little affected
 * by machine load (no kernel work); compare with the CPU per packet of the socket runs.
 */
function jsPath(ctx: BenchContext): BenchResult[] {
  const clock = new ManualMediaClock();
  const sa = nullSockets(30000);
  const sb = nullSockets(30002);
  const a = new RtpLeg(sa, { clock, log: () => {} });
  const b = new RtpLeg(sb, { clock, log: () => {} });
  a.setMedia(g711Media(40000));
  b.setMedia(g711Media(40002));
  new Bridge(a, b);
  const pkts = Array.from({ length: 64 }, (_, i) =>
    new RtpPacket({ payloadType: 0, sequenceNumber: i, timestamp: i * 160, ssrc: 5, payload: new Uint8Array(160) }).serialize(),
  );
  const rinfo: RemoteInfo = { address: HOST, port: 40000, family: 'IPv4', size: PACKET };
  const BATCH = 1024;
  let seq = 0;
  const ours = measureRate(
    () => {
      for (let i = 0; i < BATCH; i++, seq++) {
        const p = pkts[seq & 63];
        p[2] = (seq >>> 8) & 0xff;
        p[3] = seq & 0xff;
        sa.rtp.emit('message', p, rinfo);
      }
    },
    BATCH,
    ctx.quick ? QUICK_RATE : FULL_RATE,
  );
  if (sb.rtp.sent === 0) throw new Error('relay JS path forwarded nothing');
  clock.close();
  ctx.log(`  JavaScript path alone: ${(1e9 / ours.median).toFixed(0)} ns/packet`);
  return [rate('relay: JavaScript path alone (sockets that send nowhere), RtpLeg → Bridge → RtpLeg', 'packets/s', ours)];
}

export const suite: BenchSuite = {
  name: 'relay',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const calls = ctx.quick ? 5 : 300;
    const reps = ctx.quick ? 1 : 6;
    const warmupMs = ctx.quick ? 200 : 1500;
    const windowMs = ctx.quick ? 500 : 5000;
    const gen = await RtpLoadGenerator.spawn();
    const clock = new RealtimeMediaClock();
    const allocator = new PortAllocator({ min: 30000, max: 39999, quarantineMs: 500 });
    const bare: RunFigures[] = [];
    const ours: RunFigures[] = [];
    try {
      ctx.log(`  ${calls} calls × 2 directions × 50 packets/s = ${calls * 100} packets/s offered, generator in a child process`);
      for (let r = 0; r < reps; r++) {
        // Alternate so that a change of machine load hits both sides alike.
        for (const kind of r % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) {
          const f = await runOnce(kind, gen, calls, warmupMs, windowMs, allocator, clock);
          (kind === 'bare' ? bare : ours).push(f);
          ctx.log(
            `  ${kind.padEnd(4)} rep ${r + 1}: ${f.usPerPacket.toFixed(2)} µs/packet, ${Math.round(f.pps)} packets/s, relay CPU ${f.cpuPct.toFixed(0)} %, ` +
              `loss ${f.load.lossPct.toFixed(3)} %, p50 ${f.load.p50Ms.toFixed(2)} ms, p99 ${f.load.p99Ms.toFixed(2)} ms, generator CPU ${f.load.cpuPct.toFixed(0)} %, ` +
              `other processes ${Math.max(0, f.machinePct - f.cpuPct - f.load.cpuPct).toFixed(0)} %`,
          );
        }
      }
    } finally {
      await gen.close();
      clock.close();
    }
    const med = (xs: RunFigures[], f: (x: RunFigures) => number) => summarize(xs.map(f));
    // Ratio of each rep's pair (run back to back), then the median: slow changes of machine load cancel out.
    const pairRatio = summarize(ours.map((o, i) => o.usPerPacket / bare[i].usPerPacket));
    const oursUs = med(ours, (x) => x.usPerPacket);
    const bareUs = med(bare, (x) => x.usPerPacket);
    const oursPps = med(ours, (x) => x.pps);
    const barePps = med(bare, (x) => x.pps);
    const oursP99 = med(ours, (x) => x.load.p99Ms);
    const bareP99 = med(bare, (x) => x.load.p99Ms);
    return [
      {
        name: 'relay: CPU per forwarded packet, bridged call vs bare dgram relay',
        unit: 'µs/packet',
        value: round(oursUs.median, 2),
        higherIsBetter: false,
        spread: round(oursUs.spread, 3),
        baseline: { name: 'bare node:dgram relay', value: round(bareUs.median, 2) },
        ratio: round(pairRatio.median, 2),
      },
      {
        name: 'relay: packets/s one core could forward (1 / CPU per packet)',
        unit: 'packets/s',
        value: round(1e6 / oursUs.median),
        higherIsBetter: true,
        baseline: { name: 'bare node:dgram relay', value: round(1e6 / bareUs.median) },
        ratio: round(bareUs.median / oursUs.median, 2),
      },
      {
        name: `relay: packets/s forwarded at ${calls * 100} offered`,
        unit: 'packets/s',
        value: round(oursPps.median),
        higherIsBetter: true,
        spread: round(oursPps.spread, 3),
        baseline: { name: 'bare node:dgram relay', value: round(barePps.median) },
        ratio: round(oursPps.median / barePps.median, 2),
      },
      {
        name: `relay: p99 latency through the relay at ${calls * 100} packets/s`,
        unit: 'ms',
        value: round(oursP99.median, 2),
        higherIsBetter: false,
        baseline: { name: 'bare node:dgram relay', value: round(bareP99.median, 2) },
        ratio: round(oursP99.median / bareP99.median, 2),
      },
      ...jsPath(ctx),
    ];
  },
};
