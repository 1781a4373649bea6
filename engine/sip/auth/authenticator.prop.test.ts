// Properties of challenge → answer → verify across algorithms, users and requests (RFC 7616 §3.3–§3.5, RFC 3261 §22).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DigestAuthenticator } from './authenticator.ts';
import { answerChallenge } from './client.ts';
import { parseChallenge, parseCredentials, serializeCredentials } from './header.ts';
import { computeHa1, DIGEST_ALGORITHMS } from './hash.ts';
import { anyText, quotableText } from './testing.ts';
import type { DigestAlgorithm } from './hash.ts';

const text = quotableText({ minLength: 1, maxLength: 16 });
const method = fc.constantFrom('REGISTER', 'INVITE', 'SUBSCRIBE', 'BYE', 'MESSAGE');

describe('digest round trip (RFC 7616 §3.4)', () => {
  it('a client knowing the password is accepted; one character off in password, method, uri or response is refused', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DIGEST_ALGORITHMS),
        text, text, text, method, text, fc.integer({ min: 1, max: 0xffffffff }),
        (algorithm: DigestAlgorithm, username, password, realm, m, uri, nc) => {
          const clock = { now: () => 1_000_000 };
          const auth = new DigestAuthenticator({ secret: 'property-test-secret-32-bytes-xx', clock, algorithms: [algorithm] });
          const lookupHa1 = (u: string, r: string, a: DigestAlgorithm) => (u === username ? computeHa1(a, u, r, password) : undefined);
          const challenge = auth.challenge(realm)[0];
          expect(parseChallenge(challenge).algorithm).toBe(algorithm);
          const answer = (p: string, mm: string, uu: string) => answerChallenge({ challengeHeader: challenge, method: mm, uri: uu, username, password: p, nc });
          const good = answer(password, m, uri);
          expect(auth.verify({ header: answer(`${password}x`, m, uri), method: m, realm, lookupHa1 })).toMatchObject({ ok: false, reason: 'wrong-response' });
          expect(auth.verify({ header: answer(password, `${m}X`, uri), method: m, realm, lookupHa1 })).toMatchObject({ ok: false, reason: 'wrong-response' });
          expect(auth.verify({ header: answer(password, m, `${uri}x`), method: m, realm, lookupHa1, requestUri: uri })).toMatchObject({ ok: false, reason: 'uri-mismatch' });
          const c = parseCredentials(good);
          const last = c.response[c.response.length - 1] === '0' ? '1' : '0';
          const flipped = serializeCredentials({ ...c, response: c.response.slice(0, -1) + last });
          expect(auth.verify({ header: flipped, method: m, realm, lookupHa1 })).toMatchObject({ ok: false, reason: 'wrong-response' });
          expect(auth.verify({ header: good, method: m, realm, lookupHa1 })).toEqual({ ok: true, username, algorithm, qop: 'auth' });
          expect(auth.verify({ header: good, method: m, realm, lookupHa1 })).toMatchObject({ ok: false, reason: 'replay' });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('verify never throws for arbitrary header values', () => {
    const auth = new DigestAuthenticator({ secret: 'property-test-secret-32-bytes-xx' });
    const lookupHa1 = () => 'd41d8cd98f00b204e9800998ecf8427e';
    fc.assert(
      fc.property(fc.oneof(anyText({ maxLength: 120 }), anyText({ maxLength: 120 }).map((s) => `Digest username="a", realm="r", ${s}`)), (header) => {
        const r = auth.verify({ header, method: 'REGISTER', realm: 'r', lookupHa1 });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
