// Stateless server nonces: minted and verified with an HMAC, no per-nonce server state (RFC 7616 §3.3 and §5.4–§5.5, RFC 2617 §3.2.1).
//
// Layout (32 bytes, written as 43 base64url characters without padding):
//
//    0                   6                  16                                  32
//   +-------------------+------------------+-----------------------------------+
//   | issued at, ms, BE | random (10 B)    | HMAC-SHA256(secret, bytes 0..15   |
//   | 48-bit            |                  |   ‖ realm), first 16 bytes         |
//   +-------------------+------------------+-----------------------------------+
//
// The MAC binds the nonce to the realm (a nonce for one tenant is useless for another) and to its timestamp,
// so any node that knows the secret can check a nonce's origin and age. Uniqueness comes from the random part.
import { createHmac, createSecretKey, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const TS_BYTES = 6;
const RANDOM_BYTES = 10;
const MAC_BYTES = 16;
const MAC_INPUT_BYTES = TS_BYTES + RANDOM_BYTES;
/** Bytes in a nonce. */
export const NONCE_BYTES = MAC_INPUT_BYTES + MAC_BYTES;
/** Characters of a nonce as base64url without padding: ceil(32 · 8 / 6). */
export const NONCE_LENGTH = 43;
const MAX_TIMESTAMP = 2 ** 48 - 1;

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** base64url digit values; 255 marks characters outside the alphabet (note: Buffer's decoder would skip or accept them). */
const B64_VALUE = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) B64_VALUE[B64URL.charCodeAt(i)] = i;

/** What {@link NonceCodec.check} found. `issuedAt` is valid when `valid` is true. */
export interface NonceCheck {
  valid: boolean;
  issuedAt: number;
}

/** Mints and checks stateless nonces for one secret. Not thread-safe scratch buffers: use one per thread. */
export class NonceCodec {
  readonly #key: KeyObject;
  readonly #scratch = Buffer.alloc(NONCE_BYTES);
  readonly #pool = Buffer.alloc(RANDOM_BYTES * 256);
  #poolPos: number;
  /** Reused result record of {@link check}. */
  readonly #result: NonceCheck = { valid: false, issuedAt: 0 };

  /**
   * @param secret HMAC key, at least 16 bytes (share it between nodes of a cluster).
   * @throws {TypeError} if the secret is shorter than 16 bytes.
   */
  constructor(secret: Uint8Array | string) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    if (bytes.length < 16) throw new TypeError('secret: must be at least 16 bytes');
    this.#key = createSecretKey(bytes);
    this.#poolPos = this.#pool.length;
  }

  /**
   * A fresh nonce for `realm`, stamped with `now` (ms since the epoch, as from the injected clock).
   * @throws {TypeError} if `now` is negative or beyond 48 bits.
   */
  mint(realm: string, now: number): string {
    const ts = Math.floor(now);
    if (!(ts >= 0 && ts <= MAX_TIMESTAMP)) throw new TypeError('now: must be a non-negative millisecond time below 2^48');
    const buf = this.#scratch;
    buf.writeUIntBE(ts, 0, TS_BYTES);
    if (this.#poolPos + RANDOM_BYTES > this.#pool.length) {
      randomFillSync(this.#pool);
      this.#poolPos = 0;
    }
    this.#pool.copy(buf, TS_BYTES, this.#poolPos, this.#poolPos + RANDOM_BYTES);
    this.#poolPos += RANDOM_BYTES;
    this.#mac(realm).copy(buf, MAC_INPUT_BYTES, 0, MAC_BYTES);
    return buf.toString('base64url');
  }

  /**
   * Checks that `nonce` was minted by this secret for `realm`; returns its issue time. The returned
   * record is reused by the next call: read it before calling again.
   */
  check(nonce: string, realm: string): NonceCheck {
    const r = this.#result;
    r.valid = false;
    r.issuedAt = 0;
    if (nonce.length !== NONCE_LENGTH) return r;
    // Strict alphabet and canonical last digit (its 2 low bits carry no data): one spelling per nonce.
    for (let i = 0; i < NONCE_LENGTH; i++) {
      const c = nonce.charCodeAt(i);
      if (c >= 128 || B64_VALUE[c] === 255) return r;
    }
    if ((B64_VALUE[nonce.charCodeAt(NONCE_LENGTH - 1)] & 3) !== 0) return r;
    const buf = this.#scratch;
    if (buf.write(nonce, 0, NONCE_BYTES, 'base64url') !== NONCE_BYTES) return r;
    const mac = this.#mac(realm);
    if (!timingSafeEqual(mac.subarray(0, MAC_BYTES), buf.subarray(MAC_INPUT_BYTES, NONCE_BYTES))) return r;
    r.valid = true;
    r.issuedAt = buf.readUIntBE(0, TS_BYTES);
    return r;
  }

  /** HMAC over the scratch buffer's timestamp ‖ random, then the realm. */
  #mac(realm: string): Buffer {
    return createHmac('sha256', this.#key).update(this.#scratch.subarray(0, MAC_INPUT_BYTES)).update(realm, 'utf8').digest();
  }
}
