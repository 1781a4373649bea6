// Examples of the tenant model rules: domain normalisation (RFC 1035 §2.3.1, RFC 5890 A-labels), numbers (RFC 3966 §5.1.4 separators), called identities, extensions, ids and secrets.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  calledIdentity,
  displayDomain,
  generateApiKey,
  generateGatewayUsername,
  generatePassword,
  ha1Pair,
  hashSecret,
  isGatewayUsername,
  isId,
  newId,
  normalizeDomain,
  normalizeExtension,
  normalizeNumber,
  parseApiKey,
  parseCalledIdentity,
  safeEqual,
  validatePassword,
} from './index.ts';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('tenant domains', () => {
  it('lower-cases, trims and drops one trailing dot (RFC 1034 §3.1 absolute names)', () => {
    expect(normalizeDomain('  Acme.COM. ')).toBe('acme.com');
    expect(normalizeDomain('call.Center.Example')).toBe('call.center.example');
  });

  it('maps IDN to punycode A-labels (RFC 5890 §2.3.2.1, UTS #46)', () => {
    expect(normalizeDomain('München.DE')).toBe('xn--mnchen-3ya.de');
    expect(normalizeDomain('例え.テスト')).toBe('xn--r8jz45g.xn--zckzah');
    expect(normalizeDomain('xn--mnchen-3ya.de')).toBe('xn--mnchen-3ya.de');
    expect(normalizeDomain('Ａｃｍｅ.com')).toBe('acme.com');
    expect(displayDomain('xn--mnchen-3ya.de')).toBe('münchen.de');
  });

  it.each([
    ['', 'empty'],
    ['acme', 'single label'],
    ['acme..com', 'empty label'],
    ['.acme.com', 'leading dot'],
    ['acme.com..', 'two trailing dots'],
    ['-acme.com', 'leading hyphen'],
    ['acme-.com', 'trailing hyphen'],
    ['a_b.com', 'underscore'],
    ['a b.com', 'space'],
    ['acme.com:5060', 'port'],
    ['user@acme.com', 'userinfo'],
    ['a%41.com', 'percent escape'],
    ['192.0.2.1', 'IPv4 literal'],
    ['[::1]', 'IPv6 literal'],
    [`${'a'.repeat(64)}.com`, 'label of 64'],
    [`${'abcdefghi.'.repeat(26)}com`, 'longer than 253'],
  ])('refuses %j (%s) with a ValidationError naming the field', (input) => {
    expect(fieldOf(() => normalizeDomain(input))).toBe('domain');
  });

  it('names the field the caller gives', () => {
    expect(fieldOf(() => normalizeDomain('nope', 'realm'))).toBe('realm');
  });

  it('accepts a label of exactly 63 characters and a 253-character name', () => {
    expect(normalizeDomain(`${'a'.repeat(63)}.com`)).toHaveLength(67);
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(long).toHaveLength(253);
    expect(normalizeDomain(long)).toBe(long);
  });
});

describe('service numbers', () => {
  it('removes visual separators and keeps a leading + (RFC 3966 §5.1.4)', () => {
    expect(normalizeNumber('021-8888 6666')).toBe('02188886666');
    expect(normalizeNumber('+86 (21) 8888.6666')).toBe('+862188886666');
    expect(normalizeNumber('100')).toBe('100');
  });

  it.each(['', '+', 'abc', '12a4', '+-+1', '1+2', '++12', '*123', '#1', '1'.repeat(33)])('refuses %j naming "number"', (input) => {
    expect(fieldOf(() => normalizeNumber(input))).toBe('number');
  });
});

describe('called identities (number@domain)', () => {
  it('joins the normalised number and domain', () => {
    expect(calledIdentity('021 8888 6666', 'ACME.com.')).toBe('02188886666@acme.com');
  });

  it('parses a Request-URI or To URI, ignoring scheme, port and parameters', () => {
    expect(parseCalledIdentity('sip:02188886666@Acme.COM:5060;user=phone')).toEqual({ number: '02188886666', domain: 'acme.com' });
    expect(parseCalledIdentity('02188886666@acme.com')).toEqual({ number: '02188886666', domain: 'acme.com' });
    expect(parseCalledIdentity({ user: '%2B8621', host: 'ACME.com' })).toEqual({ number: '+8621', domain: 'acme.com' });
  });

  it('answers undefined (never throws) for identities that are not number@domain', () => {
    for (const bad of ['acme.com', 'sip:alice@acme.com', '123@', '@acme.com', '123@192.0.2.1', 'sip:%zz@acme.com']) {
      expect(parseCalledIdentity(bad)).toBeUndefined();
    }
    expect(parseCalledIdentity({ user: undefined, host: 'acme.com' })).toBeUndefined();
  });
});

describe('agent extensions and gateway accounts', () => {
  it('lower-cases extensions and keeps SIP-safe characters', () => {
    expect(normalizeExtension(' Alice.B ')).toBe('alice.b');
    expect(normalizeExtension('1001')).toBe('1001');
  });

  it.each(['', '-1', '1-', 'a b', 'a@b', 'gw-abc', 'x'.repeat(33), 'ä'])('refuses %j naming "extension"', (input) => {
    expect(fieldOf(() => normalizeExtension(input))).toBe('extension');
  });

  it('issues gateway usernames no extension can take', () => {
    const u = generateGatewayUsername();
    expect(isGatewayUsername(u)).toBe(true);
    expect(fieldOf(() => normalizeExtension(u))).toBe('extension');
  });

  it('checks agent passwords', () => {
    expect(validatePassword('correct horse')).toBe('correct horse');
    expect(fieldOf(() => validatePassword('short'))).toBe('password');
    expect(fieldOf(() => validatePassword('tab\there!'))).toBe('password');
    expect(fieldOf(() => validatePassword(12345678))).toBe('password');
  });
});

describe('ids and secrets', () => {
  it('ids sort in creation order and carry their prefix', () => {
    const ids = Array.from({ length: 50 }, () => newId('tn'));
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => isId(id, 'tn'))).toBe(true);
    expect(isId(ids[0], 'ag')).toBe(false);
    expect(new Set(ids).size).toBe(50);
  });

  it('HA1 pairs follow RFC 7616 §3.4.2 (H(user:realm:password))', () => {
    // RFC 2617 §3.5 example: Mufasa / testrealm@host.com / Circle Of Life
    expect(ha1Pair('Mufasa', 'testrealm@host.com', 'Circle Of Life').md5).toBe('939e7578ed9e3c518a452acee763bce9');
    expect(ha1Pair('a', 'b', 'c').sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('API keys parse back to their id and verify by hash only', () => {
    const id = newId('key');
    const { token, hash } = generateApiKey(id);
    const parts = parseApiKey(token);
    expect(parts?.keyId).toBe(id);
    expect(hashSecret(parts?.secret ?? '')).toBe(hash);
    expect(token).not.toContain(hash);
    expect(parseApiKey('hk_nope')).toBeUndefined();
    expect(parseApiKey(`${token}x`)).toBeUndefined();
  });

  it('generates distinct passwords and compares in constant time', () => {
    const a = generatePassword();
    expect(a).toHaveLength(24);
    expect(generatePassword()).not.toBe(a);
    expect(safeEqual(a, a)).toBe(true);
    expect(safeEqual(a, `${a}x`)).toBe(false);
    expect(safeEqual(a, a.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')))).toBe(false);
  });
});
