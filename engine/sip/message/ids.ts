// Random identifiers: Via branch with the magic cookie, tags, Call-IDs (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3).
import { randomFillSync } from 'node:crypto';
import { MAGIC_COOKIE } from './via.ts';

// Token-safe alphabet (RFC 3261 §25.1 token chars), 64 symbols so one random byte gives 6 bits.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.';
const POOL = Buffer.alloc(4096);
let poolPos = POOL.length;

function randomToken(len: number): string {
  if (poolPos + len > POOL.length) {
    randomFillSync(POOL);
    poolPos = 0;
  }
  let s = '';
  for (let i = 0; i < len; i++) s += ALPHABET[POOL[poolPos + i] & 63];
  poolPos += len;
  return s;
}

/** A new Via branch: the magic cookie `z9hG4bK` plus 22 random token chars (~132 bits, RFC 3261 §8.1.1.7). */
export function generateBranch(): string {
  return MAGIC_COOKIE + randomToken(22);
}

/** A new From/To tag: 12 random token chars (~72 bits; RFC 3261 §19.3 asks for at least 32). */
export function generateTag(): string {
  return randomToken(12);
}

/** A new Call-ID: 24 random token chars, `@host` appended when given (RFC 3261 §8.1.1.4). */
export function generateCallId(host?: string): string {
  const id = randomToken(24);
  return host ? `${id}@${host}` : id;
}
