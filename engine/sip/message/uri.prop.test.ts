// Properties of URIs, name-addr and Via: parse/serialize round trips and equivalence (RFC 3261 §19.1, §19.1.4, §20.42).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { host, sipUri, token } from './arbitraries.ts';
import { NameAddr, parseNameAddr, parseUri, parseVia, SipParseError, SipUri, uriEquals, Via } from './index.ts';

describe('URI properties', () => {
  it('parse(u.toString()) ≡ u and is uriEquals to it (RFC 3261 §19.1.2, §19.1.4)', () => {
    fc.assert(
      fc.property(sipUri, (u) => {
        const s = u.toString();
        const p = parseUri(s);
        expect(p).toBeInstanceOf(SipUri);
        const q = p as SipUri;
        expect([q.scheme, q.user, q.password, q.host, q.port]).toEqual([u.scheme, u.user, u.password, u.host, u.port]);
        expect([...q.params]).toEqual([...u.params]);
        expect([...q.headers]).toEqual([...u.headers]);
        expect(q.toString()).toBe(s);
        expect(uriEquals(u, q)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('uriEquals is symmetric and ignores host case', () => {
    fc.assert(
      fc.property(sipUri, sipUri, (a, b) => {
        expect(uriEquals(a, b)).toBe(uriEquals(b, a));
        const upper = a.clone();
        upper.host = a.host.toUpperCase();
        expect(uriEquals(a, upper)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary text throws only SipParseError from parseUri', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          parseUri(`sip:${s}`);
          parseUri(s);
        } catch (e) {
          if (!(e instanceof SipParseError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('name-addr and Via properties', () => {
  const displayName = fc.option(fc.string({ unit: fc.constantFrom(...'ab "\\,<>;é'.split('')), maxLength: 12 }), { nil: undefined });
  const params = fc.array(fc.tuple(token(8), fc.option(token(8), { nil: null })), { maxLength: 3 });

  it('parseNameAddr(n.toString()) ≡ n (RFC 3261 §20.10, §25.1 quoted-string)', () => {
    fc.assert(
      fc.property(displayName, sipUri, params, (dn, uri, ps) => {
        const n = new NameAddr({ displayName: dn, uri, params: ps });
        const p = parseNameAddr(n.toString(), 'To');
        expect(p.displayName).toBe(dn);
        expect(p.uri.toString()).toBe(uri.toString());
        expect([...p.params]).toEqual(ps);
        expect(p.toString()).toBe(n.toString());
      }),
      { numRuns: 300 },
    );
  });

  it('parseVia(v.toString()) ≡ v (RFC 3261 §20.42)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS'),
        host,
        fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
        token(20),
        fc.boolean(),
        (transport, h, port, branch, rport) => {
          const v = new Via({ transport, host: h, port, branch: `z9hG4bK${branch}`, params: rport ? [['rport', null]] : [] });
          const p = parseVia(v.toString());
          expect([p.transport, p.host, p.port, p.branch, p.rport]).toEqual([transport, h, port, v.branch, rport ? null : undefined]);
          expect(p.toString()).toBe(v.toString());
        },
      ),
      { numRuns: 300 },
    );
  });
});
