// Digest computations: HA1, session HA1, HA2, request-digest and userhash (RFC 7616 §3.4.1–§3.4.4, RFC 2617 §3.2.2, RFC 2069 §2.1.2).
//
//   A1       = username ":" realm ":" passwd                        (HA1 = H(A1) is what the tenant store keeps)
//   A1 -sess = H(username ":" realm ":" passwd) ":" nonce ":" cnonce
//   A2       = Method ":" digest-uri                                (qop=auth, or no qop)
//   A2       = Method ":" digest-uri ":" H(entity-body)             (qop=auth-int)
//   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)    (qop present)
//   response = H(HA1 ":" nonce ":" HA2)                              (no qop: RFC 2069 compatibility)
//
// H is MD5 or SHA-256, written as lowercase hex. Strings are hashed as UTF-8 (RFC 7616 §4, charset=UTF-8).
import { hash } from 'node:crypto';
import type { DigestCredentials } from './header.ts';

/** The algorithms this layer implements (RFC 7616 §6.1 registry, minus SHA-512-256). */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/** Every implemented algorithm, strongest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze(['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess']);

/**
 * Maps a written algorithm name to the implemented one: `undefined` (parameter absent) is MD5
 * (RFC 7616 §3.3), names compare case-insensitively; anything else gives `undefined`.
 */
export function toDigestAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  if (name === undefined) return 'MD5';
  switch (name) {
    case 'MD5':
    case 'MD5-sess':
    case 'SHA-256':
    case 'SHA-256-sess':
      return name;
  }
  switch (name.toLowerCase()) {
    case 'md5': return 'MD5';
    case 'md5-sess': return 'MD5-sess';
    case 'sha-256': return 'SHA-256';
    case 'sha-256-sess': return 'SHA-256-sess';
  }
  return undefined;
}

/** The node:crypto hash name behind an algorithm. */
export function hashFunctionOf(algorithm: DigestAlgorithm): 'md5' | 'sha256' {
  return algorithm === 'MD5' || algorithm === 'MD5-sess' ? 'md5' : 'sha256';
}

/** True for the `-sess` variants, whose HA1 also covers nonce and cnonce (RFC 7616 §3.4.2). */
export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm === 'MD5-sess' || algorithm === 'SHA-256-sess';
}

/** Length in hex characters of every H() value for the algorithm: 32 (MD5) or 64 (SHA-256). */
export function digestHexLength(algorithm: DigestAlgorithm): 32 | 64 {
  return hashFunctionOf(algorithm) === 'md5' ? 32 : 64;
}

/** H(data) as lowercase hex. */
export function digestHex(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  return hash(hashFunctionOf(algorithm), data, 'hex');
}

/**
 * HA1 = H(username ":" realm ":" password) — the value a credential store keeps instead of the password
 * (RFC 7616 §3.4.2). For the `-sess` algorithms this is the same value (the hash function decides, MD5 or
 * SHA-256); the per-session HA1 is {@link computeSessionHa1}.
 */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHex(algorithm, `${username}:${realm}:${password}`);
}

/** Session HA1 of the `-sess` algorithms: H(HA1 ":" nonce ":" cnonce) (RFC 7616 §3.4.2). */
export function computeSessionHa1(algorithm: DigestAlgorithm, ha1: string, nonce: string, cnonce: string): string {
  return digestHex(algorithm, `${ha1}:${nonce}:${cnonce}`);
}

/** userhash = H(username ":" realm) (RFC 7616 §3.4.4). */
export function computeUserhash(algorithm: DigestAlgorithm, username: string, realm: string): string {
  return digestHex(algorithm, `${username}:${realm}`);
}

const EMPTY = new Uint8Array(0);

