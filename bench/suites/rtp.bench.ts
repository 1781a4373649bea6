// Benchmark: RTP header handling in place vs allocating parse/serialize, RTCP compound round trips, the jitter buffer's push+pop, and Goertzel DTMF detection (RFC 3550, RFC 4733).
import {
  DtmfDetector,
  JitterBuffer,
  RtcpReceiverReport,
  RtcpSdes,

  SDES_CNAME,
  dbm0ToAmplitude,
  isRtpPacket,
  parseRtcpCompound,
  parseRtp,
  rtpPayloadOffset,
  rtpPayloadType,
  rtpSeq,
  rtpSsrc,
  rtpTimestamp,
  serializeRtcpCompound,
  serializeRtcpCompoundInto,
  setRtpPayloadType,
  setRtpSeq,
  setRtpSsrc,
  setRtpTimestamp,
  writeRtpHeader,
} from '../../engine/rtp/index.ts';
import { FULL_RATE, QUICK_RATE, compared, measureRate, rate } from '../harness.ts';
import type { BenchContext, BenchResult, BenchSuite } from '../harness.ts';

/** A G.711 packet: 12-octet header + 160 octets (20 ms). */
const PACKET = 172;
/** Packets per measured call. */
const BATCH = 1000;

/** Keeps results observable so the JIT cannot drop the work. */
let sink = 0;

function g711Packet(): Buffer {
  const buf = Buffer.alloc(PACKET);
  writeRtpHeader(buf, 0, 0, 1000, 160_000, 0x11223344, false);
  for (let i = 12; i < PACKET; i++) buf[i] = (i * 37) & 0xff;
  return buf;
}

/** Bridge-style rewrite: validate, read the four fields, write the outgoing leg's values back. */
function benchInPlace(): () => void {
  const buf = g711Packet();
  let seq = 0;
  let ts = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) {
      if (!isRtpPacket(buf, PACKET) || rtpPayloadOffset(buf, PACKET) < 0) continue;
      sink += rtpSeq(buf) + rtpTimestamp(buf) + rtpSsrc(buf) + rtpPayloadType(buf);
      seq = (seq + 1) & 0xffff;
      ts = (ts + 160) >>> 0;
      setRtpSeq(buf, seq);
      setRtpTimestamp(buf, ts);
      setRtpSsrc(buf, 0x55667788);
      setRtpPayloadType(buf, 8);
    }
  };
}

/** The same rewrite through objects: parse to an RtpPacket, change fields, serialize to a new Buffer. */
function benchAllocating(): () => void {
  let buf: Buffer = g711Packet();
  let seq = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const p = parseRtp(buf, 0, PACKET);
      sink += p.sequenceNumber + p.timestamp + p.ssrc + p.payloadType;
      seq = (seq + 1) & 0xffff;
      p.sequenceNumber = seq;
      p.timestamp = (p.timestamp + 160) >>> 0;
      p.ssrc = 0x55667788;
      p.payloadType = 8;
      buf = p.serialize();
    }
  };
}

/** parse() to an object, then serializeInto a reused buffer: the object costs, the output buffer does not. */
function benchParseSerializeInto(): () => void {
  const src = g711Packet();
  const dst = Buffer.alloc(PACKET);
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const p = parseRtp(src, 0, PACKET);
      p.sequenceNumber = (p.sequenceNumber + 1) & 0xffff;
      sink += p.serializeInto(dst, 0);
    }
  };
}

function benchRtcp(reuse: boolean): () => void {
  const rr = new RtcpReceiverReport({
    ssrc: 1,
    reports: [{ ssrc: 2, fractionLost: 3, cumulativeLost: 4, highestSeq: 5, jitter: 6, lastSr: 7, delaySinceLastSr: 8 }],
  });
  const sdes = new RtcpSdes([{ ssrc: 1, items: [{ type: SDES_CNAME, text: 'leg-1@hotline' }] }]);
  const bytes = serializeRtcpCompound([rr, sdes]);
  const out = Buffer.alloc(bytes.length);
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const ps = parseRtcpCompound(bytes);
      sink += reuse ? serializeRtcpCompoundInto(ps, out, 0) : serializeRtcpCompound(ps).length;
    }
  };
}

