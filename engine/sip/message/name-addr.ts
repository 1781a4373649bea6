// name-addr / addr-spec with display names and header parameters: From, To, Contact, Route, Record-Route (RFC 3261 §20.10, §20.20, §20.30, §20.34, §20.39, §25.1).
import { badHeader, SipParseError } from './errors.ts';
import { Params, quote, unquote } from './params.ts';
import { scanQuoted, scanToken, skipWs, parseParamsAt } from './scan.ts';
import { parseUri, type Uri } from './uri.ts';

/** Fields to build a {@link NameAddr}. */
export interface NameAddrInit {
  displayName?: string;
  uri: Uri | string;
  /** Header parameters (values as written; quote strings yourself). */
  params?: Iterable<readonly [string, string | null]>;
}

/**
 * An address with optional display name and header parameters (`"Alice" <sip:a@x>;tag=1`).
 * The URI is parsed lazily (first read of `uri`). A parsed NameAddr is a snapshot: to change a message, write the header back (`msg.set('To', na.toString())`).
 */
export class NameAddr {
  /** Display name, unquoted and unescaped; undefined when absent. */
  displayName: string | undefined;
  /** Header parameters (tag, expires, q, lr…); values as written, quoted-strings keep their quotes. */
  params: Params;
  #uri: Uri | undefined;
  #uriText: string;
  #header: string;

  constructor(init: NameAddrInit) {
    this.displayName = init.displayName;
    if (typeof init.uri === 'string') this.#uriText = init.uri;
    else {
      this.#uri = init.uri;
      this.#uriText = '';
    }
    this.#header = 'Header';
    this.params = init.params instanceof Params ? init.params : new Params(init.params);
  }

  /** @internal A parsed NameAddr whose URI text is parsed on first access, errors naming `header`. */
  static lazy(displayName: string | undefined, uriText: string, params: Params, header: string): NameAddr {
    const n = new NameAddr({ displayName, uri: uriText, params });
    n.#header = header;
    return n;
  }

  /**
   * The address. Parsed from the header text on first access (the transaction layer rarely needs it).
   * @throws SipParseError code `bad-header` naming the header when the URI is malformed.
   */
  get uri(): Uri {
    if (this.#uri === undefined) {
      try {
        this.#uri = parseUri(this.#uriText);
      } catch (err) {
        if (err instanceof SipParseError) throw badHeader(this.#header, err.message, err);
        throw err;
      }
    }
    return this.#uri;
  }

  set uri(u: Uri) {
    this.#uri = u;
  }

  /** The URI text as written inside `<>` (or as the addr-spec), or the serialized URI when built in code. */
  get uriText(): string {
    return this.#uri === undefined ? this.#uriText : this.#uri.toString();
  }

  /** The `tag` parameter (RFC 3261 §19.3). */
  get tag(): string | undefined {
    const t = this.params.get('tag');
    return typeof t === 'string' ? t : undefined;
  }

  set tag(v: string | undefined) {
    if (v === undefined) this.params.delete('tag');
    else this.params.set('tag', v);
  }

  /** Contact `expires` parameter in seconds (RFC 3261 §20.10); values above 2³²−1 are clamped. */
  get expires(): number | undefined {
    const v = this.params.get('expires');
    return typeof v === 'string' ? parseDelta(v) : undefined;
  }

  /** Contact `q` parameter, 0–1 (RFC 3261 §20.10). */
  get q(): number | undefined {
    const v = this.params.get('q');
    if (typeof v !== 'string' || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(v)) return undefined;
    return Number(v);
  }

  /** A deep copy. */
  clone(): NameAddr {
    const uri = this.#uri === undefined ? this.#uriText : this.#uri.clone();
    const n = NameAddr.lazy(this.displayName, '', this.params.clone(), this.#header);
    if (typeof uri === 'string') n.#uriText = uri;
    else n.#uri = uri;
    return n;
  }

  /** Canonical text: display name always quoted, URI always in angle brackets. */
  toString(): string {
    const dn = this.displayName === undefined ? '' : `${quote(this.displayName)} `;
    return `${dn}<${this.uriText}>${this.params.toString()}`;
  }
}

function parseDelta(v: string): number | undefined {
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n > 0xffffffff ? 0xffffffff : n;
}

/**
 * Parses `( name-addr / addr-spec ) *( SEMI param )`. In addr-spec form the URI ends at the first ";", so
 * `;x` belongs to the header (RFC 3261 §20.10), and a URI with "?" or "," must be bracketed (§20).
 * No whitespace is allowed inside `<…>` (RFC 4475 §3.1.2.14). The URI itself is parsed when `uri` is first read.
 * @throws SipParseError code `bad-header` naming `header`.
 */
export function parseNameAddr(value: string, header: string): NameAddr {
  const s = value;
  let pos = skipWs(s, 0);
  let displayName: string | undefined;
  if (pos >= s.length) throw badHeader(header, 'empty value');
  const c = s.charCodeAt(pos);
  let bracketed = false;
  if (c === 34) {
    const end = scanQuoted(s, pos);
    if (end < 0) throw badHeader(header, 'unterminated quoted display name');
    displayName = unquote(s.slice(pos, end));
    pos = skipWs(s, end);
    if (s.charCodeAt(pos) !== 60) throw badHeader(header, 'quoted display name not followed by "<"');
    bracketed = true;
  } else if (c === 60) {
    bracketed = true;
  } else {
    // *(token LWS) followed by "<" is a display name; otherwise this is an addr-spec.
    let i = pos;
    let words: string[] | undefined;
    for (;;) {
      const e = scanToken(s, i);
      if (e === i) break;
      (words ??= []).push(s.slice(i, e));
      i = skipWs(s, e);
    }
    if (words && s.charCodeAt(i) === 60) {
      displayName = words.join(' ');
      pos = i;
      bracketed = true;
    }
  }
  let uriText: string;
  if (bracketed) {
    const close = s.indexOf('>', pos + 1);
    if (close < 0) throw badHeader(header, 'missing ">"');
    uriText = s.slice(pos + 1, close);
    if (uriText.indexOf(' ') >= 0 || uriText.indexOf('\t') >= 0) throw badHeader(header, 'whitespace inside <>');
    pos = close + 1;
  } else {
    let e = pos;
    while (e < s.length) {
      const d = s.charCodeAt(e);
      if (d === 59 || d === 32 || d === 9) break;
      e++;
    }
    uriText = s.slice(pos, e);
    if (/[?,"<>]/.test(uriText)) throw badHeader(header, 'URI with "?", "," or quotes must be in <>');
    pos = e;
  }
  if (uriText.length === 0) throw badHeader(header, 'empty URI');
  const params = new Params();
  parseParamsAt(s, pos, header, params);
  return NameAddr.lazy(displayName, uriText, params, header);
}
