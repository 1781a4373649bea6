// Benchmark: SIP message parse + serialize (RFC 3261 §7) — ours against the `sip` npm package 0.0.6, in the same run.
import { createRequire } from 'node:module';
import { parseMessage, type SipMessage } from '../../engine/sip/message/index.ts';
import { FULL_RATE, QUICK_RATE, measureRate, round, summarize } from '../harness.ts';
import type { BenchResult, BenchSuite, Rate, RateOptions } from '../harness.ts';

/** The parts of the `sip` package (CommonJS) we compare with: `parse(Buffer|string)` and `stringify(msg)`. */
interface SipPackage {
  parse(data: Buffer | string): { headers: Record<string, unknown> } | undefined;
  stringify(msg: { headers: Record<string, unknown> }): string;
}

const sipPkg = createRequire(import.meta.url)('sip') as SipPackage;

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

const SDP = [
  'v=0',
  'o=- 1700000000 1700000000 IN IP4 198.51.100.10',
  's=-',
  'c=IN IP4 198.51.100.10',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

/** A gateway's INVITE with SDP, as it arrives at the engine. */
const INVITE = crlf([
  'INVITE sip:02188886666@acme.example.com SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-524287-1---a1b2c3d4e5f6;rport',
  'Max-Forwards: 70',
  'Contact: <sip:13800138000@198.51.100.10:5060;transport=udp>',
  'To: <sip:02188886666@acme.example.com>',
  'From: "13800138000" <sip:13800138000@acme.example.com>;tag=8f2a6c1d',
  'Call-ID: 7c9e2f0a4b6d8e1f3a5c7e9b@198.51.100.10',
  'CSeq: 1 INVITE',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY',
  'Content-Type: application/sdp',
  'Supported: replaces, timer',
  'User-Agent: Gateway-FXO/2.1',
  `Content-Length: ${Buffer.byteLength(SDP)}`,
  '',
  SDP,
]);

/** An agent phone's REGISTER answering a digest challenge. */
const REGISTER = crlf([
  'REGISTER sip:acme.example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.44:5062;branch=z9hG4bK.Qw3rTy7uIo;rport',
  'Max-Forwards: 70',
  'From: <sip:1001@acme.example.com>;tag=Zx8Cv7Bn',
  'To: <sip:1001@acme.example.com>',
  'Call-ID: 4kd93jf8s7d6f5g4h3j2k1l0@192.0.2.44',
  'CSeq: 21 REGISTER',
  'Contact: <sip:1001@192.0.2.44:5062;transport=udp>;expires=3600;+sip.instance="<urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0>"',
  'Authorization: Digest username="1001", realm="acme.example.com", nonce="MTcwMDAwMDAwMDAwMDo2ZjNhOWIxYzJkNGU1Zjc4", uri="sip:acme.example.com", response="9a8b7c6d5e4f30211203f4e5d6c7b8a9", algorithm=MD5, cnonce="a1b2c3d4", qop=auth, nc=00000001',
  'Expires: 3600',
  'Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE',
  'User-Agent: Softphone/5.4.2',
  'Content-Length: 0',
  '',
  '',
]);

const BATCH = 256;

/** Ours: parse from bytes, touch what a server reads (Via list, From, To, Call-ID, CSeq), serialize to bytes. */
function oursParseSerialize(bytes: Buffer): () => void {
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const m: SipMessage = parseMessage(bytes);
      touch(m);
      m.serialize();
    }
  };
}

function oursParse(bytes: Buffer): () => void {
  return () => {
    for (let i = 0; i < BATCH; i++) touch(parseMessage(bytes));
  };
}

let sink = 0;
function touch(m: SipMessage): void {
  sink += m.via()[0].branch?.length ?? 0;
  sink += m.from().tag?.length ?? 0;
  sink += m.to().tag?.length ?? 0;
  sink += m.callId.length;
  sink += m.cseq().seq;
}

/** Baseline: `sip` parses every header eagerly from the same bytes; stringify back and encode to bytes. */
function baselineParseSerialize(bytes: Buffer): () => void {
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const m = sipPkg.parse(bytes);
      if (!m) throw new Error('sip package failed to parse the benchmark message');
      sink += Object.keys(m.headers).length;
      Buffer.from(sipPkg.stringify(m), 'binary');
    }
  };
}

function baselineParse(bytes: Buffer): () => void {
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const m = sipPkg.parse(bytes);
      if (!m) throw new Error('sip package failed to parse the benchmark message');
      sink += Object.keys(m.headers).length;
    }
  };
}

/**
 * Measures ours and the baseline in alternating repetitions so that load from other processes (this machine
 * is shared) falls on both alike. Values are the medians of each side; the ratio is the median of the
 * per-repetition ratios (each pair measured back to back), which is robust to load drifting during the run.
 */
function comparedPair(name: string, ours: () => void, base: () => void, baseName: string, opts: Readonly<RateOptions>): BenchResult {
  const one: RateOptions = { ...opts, repetitions: 1 };
  const so: number[] = [];
  const sb: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < Math.max(opts.repetitions, 3); r++) {
    const w = r === 0 ? one : { ...one, warmupMs: 5 };
    const o = measureRate(ours, BATCH, w).median;
    const b = measureRate(base, BATCH, w).median;
    so.push(o);
    sb.push(b);
    ratios.push(o / b);
  }
  const o: Rate = summarize(so);
  return {
    name,
    unit: 'msg/s',
    value: round(o.median),
    higherIsBetter: true,
    spread: round(o.spread, 3),
    baseline: { name: baseName, value: round(summarize(sb).median) },
    ratio: round(summarize(ratios).median, 2),
  };
}

export const suite: BenchSuite = {
  name: 'sip-message',
  async run(ctx) {
    const opts = ctx.quick ? QUICK_RATE : FULL_RATE;
    const results: BenchResult[] = [];
    for (const [label, bytes] of [
      ['INVITE+SDP', INVITE],
      ['REGISTER+Authorization', REGISTER],
    ] as const) {
      results.push(
        comparedPair(`sip parse+serialize ${label} (${bytes.length} B)`, oursParseSerialize(bytes), baselineParseSerialize(bytes), 'sip@0.0.6', opts),
      );
      results.push(comparedPair(`sip parse+read Via/From/To/Call-ID/CSeq ${label}`, oursParse(bytes), baselineParse(bytes), 'sip@0.0.6 parse', opts));
    }
    if (sink === -1) ctx.log('unreachable');
    return results;
  },
};