/** Inputs of {@link computeResponse}. */
export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** The stored HA1 (H(username:realm:password)); the `-sess` step is applied here. */
  ha1: string;
  nonce: string;
  method: string;
  /** The digest-uri exactly as sent in `uri=` (in SIP, the Request-URI). */
  uri: string;
  /** Absent: RFC 2069 compatibility (no nc, no cnonce). */
  qop?: 'auth' | 'auth-int';
  /** The nonce-count as its 8 hex digits (with qop). */
  nc?: string;
  /** Required with qop and with the `-sess` algorithms. */
  cnonce?: string;
  /** Message body for qop=auth-int (absent = empty body). */
  body?: Uint8Array;
}

/**
 * The request-digest (`response=`) for a request, from the stored HA1 (RFC 7616 §3.4.1, RFC 2617 §3.2.2.1).
 * @throws {TypeError} if qop is set without nc/cnonce, or a `-sess` algorithm is used without cnonce.
 */
export function computeResponse(input: DigestResponseInput): string {
  const { algorithm, qop } = input;
  if (qop !== undefined && (input.nc === undefined || input.cnonce === undefined)) {
    throw new TypeError('nc and cnonce: required with qop');
  }
  if (isSessionAlgorithm(algorithm) && input.cnonce === undefined) throw new TypeError('cnonce: required with -sess algorithms');
  return responseOf(algorithm, input.ha1, input.nonce, input.method, input.uri, qop, input.nc ?? '', input.cnonce ?? '', input.body);
}

/**
 * Positional form of {@link computeResponse} for the verification path (no argument object, no checks):
 * callers guarantee nc/cnonce with qop and cnonce with `-sess`.
 */
export function responseOf(
  algorithm: DigestAlgorithm,
  ha1: string,
  nonce: string,
  method: string,
  uri: string,
  qop: 'auth' | 'auth-int' | undefined,
  nc: string,
  cnonce: string,
  body: Uint8Array | undefined,
): string {
  const h = hashFunctionOf(algorithm);
  const a1 = isSessionAlgorithm(algorithm) ? hash(h, `${ha1}:${nonce}:${cnonce}`, 'hex') : ha1;
  const a2 = qop === 'auth-int' ? `${method}:${uri}:${hash(h, body ?? EMPTY, 'hex')}` : `${method}:${uri}`;
  const ha2 = hash(h, a2, 'hex');
  return qop === undefined
    ? hash(h, `${a1}:${nonce}:${ha2}`, 'hex')
    : hash(h, `${a1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`, 'hex');
}

/** Constant-time comparison of a received hex digest with the expected lowercase one (uppercase A–F accepted). */
export function hexEqual(received: string, expected: string): boolean {
  if (received.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    let c = received.charCodeAt(i);
    if (c >= 0x41 && c <= 0x46) c += 0x20;
    diff |= c ^ expected.charCodeAt(i);
  }
  return diff === 0;
}

/**
 * True if parsed credentials carry the right request-digest for `method` and the stored `ha1` — the digest
 * check alone, without nonce, realm or replay checks (those are {@link DigestAuthenticator}'s). False for
 * algorithms and qop values this layer does not implement, and for qop without nc/cnonce.
 */
export function responseMatches(credentials: DigestCredentials, params: { method: string; ha1: string; body?: Uint8Array }): boolean {
  const algorithm = toDigestAlgorithm(credentials.algorithm);
  if (algorithm === undefined) return false;
  const written = credentials.qop;
  if (written !== undefined && written !== 'auth' && written !== 'auth-int') return false;
  const qop = written === 'auth' ? 'auth' : written === 'auth-int' ? 'auth-int' : undefined;
  if (qop !== undefined && (credentials.nc === undefined || credentials.cnonce === undefined)) return false;
  if (isSessionAlgorithm(algorithm) && credentials.cnonce === undefined) return false;
  const expected = responseOf(
    algorithm,
    params.ha1,
    credentials.nonce,
    params.method,
    credentials.uri,
    qop,
    credentials.nc ?? '',
    credentials.cnonce ?? '',
    params.body,
  );
  return hexEqual(credentials.response, expected);
}
