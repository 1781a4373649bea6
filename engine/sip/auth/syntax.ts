// Lexical layer of Digest header values: scheme, auth-param lists, token and quoted-string (RFC 3261 §25.1, RFC 7230 §3.2.6, RFC 7235 §2.1).
//
//   challenge / credentials = "Digest" LWS auth-param *(COMMA auth-param)
//   auth-param    = token EQUAL ( token / quoted-string )
//   quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE
//   qdtext        = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
//   quoted-pair   = "\" (%x00-09 / %x0B-0C / %x0E-7F)
//
// The scanner works on an unfolded header value (what the message layer hands over); a CRLF followed by
// SP/HTAB between parameters is still accepted as folding, a bare CR or LF anywhere is a syntax error.
// Empty list elements (`a=1,,b=2`, a trailing comma) are skipped, as HTTP's #rule allows.
import { DigestParseError, MAX_DIGEST_HEADER_LENGTH } from './errors.ts';

const SP = 0x20;
const HTAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const EQUAL = 0x3d;

/** Characters allowed unquoted when parsing: RFC 7230 tchar (a superset of RFC 3261 `token`). */
const TCHAR = new Uint8Array(128);
/** Characters that RFC 3261 §25.1 `token` allows: we only serialize bare tokens made of these. */
const SIP_TOKEN = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = SIP_TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = SIP_TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = SIP_TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TCHAR[ch.charCodeAt(0)] = SIP_TOKEN[ch.charCodeAt(0)] = 1;
for (const ch of '#$&^|') TCHAR[ch.charCodeAt(0)] = 1;

function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/** True if `s` is a non-empty RFC 3261 token, i.e. can be written without quotes. */
export function isSipToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || SIP_TOKEN[c] !== 1) return false;
  }
  return true;
}

/** Skips SWS (SP, HTAB, and CRLF folding followed by SP/HTAB). */
export function skipWs(s: string, pos: number): number {
  const n = s.length;
  for (;;) {
    const c = s.charCodeAt(pos);
    if (c === SP || c === HTAB) pos++;
    else if (c === CR && s.charCodeAt(pos + 1) === LF && pos + 2 < n) {
      const d = s.charCodeAt(pos + 2);
      if (d !== SP && d !== HTAB) return pos;
      pos += 3;
    } else return pos;
  }
}

/**
 * Checks the `Digest` scheme at the start of `s` and returns the offset of the first parameter.
 * @throws {DigestParseError} `too-long`, `not-digest`
 */
export function readScheme(s: string): number {
  if (s.length > MAX_DIGEST_HEADER_LENGTH) {
    throw new DigestParseError('too-long', `header value longer than ${MAX_DIGEST_HEADER_LENGTH} characters`, MAX_DIGEST_HEADER_LENGTH);
  }
  const start = skipWs(s, 0);
  // "Digest" compared case-insensitively (RFC 7235 §2.1: auth-scheme is case-insensitive).
  if (
    s.length < start + 6 ||
    (s.charCodeAt(start) | 0x20) !== 0x64 || // d
    (s.charCodeAt(start + 1) | 0x20) !== 0x69 || // i
    (s.charCodeAt(start + 2) | 0x20) !== 0x67 || // g
    (s.charCodeAt(start + 3) | 0x20) !== 0x65 || // e
    (s.charCodeAt(start + 4) | 0x20) !== 0x73 || // s
    (s.charCodeAt(start + 5) | 0x20) !== 0x74 // t
  ) {
    throw new DigestParseError('not-digest', 'scheme is not Digest', start);
  }
  const after = start + 6;
  if (after === s.length) return after;
  const c = s.charCodeAt(after);
  if (c !== SP && c !== HTAB && c !== CR) throw new DigestParseError('not-digest', 'scheme is not Digest', start);
  const pos = skipWs(s, after);
  if (pos === after) throw new DigestParseError('syntax', 'expected whitespace after Digest', after);
  return pos;
}

/**
 * The scanner's output for the last parameter read (module-level scratch: parsing is synchronous and
 * non-reentrant, so one record serves every call without allocating).
 */
export const scanned = {
  nameStart: 0,
  nameEnd: 0,
  value: '',
  quoted: false,
  valueStart: 0,
};

