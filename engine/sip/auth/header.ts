// Digest challenges and credentials as typed values: parse and serialize header values (RFC 7616 §3.3–§3.4, RFC 2617 §3.2, RFC 3261 §20.7, §20.44, §25.1).
//
// The functions take and return the header VALUE (the text after `WWW-Authenticate:`, `Proxy-Authenticate:`,
// `Authorization:` or `Proxy-Authorization:`), one challenge or one set of credentials per value
// (RFC 3261 §7.3.1: these headers are never combined with commas).
//
// Parsing frames the value and types the fields; it does not judge them (unknown algorithms and qop values are
// kept as written, so the authenticator can answer "unsupported" rather than "malformed").
import { DigestParseError } from './errors.ts';
import { nameIs, quote, readParam, readScheme, scanned, tokenOrQuoted, isSipToken } from './syntax.ts';
import type { DigestAlgorithm } from './hash.ts';

/** An auth-param the typed fields do not cover, kept in order (`name` as written, `value` unquoted). */
export interface DigestParam {
  name: string;
  value: string;
}

/** Known algorithm names, or any other token as written (e.g. `SHA-512-256`, `AKAv1-MD5`). */
export type DigestAlgorithmName = DigestAlgorithm | (string & {});
/** `auth`, `auth-int`, or any other token as written. */
export type DigestQop = 'auth' | 'auth-int' | (string & {});

/** A Digest challenge: one `WWW-Authenticate` / `Proxy-Authenticate` value (RFC 7616 §3.3, RFC 3261 §25.1 `digest-cln`). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** Space-separated URI list (RFC 7616 §3.3 `domain`), as written. */
  domain?: string;
  opaque?: string;
  /** `stale=true`: the previous nonce expired, retry without asking the user (RFC 7616 §3.3). */
  stale?: boolean;
  /** Absent means MD5 (RFC 7616 §3.3). Known names are normalized to their canonical spelling. */
  algorithm?: DigestAlgorithmName;
  /** `qop-options`: the qop values the server accepts; absent means RFC 2069 compatibility (no qop). */
  qop?: DigestQop[];
  /** RFC 7616 §3.3 `charset` (only `UTF-8` is defined). */
  charset?: string;
  /** RFC 7616 §3.3 `userhash`: the server supports hashed usernames. */
  userhash?: boolean;
  /** Other auth-params, in order. */
  params?: DigestParam[];
}

/** Digest credentials: one `Authorization` / `Proxy-Authorization` value (RFC 7616 §3.4, RFC 3261 §25.1 `digest-response`). */
export interface DigestCredentials {
  /** The username, or with `userhash` its hash (RFC 7616 §3.4.4). */
  username: string;
  realm: string;
  nonce: string;
  /** The digest-uri: in SIP the Request-URI (RFC 3261 §22.4). */
  uri: string;
  /** The request-digest, lowercase hex (RFC 7616 §3.4.1). */
  response: string;
  /** Absent means MD5. Known names are normalized to their canonical spelling. */
  algorithm?: DigestAlgorithmName;
  cnonce?: string;
  opaque?: string;
  /** Absent means RFC 2069 compatibility (no cnonce, no nc). */
  qop?: DigestQop;
  /** nonce-count, exactly 8 hex digits as sent (the request-digest covers the literal text). */
  nc?: string;
  userhash?: boolean;
  params?: DigestParam[];
}

const ALGORITHM_SPELLINGS: ReadonlyMap<string, DigestAlgorithm> = new Map([
  ['md5', 'MD5'],
  ['md5-sess', 'MD5-sess'],
  ['sha-256', 'SHA-256'],
  ['sha-256-sess', 'SHA-256-sess'],
]);

function normalizeAlgorithm(written: string): DigestAlgorithmName {
  if (written === 'MD5' || written === 'SHA-256') return written; // the usual spellings, without allocating
  // Algorithm names are compared case-insensitively (phones send `md5`, `MD5`, `Md5`).
  return ALGORITHM_SPELLINGS.get(written.toLowerCase()) ?? written;
}

