// Server-side digest authentication: challenges and verification with every refusal reason (RFC 3261 §22.1–§22.4, RFC 7616 §3.3–§3.5, RFC 8760 §2.4).
import { describe, expect, it, vi } from 'vitest';
import { DIGEST_AUTHENTICATOR_DEFAULTS, DigestAuthenticator } from './authenticator.ts';
import type { DigestAuthenticatorOptions, DigestVerifyResult } from './authenticator.ts';
import { answerChallenge, chooseChallenge } from './client.ts';
import { parseChallenge, parseCredentials, serializeCredentials } from './header.ts';
import type { DigestCredentials } from './header.ts';
import { computeHa1, computeResponse } from './hash.ts';
import type { DigestAlgorithm } from './hash.ts';

const REALM = 'acme.com';
const SECRET = 'a-cluster-wide-secret-of-32-bytes';
const USERS: Record<string, string> = { '1001': 'correct horse', Mufasa: 'Circle of Life' };

function setup(options: Partial<DigestAuthenticatorOptions> = {}) {
  const clock = { t: 1_700_000_000_000, now() { return this.t; } };
  const auth = new DigestAuthenticator({ secret: SECRET, clock, ...options });
  const lookupHa1 = vi.fn((username: string, realm: string, algorithm: DigestAlgorithm) =>
    USERS[username] === undefined ? undefined : computeHa1(algorithm, username, realm, USERS[username]),
  );
  const verify = (header: string | undefined, extra: { method?: string; realm?: string; body?: Uint8Array; requestUri?: string } = {}): DigestVerifyResult =>
    auth.verify({ header, method: extra.method ?? 'REGISTER', realm: extra.realm ?? REALM, lookupHa1, body: extra.body, requestUri: extra.requestUri });
  /** Answers the first challenge whose algorithm is `algorithm` (or the best one). */
  const answer = (p: { algorithm?: DigestAlgorithm; username?: string; password?: string; nc?: number; uri?: string; method?: string; realm?: string } = {}) => {
    const headers = auth.challenge(p.realm ?? REALM);
    const header = p.algorithm === undefined ? chooseChallenge(headers)!.header : headers.find((h) => parseChallenge(h).algorithm === p.algorithm)!;
    return answerChallenge({
      challengeHeader: header,
      method: p.method ?? 'REGISTER',
      uri: p.uri ?? `sip:${REALM}`,
      username: p.username ?? '1001',
      password: p.password ?? 'correct horse',
      nc: p.nc,
    });
  };
  /** Credentials signed for a nonce of ours with arbitrary fields (to build requests a client would not). */
  const craft = (fields: Partial<DigestCredentials>, password = 'correct horse'): string => {
    const nonce = parseChallenge(auth.challenge(REALM)[0]).nonce;
    const c: DigestCredentials = { username: '1001', realm: REALM, nonce, uri: `sip:${REALM}`, response: '', algorithm: 'MD5', qop: 'auth', nc: '00000001', cnonce: 'abc', ...fields };
    const algorithm = (c.algorithm ?? 'MD5') as DigestAlgorithm;
    const qop = c.qop as 'auth' | 'auth-int' | undefined;
    c.response = fields.response ?? computeResponse({ algorithm, ha1: computeHa1(algorithm, c.username, c.realm, password), nonce: c.nonce, method: 'REGISTER', uri: c.uri, qop, nc: c.nc ?? '00000001', cnonce: c.cnonce ?? 'abc' });
    return serializeCredentials(c);
  };
  return { auth, clock, lookupHa1, verify, answer, craft };
}

