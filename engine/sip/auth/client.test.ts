// Client side: answering challenges with the RFC worked examples, and choosing among several (RFC 2617 §3.5, RFC 7616 §3.9.1, RFC 8760 §2.4, RFC 3261 §22.3).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerChallenge, chooseChallenge } from './client.ts';
import { DigestChallengeError, DigestParseError } from './errors.ts';
import { parseCredentials } from './header.ts';
import { computeHa1, computeUserhash, responseMatches } from './hash.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1');

function challengeError(fn: () => unknown): DigestChallengeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DigestChallengeError);
    return err as DigestChallengeError;
  }
  throw new Error('expected a DigestChallengeError');
}

describe('answerChallenge', () => {
  it('answers the RFC 2617 §3.5 challenge with the RFC\'s Authorization', () => {
    const value = answerChallenge({
      challengeHeader: fixture('rfc2617-3.5-challenge.txt'),
      method: 'GET',
      uri: '/dir/index.html',
      username: 'Mufasa',
      password: 'Circle Of Life',
      cnonce: '0a4f113b',
      nc: 1,
    });
    expect(parseCredentials(value)).toEqual(parseCredentials(fixture('rfc2617-3.5-authorization.txt')));
  });

  for (const [alg, file, response] of [
    ['sha256', 'rfc7616-3.9.1-challenge-sha256.txt', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    ['md5', 'rfc7616-3.9.1-challenge-md5.txt', '8ca523f5e9506fed4657c9700eebdbec'],
  ] as const) {
    it(`answers the RFC 7616 §3.9.1 ${alg} challenge with the RFC's Authorization`, () => {
      const value = answerChallenge({
        challengeHeader: fixture(file),
        method: 'GET',
        uri: '/dir/index.html',
        username: 'Mufasa',
        password: 'Circle of Life',
        cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
        nc: 1,
      });
      const c = parseCredentials(value);
      expect(c.response).toBe(response);
      expect(c).toEqual(parseCredentials(fixture(`rfc7616-3.9.1-authorization-${alg}.txt`)));
    });
  }

  it('answers from a stored HA1 instead of the password (RFC 7616 §3.4.2)', () => {
    const base = { challengeHeader: fixture('rfc7616-3.9.1-challenge-sha256.txt'), method: 'GET', uri: '/dir/index.html', username: 'Mufasa', cnonce: 'c', nc: 7 };
    const withHa1 = answerChallenge({ ...base, ha1: computeHa1('SHA-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life') });
    expect(withHa1).toBe(answerChallenge({ ...base, password: 'Circle of Life' }));
    expect(parseCredentials(withHa1).nc).toBe('00000007');
  });

  it('answers a challenge without qop in the RFC 2069 form: no qop, nc or cnonce', () => {
    const value = answerChallenge({ challengeHeader: 'Digest realm="r", nonce="abc"', method: 'REGISTER', uri: 'sip:r', username: 'u', password: 'p', cnonce: 'ignored' });
    const c = parseCredentials(value);
    expect(c.qop).toBeUndefined();
    expect(c.nc).toBeUndefined();
    expect(c.cnonce).toBeUndefined();
    expect(c.algorithm).toBeUndefined();
    expect(responseMatches(c, { method: 'REGISTER', ha1: computeHa1('MD5', 'u', 'r', 'p') })).toBe(true);
  });

  it('prefers qop=auth, and uses auth-int with the body when only that is offered (RFC 7616 §3.4.3)', () => {
    const body = new TextEncoder().encode('hello');
    const both = parseCredentials(answerChallenge({ challengeHeader: 'Digest realm="r", nonce="n", qop="auth-int,auth"', method: 'M', uri: 'u', username: 'a', password: 'p' }));
    expect(both.qop).toBe('auth');
    const onlyInt = parseCredentials(answerChallenge({ challengeHeader: 'Digest realm="r", nonce="n", qop="auth-int"', method: 'M', uri: 'u', username: 'a', password: 'p', body }));
    expect(onlyInt.qop).toBe('auth-int');
    expect(responseMatches(onlyInt, { method: 'M', ha1: computeHa1('MD5', 'a', 'r', 'p'), body })).toBe(true);
  });

  it('hashes the username when the challenge says userhash=true (RFC 7616 §3.4.4)', () => {
    const c = parseCredentials(answerChallenge({ challengeHeader: 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256, userhash=true', method: 'M', uri: 'u', username: 'Mufasa', password: 'p' }));
    expect(c.userhash).toBe(true);
    expect(c.username).toBe(computeUserhash('SHA-256', 'Mufasa', 'r'));
    expect(responseMatches(c, { method: 'M', ha1: computeHa1('SHA-256', 'Mufasa', 'r', 'p') })).toBe(true);
  });

  it('makes a fresh cnonce per request when none is given', () => {
    const p = { challengeHeader: 'Digest realm="r", nonce="n", qop="auth"', method: 'M', uri: 'u', username: 'a', password: 'p' };
    expect(parseCredentials(answerChallenge(p)).cnonce).not.toBe(parseCredentials(answerChallenge(p)).cnonce);
  });

  it('refuses what it cannot answer with DigestChallengeError codes', () => {
    const p = { method: 'M', uri: 'u', username: 'a', password: 'p' };
    expect(challengeError(() => answerChallenge({ ...p, challengeHeader: 'Digest realm="r", nonce="n", algorithm=SHA-512-256' })).code).toBe('unsupported-algorithm');
    expect(challengeError(() => answerChallenge({ ...p, challengeHeader: 'Digest realm="r", nonce="n", qop="auth-conf"' })).code).toBe('unsupported-qop');
    expect(challengeError(() => answerChallenge({ ...p, challengeHeader: 'Digest realm="r", nonce="n", algorithm=MD5-sess' })).code).toBe('sess-without-qop');
  });

  it('refuses bad arguments with TypeError, bad challenges with DigestParseError', () => {
    const ch = 'Digest realm="r", nonce="n", qop="auth"';
    expect(() => answerChallenge({ challengeHeader: ch, method: 'M', uri: 'u', username: 'a' })).toThrow(TypeError);
    expect(() => answerChallenge({ challengeHeader: ch, method: 'M', uri: 'u', username: 'a', password: 'p', nc: 0 })).toThrow(TypeError);
    expect(() => answerChallenge({ challengeHeader: 'Basic realm="r"', method: 'M', uri: 'u', username: 'a', password: 'p' })).toThrow(DigestParseError);
  });
});

describe('chooseChallenge (RFC 8760 §2.4, RFC 3261 §22.3)', () => {
  it('picks the strongest algorithm whatever the order', () => {
    const headers = ['Digest realm="r", nonce="1", algorithm=MD5, qop="auth"', 'Digest realm="r", nonce="2", algorithm=SHA-256, qop="auth"'];
    expect(chooseChallenge(headers)).toMatchObject({ index: 1, algorithm: 'SHA-256', header: headers[1] });
    expect(chooseChallenge([...headers].reverse())).toMatchObject({ index: 0, algorithm: 'SHA-256' });
  });

  it('treats a challenge without algorithm as MD5 and keeps the server order on ties', () => {
    expect(chooseChallenge(['Digest realm="r", nonce="1"', 'Digest realm="r", nonce="2", algorithm=MD5'])).toMatchObject({ index: 0, algorithm: 'MD5' });
  });

  it('skips other schemes, unparsable values, unknown algorithms and qops, and -sess without qop', () => {
    const headers = [
      'Basic realm="r"',
      'Digest realm="r", nonce=',
      'Digest realm="r", nonce="1", algorithm=SHA-512-256, qop="auth"',
      'Digest realm="r", nonce="2", algorithm=SHA-256, qop="auth-conf"',
      'Digest realm="r", nonce="3", algorithm=SHA-256-sess',
      'Digest realm="r", nonce="4", algorithm=MD5, qop="auth"',
    ];
    expect(chooseChallenge(headers)).toMatchObject({ index: 5, algorithm: 'MD5' });
    expect(chooseChallenge(headers.slice(0, 5))).toBeUndefined();
  });

  it('can restrict the choice to one realm (each realm is answered separately)', () => {
    const headers = ['Digest realm="proxy", nonce="1", algorithm=SHA-256, qop="auth"', 'Digest realm="acme.com", nonce="2", algorithm=MD5, qop="auth"'];
    expect(chooseChallenge(headers, { realm: 'acme.com' })).toMatchObject({ index: 1 });
    expect(chooseChallenge(headers, { realm: 'nowhere' })).toBeUndefined();
  });
});
