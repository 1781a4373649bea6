// Properties of answers to random offers (RFC 3264 §6, §6.1): m-line count, rejection, codec, direction.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SdpError } from './errors.ts';
import type { Direction } from './model.ts';
import { DIRECTIONS } from './model.ts';
import type { Codec } from './offer-answer.ts';
import { createAnswer, createOffer, negotiated } from './offer-answer.ts';
import { parseSdp } from './parse.ts';
import { writeSdp } from './write.ts';

/** A format an offer may list: name, rate, channels, static PT or null for a dynamic one. */
interface CatalogEntry {
  name: string;
  rate: number;
  channels: number;
  pt: number | null;
  fmtp?: string;
}
const CATALOG: CatalogEntry[] = [
  { name: 'PCMU', rate: 8000, channels: 1, pt: 0 },
  { name: 'PCMA', rate: 8000, channels: 1, pt: 8 },
  { name: 'G729', rate: 8000, channels: 1, pt: 18 },
  { name: 'G722', rate: 8000, channels: 1, pt: 9 },
  { name: 'opus', rate: 48000, channels: 2, pt: null },
  { name: 'PCMU', rate: 16000, channels: 1, pt: null },
  { name: 'pcma', rate: 8000, channels: 1, pt: null },
  { name: 'telephone-event', rate: 8000, channels: 1, pt: null, fmtp: '0-15' },
  { name: 'telephone-event', rate: 48000, channels: 1, pt: null, fmtp: '0-16' },
  { name: 'H264', rate: 90000, channels: 1, pt: null },
];

interface OfferedStream {
  type: 'audio' | 'video' | 'image';
  port: number;
  protocol: string;
  formats: Array<{ entry: CatalogEntry; pt: number }>;
  direction: Direction | null;
  nullAddress: boolean;
}

const streamArb: fc.Arbitrary<OfferedStream> = fc
  .record({
    type: fc.constantFrom('audio', 'audio', 'audio', 'video', 'image'),
    port: fc.oneof(fc.constant(0), fc.integer({ min: 1024, max: 65534 })),
    protocol: fc.constantFrom('RTP/AVP', 'RTP/AVP', 'RTP/AVPF', 'RTP/SAVP'),
    picks: fc.uniqueArray(fc.integer({ min: 0, max: CATALOG.length - 1 }), { minLength: 1, maxLength: 6 }),
    direction: fc.option(fc.constantFrom(...DIRECTIONS), { nil: null }),
    nullAddress: fc.boolean(),
  })
  .map((s) => {
    let dyn = 96;
    const formats = s.picks.map((i) => ({ entry: CATALOG[i], pt: CATALOG[i].pt ?? dyn++ }));
    return s.type === 'image'
      ? { type: s.type, port: s.port, protocol: 'udptl', formats: [], direction: s.direction, nullAddress: s.nullAddress }
      : { type: s.type, port: s.port, protocol: s.protocol, formats, direction: s.direction, nullAddress: s.nullAddress };
  });

const offerArb = fc.record({
  streams: fc.array(streamArb, { minLength: 1, maxLength: 4 }),
  sessionDirection: fc.option(fc.constantFrom(...DIRECTIONS), { nil: null }),
});

