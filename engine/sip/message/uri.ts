// SIP, SIPS and tel URIs: parse, serialize, compare (RFC 3261 §19.1, §25.1; RFC 3966 §3, §4; RFC 5118 §4 IPv6 references).
import { allOf, CLASS, escapeComponent, HNV, HOSTCHAR, PARAMCHAR, PASSWORD, SCHEME, unescapeComponent, USER } from './chars.ts';
import { SipParseError } from './errors.ts';
import { Params } from './params.ts';

/** Fields to build a {@link SipUri} in code. */
export interface SipUriInit {
  scheme?: 'sip' | 'sips';
  /** Unescaped user part. */
  user?: string;
  /** Unescaped password. */
  password?: string;
  /** Host name, IPv4 address or IPv6 reference in brackets (`[2001:db8::1]`). */
  host: string;
  port?: number;
  /** URI parameters, unescaped values (`null` = no value, as `lr`). */
  params?: Iterable<readonly [string, string | null]>;
  /** URI headers (`?name=value&…`), unescaped values. */
  headers?: Iterable<readonly [string, string | null]>;
}

/** A `sip:` or `sips:` URI (RFC 3261 §19.1.1). Components hold unescaped text. */
export class SipUri {
  scheme: 'sip' | 'sips';
  user: string | undefined;
  password: string | undefined;
  /** As written; an IPv6 reference keeps its brackets. */
  host: string;
  port: number | undefined;
  params: Params;
  headers: Params;

  constructor(init: SipUriInit) {
    this.scheme = init.scheme ?? 'sip';
    this.user = init.user;
    this.password = init.password;
    this.host = init.host;
    this.port = init.port;
    this.params = init.params instanceof Params ? init.params : new Params(init.params);
    this.headers = init.headers instanceof Params ? init.headers : new Params(init.headers);
  }

  /** The `transport` parameter, lower-cased, if present. */
  get transport(): string | undefined {
    const t = this.params.get('transport');
    return typeof t === 'string' ? t.toLowerCase() : undefined;
  }

  /** True when the loose-routing `lr` parameter is present (RFC 3261 §19.1.1). */
  get lr(): boolean {
    return this.params.has('lr');
  }

  /** `user@host[:port]` without scheme, params or headers. */
  get aor(): string {
    return `${this.user === undefined ? '' : `${escapeComponent(this.user, USER)}@`}${this.host}`;
  }

  /** A deep copy. */
  clone(): SipUri {
    return new SipUri({ ...this, params: this.params.clone(), headers: this.headers.clone() });
  }

  /** Canonical text: escapes only what each component requires (RFC 3261 §19.1.2), upper-case hex. */
  toString(): string {
    let s = `${this.scheme}:`;
    if (this.user !== undefined) {
      s += escapeComponent(this.user, USER);
      if (this.password !== undefined) s += `:${escapeComponent(this.password, PASSWORD)}`;
      s += '@';
    }
    s += this.host;
    if (this.port !== undefined) s += `:${this.port}`;
    for (const [n, v] of this.params) {
      s += `;${escapeComponent(n, PARAMCHAR)}`;
      if (v !== null) s += `=${escapeComponent(v, PARAMCHAR)}`;
    }
    let first = true;
    for (const [n, v] of this.headers) {
      s += `${first ? '?' : '&'}${escapeComponent(n, HNV)}=${escapeComponent(v ?? '', HNV)}`;
      first = false;
    }
    return s;
  }
}

/** A `tel:` URI (RFC 3966 §3): the number as written and its parameters. */
export class TelUri {
  readonly scheme = 'tel' as const;
  /** global-number (`+1-201-555-0123`) or local-number, visual separators kept. */
  number: string;
  params: Params;

  constructor(init: { number: string; params?: Iterable<readonly [string, string | null]> }) {
    this.number = init.number;
    this.params = init.params instanceof Params ? init.params : new Params(init.params);
  }

  /** The number without visual separators (`-`, `.`, `(`, `)`), as compared by RFC 3966 §4. */
  get digits(): string {
    return this.number.replace(/[-.()]/g, '');
  }

