// Scalar and token-list header values: CSeq, Max-Forwards, Expires, Call-ID, Content-Type, Date, option tags, auth params (RFC 3261 §20.8, §20.16, §20.17, §20.19, §20.22, §20.32, §25.1; RFC 7235 §2.1 auth-param shape).
import { isToken, isWord } from './chars.ts';
import { badHeader } from './errors.ts';
import { splitList, trimWsp } from './headers.ts';
import { Params, unquote } from './params.ts';
import { parseParamsAt, scanQuoted, scanToken, skipWs } from './scan.ts';

/** The CSeq header: sequence number and method (RFC 3261 §20.16). */
export interface CSeq {
  seq: number;
  method: string;
}

const MAX_U32 = 0xffffffff;

function digitsValue(s: string, max: number): number | undefined {
  if (s.length === 0) return undefined;
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  let n = 0;
  for (let j = i; j < s.length; j++) {
    const d = s.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return s.length - i <= 10 && n <= max ? n : undefined;
}

/**
 * `CSeq: 1*DIGIT LWS Method`; the number must fit 32 bits unsigned (RFC 3261 §8.1.1.5, RFC 4475 §3.1.2.4).
 * @throws SipParseError code `bad-header`.
 */
export function parseCSeq(value: string): CSeq {
  const s = trimWsp(value);
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const seq = digitsValue(s.slice(0, i), MAX_U32);
  if (seq === undefined) throw badHeader('CSeq', 'bad sequence number');
  const m = skipWs(s, i);
  if (m === i) throw badHeader('CSeq', 'missing method');
  const method = s.slice(m);
  if (!isToken(method)) throw badHeader('CSeq', 'bad method');
  return { seq, method };
}

/**
 * `Max-Forwards: 1*DIGIT`, 0–255 (RFC 3261 §20.22).
 * @throws SipParseError code `bad-header`.
 */
export function parseMaxForwards(value: string): number {
  const n = digitsValue(trimWsp(value), 255);
  if (n === undefined) throw badHeader('Max-Forwards', 'not an integer 0-255');
  return n;
}

/**
 * delta-seconds (`Expires`, `Min-Expires`, contact `expires`): digits; values above 2³²−1 are clamped
 * (RFC 3261 §25.1 gives the 32-bit range; RFC 4475 §3.1.2.4 lets an element fall back rather than fail).
 * @throws SipParseError code `bad-header` when not digits.
 */
export function parseDeltaSeconds(value: string, header = 'Expires'): number {
  const s = trimWsp(value);
  if (!/^\d+$/.test(s)) throw badHeader(header, 'not delta-seconds');
  const n = digitsValue(s, MAX_U32);
  return n ?? MAX_U32;
}

/**
 * `callid = word [ "@" word ]` (RFC 3261 §25.1): word chars include `( ) < > : \ " / [ ] ? { }` and need not balance.
 */
export function isCallId(value: string): boolean {
  const at = value.indexOf('@');
  if (at < 0) return isWord(value);
  return isWord(value.slice(0, at)) && isWord(value.slice(at + 1));
}

/** A parsed Content-Type (RFC 3261 §20.15). */
export interface ContentType {
  /** `type/subtype`, lower case. */
  mime: string;
  type: string;
  subtype: string;
  params: Params;
}

/**
 * `media-type = m-type SLASH m-subtype *(SEMI m-parameter)` (RFC 3261 §20.15).
 * @throws SipParseError code `bad-header`.
 */
export function parseContentType(value: string, header = 'Content-Type'): ContentType {
  const s = value;
  let pos = skipWs(s, 0);
  let e = scanToken(s, pos);
  if (e === pos) throw badHeader(header, 'missing type');
  const type = s.slice(pos, e).toLowerCase();
  pos = skipWs(s, e);
  if (s.charCodeAt(pos) !== 47) throw badHeader(header, 'missing "/"');
  pos = skipWs(s, pos + 1);
  e = scanToken(s, pos);
  if (e === pos) throw badHeader(header, 'missing subtype');
  const subtype = s.slice(pos, e).toLowerCase();
  const params = new Params();
  parseParamsAt(s, e, header, params);
  return { mime: `${type}/${subtype}`, type, subtype, params };
}

/**
 * Splits a comma list of tokens (Allow, Supported, Require, Proxy-Require, Unsupported — RFC 3261 §20.5, §20.32,
 * §20.37, §20.29, §20.40). Empty values are allowed for Supported/Allow (an empty header), not inside the list.
 * @throws SipParseError code `bad-header` when an element is not a token.
 */
export function parseTokenList(values: readonly string[], header: string): string[] {
  const out: string[] = [];
  for (const line of values) {
    const t = trimWsp(line);
    if (t.length === 0) continue;
    for (const el of splitList(t)) {
      if (!isToken(el)) throw badHeader(header, `bad token "${el}"`);
      out.push(el);
    }
  }
  return out;
}

const WKDAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const MONTH = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const RFC1123 = new RegExp(`^(?:${WKDAY}), (\\d{2}) (${MONTH}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);

/**
 * `Date: rfc1123-date`, always GMT (RFC 3261 §20.17; RFC 4475 §3.1.2.12 rejects EST).
 * @throws SipParseError code `bad-header`.
 */
export function parseDate(value: string): Date {
  const m = RFC1123.exec(trimWsp(value));
  if (!m) throw badHeader('Date', 'not an RFC 1123 date in GMT');
  const d = new Date(`${m[2]} ${m[1]} ${m[3]} ${m[4]}:${m[5]}:${m[6]} GMT`);
  if (Number.isNaN(d.getTime()) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) {
    throw badHeader('Date', 'impossible date');
  }
  return d;
}

/** Credentials or a challenge split into scheme and params (names lower-cased, values unquoted). */
export interface AuthValue {
  scheme: string;
  params: Map<string, string>;
}

/**
 * Splits `scheme LWS auth-param *(COMMA auth-param)` with `auth-param = name EQUAL (token / quoted-string)`
 * (RFC 3261 §25.1 credentials/challenge; digest semantics live in engine/sip/auth).
 * @throws SipParseError code `bad-header` naming `header`.
 */
export function parseAuthValue(value: string, header = 'Authorization'): AuthValue {
  const s = value;
  let pos = skipWs(s, 0);
  const e = scanToken(s, pos);
  if (e === pos) throw badHeader(header, 'missing scheme');
  const scheme = s.slice(pos, e);
  const params = new Map<string, string>();
  pos = skipWs(s, e);
  let first = true;
  while (pos < s.length) {
    if (!first) {
      if (s.charCodeAt(pos) !== 44) throw badHeader(header, 'expected ","');
      pos = skipWs(s, pos + 1);
    }
    first = false;
    const ne = scanToken(s, pos);
    if (ne === pos) throw badHeader(header, 'bad auth-param name');
    const name = s.slice(pos, ne).toLowerCase();
    pos = skipWs(s, ne);
    if (s.charCodeAt(pos) !== 61) throw badHeader(header, 'auth-param without "="');
    pos = skipWs(s, pos + 1);
    let v: string;
    if (s.charCodeAt(pos) === 34) {
      const q = scanQuoted(s, pos);
      if (q < 0) throw badHeader(header, 'unterminated quoted string');
      v = unquote(s.slice(pos, q));
      pos = q;
    } else {
      const ve = scanToken(s, pos);
      if (ve === pos) throw badHeader(header, 'empty auth-param value');
      v = s.slice(pos, ve);
      pos = ve;
    }
    params.set(name, v);
    pos = skipWs(s, pos);
  }
  return { scheme, params };
}