function normalizeQop(written: string): DigestQop {
  if (written === 'auth') return written;
  const lower = written.toLowerCase();
  return lower === 'auth' || lower === 'auth-int' ? lower : written;
}

function isNcValue(v: string): boolean {
  if (v.length !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const c = v.charCodeAt(i);
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
    if (!hex) return false;
  }
  return true;
}

function duplicate(s: string): never {
  throw new DigestParseError('duplicate-param', `parameter "${s.slice(scanned.nameStart, scanned.nameEnd)}" appears twice`, scanned.nameStart);
}

function pushExtra(s: string, list: DigestParam[] | undefined): DigestParam[] {
  const name = s.slice(scanned.nameStart, scanned.nameEnd);
  const out = list ?? [];
  const lower = name.toLowerCase();
  for (const p of out) if (p.name.toLowerCase() === lower) duplicate(s);
  out.push({ name, value: scanned.value });
  return out;
}

/**
 * Parses one Digest credentials value (`Authorization` / `Proxy-Authorization`).
 * Requires `username`, `realm`, `nonce`, `uri` and `response`; `nc` must be 8 hex digits.
 * Unquoted values are accepted where RFC 3261 asks for quotes (and vice versa) since phones differ.
 * @throws {DigestParseError} on any framing fault; never another error for a string argument.
 */
export function parseCredentials(value: string): DigestCredentials {
  let pos = readScheme(value);
  const c: DigestCredentials = {
    username: undefined as unknown as string,
    realm: undefined as unknown as string,
    nonce: undefined as unknown as string,
    uri: undefined as unknown as string,
    response: undefined as unknown as string,
    algorithm: undefined,
    cnonce: undefined,
    opaque: undefined,
    qop: undefined,
    nc: undefined,
    userhash: undefined,
    params: undefined,
  };
  for (;;) {
    pos = readParam(value, pos);
    if (pos < 0) break;
    const v = scanned.value;
    // Dispatch on the first letter, then confirm the whole name (case-insensitive).
    switch (value.charCodeAt(scanned.nameStart) | 0x20) {
      case 0x75: // u
        if (nameIs(value, 'username')) { if (c.username !== undefined) duplicate(value); c.username = v; continue; }
        if (nameIs(value, 'uri')) { if (c.uri !== undefined) duplicate(value); c.uri = v; continue; }
        if (nameIs(value, 'userhash')) { if (c.userhash !== undefined) duplicate(value); c.userhash = v.toLowerCase() === 'true'; continue; }
        break;
      case 0x72: // r
        if (nameIs(value, 'realm')) { if (c.realm !== undefined) duplicate(value); c.realm = v; continue; }
        if (nameIs(value, 'response')) { if (c.response !== undefined) duplicate(value); c.response = v; continue; }
        break;
      case 0x6e: // n
        if (nameIs(value, 'nonce')) { if (c.nonce !== undefined) duplicate(value); c.nonce = v; continue; }
        if (nameIs(value, 'nc')) {
          if (c.nc !== undefined) duplicate(value);
          if (!isNcValue(v)) throw new DigestParseError('bad-value', 'nc must be 8 hex digits', scanned.valueStart);
          c.nc = v;
          continue;
        }
        break;
      case 0x61: // a
        if (nameIs(value, 'algorithm')) { if (c.algorithm !== undefined) duplicate(value); c.algorithm = normalizeAlgorithm(v); continue; }
        break;
      case 0x63: // c
        if (nameIs(value, 'cnonce')) { if (c.cnonce !== undefined) duplicate(value); c.cnonce = v; continue; }
        break;
      case 0x6f: // o
        if (nameIs(value, 'opaque')) { if (c.opaque !== undefined) duplicate(value); c.opaque = v; continue; }
        break;
      case 0x71: // q
        if (nameIs(value, 'qop')) {
          if (c.qop !== undefined) duplicate(value);
          if (!isSipToken(v)) throw new DigestParseError('bad-value', 'qop must be a token', scanned.valueStart);
          c.qop = normalizeQop(v);
          continue;
        }
        break;
    }
    c.params = pushExtra(value, c.params);
  }
  if (c.username === undefined) throw missing('username', value);
  if (c.realm === undefined) throw missing('realm', value);
  if (c.nonce === undefined) throw missing('nonce', value);
  if (c.uri === undefined) throw missing('uri', value);
  if (c.response === undefined) throw missing('response', value);
  return c;
}

