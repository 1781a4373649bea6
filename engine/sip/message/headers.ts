// Header names: canonical spellings, compact forms, list-valued headers (RFC 3261 §7.3, §7.3.3, §20) and comma splitting.

/** What the message layer knows about a header name. */
export interface HeaderInfo {
  /** Lower-case long name, the lookup key. */
  readonly key: string;
  /** Canonical spelling used when serializing (`Call-ID`, `WWW-Authenticate`). */
  readonly name: string;
  /** Compact form (RFC 3261 §7.3.3 and later RFCs), lower-case. */
  readonly compact?: string;
  /** Values are a comma-separated list (`#element`) that may also be split over several lines (§7.3.1). */
  readonly list: boolean;
}

const LIST = true;

/*
 * name, compact form, list?  Compact forms: RFC 3261 §7.3.3 / §20 (i m e l c f s k t v), RFC 3265/6665 (o u),
 * RFC 3515 (r), RFC 3892 (b), RFC 3841 (a j d), RFC 4028 (x), RFC 4474/8224 (y n).
 */
const TABLE: readonly (readonly [string, string | undefined, boolean])[] = [
  ['Accept', undefined, LIST],
  ['Accept-Contact', 'a', LIST],
  ['Accept-Encoding', undefined, LIST],
  ['Accept-Language', undefined, LIST],
  ['Accept-Resource-Priority', undefined, LIST],
  ['Alert-Info', undefined, LIST],
  ['Allow', undefined, LIST],
  ['Allow-Events', 'u', LIST],
  ['Authentication-Info', undefined, false],
  ['Authorization', undefined, false],
  ['Call-ID', 'i', false],
  ['Call-Info', undefined, LIST],
  ['Contact', 'm', LIST],
  ['Content-Disposition', undefined, false],
  ['Content-Encoding', 'e', LIST],
  ['Content-Language', undefined, LIST],
  ['Content-Length', 'l', false],
  ['Content-Type', 'c', false],
  ['CSeq', undefined, false],
  ['Date', undefined, false],
  ['Error-Info', undefined, LIST],
  ['Event', 'o', false],
  ['Expires', undefined, false],
  ['From', 'f', false],
  ['History-Info', undefined, LIST],
  ['Identity', 'y', false],
  ['Identity-Info', 'n', false],
  ['In-Reply-To', undefined, LIST],
  ['Max-Forwards', undefined, false],
  ['MIME-Version', undefined, false],
  ['Min-Expires', undefined, false],
  ['Min-SE', undefined, false],
  ['Organization', undefined, false],
  ['P-Asserted-Identity', undefined, LIST],
  ['P-Preferred-Identity', undefined, LIST],
  ['Path', undefined, LIST],
  ['Priority', undefined, false],
  ['Privacy', undefined, false],
  ['Proxy-Authenticate', undefined, false],
  ['Proxy-Authorization', undefined, false],
  ['Proxy-Require', undefined, LIST],
  ['RAck', undefined, false],
  ['Reason', undefined, LIST],
  ['Record-Route', undefined, LIST],
  ['Refer-To', 'r', false],
  ['Referred-By', 'b', false],
  ['Reject-Contact', 'j', LIST],
  ['Replaces', undefined, false],
  ['Reply-To', undefined, false],
  ['Request-Disposition', 'd', LIST],
  ['Require', undefined, LIST],
  ['Resource-Priority', undefined, LIST],
  ['Retry-After', undefined, false],
  ['Route', undefined, LIST],
  ['RSeq', undefined, false],
  ['Security-Client', undefined, LIST],
  ['Security-Server', undefined, LIST],
  ['Security-Verify', undefined, LIST],
  ['Server', undefined, false],
  ['Service-Route', undefined, LIST],
  ['Session-Expires', 'x', false],
  ['SIP-ETag', undefined, false],
  ['SIP-If-Match', undefined, false],
  ['Subject', 's', false],
  ['Subscription-State', undefined, false],
  ['Supported', 'k', LIST],
  ['Timestamp', undefined, false],
  ['To', 't', false],
  ['Unsupported', undefined, LIST],
  ['User-Agent', undefined, false],
  ['Via', 'v', LIST],
  ['Warning', undefined, LIST],
  ['WWW-Authenticate', undefined, false],
];

