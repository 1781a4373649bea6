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
//
// HMAC (RFC 2104) is computed as two one-shot SHA-256 calls over preallocated buffers holding K⊕ipad and
// K⊕opad: H(K⊕opad ‖ H(K⊕ipad ‖ m)). It equals node:crypto's createHmac (tested) at a third of its cost,
// which matters on the REGISTER path where every request checks one nonce.
import { hash, randomFillSync } from 'node:crypto';

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

const SHA256_BLOCK = 64;
const SHA256_BYTES = 32;

/** HMAC-SHA256 (RFC 2104) over `prefix ‖ utf8(text)`, with the padded keys prepared once. */
export class HmacSha256 {
  #inner: Buffer;
  /** `#inner` cut to the last message length (kept: same realm length → no new view per call). */
  #innerView: Buffer;
  readonly #outer = Buffer.alloc(SHA256_BLOCK + SHA256_BYTES);

  constructor(key: Uint8Array) {
    // Keys longer than the block are hashed first (RFC 2104 §2).
    const k = key.length > SHA256_BLOCK ? hash('sha256', key, 'buffer') : key;
    this.#inner = Buffer.alloc(SHA256_BLOCK + 256);
    this.#innerView = this.#inner;
    for (let i = 0; i < SHA256_BLOCK; i++) {
      const b = i < k.length ? k[i] : 0;
      this.#inner[i] = b ^ 0x36;
      this.#outer[i] = b ^ 0x5c;
    }
  }

  /**
   * Writes HMAC(key, prefix ‖ UTF-8 of text), 32 bytes, into `out` at `offset`; returns the bytes written.
   * (The hashes are taken as 'binary' (latin1) strings and written back: node:crypto's Buffer output costs ~3× more.)
   */
  digestInto(prefix: Uint8Array, text: string, out: Buffer, offset: number): number {
    const need = SHA256_BLOCK + prefix.length + Buffer.byteLength(text, 'utf8');
    if (need > this.#inner.length) {
      const grown = Buffer.alloc(need);
      this.#inner.copy(grown, 0, 0, SHA256_BLOCK);
      this.#inner = grown;
      this.#innerView = grown;
    }
    const inner = this.#inner;
    inner.set(prefix, SHA256_BLOCK);
    const end = SHA256_BLOCK + prefix.length + inner.write(text, SHA256_BLOCK + prefix.length, 'utf8');
    if (this.#innerView.length !== end) this.#innerView = inner.subarray(0, end);
    this.#outer.write(hash('sha256', this.#innerView, 'binary'), SHA256_BLOCK, 'latin1');
    return out.write(hash('sha256', this.#outer, 'binary'), offset, SHA256_BYTES, 'latin1');
  }

  /** HMAC(key, prefix ‖ UTF-8 of text) as a new 32-byte Buffer (allocates; for tests and tools). */
  digest(prefix: Uint8Array, text: string): Buffer {
    const out = Buffer.alloc(SHA256_BYTES);
    this.digestInto(prefix, text, out, 0);
    return out;
  }
}

/** Constant-time equality of two byte ranges of equal length. */
function bytesEqual(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  let diff = 0;
  for (let i = 0; i < length; i++) diff |= a[aStart + i] ^ b[bStart + i];
  return diff === 0;
}

/** Mints and checks stateless nonces for one secret. Not thread-safe scratch buffers: use one per thread. */
export class NonceCodec {
  readonly #hmac: HmacSha256;
  readonly #scratch = Buffer.alloc(NONCE_BYTES);
  readonly #macInput: Buffer;
  readonly #macOut = Buffer.alloc(SHA256_BYTES);
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
    this.#hmac = new HmacSha256(bytes);
    this.#macInput = this.#scratch.subarray(0, MAC_INPUT_BYTES);
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
    this.#mac(realm);
    this.#macOut.copy(buf, MAC_INPUT_BYTES, 0, MAC_BYTES);
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
    this.#mac(realm);
    if (!bytesEqual(this.#macOut, 0, buf, MAC_INPUT_BYTES, MAC_BYTES)) return r;
    r.valid = true;
    r.issuedAt = buf.readUIntBE(0, TS_BYTES);
    return r;
  }

  /** HMAC over the scratch buffer's timestamp ‖ random, then the realm, into `#macOut`. */
  #mac(realm: string): void {
    this.#hmac.digestInto(this.#macInput, realm, this.#macOut, 0);
  }
}
