// Properties of Digest header parsing and serialization (RFC 3261 §25.1, RFC 7616 §3.3–§3.4).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DigestParseError } from './errors.ts';
import { parseChallenge, parseCredentials, serializeChallenge, serializeCredentials } from './header.ts';
import type { DigestChallenge, DigestCredentials, DigestParam } from './header.ts';
import { anyText, quotableText } from './testing.ts';

/** Any text a quoted-string can carry: everything but CR and LF. */
const text = quotableText({ maxLength: 24 });
const token = fc.stringMatching(/^[A-Za-z0-9\-.!%*_+`'~]{1,12}$/);
const KNOWN_ALGORITHMS = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'];
const algorithm = fc.oneof(
  fc.constantFrom(...KNOWN_ALGORITHMS),
  token.filter((t) => !KNOWN_ALGORITHMS.some((k) => k.toLowerCase() === t.toLowerCase())),
);
const qopValue = fc.oneof(fc.constantFrom('auth', 'auth-int'), token.filter((t) => !['auth', 'auth-int'].includes(t.toLowerCase())));
const nc = fc.stringMatching(/^[0-9a-fA-F]{8}$/);

function extras(reserved: readonly string[]): fc.Arbitrary<DigestParam[] | undefined> {
  const param = fc.record({ name: token.filter((n) => !reserved.includes(n.toLowerCase())), value: text });
  return fc.option(fc.uniqueArray(param, { selector: (p) => p.name.toLowerCase(), minLength: 1, maxLength: 3 }), { nil: undefined });
}

const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

const credentials: fc.Arbitrary<DigestCredentials> = fc.record({
  username: text,
  realm: text,
  nonce: text,
  uri: text,
  response: text,
  algorithm: opt(algorithm),
  cnonce: opt(text),
  opaque: opt(text),
  qop: opt(qopValue),
  nc: opt(nc),
  userhash: opt(fc.boolean()),
  params: extras(['username', 'realm', 'nonce', 'uri', 'response', 'algorithm', 'cnonce', 'opaque', 'qop', 'nc', 'userhash']),
});

const challenge: fc.Arbitrary<DigestChallenge> = fc.record({
  realm: text,
  nonce: text,
  domain: opt(text),
  opaque: opt(text),
  stale: opt(fc.boolean()),
  algorithm: opt(algorithm),
  qop: opt(fc.array(qopValue, { maxLength: 3 })),
  charset: opt(text),
  userhash: opt(fc.boolean()),
  params: extras(['realm', 'nonce', 'domain', 'opaque', 'stale', 'algorithm', 'qop', 'charset', 'userhash']),
});

function onlyParseErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DigestParseError)) throw err;
  }
}

describe('Digest header properties (RFC 3261 §25.1)', () => {
  it('parseCredentials(serializeCredentials(x)) ≡ x', () => {
    fc.assert(fc.property(credentials, (c) => {
      expect(parseCredentials(serializeCredentials(c))).toEqual(c);
    }), { numRuns: 500 });
  });

  it('parseChallenge(serializeChallenge(x)) ≡ x', () => {
    fc.assert(fc.property(challenge, (ch) => {
      expect(parseChallenge(serializeChallenge(ch))).toEqual(ch);
    }), { numRuns: 500 });
  });

  it('serialized values are canonical: serialize(parse(bytes)) = bytes', () => {
    fc.assert(fc.property(credentials, challenge, (c, ch) => {
      const a = serializeCredentials(c);
      expect(serializeCredentials(parseCredentials(a))).toBe(a);
      const b = serializeChallenge(ch);
      expect(serializeChallenge(parseChallenge(b))).toBe(b);
    }), { numRuns: 300 });
  });

  it('arbitrary strings throw nothing but DigestParseError', () => {
    const s = fc.oneof(anyText({ maxLength: 80 }), anyText({ maxLength: 80 }).map((x) => `Digest ${x}`));
    fc.assert(fc.property(s, (v) => {
      onlyParseErrors(() => parseCredentials(v));
      onlyParseErrors(() => parseChallenge(v));
    }), { numRuns: 2000 });
  });

  it('every truncation of valid credentials parses or throws DigestParseError', () => {
    fc.assert(fc.property(credentials, (c) => {
      const v = serializeCredentials(c);
      for (let i = 0; i < v.length; i++) {
        onlyParseErrors(() => parseCredentials(v.slice(0, i)));
        onlyParseErrors(() => parseChallenge(v.slice(0, i)));
      }
    }), { numRuns: 100 });
  });

  it('a character inserted anywhere in a valid challenge parses or throws DigestParseError', () => {
    fc.assert(fc.property(challenge, fc.nat(), fc.constantFrom('"', '\\', ',', '=', ' ', '\r', '\n', '\u0000', 'é'), (ch, at, c) => {
      const v = serializeChallenge(ch);
      const i = at % (v.length + 1);
      onlyParseErrors(() => parseChallenge(v.slice(0, i) + c + v.slice(i)));
    }), { numRuns: 1000 });
  });
});
