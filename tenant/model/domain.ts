// Tenant domain names: normalisation (lower case, IDN → punycode A-labels, no trailing dot) and validation (RFC 1035 §2.3.1 LDH labels and lengths, RFC 5890 §2.3.2.1 A-labels via UTS #46 `domainToASCII`).
import { domainToASCII, domainToUnicode } from 'node:url';
import { ValidationError } from '../errors.ts';

/** Longest domain name in presentation form without the trailing dot (RFC 1035 §2.3.4: 255 octets on the wire). */
export const MAX_DOMAIN_LENGTH = 253;
/** Longest label (RFC 1035 §2.3.4). */
export const MAX_LABEL_LENGTH = 63;

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** Characters `domainToASCII` would interpret (percent-decoding, ports, userinfo, IPv6 brackets) or that never belong in a host name. */
const FORBIDDEN = /[\s%/\\:@[\]?#<>"'`^{}|]/u;

/**
 * Normalises a tenant domain: trims, maps through UTS #46 to lower-case ASCII (IDN labels become
 * `xn--` A-labels), drops one trailing dot, and validates the result as a host name of at least two
 * LDH labels (RFC 1035 §2.3.1) whose top-level label is not all digits (an IPv4 literal is not a domain).
 * Idempotent: `normalizeDomain(normalizeDomain(x)) === normalizeDomain(x)`.
 * @param field the input field named by the error (default `domain`).
 * @throws {ValidationError} naming `field` when the input is not a valid domain.
 */
export function normalizeDomain(input: string, field = 'domain'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  let s = input.trim();
  if (s.length === 0) throw new ValidationError(field, 'must not be empty');
  if (s.length > 4 * MAX_DOMAIN_LENGTH) throw new ValidationError(field, 'is too long');
  if (FORBIDDEN.test(s)) throw new ValidationError(field, 'contains a character not allowed in a domain name');
  if (s.endsWith('.')) s = s.slice(0, -1);
  const ascii = domainToASCII(s);
  if (ascii.length === 0) throw new ValidationError(field, 'is not a valid (internationalised) domain name');
  const reason = asciiDomainFault(ascii);
  if (reason !== undefined) throw new ValidationError(field, reason);
  return ascii;
}

/** Like {@link normalizeDomain} but answers `undefined` instead of throwing (for untrusted SIP input). */
export function tryNormalizeDomain(input: string): string | undefined {
  try {
    return normalizeDomain(input);
  } catch {
    return undefined;
  }
}

/** The Unicode (U-label) form of a normalised domain, for display. */
export function displayDomain(domain: string): string {
  return domainToUnicode(domain) || domain;
}

/** Why an ASCII, lower-cased domain is not acceptable, or `undefined` when it is. */
function asciiDomainFault(d: string): string | undefined {
  if (d.length > MAX_DOMAIN_LENGTH) return `must be at most ${MAX_DOMAIN_LENGTH} characters`;
  const labels = d.split('.');
  if (labels.length < 2) return 'must have at least two labels (e.g. acme.example)';
  for (const label of labels) {
    if (label.length === 0) return 'must not contain an empty label';
    if (label.length > MAX_LABEL_LENGTH) return `labels must be at most ${MAX_LABEL_LENGTH} characters`;
    if (!LDH_LABEL.test(label)) return `label '${label}' must be letters, digits and inner hyphens`;
    if (label.startsWith('xn--') && domainToASCII(domainToUnicode(label)) !== label) return `label '${label}' is not a valid A-label`;
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return 'must be a domain name, not an IP address';
  return undefined;
}