  clone(): TelUri {
    return new TelUri({ number: this.number, params: this.params.clone() });
  }

  toString(): string {
    let s = `tel:${this.number}`;
    for (const [n, v] of this.params) s += v === null ? `;${n}` : `;${n}=${escapeComponent(v, PARAMCHAR)}`;
    return s;
  }
}

/** Any other absoluteURI (RFC 3261 §25.1): scheme and the opaque rest, kept as written. */
export class AbsoluteUri {
  scheme: string;
  opaque: string;

  constructor(scheme: string, opaque: string) {
    this.scheme = scheme;
    this.opaque = opaque;
  }

  clone(): AbsoluteUri {
    return new AbsoluteUri(this.scheme, this.opaque);
  }

  toString(): string {
    return `${this.scheme}:${this.opaque}`;
  }
}

/** Any URI a SIP message may carry. */
export type Uri = SipUri | TelUri | AbsoluteUri;

function bad(text: string, why: string): SipParseError {
  return new SipParseError('bad-uri', `Invalid URI ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}: ${why}`, { status: 400 });
}

/** uric = reserved / unreserved / escaped (RFC 3261 §25.1), checked for the opaque part of other schemes. */
function isUricText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 34 || c === 60 || c === 62 || c === 92 || c === 94 || c === 96 || c === 123 || c === 124 || c === 125) {
      return false;
    }
    if (c === 37 && !/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) return false;
  }
  return s.length > 0;
}

/**
 * Parses any URI: `sip:`/`sips:` into {@link SipUri}, `tel:` into {@link TelUri}, others into {@link AbsoluteUri}.
 * @throws SipParseError code `bad-uri` (status 400) when the text is not a URI.
 */
export function parseUri(text: string): Uri {
  // Fast path: lower-case "sip:".
  if (text.charCodeAt(3) === 58 && text.charCodeAt(0) === 115 && text.charCodeAt(1) === 105 && text.charCodeAt(2) === 112) {
    return parseSipRest(text, 'sip', text.slice(4));
  }
  const colon = text.indexOf(':');
  if (colon <= 0) throw bad(text, 'no scheme');
  const c0 = text.charCodeAt(0);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) throw bad(text, 'scheme must start with a letter');
  const scheme = text.slice(0, colon);
  if (!allOf(scheme, SCHEME)) throw bad(text, 'bad scheme');
  const lower = scheme.length === 3 || scheme.length === 4 ? scheme.toLowerCase() : scheme;
  const rest = text.slice(colon + 1);
  if (lower === 'sip' || lower === 'sips') return parseSipRest(text, lower, rest);
  if (lower === 'tel') return parseTelRest(text, rest);
  if (!isUricText(rest)) throw bad(text, 'bad characters');
  return new AbsoluteUri(scheme, rest);
}

/** Like {@link parseUri} but returns undefined instead of throwing. */
export function tryParseUri(text: string): Uri | undefined {
  try {
    return parseUri(text);
  } catch (e) {
    if (e instanceof SipParseError) return undefined;
    throw e;
  }
}

/**
 * Parses a `sip:`/`sips:` URI only.
 * @throws SipParseError code `bad-uri` for other schemes or bad syntax.
 */
export function parseSipUri(text: string): SipUri {
  const u = parseUri(text);
  if (!(u instanceof SipUri)) throw bad(text, 'not a sip or sips URI');
  return u;
}