/**
 * Reads one `name = value` at `pos` (after optional empty list elements) into {@link scanned}.
 * Returns the offset after the parameter and its trailing comma, or -1 when the list has ended.
 * @throws {DigestParseError} `syntax`, `unterminated-quote`
 */
export function readParam(s: string, pos: number): number {
  const n = s.length;
  // Skip empty list elements.
  for (;;) {
    pos = skipWs(s, pos);
    if (pos >= n) return -1;
    if (s.charCodeAt(pos) !== COMMA) break;
    pos++;
  }
  const nameStart = pos;
  while (pos < n && isTchar(s.charCodeAt(pos))) pos++;
  if (pos === nameStart) throw new DigestParseError('syntax', 'expected a parameter name', pos);
  scanned.nameStart = nameStart;
  scanned.nameEnd = pos;
  pos = skipWs(s, pos);
  if (s.charCodeAt(pos) !== EQUAL) throw new DigestParseError('syntax', 'expected "=" after parameter name', pos);
  pos = skipWs(s, pos + 1);
  scanned.valueStart = pos;
  if (s.charCodeAt(pos) === DQUOTE) {
    pos = readQuoted(s, pos);
    scanned.quoted = true;
  } else {
    const start = pos;
    while (pos < n && isTchar(s.charCodeAt(pos))) pos++;
    if (pos === start) throw new DigestParseError('syntax', 'expected a token or quoted-string value', pos);
    scanned.value = s.slice(start, pos);
    scanned.quoted = false;
  }
  pos = skipWs(s, pos);
  if (pos >= n) return pos;
  if (s.charCodeAt(pos) !== COMMA) throw new DigestParseError('syntax', 'expected "," between parameters', pos);
  return pos + 1;
}

/** Reads a quoted-string starting at the opening quote into `scanned.value`; returns the offset after the closing quote. */
function readQuoted(s: string, open: number): number {
  const n = s.length;
  let pos = open + 1;
  let out: string | undefined; // built only when a quoted-pair occurs
  let runStart = pos;
  while (pos < n) {
    const c = s.charCodeAt(pos);
    if (c === DQUOTE) {
      scanned.value = out === undefined ? s.slice(runStart, pos) : out + s.slice(runStart, pos);
      return pos + 1;
    }
    if (c === BACKSLASH) {
      if (pos + 1 >= n) break;
      const e = s.charCodeAt(pos + 1);
      if (e === CR || e === LF) throw new DigestParseError('syntax', 'CR or LF escaped in quoted-string', pos + 1);
      out = (out ?? '') + s.slice(runStart, pos) + s[pos + 1];
      pos += 2;
      runStart = pos;
      continue;
    }
    if ((c < 0x20 && c !== HTAB) || c === 0x7f) {
      throw new DigestParseError('syntax', 'control character in quoted-string', pos);
    }
    pos++;
  }
  throw new DigestParseError('unterminated-quote', 'quoted-string without closing quote', open);
}

/**
 * True if the parameter name in `scanned` equals `lower` (an all-lowercase ASCII-letter name), ignoring case.
 * Non-letters never match a letter through the `| 0x20` fold.
 */
export function nameIs(s: string, lower: string): boolean {
  const start = scanned.nameStart;
  if (scanned.nameEnd - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if ((s.charCodeAt(start + i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Writes `value` as a quoted-string, escaping `"`, `\` and control characters as quoted-pairs.
 * @throws {TypeError} if `value` contains CR or LF, which no quoted-string can carry.
 */
export function quote(value: string, field: string): string {
  let needsEscape = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === CR || c === LF) throw new TypeError(`${field}: CR and LF cannot be carried in a quoted-string`);
    if (c === DQUOTE || c === BACKSLASH || (c < 0x20 && c !== HTAB) || c === 0x7f) needsEscape = true;
  }
  if (!needsEscape) return `"${value}"`;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === DQUOTE || c === BACKSLASH || (c < 0x20 && c !== HTAB) || c === 0x7f) out += '\\';
    out += value[i];
  }
  return `${out}"`;
}

/**
 * Writes `value` bare if it is an RFC 3261 token, quoted otherwise.
 * @throws {TypeError} see {@link quote}.
 */
export function tokenOrQuoted(value: string, field: string): string {
  return isSipToken(value) ? value : quote(value, field);
}
