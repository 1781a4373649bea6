// Worked examples of the digest computations (RFC 2617 §3.5, RFC 7616 §3.9.1, RFC 2069 §2.1.2 no-qop form, RFC 7616 §3.4.2 -sess, §3.4.4 userhash).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCredentials } from './header.ts';
import {
  computeHa1,
  computeResponse,
  computeSessionHa1,
  computeUserhash,
  hexEqual,
  responseMatches,
  toDigestAlgorithm,
} from './hash.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1');
/** An independent reference: node:crypto's streaming API, written out per the RFC formulas. */
const H = (alg: 'md5' | 'sha256', s: string | Uint8Array): string => createHash(alg).update(s).digest('hex');

const RFC2617 = {
  username: 'Mufasa',
  password: 'Circle Of Life',
  realm: 'testrealm@host.com',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  uri: '/dir/index.html',
  cnonce: '0a4f113b',
  nc: '00000001',
  response: '6629fae49393a05397450978507c4ef1',
};

const RFC7616 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  uri: '/dir/index.html',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001',
  md5: '8ca523f5e9506fed4657c9700eebdbec',
  sha256: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
};

describe('RFC 2617 §3.5 worked example', () => {
  it('computes the response 6629fae4… for GET /dir/index.html with qop=auth', () => {
    const ha1 = computeHa1('MD5', RFC2617.username, RFC2617.realm, RFC2617.password);
    const response = computeResponse({ algorithm: 'MD5', ha1, nonce: RFC2617.nonce, method: 'GET', uri: RFC2617.uri, qop: 'auth', nc: RFC2617.nc, cnonce: RFC2617.cnonce });
    expect(response).toBe(RFC2617.response);
  });

  it('verifies the RFC Authorization header from the stored HA1, and refuses a wrong password', () => {
    const c = parseCredentials(fixture('rfc2617-3.5-authorization.txt'));
    expect(responseMatches(c, { method: 'GET', ha1: computeHa1('MD5', 'Mufasa', RFC2617.realm, 'Circle Of Life') })).toBe(true);
    expect(responseMatches(c, { method: 'GET', ha1: computeHa1('MD5', 'Mufasa', RFC2617.realm, 'Circle of Life') })).toBe(false);
    expect(responseMatches(c, { method: 'POST', ha1: computeHa1('MD5', 'Mufasa', RFC2617.realm, 'Circle Of Life') })).toBe(false);
  });
});

describe('RFC 7616 §3.9.1 worked example', () => {
  for (const [alg, expected, file] of [
    ['MD5', RFC7616.md5, 'rfc7616-3.9.1-authorization-md5.txt'],
    ['SHA-256', RFC7616.sha256, 'rfc7616-3.9.1-authorization-sha256.txt'],
  ] as const) {
    it(`computes the ${alg} response of the example`, () => {
      const ha1 = computeHa1(alg, RFC7616.username, RFC7616.realm, RFC7616.password);
      expect(computeResponse({ algorithm: alg, ha1, nonce: RFC7616.nonce, method: 'GET', uri: RFC7616.uri, qop: 'auth', nc: RFC7616.nc, cnonce: RFC7616.cnonce })).toBe(expected);
    });

    it(`verifies the ${alg} Authorization header of the example and refuses a wrong password`, () => {
      const c = parseCredentials(fixture(file));
      expect(c.response).toBe(expected);
      expect(responseMatches(c, { method: 'GET', ha1: computeHa1(alg, 'Mufasa', RFC7616.realm, 'Circle of Life') })).toBe(true);
      expect(responseMatches(c, { method: 'GET', ha1: computeHa1(alg, 'Mufasa', RFC7616.realm, 'Circle Of Life') })).toBe(false);
    });
  }
});