/** One push + one pop per packet; `reorder` swaps every other pair of packets. */
function benchJitter(reorder: boolean): () => void {
  const jb = new JitterBuffer();
  const pkts = Array.from({ length: 2 }, () => g711Packet());
  let seq = 0;
  let now = 0;
  return () => {
    for (let i = 0; i < BATCH; i += 2) {
      const a = pkts[0];
      const b = pkts[1];
      writeRtpHeader(a, 0, 0, seq & 0xffff, (seq * 160) >>> 0, 1, false);
      writeRtpHeader(b, 0, 0, (seq + 1) & 0xffff, ((seq + 1) * 160) >>> 0, 1, false);
      seq += 2;
      if (reorder) {
        jb.push(b, PACKET, now);
        jb.push(a, PACKET, now + 1);
      } else {
        jb.push(a, PACKET, now);
        jb.push(b, PACKET, now + 20);
      }
      sink += jb.pop(now + 5).length + jb.pop(now + 25).length;
      now += 40;
    }
  };
}

/** 20 s of 8 kHz audio: speech-like sound with a DTMF digit every second. */
function detectorSignal(): Int16Array[] {
  const frames: Int16Array[] = [];
  const a = dbm0ToAmplitude(-12);
  let seed = 7;
  for (let f = 0; f < 1000; f++) {
    const frame = new Int16Array(160);
    const inTone = f % 50 < 5;
    for (let i = 0; i < 160; i++) {
      const n = f * 160 + i;
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      const noise = (seed / 2 ** 32 - 0.5) * 400;
      const x = inTone
        ? a * (Math.sin((2 * Math.PI * 770 * n) / 8000) + Math.sin((2 * Math.PI * 1336 * n) / 8000))
        : 6000 * Math.sin((2 * Math.PI * 180 * n) / 8000) + 3000 * Math.sin((2 * Math.PI * 900 * n) / 8000);
      frame[i] = Math.round(x + noise);
    }
    frames.push(frame);
  }
  return frames;
}

function benchDetector(harmonicCheck: boolean): { fn: () => void; samples: number } {
  const frames = detectorSignal();
  const det = new DtmfDetector(() => sink++, { harmonicCheck });
  return {
    fn: () => {
      for (const f of frames) det.process(f);
    },
    samples: frames.length * 160,
  };
}

export const suite: BenchSuite = {
  name: 'rtp',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const opts = ctx.quick ? QUICK_RATE : FULL_RATE;
    const results: BenchResult[] = [];

    const inPlace = measureRate(benchInPlace(), BATCH, opts);
    const alloc = measureRate(benchAllocating(), BATCH, opts);
    const into = measureRate(benchParseSerializeInto(), BATCH, opts);
    results.push(compared('rtp header rewrite in place (172 B, seq/ts/ssrc/pt)', 'packets/s', inPlace, 'parseRtp + serialize()', alloc));
    results.push(compared('rtp parseRtp + serializeInto (reused buffer)', 'packets/s', into, 'parseRtp + serialize()', alloc));

    const rtcpInto = measureRate(benchRtcp(true), BATCH, opts);
    const rtcpAlloc = measureRate(benchRtcp(false), BATCH, opts);
    results.push(compared('rtcp RR+SDES parse + serializeInto', 'packets/s', rtcpInto, 'parse + serialize()', rtcpAlloc));

    const jitter = measureRate(benchJitter(false), BATCH, opts);
    const jitterReorder = measureRate(benchJitter(true), BATCH, opts);
    results.push(rate('jitter buffer push+pop (in order)', 'packets/s', jitter));
    results.push(rate('jitter buffer push+pop (pairs reordered)', 'packets/s', jitterReorder));

    const det = benchDetector(false);
    const detH = benchDetector(true);
    const goertzel = measureRate(det.fn, det.samples, opts);
    const goertzelH = measureRate(detH.fn, detH.samples, opts);
    results.push(rate('goertzel DTMF detection (8 filters)', 'samples/s', goertzel));
    results.push(rate('goertzel DTMF detection (+ harmonic check, 16 filters)', 'samples/s', goertzelH));
    const realtime = goertzel.median / 8000;
    ctx.log(`  goertzel: ${Math.round(realtime)} concurrent 8 kHz streams per core`);
    if (sink === 0.5) ctx.log('unreachable');

    return results;
  },
};
