// Secrets the tenant layer issues and checks: gateway passwords, API keys (stored as SHA-256 only), digest HA1 pairs (RFC 7616 §3.4.2), constant-time comparison.
import { createHash, timingSafeEqual } from 'node:crypto';
import { computeHa1 } from '../../engine/sip/auth/index.ts';
import { randomString } from './extension.ts';

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The two HA1 hashes kept per SIP account instead of its password. */
export interface Ha1Pair {
  /** H(username:realm:password) with MD5, lowercase hex. */
  md5: string;
  /** H(username:realm:password) with SHA-256, lowercase hex. */
  sha256: string;
}

/** HA1 = H(username ":" realm ":" password) with MD5 and SHA-256 (realm = the tenant's domain). */
export function ha1Pair(username: string, realm: string, password: string): Ha1Pair {
  return { md5: computeHa1('MD5', username, realm, password), sha256: computeHa1('SHA-256', username, realm, password) };
}

/** A generated gateway password: 24 characters without look-alikes (~140 bits). */
export function generatePassword(): string {
  return randomString(24, PASSWORD_ALPHABET);
}

/** A parsed API key: `hk_<keyId>_<secret>`. */
export interface ApiKeyParts {
  keyId: string;
  secret: string;
}

/** A new API key for key id `keyId` (a `key_…` id): the full token and the hash to store. */
export function generateApiKey(keyId: string): { token: string; hash: string } {
  const secret = randomString(32, KEY_ALPHABET);
  return { token: `hk_${keyId}_${secret}`, hash: hashSecret(secret) };
}

/** Splits a bearer token that looks like an API key; `undefined` for anything else. */
export function parseApiKey(token: string): ApiKeyParts | undefined {
  const m = /^hk_(key_[0-9a-z]{26})_([0-9a-z]{32})$/.exec(token);
  return m === null ? undefined : { keyId: m[1], secret: m[2] };
}

/** SHA-256 of a secret as hex (API keys are random with ≥160 bits: a fast hash is enough). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two strings in time independent of where they differ (length still leaks). */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ba.length !== bb.length) {
    timingSafeEqual(ba, ba);
    return false;
  }
  return timingSafeEqual(ba, bb);
}

/** A fresh operator token (`HOTLINE_ADMIN_TOKEN` when unset): `hot_` and 40 random letters/digits (~238 bits). */
export function generateAdminToken(): string {
  return `hot_${randomString(40, PASSWORD_ALPHABET)}`;
}
