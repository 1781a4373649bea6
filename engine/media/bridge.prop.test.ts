// Properties of bridge forwarding: one outgoing stream whatever comes in — gaps and timestamps of each incoming source kept, numbering continuous across source changes, marker on each change, payload identical or table-transcoded (RFC 3550 §5.1, §7.1; ITU-T G.711).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alawCodeToUlaw, ulawCodeToAlaw } from '../codec/g711.ts';
import { RtpPacket, rtpMarker, rtpPayloadOffset, rtpPayloadType, rtpSeq, rtpSsrc, rtpTimestamp } from '../rtp/packet.ts';
import { Bridge } from './bridge.ts';
import { ManualMediaClock } from './clock.ts';
import { RtpLeg } from './leg.ts';
import type { LegMedia } from './leg.ts';
import { fakeLegSockets } from './testing.ts';

type Codec = 'PCMU' | 'PCMA';

function media(codec: Codec, address: string): LegMedia {
  const pt = codec === 'PCMU' ? 0 : 8;
  return {
    codec,
    sendPayloadType: pt,
    receivePayloadType: pt,
    telephoneEvent: null,
    remote: { address, port: 40000, rtcpAddress: address, rtcpPort: 40001 },
    direction: 'sendrecv',
  };
}

/** An incoming stream: talkspurts from successive sources, each a run of in-order packets with gaps (loss upstream). */
const streamArb = fc.array(
  fc.record({
    ssrc: fc.integer({ min: 0, max: 0xffff_ffff }),
    seq0: fc.integer({ min: 0, max: 0xffff }),
    ts0: fc.integer({ min: 0, max: 0xffff_ffff }),
    gaps: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
  }),
  { minLength: 1, maxLength: 5 },
);

describe('Bridge forwarding properties', () => {
  it('keeps each source’s gaps and timestamps, numbers continuously across sources, marks each change, maps payloads', () => {
    fc.assert(
      fc.property(fc.constantFrom<Codec>('PCMU', 'PCMA'), fc.constantFrom<Codec>('PCMU', 'PCMA'), streamArb, fc.uint8Array({ minLength: 160, maxLength: 160 }), (inCodec, outCodec, spurts, payload) => {
        const clock = new ManualMediaClock();
        const sa = fakeLegSockets(30000);
        const sb = fakeLegSockets(30002);
        const a = new RtpLeg(sa, { clock, log: () => {} });
        const b = new RtpLeg(sb, { clock, log: () => {} });
        a.setMedia(media(inCodec, '203.0.113.5'));
        b.setMedia(media(outCodec, '198.51.100.9'));
        new Bridge(a, b);
        const sent: Array<{ spurt: number; seq: number; ts: number }> = [];
        spurts.forEach((sp, k) => {
          // A new source must really be new to the bridge: skip a repeated SSRC in the generated list.
          if (k > 0 && spurts[k - 1].ssrc === sp.ssrc) return;
          let seq = sp.seq0;
          let ts = sp.ts0;
          for (const gap of sp.gaps) {
            const pkt = new RtpPacket({ payloadType: inCodec === 'PCMU' ? 0 : 8, sequenceNumber: seq, timestamp: ts, ssrc: sp.ssrc, payload }).serialize();
            sa.rtp.deliver(pkt, '203.0.113.5', 41000);
            sent.push({ spurt: k, seq, ts });
            seq = (seq + gap) & 0xffff;
            ts = (ts + gap * 160) >>> 0;
          }
          clock.advance(3);
        });
        const out = sb.rtp.take().map((d) => d.data);
        expect(out).toHaveLength(sent.length);
        const table = inCodec === outCodec ? null : inCodec === 'PCMU' ? ulawCodeToAlaw : alawCodeToUlaw;
        const want = Buffer.from(table === null ? payload : payload.map(table));
        for (let i = 0; i < out.length; i++) {
          const p = out[i];
          expect(rtpSsrc(p)).toBe(b.ssrc);
          expect(rtpPayloadType(p)).toBe(outCodec === 'PCMU' ? 0 : 8);
          expect(p.subarray(rtpPayloadOffset(p)).equals(want)).toBe(true);
          const newSource = i === 0 || sent[i].spurt !== sent[i - 1].spurt;
          expect(rtpMarker(p)).toBe(newSource);
          if (i === 0) continue;
          const dSeq = (rtpSeq(p) - rtpSeq(out[i - 1])) & 0xffff;
          const dTs = (rtpTimestamp(p) - rtpTimestamp(out[i - 1])) >>> 0;
          if (newSource) {
            expect(dSeq).toBe(1); // continuous numbering across the change
            expect(dTs).toBeGreaterThanOrEqual(160); // the timestamp moves on by at least one frame
          } else {
            expect(dSeq).toBe((sent[i].seq - sent[i - 1].seq) & 0xffff); // the source's gap is kept
            expect(dTs).toBe((sent[i].ts - sent[i - 1].ts) >>> 0);
          }
        }
        void a.close();
        void b.close();
      }),
      { numRuns: 200 },
    );
  });
});