describe('challenge (RFC 7616 §3.3, RFC 8760 §2.4)', () => {
  it('offers SHA-256 then MD5 with one fresh nonce and qop="auth" by default', () => {
    const { auth } = setup();
    const headers = auth.challenge(REALM);
    expect(headers).toHaveLength(2);
    const [sha, md5] = headers.map(parseChallenge);
    expect(sha).toMatchObject({ realm: REALM, algorithm: 'SHA-256', qop: ['auth'] });
    expect(md5).toMatchObject({ realm: REALM, algorithm: 'MD5', qop: ['auth'] });
    expect(sha.nonce).toBe(md5.nonce);
    expect(sha.stale).toBeUndefined();
    expect(parseChallenge(auth.challenge(REALM)[0]).nonce).not.toBe(sha.nonce);
  });

  it('sets stale=TRUE when asked, and carries the configured opaque', () => {
    const { auth } = setup({ opaque: 'tenant-7', algorithms: ['SHA-256'] });
    const headers = auth.challenge(REALM, { stale: true });
    expect(headers).toHaveLength(1);
    expect(headers[0]).toContain('stale=TRUE');
    expect(parseChallenge(headers[0])).toMatchObject({ stale: true, opaque: 'tenant-7', algorithm: 'SHA-256' });
  });

  it('has frozen defaults: 300 s nonces, SHA-256 before MD5, random secret', () => {
    expect(Object.isFrozen(DIGEST_AUTHENTICATOR_DEFAULTS)).toBe(true);
    expect(DIGEST_AUTHENTICATOR_DEFAULTS.nonceLifetimeSeconds).toBe(300);
    expect(DIGEST_AUTHENTICATOR_DEFAULTS.algorithms).toEqual(['SHA-256', 'MD5']);
    // Two authenticators with default (random) secrets do not accept each other's nonces.
    const a = new DigestAuthenticator();
    const b = new DigestAuthenticator();
    const header = answerChallenge({ challengeHeader: a.challenge(REALM)[0], method: 'REGISTER', uri: 'sip:x', username: '1001', password: 'correct horse' });
    const lookupHa1 = (u: string, r: string, alg: DigestAlgorithm) => computeHa1(alg, u, r, 'correct horse');
    expect(a.verify({ header, method: 'REGISTER', realm: REALM, lookupHa1 }).ok).toBe(true);
    expect(b.verify({ header, method: 'REGISTER', realm: REALM, lookupHa1 })).toMatchObject({ ok: false, reason: 'bad-nonce' });
    expect(Object.isFrozen(a.options)).toBe(true);
    expect('secret' in a.options).toBe(false);
  });

  it('refuses invalid options with a TypeError naming the option', () => {
    expect(() => new DigestAuthenticator({ algorithms: [] })).toThrow(/algorithms/);
    expect(() => new DigestAuthenticator({ algorithms: ['SHA-512' as DigestAlgorithm] })).toThrow(/algorithms/);
    expect(() => new DigestAuthenticator({ nonceLifetimeSeconds: 0 })).toThrow(/nonceLifetimeSeconds/);
    expect(() => new DigestAuthenticator({ secret: 'short' })).toThrow(/secret/);
    expect(() => new DigestAuthenticator({ ncWindow: 64 })).toThrow(/window/);
  });
});