/** Lookup by canonical spelling, lower case, and compact form (both cases). */
const KNOWN = new Map<string, HeaderInfo>();
for (const [name, compact, list] of TABLE) {
  const info: HeaderInfo = Object.freeze({ key: name.toLowerCase(), name, compact, list });
  KNOWN.set(name, info);
  KNOWN.set(info.key, info);
  KNOWN.set(name.toUpperCase(), info);
  if (compact) {
    KNOWN.set(compact, info);
    KNOWN.set(compact.toUpperCase(), info);
  }
}

/** Spellings to try in place, keyed by length, first and last char: canonical, lower, upper, compact. */
const BY_SHAPE = new Map<number, { spelling: string; info: HeaderInfo }[]>();
const shape = (len: number, first: number, last: number): number => len * 65536 + first * 256 + (last & 255);
for (const [spelling, info] of KNOWN) {
  const k = shape(spelling.length, spelling.charCodeAt(0), spelling.charCodeAt(spelling.length - 1));
  let list = BY_SHAPE.get(k);
  if (list === undefined) BY_SHAPE.set(k, (list = []));
  list.push({ spelling, info });
}

/**
 * The known header whose name is `s.slice(pos, pos + len)` in one of its usual spellings (canonical, lower,
 * upper, compact), without allocating; undefined otherwise (callers fall back to {@link headerInfo}).
 */
export function knownAt(s: string, pos: number, len: number): HeaderInfo | undefined {
  if (len === 0) return undefined;
  const cands = BY_SHAPE.get(shape(len, s.charCodeAt(pos), s.charCodeAt(pos + len - 1)));
  if (cands === undefined) return undefined;
  outer: for (let i = 0; i < cands.length; i++) {
    const sp = cands[i].spelling;
    for (let k = 1; k < len - 1; k++) if (sp.charCodeAt(k) !== s.charCodeAt(pos + k)) continue outer;
    return cands[i].info;
  }
  return undefined;
}

/** Info for a known header (any spelling or compact form), undefined for extension headers. */
export function headerInfo(name: string): HeaderInfo | undefined {
  return KNOWN.get(name) ?? KNOWN.get(name.toLowerCase());
}

/** Lookup key of a header name: the lower-case long name (compact forms expanded). */
export function headerKey(name: string): string {
  const info = KNOWN.get(name);
  if (info) return info.key;
  const lower = name.toLowerCase();
  return KNOWN.get(lower)?.key ?? lower;
}

/** Canonical spelling for a known header; other names are returned as given. */
export function canonicalName(name: string): string {
  return headerInfo(name)?.name ?? name;
}

/** True when the header's values form a comma-separated list (RFC 3261 §7.3.1). */
export function isListHeader(key: string): boolean {
  return KNOWN.get(key)?.list === true;
}

/** Every known header, for documentation and tests. */
export function knownHeaders(): readonly HeaderInfo[] {
  return TABLE.map(([name]) => KNOWN.get(name) as HeaderInfo);
}

/**
 * Splits a header value on commas that are outside quoted strings and angle brackets (RFC 3261 §7.3.1).
 * Elements are trimmed of SP/HTAB; empty elements are kept (callers decide whether they are an error).
 */
export function splitList(value: string): string[] {
  // Fast path: no quote and no angle bracket → plain split.
  if (value.indexOf(',') < 0) return [trimWsp(value)];
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60) inAngle = true;
    else if (c === 62) inAngle = false;
    else if (c === 44 && !inAngle) {
      out.push(trimWsp(value.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimWsp(value.slice(start)));
  return out;
}

/** Trims SP and HTAB only (not other Unicode spaces, which may be content). */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