function offerText(o: { streams: OfferedStream[]; sessionDirection: Direction | null }): string {
  const lines = ['v=0', 'o=- 99 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];
  if (o.sessionDirection) lines.push(`a=${o.sessionDirection}`);
  for (const s of o.streams) {
    const fmts = s.protocol === 'udptl' ? ['t38'] : s.formats.map((f) => String(f.pt));
    lines.push(`m=${s.type} ${s.port} ${s.protocol} ${fmts.join(' ')}`);
    if (s.nullAddress) lines.push('c=IN IP4 0.0.0.0');
    for (const f of s.formats) {
      lines.push(`a=rtpmap:${f.pt} ${f.entry.name}/${f.entry.rate}${f.entry.channels > 1 ? `/${f.entry.channels}` : ''}`);
      if (f.entry.fmtp) lines.push(`a=fmtp:${f.pt} ${f.entry.fmtp}`);
    }
    if (s.direction) lines.push(`a=${s.direction}`);
  }
  return lines.join('\r\n') + '\r\n';
}

const supportedArb = fc.constantFrom<Codec[]>(['PCMU', 'PCMA'], ['PCMA', 'PCMU'], ['PCMU'], ['PCMA']);
const sendsDir = (d: Direction): boolean => d === 'sendrecv' || d === 'sendonly';
const recvsDir = (d: Direction): boolean => d === 'sendrecv' || d === 'recvonly';

/** The first offered payload we support, computed from the generator's own record. */
function expectedCodec(s: OfferedStream, supported: Codec[]): { entry: CatalogEntry; pt: number } | undefined {
  return s.formats.find((f) => f.entry.rate === 8000 && f.entry.channels === 1 && (supported as string[]).includes(f.entry.name.toUpperCase()));
}

describe('createAnswer on random offers (RFC 3264 §6)', () => {
  it('keeps the m-lines, accepts exactly the first usable audio stream, picks an offered and supported codec, follows §6.1 directions', () => {
    fc.assert(
      fc.property(offerArb, supportedArb, fc.constantFrom(...DIRECTIONS), fc.boolean(), (o, supported, wanted, events) => {
        const offer = parseSdp(offerText(o));
        const usable = o.streams.map(
          (s) => s.type === 'audio' && s.port !== 0 && s.protocol.startsWith('RTP/AVP') && expectedCodec(s, supported) !== undefined,
        );
        const accepted = usable.indexOf(true);
        const opts = { address: '203.0.113.10', port: 20000, codecs: supported, direction: wanted, telephoneEvent: events };
        if (accepted < 0) {
          expect(() => createAnswer(offer, opts)).toThrow(SdpError);
          try {
            createAnswer(offer, opts);
          } catch (err) {
            expect((err as SdpError).code).toBe('no-common-codec');
            expect((err as SdpError).status).toBe(488);
          }
          return;
        }
        const answer = parseSdp(writeSdp(createAnswer(offer, opts)));
        // Same number of m-lines, same order, same media types and protocols.
        expect(answer.media.map((m) => [m.type, m.protocol])).toEqual(offer.media.map((m) => [m.type, m.protocol]));
        // Port 0 exactly for the rejected ones; every m-line still lists a format.
        expect(answer.media.map((m) => m.port)).toEqual(o.streams.map((_, i) => (i === accepted ? 20000 : 0)));
        for (const m of answer.media) expect(m.formats.length).toBeGreaterThan(0);

        const stream = o.streams[accepted];
        const am = answer.media[accepted];
        const want = expectedCodec(stream, supported);
        // The codec: first offered that we support, with the offerer's payload type.
        expect(am.payloads[0].payloadType).toBe(want?.pt);
        expect(am.payloads[0].encoding).toBe(want?.entry.name.toUpperCase());
        const offeredPts = stream.formats.map((f) => f.pt);
        for (const p of am.payloads) expect(offeredPts).toContain(p.payloadType);
        // telephone-event/8000 kept with the offerer's number when both sides want it.
        const te = stream.formats.find((f) => f.entry.name === 'telephone-event' && f.entry.rate === 8000);
        const answeredTe = am.payloads.find((p) => p.encoding === 'telephone-event');
        expect(answeredTe?.payloadType).toBe(events && te ? te.pt : undefined);

        // Direction (RFC 3264 §6.1), from the offer's effective direction.
        const offered = stream.direction ?? o.sessionDirection ?? 'sendrecv';
        const got = am.direction;
        if (sendsDir(got)) expect(recvsDir(offered) && sendsDir(wanted)).toBe(true);
        if (recvsDir(got)) expect(sendsDir(offered) && recvsDir(wanted)).toBe(true);
        if (offered === 'sendonly') expect(['recvonly', 'inactive']).toContain(got);
        if (offered === 'recvonly') expect(['sendonly', 'inactive']).toContain(got);
        if (offered === 'inactive') expect(got).toBe('inactive');

        // Both ends read the same codec out of the exchange.
        const n = negotiated(answer, offer);
        expect(n.mediaIndex).toBe(accepted);
        expect(n.codec).toBe(want?.entry.name.toUpperCase());
        expect(n.sendPayloadType).toBe(want?.pt);
        if (stream.nullAddress) expect(sendsDir(n.direction)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('an offer we create is always answerable by us, and both sides agree', () => {
    fc.assert(
      fc.property(supportedArb, supportedArb, fc.constantFrom(...DIRECTIONS), fc.constantFrom(...DIRECTIONS), (ours, theirs, d1, d2) => {
        const offer = createOffer({ address: '192.0.2.1', port: 4000, codecs: ours, direction: d1 });
        const common = ours.filter((c) => theirs.includes(c));
        if (common.length === 0) {
          expect(() => createAnswer(offer, { address: '192.0.2.2', port: 5000, codecs: theirs })).toThrow(SdpError);
          return;
        }
        const answer = createAnswer(parseSdp(writeSdp(offer)), { address: '192.0.2.2', port: 5000, codecs: theirs, direction: d2 });
        const a = negotiated(offer, answer);
        const b = negotiated(answer, offer);
        expect(a.codec).toBe(common[0]);
        expect(b.codec).toBe(common[0]);
        expect(sendsDir(a.direction)).toBe(recvsDir(b.direction));
        expect(recvsDir(a.direction)).toBe(sendsDir(b.direction));
        expect(a.remote.port).toBe(5000);
        expect(b.remote.port).toBe(4000);
      }),
      { numRuns: 200 },
    );
  });
});