describe('verify accepts (RFC 7616 §3.4, RFC 3261 §22.4)', () => {
  for (const algorithm of ['SHA-256', 'MD5'] as const) {
    it(`a correct ${algorithm} REGISTER, synchronously when the lookup is synchronous`, () => {
      const { verify, answer, lookupHa1 } = setup();
      const result = verify(answer({ algorithm }));
      expect(result).toEqual({ ok: true, username: '1001', algorithm, qop: 'auth' });
      expect(lookupHa1).toHaveBeenCalledWith('1001', REALM, algorithm);
    });
  }

  it('the RFC 7616 §3.9.1 request (Mufasa, "Circle of Life", /dir/index.html, its cnonce) answered to our nonce', () => {
    const { auth, lookupHa1 } = setup();
    // Both challenges share one nonce: the second request on it counts nc=2.
    for (const [i, header] of auth.challenge('http-auth@example.org').entries()) {
      const authorization = answerChallenge({
        challengeHeader: header,
        method: 'GET',
        uri: '/dir/index.html',
        username: 'Mufasa',
        password: 'Circle of Life',
        cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
        nc: i + 1,
      });
      const r = auth.verify({ header: authorization, method: 'GET', realm: 'http-auth@example.org', lookupHa1, requestUri: '/dir/index.html' });
      expect(r).toMatchObject({ ok: true, username: 'Mufasa' });
    }
  });

  it('with an asynchronous lookup, as a Promise', async () => {
    const { auth, answer } = setup();
    const pending = auth.verify({
      header: answer(),
      method: 'REGISTER',
      realm: REALM,
      lookupHa1: async (u, r, alg) => computeHa1(alg, u, r, USERS[u]),
    });
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toMatchObject({ ok: true, username: '1001' });
  });

  it('successive nc values on one nonce, and an unseen nc reordered within the window (RFC 7616 §3.4 nc)', () => {
    const { auth, verify, lookupHa1 } = setup();
    const header = auth.challenge(REALM)[0];
    const req = (nc: number) => answerChallenge({ challengeHeader: header, method: 'REGISTER', uri: 'sip:acme.com', username: '1001', password: 'correct horse', nc });
    expect(verify(req(1)).ok).toBe(true);
    expect(verify(req(3)).ok).toBe(true);
    expect(verify(req(2)).ok).toBe(true);
    expect(lookupHa1).toHaveBeenCalledTimes(3);
  });

  it('qop=auth-int with the body covered (RFC 7616 §3.4.3)', () => {
    const { auth, lookupHa1 } = setup({ qop: ['auth-int'] });
    const body = new TextEncoder().encode('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
    const header = answerChallenge({ challengeHeader: auth.challenge(REALM)[0], method: 'INVITE', uri: 'sip:2000@acme.com', username: '1001', password: 'correct horse', body });
    expect(parseCredentials(header).qop).toBe('auth-int');
    expect(auth.verify({ header, method: 'INVITE', realm: REALM, lookupHa1, body }).ok).toBe(true);
    const tampered = new TextEncoder().encode('v=0\r\no=- 1 1 IN IP4 203.0.113.66\r\n');
    const header2 = answerChallenge({ challengeHeader: auth.challenge(REALM)[0], method: 'INVITE', uri: 'sip:2000@acme.com', username: '1001', password: 'correct horse', body });
    expect(auth.verify({ header: header2, method: 'INVITE', realm: REALM, lookupHa1, body: tampered })).toMatchObject({ ok: false, reason: 'wrong-response' });
  });

  it('-sess algorithms when offered (RFC 7616 §3.4.2)', () => {
    const { verify, answer } = setup({ algorithms: ['SHA-256-sess', 'MD5-sess'] });
    expect(verify(answer({ algorithm: 'SHA-256-sess' }))).toMatchObject({ ok: true, algorithm: 'SHA-256-sess' });
    expect(verify(answer({ algorithm: 'MD5-sess' }))).toMatchObject({ ok: true, algorithm: 'MD5-sess' });
  });
});

describe('verify refuses with the right reason (RFC 7616 §3.3–§3.5, RFC 3261 §22)', () => {
  it('missing: no Authorization header', () => {
    const { verify } = setup();
    expect(verify(undefined)).toEqual({ ok: false, reason: 'missing', stale: false, username: undefined });
    expect(verify('')).toMatchObject({ reason: 'missing' });
  });

  it('malformed: not Digest, or unparsable', () => {
    const { verify } = setup();
    expect(verify('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verify('Digest username="a", realm="acme.com"')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('wrong-response: wrong password (stale stays false so the user is asked again)', () => {
    const { verify, answer } = setup();
    expect(verify(answer({ password: 'wrong' }))).toEqual({ ok: false, reason: 'wrong-response', stale: false, username: '1001' });
  });

  it('wrong-response: same credentials for another method (RFC 3261 §22.1: the digest covers the method)', () => {
    const { verify, answer } = setup();
    expect(verify(answer({ method: 'INVITE' }), { method: 'REGISTER' })).toMatchObject({ reason: 'wrong-response' });
  });

  it('unknown-user: the store has no HA1', () => {
    const { verify, answer } = setup();
    expect(verify(answer({ username: 'nobody' }))).toMatchObject({ ok: false, reason: 'unknown-user', username: 'nobody' });
  });

  it('stale: an expired nonce with the right password gets stale=true (RFC 7616 §3.3)', () => {
    const { verify, answer, clock } = setup();
    const header = answer();
    clock.t += 300_001;
    expect(verify(header)).toEqual({ ok: false, reason: 'stale', stale: true, username: '1001' });
  });

  it('an expired nonce with a wrong password is a wrong-response, not stale', () => {
    const { verify, answer, clock } = setup();
    const header = answer({ password: 'guess' });
    clock.t += 300_001;
    expect(verify(header)).toMatchObject({ reason: 'wrong-response', stale: false });
  });

  it('a nonce still valid at exactly its lifetime, and from the future is stale', () => {
    const { verify, answer, clock } = setup({ nonceLifetimeSeconds: 60 });
    const header = answer();
    clock.t += 60_000;
    expect(verify(header).ok).toBe(true);
    clock.t -= 200_000;
    expect(verify(answer())).toMatchObject({ ok: true });
    const future = answer();
    clock.t -= 120_000;
    expect(verify(future)).toMatchObject({ reason: 'stale', stale: true });
  });

  it('bad-nonce: a forged nonce (the RFC example\'s, or ours with a character changed)', () => {
    const { verify, answer, lookupHa1 } = setup();
    const rfcNonce = answerChallenge({ challengeHeader: `Digest realm="${REALM}", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", qop="auth"`, method: 'REGISTER', uri: 'sip:acme.com', username: '1001', password: 'correct horse' });
    expect(verify(rfcNonce)).toEqual({ ok: false, reason: 'bad-nonce', stale: false, username: '1001' });
    const ours = parseCredentials(answer());
    const flipped = ours.nonce[5] === 'A' ? 'B' : 'A';
    const forged = { ...ours, nonce: ours.nonce.slice(0, 5) + flipped + ours.nonce.slice(6) };
    expect(verify(serializeCredentials(forged))).toMatchObject({ reason: 'bad-nonce' });
    expect(lookupHa1).not.toHaveBeenCalled();
  });

  it('bad-nonce: a nonce issued for another tenant\'s realm', () => {
    const { auth, verify } = setup();
    const other = answerChallenge({ challengeHeader: auth.challenge('other.com')[0], method: 'REGISTER', uri: 'sip:acme.com', username: '1001', password: 'correct horse' });
    const moved = { ...parseCredentials(other), realm: REALM };
    expect(verify(serializeCredentials(moved))).toMatchObject({ reason: 'bad-nonce' });
  });

  it('bad-nonce: opaque not returned unchanged', () => {
    const { verify, craft } = setup({ opaque: 'xyz' });
    expect(verify(craft({ opaque: 'xyz' })).ok).toBe(true);
    expect(verify(craft({ opaque: 'abc' }))).toMatchObject({ reason: 'bad-nonce' });
    expect(verify(craft({}))).toMatchObject({ reason: 'bad-nonce' });
  });

  it('replay: the same nc twice on one nonce gets stale=true (RFC 7616 §5.5)', () => {
    const { verify, answer } = setup();
    const header = answer();
    expect(verify(header).ok).toBe(true);
    expect(verify(header)).toEqual({ ok: false, reason: 'replay', stale: true, username: '1001' });
  });

  it('a forged request does not burn the legitimate client\'s nc', () => {
    const { auth, verify } = setup();
    const challenge = auth.challenge(REALM)[0];
    const ask = (password: string) => answerChallenge({ challengeHeader: challenge, method: 'REGISTER', uri: 'sip:acme.com', username: '1001', password, nc: 1 });
    expect(verify(ask('guess')).ok).toBe(false);
    expect(verify(ask('correct horse')).ok).toBe(true);
  });

  it('stale when the nonce-count table had to forget the nonce (bounded memory)', () => {
    const { auth, verify, clock } = setup({ maxTrackedNonces: 2 });
    const headers = [0, 1, 2].map(() => {
      clock.t += 1;
      return auth.challenge(REALM)[0];
    });
    const req = (h: string, nc: number) => answerChallenge({ challengeHeader: h, method: 'REGISTER', uri: 'sip:acme.com', username: '1001', password: 'correct horse', nc });
    expect(verify(req(headers[0], 1)).ok).toBe(true);
    expect(verify(req(headers[1], 1)).ok).toBe(true);
    expect(verify(req(headers[2], 1)).ok).toBe(true); // evicts the first nonce
    expect(auth.replayStats).toEqual({ trackedNonces: 2, evictions: 1 });
    expect(verify(req(headers[0], 2))).toMatchObject({ reason: 'stale', stale: true });
  });

  it('picks the credentials for its realm among several Authorization values (RFC 3261 §22.3)', () => {
    const { auth, lookupHa1, answer } = setup();
    const proxy = answerChallenge({ challengeHeader: 'Digest realm="proxy.example", nonce="n", qop="auth"', method: 'REGISTER', uri: 'sip:acme.com', username: 'p', password: 'q' });
    const v = (header: readonly string[]) => auth.verify({ header, method: 'REGISTER', realm: REALM, lookupHa1 });
    expect(v([proxy, 'Digest garbage', answer()])).toMatchObject({ ok: true, username: '1001' });
    expect(v([proxy])).toMatchObject({ ok: false, reason: 'realm-mismatch' });
    expect(v(['Digest garbage'])).toMatchObject({ ok: false, reason: 'malformed' });
    expect(v([])).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('realm-mismatch: credentials for another realm', () => {
    const { verify, answer } = setup();
    expect(verify(answer(), { realm: 'other.com' })).toEqual({ ok: false, reason: 'realm-mismatch', stale: false, username: '1001' });
  });

  it('uri-mismatch: when the Request-URI is given, the digest-uri must equal it (RFC 3261 §22.4)', () => {
    const { verify, answer } = setup();
    expect(verify(answer({ uri: 'sip:acme.com' }), { requestUri: 'sip:acme.com' }).ok).toBe(true);
    expect(verify(answer({ uri: 'sip:other@acme.com' }), { requestUri: 'sip:acme.com' })).toMatchObject({ reason: 'uri-mismatch' });
  });

  it('unsupported-algorithm: not offered (MD5 when only SHA-256 is) or unknown', () => {
    const { verify, craft } = setup({ algorithms: ['SHA-256'] });
    expect(verify(craft({ algorithm: 'MD5' }))).toMatchObject({ reason: 'unsupported-algorithm' });
    expect(verify(craft({ algorithm: undefined }))).toMatchObject({ reason: 'unsupported-algorithm' });
    expect(verify(craft({ algorithm: 'SHA-512-256', response: 'ab' }))).toMatchObject({ reason: 'unsupported-algorithm' });
    expect(verify(craft({ algorithm: 'SHA-256' })).ok).toBe(true);
  });

  it('unsupported-qop: auth-int without the body, or an unknown qop', () => {
    const { verify, craft } = setup();
    expect(verify(craft({ qop: 'auth-int' }))).toMatchObject({ reason: 'unsupported-qop' });
    expect(verify(craft({ qop: 'auth-conf' }))).toMatchObject({ reason: 'unsupported-qop' });
  });

  it('unsupported-userhash: hashed usernames are not resolved (RFC 7616 §3.4.4)', () => {
    const { verify, craft } = setup();
    expect(verify(craft({ userhash: true }))).toMatchObject({ reason: 'unsupported-userhash' });
  });

  it('malformed: qop without nc or cnonce, nc of zero, -sess without qop', () => {
    const { verify, craft } = setup({ algorithms: ['MD5', 'MD5-sess'] });
    expect(verify(craft({ nc: undefined }))).toMatchObject({ reason: 'malformed' });
    expect(verify(craft({ cnonce: undefined }))).toMatchObject({ reason: 'malformed' });
    expect(verify(craft({ nc: '00000000' }))).toMatchObject({ reason: 'malformed' });
    expect(verify(craft({ algorithm: 'MD5-sess', qop: undefined, nc: undefined }))).toMatchObject({ reason: 'malformed' });
  });

  it('wrong-response: a response of the wrong length for the algorithm', () => {
    const { verify, craft } = setup();
    expect(verify(craft({ algorithm: 'SHA-256', response: '6629fae49393a05397450978507c4ef1' }))).toMatchObject({ reason: 'wrong-response' });
  });

  it('a failing credential store is not a refusal: its error propagates', async () => {
    const { auth, answer } = setup();
    const boom = new Error('store down');
    expect(() => auth.verify({ header: answer(), method: 'REGISTER', realm: REALM, lookupHa1: () => { throw boom; } })).toThrow(boom);
    await expect(auth.verify({ header: answer(), method: 'REGISTER', realm: REALM, lookupHa1: async () => { throw boom; } })).rejects.toBe(boom);
  });
});

describe('requests without qop (RFC 2069 compatibility, RFC 2617 §3.2.2)', () => {
  const noQop = (auth: DigestAuthenticator) =>
    answerChallenge({ challengeHeader: auth.challenge(REALM)[1].replace(', qop="auth"', ''), method: 'REGISTER', uri: 'sip:acme.com', username: '1001', password: 'correct horse' });

  it('single-use (default): a nonce authenticates one no-qop request; the next gets stale=true', () => {
    const { auth, verify } = setup();
    const header = noQop(auth);
    expect(parseCredentials(header).qop).toBeUndefined();
    expect(verify(header)).toMatchObject({ ok: true, qop: undefined });
    expect(verify(header)).toMatchObject({ ok: false, reason: 'replay', stale: true });
  });

  it("'accept': replayable until the nonce expires (documented risk)", () => {
    const { auth, verify } = setup({ legacyNoQop: 'accept' });
    const header = noQop(auth);
    expect(verify(header).ok).toBe(true);
    expect(verify(header).ok).toBe(true);
  });

  it("'reject': refused as unsupported-qop", () => {
    const { auth, verify } = setup({ legacyNoQop: 'reject' });
    expect(verify(noQop(auth))).toMatchObject({ reason: 'unsupported-qop' });
  });
});
