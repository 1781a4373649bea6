// Properties of the SIP message parser and serializer: round trips, canonical bytes, robustness against any bytes (RFC 3261 §7, §18.3).
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, messageParts } from './arbitraries.ts';
import {
  parseMessage,
  serialize,
  type SipMessage,
  SipParseError,
  SipRequest,
  SipResponse,
  StreamFramer,
  summarize,
  validateRequest,
  validateResponse,
} from './index.ts';

/** Everything a server might touch on a message it received; only SipParseError may escape. */
function exercise(m: SipMessage): void {
  const attempts: (() => unknown)[] = [
    () => m.via(),
    () => m.topVia(),
    () => m.from(),
    () => m.to(),
    () => m.callId,
    () => m.cseq(),
    () => m.contacts(),
    () => m.routes(),
    () => m.recordRoutes(),
    () => m.maxForwards(),
    () => m.expires(),
    () => m.contentType(),
    () => m.allow(),
    () => m.supported(),
    () => m.require(),
    () => m.authValues('Authorization'),
    () => (m.isRequest ? m.uri.toString() : m.status),
    () => m.via().map((v) => [v.branch, v.received, v.rport, v.ttl, v.maddr, v.toString()]),
    () => m.contacts().map((c) => [c.expires, c.q, c.tag, c.toString(), c.uri.toString()]),
    () => m.from().uri.toString(),
    () => m.to().uri.toString(),
  ];
  for (const a of attempts) {
    try {
      a();
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
    }
  }
  if (m instanceof SipRequest) validateRequest(m, { role: 'uas' }) ?? validateRequest(m, { role: 'proxy' });
  if (m instanceof SipResponse) validateResponse(m);
  summarize(m);
  serialize(m);
}

function onlySipParseError(bytes: Uint8Array): void {
  try {
    exercise(parseMessage(bytes));
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
  }
}

const sameMessage = (a: SipMessage, b: SipMessage): void => {
  expect(b.isRequest).toBe(a.isRequest);
  if (a.isRequest && b.isRequest) expect([b.method, b.uriText, b.version]).toEqual([a.method, a.uriText, a.version]);
  if (!a.isRequest && !b.isRequest) expect([b.status, b.reason, b.version]).toEqual([a.status, a.reason, a.version]);
  expect(b.headers.filter(([n]) => n !== 'Content-Length')).toEqual(a.headers.filter(([n]) => n !== 'Content-Length'));
  expect(Buffer.compare(b.body, a.body)).toBe(0);
};

describe('SIP message properties', () => {
  it('serialize(parse(bytes)) equals canonical bytes (RFC 3261 §7)', () => {
    fc.assert(
      fc.property(messageParts, (p) => {
        const bytes = canonicalBytes(p);
        expect(serialize(parseMessage(bytes)).toString('latin1')).toBe(bytes.toString('latin1'));
      }),
      { numRuns: 300 },
    );
  });

  it('parse(serialize(x)) ≡ x for messages built in code', () => {
    fc.assert(
      fc.property(messageParts, (p) => {
        const m0 = parseMessage(canonicalBytes(p));
        const built: SipMessage = m0.isRequest
          ? new SipRequest({ method: m0.method, uri: m0.uriText, headers: m0.headers, body: m0.body })
          : new SipResponse({ status: m0.status, reason: m0.reason, headers: m0.headers, body: m0.body });
        const again = parseMessage(serialize(built));
        sameMessage(built, again);
        expect(again.byteLength).toBe(serialize(built).length);
      }),
      { numRuns: 200 },
    );
  });

  it('every truncation of a valid message throws only SipParseError (RFC 3261 §18.3)', () => {
    fc.assert(
      fc.property(messageParts, (p) => {
        const bytes = canonicalBytes(p);
        for (let n = 0; n < bytes.length; n++) {
          try {
            parseMessage(bytes.subarray(0, n));
          } catch (e) {
            if (!(e instanceof SipParseError)) throw e;
            continue;
          }
          throw new Error(`prefix of ${n}/${bytes.length} bytes parsed`);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('arbitrary bytes throw only SipParseError, and accessors on whatever parses do too', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => onlySipParseError(b)), { numRuns: 500 });
  });

  it('mutated valid messages throw only SipParseError', () => {
    fc.assert(
      fc.property(
        messageParts,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 9, 10, 13, 32, 34, 44, 58, 59, 60, 62, 64, 91, 93, 255, 0xc3)), { minLength: 1, maxLength: 6 }),
        (p, edits) => {
          const b = Buffer.from(canonicalBytes(p));
          for (const [at, byte] of edits) b[at % b.length] = byte;
          onlySipParseError(b);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('mutated RFC 4475/5118 torture messages throw only SipParseError', () => {
    const dir = new URL('../../../test/fixtures/sip-torture/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.dat')).map((f) => readFileSync(new URL(f, dir)));
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }), fc.nat(), (file, edits, cut) => {
        const b = Buffer.from(file);
        for (const [at, byte] of edits) b[at % b.length] = byte;
        onlySipParseError(b);
        onlySipParseError(b.subarray(0, cut % (b.length + 1)));
      }),
      { numRuns: 400 },
    );
  });

  it('StreamFramer yields the same messages however the stream is chunked (RFC 3261 §18.3)', () => {
    fc.assert(
      fc.property(fc.array(messageParts, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (parts, cuts) => {
        const msgs = parts.map(canonicalBytes);
        const stream = Buffer.concat(msgs.flatMap((m, i) => (i % 2 ? [Buffer.from('\r\n\r\n'), m] : [m])));
        const f = new StreamFramer();
        const got: Buffer[] = [];
        let pos = 0;
        let k = 0;
        while (pos < stream.length) {
          const n = cuts[k++ % cuts.length];
          for (const ev of f.push(stream.subarray(pos, pos + n))) if (ev.kind === 'message') got.push(serialize(ev.message));
          pos += n;
        }
        expect(got.map((b) => b.toString('latin1'))).toEqual(msgs.map((b) => b.toString('latin1')));
        expect(f.buffered).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
