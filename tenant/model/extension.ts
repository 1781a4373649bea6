// Agent extensions and gateway account names: the SIP user parts agents and gateways register under the tenant's domain (RFC 3261 §10.3 AOR sip:USER@DOMAIN, §25.1 user-unreserved subset).
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.ts';

/** Longest extension. */
export const MAX_EXTENSION_LENGTH = 32;
/** Prefix of every gateway account username; reserved, so no extension can ever be mistaken for a gateway. */
export const GATEWAY_USERNAME_PREFIX = 'gw-';

const EXTENSION = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;

/**
 * Normalises an agent extension: trimmed and lower-cased; 1–32 characters of letters, digits, `.`, `_`,
 * `-`, starting and ending with a letter or digit (safe unescaped in a SIP URI user part), and never
 * starting with the reserved gateway prefix `gw-`. Idempotent. Unique per tenant (the store enforces it).
 * @throws {ValidationError} naming `extension`.
 */
export function normalizeExtension(input: string, field = 'extension'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  const s = input.trim().toLowerCase();
  if (s.length === 0) throw new ValidationError(field, 'must not be empty');
  if (s.length > MAX_EXTENSION_LENGTH) throw new ValidationError(field, `must be at most ${MAX_EXTENSION_LENGTH} characters`);
  if (!EXTENSION.test(s)) throw new ValidationError(field, 'must be letters, digits, ".", "_" or "-", starting and ending with a letter or digit');
  if (s.startsWith(GATEWAY_USERNAME_PREFIX)) throw new ValidationError(field, `must not start with the reserved prefix '${GATEWAY_USERNAME_PREFIX}'`);
  return s;
}

/** True when `user` (a SIP user part as received) has the shape of a gateway account name. */
export function isGatewayUsername(user: string): boolean {
  return /^gw-[a-z0-9]{10}$/.test(user);
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh gateway account username: `gw-` and 10 random lower-case letters/digits. */
export function generateGatewayUsername(): string {
  return GATEWAY_USERNAME_PREFIX + randomString(10, ALPHABET);
}

/** Checks a password given for an agent: 8–128 characters, no control characters. */
export function validatePassword(input: unknown, field = 'password'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  if (input.length < 8) throw new ValidationError(field, 'must be at least 8 characters');
  if (input.length > 128) throw new ValidationError(field, 'must be at most 128 characters');
  if (/\p{Cc}/u.test(input)) throw new ValidationError(field, 'must not contain control characters');
  return input;
}

/** `length` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias). */
export function randomString(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      if (bytes[i] < limit) out += alphabet[bytes[i] % alphabet.length];
    }
  }
  return out;
}
