// Service numbers and called identities: a tenant's phone numbers (digits, optional leading +; RFC 3966 §5.1.4 visual separators removed) and the `number@domain` identity a gateway calls (RFC 3261 §19.1.1 user@host).
import { ValidationError } from '../errors.ts';
import { normalizeDomain, tryNormalizeDomain } from './domain.ts';

/** Most digits in a service number (E.164 allows 15; prefixes and extensions of private plans need more). */
export const MAX_NUMBER_DIGITS = 32;

/** RFC 3966 §5.1.4 visual separators, plus spaces, that people write inside phone numbers. */
const VISUAL_SEPARATORS = /[\s\-.()]/gu;
const NUMBER = /^\+?[0-9]+$/;

/**
 * Normalises a service (or customer) number: removes visual separators (space, `-`, `.`, `(`, `)`) and
 * keeps digits with an optional leading `+`. Idempotent.
 * @param field the input field named by the error (default `number`).
 * @throws {ValidationError} naming `field` when anything else remains, or when there are no digits or too many.
 */
export function normalizeNumber(input: string, field = 'number'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  const s = input.replace(VISUAL_SEPARATORS, '');
  if (s.length === 0 || s === '+') throw new ValidationError(field, 'must contain digits');
  if (!NUMBER.test(s)) throw new ValidationError(field, 'must be digits with an optional leading +');
  const digits = s.startsWith('+') ? s.length - 1 : s.length;
  if (digits > MAX_NUMBER_DIGITS) throw new ValidationError(field, `must have at most ${MAX_NUMBER_DIGITS} digits`);
  return s;
}

/** Like {@link normalizeNumber} but answers `undefined` instead of throwing. */
export function tryNormalizeNumber(input: string): string | undefined {
  try {
    return normalizeNumber(input);
  } catch {
    return undefined;
  }
}

/**
 * The called identity of a service number: `number@domain`, both normalised. What a gateway puts in the
 * Request-URI (`sip:NUMBER@DOMAIN`) of an inbound call; unique across all tenants, because domains are.
 * @throws {ValidationError} naming `number` or `domain`.
 */
export function calledIdentity(number: string, domain: string): string {
  return `${normalizeNumber(number)}@${normalizeDomain(domain)}`;
}

/** The parts of a called identity. */
export interface CalledIdentityParts {
  number: string;
  domain: string;
}

/**
 * Parses and normalises a called identity given as `number@domain` text (an optional `sip:`/`sips:`/`tel:`
 * scheme and URI parameters are ignored) or as `{user, host}` parts from a parsed Request-URI.
 * Returns `undefined` when it is not a phone number at a valid domain (untrusted SIP input: never throws).
 */
export function parseCalledIdentity(input: string | { user: string | undefined; host: string }): CalledIdentityParts | undefined {
  let user: string | undefined;
  let host: string;
  if (typeof input === 'string') {
    let s = input.trim();
    const scheme = /^(sips?|tel):/i.exec(s);
    if (scheme !== null) s = s.slice(scheme[0].length);
    const semi = s.search(/[;?>]/u);
    if (semi >= 0) s = s.slice(0, semi);
    const at = s.lastIndexOf('@');
    if (at < 0) return undefined;
    user = s.slice(0, at);
    host = s.slice(at + 1);
  } else {
    user = input.user;
    host = input.host;
  }
  if (user === undefined) return undefined;
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !host.includes(']')) host = host.slice(0, colon);
  let decoded: string;
  try {
    decoded = decodeURIComponent(user);
  } catch {
    return undefined;
  }
  const number = tryNormalizeNumber(decoded);
  const domain = tryNormalizeDomain(host);
  if (number === undefined || domain === undefined) return undefined;
  return { number, domain };
}

/** `number@domain` of parts already normalised. */
export function formatCalledIdentity(parts: CalledIdentityParts): string {
  return `${parts.number}@${parts.domain}`;
}