function missing(name: string, value: string): DigestParseError {
  return new DigestParseError('missing-param', `parameter "${name}" is missing`, value.length);
}

/**
 * Parses one Digest challenge value (`WWW-Authenticate` / `Proxy-Authenticate`). Requires `realm` and `nonce`.
 * `stale` and `userhash` are true only for the (case-insensitive) value `true` (RFC 2617 §3.2.1).
 * @throws {DigestParseError} on any framing fault; never another error for a string argument.
 */
export function parseChallenge(value: string): DigestChallenge {
  let pos = readScheme(value);
  const ch: DigestChallenge = {
    realm: undefined as unknown as string,
    nonce: undefined as unknown as string,
    domain: undefined,
    opaque: undefined,
    stale: undefined,
    algorithm: undefined,
    qop: undefined,
    charset: undefined,
    userhash: undefined,
    params: undefined,
  };
  for (;;) {
    pos = readParam(value, pos);
    if (pos < 0) break;
    const v = scanned.value;
    if (nameIs(value, 'realm')) { if (ch.realm !== undefined) duplicate(value); ch.realm = v; continue; }
    if (nameIs(value, 'nonce')) { if (ch.nonce !== undefined) duplicate(value); ch.nonce = v; continue; }
    if (nameIs(value, 'domain')) { if (ch.domain !== undefined) duplicate(value); ch.domain = v; continue; }
    if (nameIs(value, 'opaque')) { if (ch.opaque !== undefined) duplicate(value); ch.opaque = v; continue; }
    if (nameIs(value, 'stale')) { if (ch.stale !== undefined) duplicate(value); ch.stale = v.toLowerCase() === 'true'; continue; }
    if (nameIs(value, 'algorithm')) { if (ch.algorithm !== undefined) duplicate(value); ch.algorithm = normalizeAlgorithm(v); continue; }
    if (nameIs(value, 'qop')) { if (ch.qop !== undefined) duplicate(value); ch.qop = parseQopList(v, scanned.valueStart); continue; }
    if (nameIs(value, 'charset')) { if (ch.charset !== undefined) duplicate(value); ch.charset = v; continue; }
    if (nameIs(value, 'userhash')) { if (ch.userhash !== undefined) duplicate(value); ch.userhash = v.toLowerCase() === 'true'; continue; }
    ch.params = pushExtra(value, ch.params);
  }
  if (ch.realm === undefined) throw missing('realm', value);
  if (ch.nonce === undefined) throw missing('nonce', value);
  return ch;
}

/** `qop-options` value: comma-separated tokens inside the quotes (RFC 7616 §3.3); empty elements are skipped. */
function parseQopList(v: string, offset: number): DigestQop[] {
  const out: DigestQop[] = [];
  for (const raw of v.split(',')) {
    const item = raw.trim();
    if (item.length === 0) continue;
    if (!isSipToken(item)) throw new DigestParseError('bad-value', 'qop option must be a token', offset);
    out.push(normalizeQop(item));
  }
  return out;
}