describe('formulas against an independent reference', () => {
  it('HA1 is H(username:realm:password) in UTF-8 (RFC 7616 §3.4.2, §4)', () => {
    expect(computeHa1('MD5', 'ü', 'r', 'p')).toBe(H('md5', Buffer.from('ü:r:p', 'utf8')));
    expect(computeHa1('SHA-256-sess', 'u', 'r', 'p')).toBe(H('sha256', 'u:r:p'));
  });

  it('no-qop responses are H(HA1:nonce:HA2), the RFC 2069 form SIP phones still send (RFC 2617 §3.2.2.1)', () => {
    const ha1 = computeHa1('MD5', 'Mufasa', RFC2617.realm, RFC2617.password);
    const expected = H('md5', `${ha1}:${RFC2617.nonce}:${H('md5', 'GET:/dir/index.html')}`);
    expect(computeResponse({ algorithm: 'MD5', ha1, nonce: RFC2617.nonce, method: 'GET', uri: '/dir/index.html' })).toBe(expected);
  });

  it('-sess algorithms hash HA1 with nonce and cnonce first (RFC 7616 §3.4.2)', () => {
    const ha1 = computeHa1('SHA-256-sess', 'u', 'r', 'p');
    const sess = H('sha256', `${ha1}:n:c`);
    expect(computeSessionHa1('SHA-256-sess', ha1, 'n', 'c')).toBe(sess);
    const expected = H('sha256', `${sess}:n:00000002:c:auth:${H('sha256', 'REGISTER:sip:r')}`);
    expect(computeResponse({ algorithm: 'SHA-256-sess', ha1, nonce: 'n', method: 'REGISTER', uri: 'sip:r', qop: 'auth', nc: '00000002', cnonce: 'c' })).toBe(expected);
  });

  it('auth-int covers H(body) in A2 (RFC 7616 §3.4.3)', () => {
    const body = new TextEncoder().encode('v=0\r\n');
    const ha1 = computeHa1('MD5', 'u', 'r', 'p');
    const expected = H('md5', `${ha1}:n:00000001:c:auth-int:${H('md5', `INVITE:sip:x:${H('md5', body)}`)}`);
    expect(computeResponse({ algorithm: 'MD5', ha1, nonce: 'n', method: 'INVITE', uri: 'sip:x', qop: 'auth-int', nc: '00000001', cnonce: 'c', body })).toBe(expected);
    const empty = H('md5', `${ha1}:n:00000001:c:auth-int:${H('md5', `INVITE:sip:x:${H('md5', '')}`)}`);
    expect(computeResponse({ algorithm: 'MD5', ha1, nonce: 'n', method: 'INVITE', uri: 'sip:x', qop: 'auth-int', nc: '00000001', cnonce: 'c' })).toBe(empty);
  });

  it('userhash is H(username:realm) (RFC 7616 §3.4.4)', () => {
    expect(computeUserhash('SHA-256', 'Mufasa', 'http-auth@example.org')).toBe(H('sha256', 'Mufasa:http-auth@example.org'));
  });

  it('computeResponse refuses qop without nc/cnonce and -sess without cnonce', () => {
    expect(() => computeResponse({ algorithm: 'MD5', ha1: 'x', nonce: 'n', method: 'M', uri: 'u', qop: 'auth' })).toThrow(TypeError);
    expect(() => computeResponse({ algorithm: 'MD5-sess', ha1: 'x', nonce: 'n', method: 'M', uri: 'u' })).toThrow(TypeError);
  });
});

describe('helpers', () => {
  it('toDigestAlgorithm: absent means MD5, names are case-insensitive, unknown is undefined (RFC 7616 §3.3)', () => {
    expect(toDigestAlgorithm(undefined)).toBe('MD5');
    expect(toDigestAlgorithm('sha-256')).toBe('SHA-256');
    expect(toDigestAlgorithm('SHA-512-256')).toBeUndefined();
  });

  it('hexEqual compares whole strings, accepting uppercase hex digits', () => {
    expect(hexEqual('ABCdef01', 'abcdef01')).toBe(true);
    expect(hexEqual('abcdef02', 'abcdef01')).toBe(false);
    expect(hexEqual('abcdef0', 'abcdef01')).toBe(false);
    expect(hexEqual('ABCDEG', 'abcdeg')).toBe(false); // only A–F fold
  });
});
