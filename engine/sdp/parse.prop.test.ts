// Properties of SDP parse/write (RFC 4566 §5): round trip, truncation and garbage give only SdpError.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SdpError } from './errors.ts';
import type { Connection, Direction, MediaDescription, RtpPayload, SessionDescription } from './model.ts';
import { DIRECTIONS } from './model.ts';
import { parseSdp } from './parse.ts';
import { writeSdp } from './write.ts';

const VECTORS = ['gateway-offer.sdp', 'softphone-offer.sdp', 'ipv6-offer.sdp', 'hold-rfc2543.sdp', 'video-audio.sdp', 'srtp-only.sdp'].map(
  (n) => readFileSync(new URL(`./testdata/${n}`, import.meta.url), 'utf8'),
);

/** parseSdp either returns or throws SdpError, never anything else. */
function parsesOrSdpError(text: string): void {
  try {
    parseSdp(text);
  } catch (err) {
    if (!(err instanceof SdpError)) throw err;
  }
}

const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,11}$/);
const connection: fc.Arbitrary<Connection> = fc.oneof(
  fc.ipV4().map((address) => ({ addressType: 'IP4' as const, address })),
  fc.ipV6().map((address) => ({ addressType: 'IP6' as const, address })),
);
const direction: fc.Arbitrary<Direction> = fc.constantFrom(...DIRECTIONS);
const fmtp = fc.option(fc.stringMatching(/^[A-Za-z0-9=;,.-][A-Za-z0-9=;,. -]{0,20}[A-Za-z0-9=;,.-]$/), { nil: null });

function rtpPayloads(): fc.Arbitrary<RtpPayload[]> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: 127 }), { minLength: 1, maxLength: 6 })
    .chain((pts) =>
      fc.tuple(
        ...pts.map((payloadType) =>
          fc.record({
            payloadType: fc.constant(payloadType),
            encoding: token,
            clockRate: fc.integer({ min: 1, max: 192000 }),
            channels: fc.integer({ min: 1, max: 8 }),
            fmtp,
          }),
        ),
      ),
    );
}

function mediaArb(session: { connection: Connection | null; direction: Direction | null }): fc.Arbitrary<MediaDescription> {
  return fc
    .record({
      type: fc.constantFrom('audio', 'video', 'image', 'application'),
      rtp: fc.boolean(),
      port: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 65535 })),
      payloads: rtpPayloads(),
      formats: fc.array(token, { minLength: 1, maxLength: 3 }),
      ownConnection: fc.option(connection, { nil: null }),
      direction,
      ptime: fc.option(fc.integer({ min: 1, max: 300 }), { nil: null }),
      maxptime: fc.option(fc.integer({ min: 1, max: 300 }), { nil: null }),
      rtcp: fc.option(fc.record({ port: fc.integer({ min: 1, max: 65535 }), connection: fc.option(connection, { nil: null }) }), { nil: null }),
    })
    .filter((m) => m.port === 0 || m.ownConnection !== null || session.connection !== null)
    .map((m): MediaDescription => ({
      type: m.type,
      port: m.port,
      portCount: 1,
      protocol: m.rtp ? 'RTP/AVP' : 'udptl',
      formats: m.rtp ? m.payloads.map((p) => String(p.payloadType)) : m.formats,
      payloads: m.rtp ? m.payloads : [],
      connection: m.ownConnection ?? session.connection,
      // A disabled stream's direction is not written; it reads back as the session default.
      direction: m.port === 0 ? (session.direction ?? 'sendrecv') : m.direction,
      ptime: m.ptime,
      maxptime: m.maxptime,
      rtcp: m.rtcp,
    }));
}

const description: fc.Arbitrary<SessionDescription> = fc
  .record({
    username: token,
    sessionId: fc.stringMatching(/^\d{1,20}$/),
    sessionVersion: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    originAddress: connection,
    name: fc.stringMatching(/^[A-Za-z0-9_-]([A-Za-z0-9 _-]{0,10}[A-Za-z0-9_-])?$/),
    connection: fc.option(connection, { nil: null }),
    direction: fc.option(direction, { nil: null }),
    start: fc.integer({ min: 0, max: 2 ** 32 }),
    stop: fc.integer({ min: 0, max: 2 ** 32 }),
  })
  .chain((s) =>
    fc.array(mediaArb(s), { minLength: 1, maxLength: 4 }).map(
      (media): SessionDescription => ({
        origin: {
          username: s.username,
          sessionId: s.sessionId,
          sessionVersion: s.sessionVersion,
          addressType: s.originAddress.addressType,
          address: s.originAddress.address,
        },
        name: s.name,
        connection: s.connection,
        timing: { start: s.start, stop: s.stop },
        direction: s.direction,
        media,
      }),
    ),
  );

describe('SDP parse/write properties (RFC 4566 §5)', () => {
  it('parse(write(d)) ≡ d for descriptions in the model', () => {
    fc.assert(
      fc.property(description, (d) => {
        expect(parseSdp(writeSdp(d))).toEqual(d);
      }),
      { numRuns: 300 },
    );
  });

  it('write is canonical: write(parse(write(d))) ≡ write(d)', () => {
    fc.assert(
      fc.property(description, (d) => {
        const text = writeSdp(d);
        expect(writeSdp(parseSdp(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('every truncation of a device offer parses or fails with SdpError', () => {
    for (const v of VECTORS) for (let i = 0; i <= v.length; i++) parsesOrSdpError(v.slice(0, i));
  });

  it('random text never throws anything but SdpError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), parsesOrSdpError), { numRuns: 500 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...'vosctmab'), fc.string({ maxLength: 40 })), { maxLength: 20 }),
        (lines) => parsesOrSdpError(['v=0', ...lines.map(([t, v]) => `${t}=${v}`)].join('\r\n')),
      ),
      { numRuns: 500 },
    );
  });

  it('a device offer with one line mutated parses or fails with SdpError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VECTORS), fc.nat(), fc.string({ maxLength: 30 }), (v, at, junk) => {
        const lines = v.split('\n');
        const i = at % lines.length;
        lines[i] = lines[i].slice(0, 2) + junk;
        parsesOrSdpError(lines.join('\n'));
      }),
      { numRuns: 500 },
    );
  });
});
