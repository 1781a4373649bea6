// Examples for Digest header parsing and serialization (RFC 2617 §3.5, RFC 7616 §3.9.1, RFC 3261 §25.1).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DigestParseError, MAX_DIGEST_HEADER_LENGTH } from './errors.ts';
import type { DigestParseErrorCode } from './errors.ts';
import { parseChallenge, parseCredentials, serializeChallenge, serializeCredentials } from './header.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1');

function parseError(fn: () => unknown): DigestParseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DigestParseError);
    return err as DigestParseError;
  }
  throw new Error('expected a DigestParseError');
}

describe('parseChallenge', () => {
  it('reads the folded challenge of RFC 2617 §3.5', () => {
    expect(parseChallenge(fixture('rfc2617-3.5-challenge.txt'))).toEqual({
      realm: 'testrealm@host.com',
      qop: ['auth', 'auth-int'],
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
  });

  it('reads both challenges of RFC 7616 §3.9.1 with their algorithms', () => {
    const sha = parseChallenge(fixture('rfc7616-3.9.1-challenge-sha256.txt'));
    const md5 = parseChallenge(fixture('rfc7616-3.9.1-challenge-md5.txt'));
    expect(sha).toEqual({
      realm: 'http-auth@example.org',
      qop: ['auth', 'auth-int'],
      algorithm: 'SHA-256',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    });
    expect(md5.algorithm).toBe('MD5');
  });

  it('reads stale, domain, charset, userhash and keeps unknown params in order (RFC 7616 §3.3)', () => {
    const ch = parseChallenge(
      'digest REALM="a", nonce="n", stale=TRUE, domain="sip:a sip:b", charset=UTF-8, userhash=true, x-foo=bar, X-Baz="q \\"z\\""',
    );
    expect(ch).toEqual({
      realm: 'a',
      nonce: 'n',
      stale: true,
      domain: 'sip:a sip:b',
      charset: 'UTF-8',
      userhash: true,
      params: [
        { name: 'x-foo', value: 'bar' },
        { name: 'X-Baz', value: 'q "z"' },
      ],
    });
  });

  it('treats any stale value other than true as false (RFC 2617 §3.2.1)', () => {
    expect(parseChallenge('Digest realm="a", nonce="n", stale="FALSE"').stale).toBe(false);
    expect(parseChallenge('Digest realm="a", nonce="n", stale=yes').stale).toBe(false);
    expect(parseChallenge('Digest realm="a", nonce="n", stale="True"').stale).toBe(true);
  });

  it('keeps an unknown algorithm as written and normalizes known ones case-insensitively', () => {
    expect(parseChallenge('Digest realm="a", nonce="n", algorithm=AKAv1-MD5').algorithm).toBe('AKAv1-MD5');
    expect(parseChallenge('Digest realm="a", nonce="n", algorithm="sha-256-SESS"').algorithm).toBe('SHA-256-sess');
    expect(parseChallenge('Digest realm="a", nonce="n", algorithm=md5').algorithm).toBe('MD5');
  });

  it('accepts an unquoted qop and skips empty list elements (RFC 7230 §7 #rule)', () => {
    expect(parseChallenge('Digest realm="a",, nonce="n", qop=auth,').qop).toEqual(['auth']);
  });

  it('requires realm and nonce (RFC 3261 §25.1 digest-cln)', () => {
    expect(parseError(() => parseChallenge('Digest nonce="n"')).code).toBe('missing-param');
    expect(parseError(() => parseChallenge('Digest realm="r"')).code).toBe('missing-param');
  });
});

describe('parseCredentials', () => {
  it('reads the Authorization of RFC 2617 §3.5', () => {
    expect(parseCredentials(fixture('rfc2617-3.5-authorization.txt'))).toEqual({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      response: '6629fae49393a05397450978507c4ef1',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
  });

  it('reads the SHA-256 Authorization of RFC 7616 §3.9.1', () => {
    const c = parseCredentials(fixture('rfc7616-3.9.1-authorization-sha256.txt'));
    expect(c.algorithm).toBe('SHA-256');
    expect(c.response).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    expect(c.cnonce).toBe('f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ');
  });

  it('reads a typical SIP REGISTER Authorization with a sip: digest-uri (RFC 3261 §22.4)', () => {
    const c = parseCredentials(
      'Digest username="bob",realm="biloxi.com",nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",uri="sip:bob@biloxi.com",qop=auth,nc=00000001,cnonce="0a4f113b",response="6629fae49393a05397450978507c4ef1",opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(c.uri).toBe('sip:bob@biloxi.com');
    expect(c.username).toBe('bob');
  });

  it('accepts quoted algorithm/qop/nc as sent by some phones, and unquoted values where tokens suffice', () => {
    const c = parseCredentials('Digest username=alice, realm="r", nonce="n", uri="sip:r", response="00", algorithm="MD5", qop="auth", nc="0000000A", cnonce=c1');
    expect(c).toMatchObject({ username: 'alice', algorithm: 'MD5', qop: 'auth', nc: '0000000A', cnonce: 'c1' });
  });

  it('unescapes quoted-pairs and keeps UTF-8 text (RFC 3261 §25.1 quoted-pair, RFC 7616 §4)', () => {
    const c = parseCredentials('Digest username="J\\"ä\\\\sø\\n", realm="r", nonce="n", uri="u", response="x"');
    expect(c.username).toBe('J"ä\\søn');
  });

  it('rejects nc that is not 8 hex digits (RFC 7616 §3.4 nc-value)', () => {
    expect(parseError(() => parseCredentials('Digest username="a", realm="r", nonce="n", uri="u", response="x", nc=1')).code).toBe('bad-value');
    expect(parseError(() => parseCredentials('Digest username="a", realm="r", nonce="n", uri="u", response="x", nc=0000000g')).code).toBe('bad-value');
  });

  it('requires username, realm, nonce, uri and response (RFC 3261 §25.1 digest-response)', () => {
    for (const drop of ['username', 'realm', 'nonce', 'uri', 'response']) {
      const parts = ['username="a"', 'realm="r"', 'nonce="n"', 'uri="u"', 'response="x"'].filter((p) => !p.startsWith(`${drop}=`));
      const err = parseError(() => parseCredentials(`Digest ${parts.join(', ')}`));
      expect(err.code).toBe('missing-param');
      expect(err.message).toContain(drop);
    }
  });
});

describe('parse errors carry a code (RFC 3261 §25.1 grammar)', () => {
  const cases: [string, string, DigestParseErrorCode][] = [
    ['empty value', '', 'not-digest'],
    ['Basic scheme', 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'not-digest'],
    ['scheme prefix only', 'Digestion realm="a"', 'not-digest'],
    ['scheme without params', 'Digest', 'missing-param'],
    ['unterminated quote', 'Digest nonce=n, realm="a, b', 'unterminated-quote'],
    ['backslash at end', 'Digest realm="a\\', 'unterminated-quote'],
    ['missing =', 'Digest realm "a", nonce="n"', 'syntax'],
    ['missing comma', 'Digest realm="a" nonce="n"', 'syntax'],
    ['empty token value', 'Digest realm=, nonce="n"', 'syntax'],
    ['bare CR', 'Digest realm="a",\rnonce="n"', 'syntax'],
    ['LF in quotes', 'Digest realm="a\nb", nonce="n"', 'syntax'],
    ['control char in quotes', 'Digest realm="a\u0001b", nonce="n"', 'syntax'],
    ['duplicate realm, other case', 'Digest realm="a", nonce="n", REALM="b"', 'duplicate-param'],
    ['duplicate extra', 'Digest realm="a", nonce="n", x=1, X=2', 'duplicate-param'],
    ['qop option not a token', 'Digest realm="a", nonce="n", qop="auth,a b"', 'bad-value'],
    ['too long', `Digest realm="${'a'.repeat(MAX_DIGEST_HEADER_LENGTH)}", nonce="n"`, 'too-long'],
  ];
  for (const [title, value, code] of cases) {
    it(`${title} → ${code}`, () => {
      expect(parseError(() => parseChallenge(value)).code).toBe(code);
    });
  }

  it('reports where the fault is', () => {
    const err = parseError(() => parseChallenge('Digest realm="a" nonce="n"'));
    expect(err.offset).toBe(17);
  });
});

describe('serialize', () => {
  it('writes credentials in RFC 3261 §25.1 form: quoted strings, bare algorithm/qop/nc (RFC 7616 §3.4)', () => {
    const value = serializeCredentials({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html',
      response: '6629fae49393a05397450978507c4ef1',
      algorithm: 'MD5',
      cnonce: '0a4f113b',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
      qop: 'auth',
      nc: '00000001',
    });
    expect(value).toBe(
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001',
    );
  });

  it('writes a challenge with a quoted qop list and stale=TRUE (RFC 7616 §3.3)', () => {
    expect(serializeChallenge({ realm: 'acme.com', nonce: 'abc', stale: true, algorithm: 'SHA-256', qop: ['auth', 'auth-int'] })).toBe(
      'Digest realm="acme.com", nonce="abc", stale=TRUE, algorithm=SHA-256, qop="auth,auth-int"',
    );
  });

  it('escapes quotes and backslashes, and refuses CR/LF with a TypeError naming the field', () => {
    const v = serializeChallenge({ realm: 'a"b\\c', nonce: 'n' });
    expect(v).toBe('Digest realm="a\\"b\\\\c", nonce="n"');
    expect(parseChallenge(v).realm).toBe('a"b\\c');
    expect(() => serializeChallenge({ realm: 'a\r\nb', nonce: 'n' })).toThrow(/realm/);
    expect(() => serializeCredentials({ username: 'u', realm: 'r', nonce: 'n', uri: 'u', response: 'x', nc: '1' })).toThrow(TypeError);
    expect(() => serializeChallenge({ realm: 'r', nonce: 'n', params: [{ name: 'nonce', value: 'x' }] })).toThrow(TypeError);
  });
});