function parseSipRest(text: string, scheme: 'sip' | 'sips', rest: string): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  let pos = 0;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pc = userinfo.indexOf(':');
    const rawUser = pc < 0 ? userinfo : userinfo.slice(0, pc);
    user = unescapeComponent(rawUser, USER);
    if (user === undefined) throw bad(text, 'bad user part');
    if (pc >= 0) {
      password = unescapeComponent(userinfo.slice(pc + 1), PASSWORD, true);
      if (password === undefined) throw bad(text, 'bad password');
    }
    pos = at + 1;
  }
  // hostport ends at the first ";" (params) or "?" (headers).
  let end = pos;
  while (end < rest.length) {
    const c = rest.charCodeAt(end);
    if (c === 59 || c === 63) break;
    end++;
  }
  const { host, port } = parseHostPort(text, rest.slice(pos, end));
  const params = new Params();
  const headers = new Params();
  pos = end;
  while (pos < rest.length && rest.charCodeAt(pos) === 59) {
    let e = pos + 1;
    while (e < rest.length && rest.charCodeAt(e) !== 59 && rest.charCodeAt(e) !== 63) e++;
    const item = rest.slice(pos + 1, e);
    const eq = item.indexOf('=');
    const name = unescapeComponent(eq < 0 ? item : item.slice(0, eq), PARAMCHAR);
    if (name === undefined) throw bad(text, 'bad uri-parameter');
    let value: string | null = null;
    if (eq >= 0) {
      const v = unescapeComponent(item.slice(eq + 1), PARAMCHAR);
      if (v === undefined) throw bad(text, 'bad uri-parameter value');
      value = v;
    }
    params.add(name, value);
    pos = e;
  }
  if (pos < rest.length) {
    // "?" hname "=" hvalue *( "&" hname "=" hvalue )
    const items = rest.slice(pos + 1).split('&');
    for (const item of items) {
      const eq = item.indexOf('=');
      if (eq < 0) throw bad(text, 'uri header without "="');
      const name = unescapeComponent(item.slice(0, eq), HNV);
      const value = unescapeComponent(item.slice(eq + 1), HNV, true);
      if (name === undefined || value === undefined) throw bad(text, 'bad uri header');
      headers.add(name, value);
    }
  }
  return new SipUri({ scheme, user, password, host, port, params, headers });
}

function parseHostPort(text: string, hp: string): { host: string; port: number | undefined } {
  let host: string;
  let portText: string | undefined;
  if (hp.charCodeAt(0) === 91) {
    const close = hp.indexOf(']');
    if (close < 0) throw bad(text, 'unterminated IPv6 reference');
    host = hp.slice(0, close + 1);
    if (!isIpv6(host.slice(1, -1))) throw bad(text, 'bad IPv6 reference');
    const after = hp.slice(close + 1);
    if (after.length > 0) {
      if (after.charCodeAt(0) !== 58) throw bad(text, 'junk after IPv6 reference');
      portText = after.slice(1);
    }
  } else {
    const c = hp.indexOf(':');
    host = c < 0 ? hp : hp.slice(0, c);
    if (c >= 0) portText = hp.slice(c + 1);
    if (!isHostname(host) && !isIpv4(host)) throw bad(text, 'bad host');
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = parsePort(portText);
    if (port === undefined) throw bad(text, 'bad port');
  }
  return { host, port };
}

/** port = 1*DIGIT, 0–65535. */
export function parsePort(s: string): number | undefined {
  if (s.length === 0 || s.length > 5) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n <= 65535 ? n : undefined;
}

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each 0–255. */
export function isIpv4(s: string): boolean {
  let dots = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return false;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else return false;
  }
  return dots === 3 && digits > 0;
}

/**
 * IPv6address (RFC 3261 §25.1, without brackets). Tolerates the `:::` before an embedded IPv4 address that
 * RFC 3261's ABNF allows by mistake (RFC 5118 §4.10 asks parsers to accept both forms).
 */
export function isIpv6(s: string): boolean {
  if (s.length < 2 || s.length > 47) return false;
  let body = s;
  let groupsForV4 = 0;
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return false;
  const tail = s.slice(lastColon + 1);
  if (tail.indexOf('.') >= 0) {
    if (!isIpv4(tail)) return false;
    body = s.slice(0, lastColon + 1);
    groupsForV4 = 2;
    // "x::" + v4, "x:" + v4, or the tolerated "x:::" + v4.
    if (body.endsWith(':::')) body = body.slice(0, -1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const dbl = body.indexOf('::');
  if (dbl >= 0 && body.indexOf('::', dbl + 1) >= 0) return false;
  const groups = body.length === 0 ? [] : body.split(':');
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g.length === 0) continue; // part of "::" (validated above)
    if (g.length > 4 || !/^[0-9A-Fa-f]+$/.test(g)) return false;
    count++;
  }
  // Single empty groups only appear next to "::" or at the ends of it.
  if (dbl < 0) {
    if (groups.some((g) => g.length === 0) && body.length > 0) return false;
    return count + groupsForV4 === 8;
  }
  return count + groupsForV4 <= 7;
}