const CREDENTIAL_NAMES = new Set(['username', 'realm', 'nonce', 'uri', 'response', 'algorithm', 'cnonce', 'opaque', 'qop', 'nc', 'userhash']);
const CHALLENGE_NAMES = new Set(['realm', 'nonce', 'domain', 'opaque', 'stale', 'algorithm', 'qop', 'charset', 'userhash']);

function token(value: string, field: string): string {
  if (!isSipToken(value)) throw new TypeError(`${field}: must be a token, got ${JSON.stringify(value)}`);
  return value;
}

function extras(out: string, params: readonly DigestParam[] | undefined, reserved: ReadonlySet<string>): string {
  if (params === undefined) return out;
  const seen = new Set<string>();
  for (const p of params) {
    const lower = p.name.toLowerCase();
    if (!isSipToken(p.name)) throw new TypeError(`params: name must be a token, got ${JSON.stringify(p.name)}`);
    if (reserved.has(lower) || seen.has(lower)) throw new TypeError(`params: "${p.name}" is a typed field or repeated`);
    seen.add(lower);
    out += `, ${p.name}=${tokenOrQuoted(p.value, `params.${p.name}`)}`;
  }
  return out;
}

/**
 * Writes credentials as an `Authorization` value in the conventional form of RFC 3261 §25.1: quoted
 * username, realm, nonce, uri, response, cnonce, opaque; bare algorithm, qop, nc (RFC 7616 §3.4: these
 * MUST NOT be quoted).
 * @throws {TypeError} naming the field when a value cannot be written (CR/LF, a non-token algorithm/qop, a bad nc).
 */
export function serializeCredentials(c: DigestCredentials): string {
  let out = `Digest username=${quote(c.username, 'username')}, realm=${quote(c.realm, 'realm')}, nonce=${quote(c.nonce, 'nonce')}, uri=${quote(c.uri, 'uri')}, response=${quote(c.response, 'response')}`;
  if (c.algorithm !== undefined) out += `, algorithm=${token(c.algorithm, 'algorithm')}`;
  if (c.cnonce !== undefined) out += `, cnonce=${quote(c.cnonce, 'cnonce')}`;
  if (c.opaque !== undefined) out += `, opaque=${quote(c.opaque, 'opaque')}`;
  if (c.qop !== undefined) out += `, qop=${token(c.qop, 'qop')}`;
  if (c.nc !== undefined) {
    if (!isNcValue(c.nc)) throw new TypeError('nc: must be 8 hex digits');
    out += `, nc=${c.nc}`;
  }
  if (c.userhash !== undefined) out += `, userhash=${c.userhash ? 'true' : 'false'}`;
  return extras(out, c.params, CREDENTIAL_NAMES);
}

/**
 * Writes a challenge as a `WWW-Authenticate` value: `Digest realm="…", nonce="…", …, algorithm=…, qop="auth"`.
 * @throws {TypeError} naming the field when a value cannot be written.
 */
export function serializeChallenge(ch: DigestChallenge): string {
  let out = `Digest realm=${quote(ch.realm, 'realm')}`;
  if (ch.domain !== undefined) out += `, domain=${quote(ch.domain, 'domain')}`;
  out += `, nonce=${quote(ch.nonce, 'nonce')}`;
  if (ch.opaque !== undefined) out += `, opaque=${quote(ch.opaque, 'opaque')}`;
  if (ch.stale !== undefined) out += `, stale=${ch.stale ? 'TRUE' : 'FALSE'}`;
  if (ch.algorithm !== undefined) out += `, algorithm=${token(ch.algorithm, 'algorithm')}`;
  if (ch.qop !== undefined) out += `, qop="${ch.qop.map((q) => token(q, 'qop')).join(',')}"`;
  if (ch.charset !== undefined) out += `, charset=${tokenOrQuoted(ch.charset, 'charset')}`;
  if (ch.userhash !== undefined) out += `, userhash=${ch.userhash ? 'true' : 'false'}`;
  return extras(out, ch.params, CHALLENGE_NAMES);
}
