// Stateless nonces: minted with an HMAC over time, randomness and realm, checked without server state (RFC 7616 §3.3, §5.4, HMAC per RFC 2104).
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256, NONCE_LENGTH, NonceCodec } from './nonce.ts';
import { anyText } from './testing.ts';

const SECRET = '0123456789abcdef0123456789abcdef';

describe('NonceCodec (RFC 7616 §3.3 nonce, §5.4 replay considerations)', () => {
  it('mints base64url nonces that check out for their realm and carry their issue time', () => {
    const codec = new NonceCodec(SECRET);
    const nonce = codec.mint('acme.com', 1_700_000_000_123.7);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(nonce.length).toBe(NONCE_LENGTH);
    const r = codec.check(nonce, 'acme.com');
    expect(r.valid).toBe(true);
    expect(r.issuedAt).toBe(1_700_000_000_123);
  });

  it('makes every nonce unique, also at the same millisecond', () => {
    const codec = new NonceCodec(SECRET);
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(codec.mint('r', 5));
    expect(seen.size).toBe(3000);
  });

  it('another node with the same secret accepts the nonce; another secret does not (cluster sharing)', () => {
    const nonce = new NonceCodec(SECRET).mint('r', 1000);
    expect(new NonceCodec(Buffer.from(SECRET)).check(nonce, 'r').valid).toBe(true);
    expect(new NonceCodec('fedcba9876543210fedcba9876543210').check(nonce, 'r').valid).toBe(false);
  });

  it('binds the nonce to its realm: another tenant cannot use it', () => {
    const codec = new NonceCodec(SECRET);
    expect(codec.check(codec.mint('acme.com', 1000), 'evil.com').valid).toBe(false);
  });

  it('refuses forged or altered nonces: any changed character, wrong length, foreign nonces', () => {
    const codec = new NonceCodec(SECRET);
    const nonce = codec.mint('r', 123_456);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < nonce.length; i++) {
      const other = alphabet[(alphabet.indexOf(nonce[i]) + 1) % 64];
      expect(codec.check(nonce.slice(0, i) + other + nonce.slice(i + 1), 'r').valid).toBe(false);
    }
    expect(codec.check(nonce.slice(1), 'r').valid).toBe(false);
    expect(codec.check(`${nonce}A`, 'r').valid).toBe(false);
    expect(codec.check('dcd98b7102dd2f0e8b11d0f600bfb0c093', 'r').valid).toBe(false);
  });

  it('accepts one spelling only: base64 "+/" instead of base64url "-_" is refused though it decodes the same', () => {
    const codec = new NonceCodec(SECRET);
    let nonce = codec.mint('r', 1);
    while (!/[-_]/.test(nonce)) nonce = codec.mint('r', 1);
    expect(codec.check(nonce, 'r').valid).toBe(true);
    expect(codec.check(nonce.replace(/-/g, '+').replace(/_/g, '/'), 'r').valid).toBe(false);
    // The last digit's two low bits carry no data: a different last digit decoding to the same bytes is refused.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(nonce[42]);
    expect(codec.check(nonce.slice(0, 42) + alphabet[last | 1], 'r').valid).toBe(false);
  });

  it('refuses a short secret and a negative time with a TypeError', () => {
    expect(() => new NonceCodec('short')).toThrow(TypeError);
    expect(() => new NonceCodec(SECRET).mint('r', -1)).toThrow(TypeError);
  });
});

describe('HmacSha256 (RFC 2104)', () => {
  it('equals node:crypto createHmac for short, block-sized and long keys and any realm text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.uint8Array({ maxLength: 40 }), anyText({ maxLength: 100 }), (key, prefix, text) => {
        const ours = new HmacSha256(key).digest(prefix, text);
        const reference = createHmac('sha256', key).update(prefix).update(text, 'utf8').digest();
        expect(ours.equals(reference)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('matches the RFC 4231 §4.2 test case 1', () => {
    const key = Buffer.alloc(20, 0x0b);
    expect(new HmacSha256(key).digest(new Uint8Array(0), 'Hi There').toString('hex')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
  });
});