/** hostname = *( domainlabel "." ) toplabel [ "." ] (RFC 3261 §25.1). */
export function isHostname(s: string): boolean {
  let n = s.length;
  if (n === 0 || n > 255) return false;
  if (s.charCodeAt(n - 1) === 46) n--;
  if (n === 0) return false;
  let labelStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (i === labelStart || s.charCodeAt(i - 1) === 45) return false;
      if (i === n) {
        const t = s.charCodeAt(labelStart);
        return (t >= 65 && t <= 90) || (t >= 97 && t <= 122);
      }
      labelStart = i + 1;
    } else if (c >= 128 || (CLASS[c] & HOSTCHAR) === 0 || (c === 45 && i === labelStart)) return false;
  }
  return false;
}

/** True for a host name, IPv4 address or bracketed IPv6 reference. */
export function isHost(s: string): boolean {
  if (s.charCodeAt(0) === 91) return s.charCodeAt(s.length - 1) === 93 && isIpv6(s.slice(1, -1));
  return isIpv4(s) || isHostname(s);
}

function parseTelRest(text: string, rest: string): TelUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!/^\+?[0-9A-Fa-f*#\-.()]+$/.test(number) || !/[0-9A-Fa-f*#]/.test(number)) throw bad(text, 'bad telephone number');
  const params = new Params();
  if (semi >= 0) {
    for (const item of rest.slice(semi + 1).split(';')) {
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq);
      if (!/^[A-Za-z0-9-]+$/.test(name)) throw bad(text, 'bad tel parameter');
      let value: string | null = null;
      if (eq >= 0) {
        const v = unescapeComponent(item.slice(eq + 1), PARAMCHAR);
        if (v === undefined) throw bad(text, 'bad tel parameter value');
        value = v;
      }
      params.add(name, value);
    }
  }
  return new TelUri({ number, params });
}

/** Parameters that must appear in both SIP URIs to match (RFC 3261 §19.1.4 and its examples). */
const MUST_MATCH_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'];

function paramEq(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * URI equivalence (RFC 3261 §19.1.4): sip vs sips never equal; user and password case-sensitive after unescaping;
 * host case-insensitive; port must match (absent ≠ 5060); uri-parameters present in both must match, and
 * `user`, `ttl`, `method`, `maddr`, `transport` present in only one never match; URI headers must all match.
 * tel URIs compare per RFC 3966 §4 (visual separators ignored, same parameters); other schemes compare as text
 * with a case-insensitive scheme.
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a instanceof SipUri) {
    if (!(b instanceof SipUri)) return false;
    if (a.scheme !== b.scheme || a.user !== b.user || a.password !== b.password || a.port !== b.port) return false;
    if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
    for (const [n] of a.params) {
      const w = b.params.get(n);
      if (w !== undefined && !paramEq(a.params.get(n), w)) return false;
    }
    for (const n of MUST_MATCH_PARAMS) if (a.params.has(n) !== b.params.has(n)) return false;
    if (a.headers.size !== b.headers.size) return false;
    for (const [n] of a.headers) if (b.headers.get(n) !== a.headers.get(n)) return false;
    return true;
  }
  if (a instanceof TelUri) {
    if (!(b instanceof TelUri)) return false;
    if (a.digits.toLowerCase() !== b.digits.toLowerCase() || a.params.size !== b.params.size) return false;
    for (const [n, v] of a.params) if (!b.params.has(n) || !paramEq(v, b.params.get(n))) return false;
    return true;
  }
  if (b instanceof SipUri || b instanceof TelUri) return false;
  return a.scheme.toLowerCase() === b.scheme.toLowerCase() && a.opaque === b.opaque;
}
