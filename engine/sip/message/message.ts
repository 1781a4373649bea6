// SIP requests and responses: start line, ordered headers with typed access, body, serialization (RFC 3261 §7, §7.3, §20).
import { SipParseError } from './errors.ts';
import {
  type AuthValue,
  type ContentType,
  type CSeq,
  isCallId,
  parseAuthValue,
  parseContentType,
  parseCSeq,
  parseDeltaSeconds,
  parseMaxForwards,
  parseTokenList,
} from './fields.ts';
import { canonicalName, headerKey, isListHeader, splitList, trimWsp } from './headers.ts';
import { type NameAddr, parseNameAddr } from './name-addr.ts';
import { parseUri, type Uri } from './uri.ts';
import { parseVia, type Via } from './via.ts';

/** One header line: name (canonical spelling for known headers) and value. */
export type HeaderField = [name: string, value: string];

/** Headers to build a message with: pairs in order, or a record (arrays give several lines). */
export type HeaderInit = Iterable<readonly [string, string]> | Readonly<Record<string, string | readonly string[]>>;

/** Body bytes; a string is encoded as UTF-8. */
export type BodyInit = Uint8Array | string;

const EMPTY = Buffer.alloc(0);

/** Marks a typed-header cache slot as not computed. */
const NONE: unique symbol = Symbol('none');
/** Cache slot of each typed header (by lookup key). */
const SLOT: Readonly<Record<string, number | undefined>> = {
  via: 0,
  from: 1,
  to: 2,
  cseq: 3,
  contact: 4,
  route: 5,
  'record-route': 6,
  'content-type': 7,
};

function toBody(b: BodyInit | undefined): Buffer {
  if (b === undefined) return EMPTY;
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function missing(header: string): SipParseError {
  return new SipParseError('missing-header', `Missing header: ${header}`, { status: 400, header });
}

/** The state and header operations shared by requests and responses. */
abstract class SipMessageBase {
  #keys: string[] = [];
  #names: string[] = [];
  #values: string[] = [];
  #slots: unknown[] | undefined;
  #head: string | undefined;
  #headBodyLen = -1;
  #version: string;
  /** Body bytes (a view into the parsed buffer when parsed). Content-Length is recomputed from it on output. */
  body: Buffer;

  constructor(version: string | undefined, headers: HeaderInit | undefined, body: BodyInit | undefined) {
    this.#version = version ?? 'SIP/2.0';
    this.body = toBody(body);
    if (headers) {
      const entries: Iterable<readonly [string, string | readonly string[]]> =
        Symbol.iterator in headers ? (headers as Iterable<readonly [string, string]>) : Object.entries(headers);
      for (const [n, v] of entries) {
        if (typeof v === 'string') this.append(n, v);
        else for (const one of v) this.append(n, one);
      }
    }
  }

  /** Start line without CRLF. */
  protected abstract startLine(): string;

  /** SIP-Version as written, `SIP/2.0` normally. */
  get version(): string {
    return this.#version;
  }

  set version(v: string) {
    this.#version = v;
    this.touch();
  }

  /** Drops the cached serialization (after a start-line change). */
  protected touch(): void {
    this.#head = undefined;
  }

  #changed(key: string): void {
    this.#head = undefined;
    if (this.#slots !== undefined) {
      const i = SLOT[key];
      if (i !== undefined) this.#slots[i] = NONE;
    }
  }

  /** @internal Adopts parsed header arrays (keys lower-case long names, names canonical/as written). */
  static adoptHeaders(msg: SipMessageBase, keys: string[], names: string[], values: string[]): void {
    msg.#keys = keys;
    msg.#names = names;
    msg.#values = values;
    msg.#head = undefined;
    msg.#slots = undefined;
  }

  // ---- generic header access -------------------------------------------------------------------

  /** Number of header lines. */
  get headerCount(): number {
    return this.#keys.length;
  }

  /** The header lines in order, as `[name, value]` (a copy). Folded lines are already joined. */
  get headers(): HeaderField[] {
    const out: HeaderField[] = [];
    for (let i = 0; i < this.#keys.length; i++) out.push([this.#names[i], this.#values[i]]);
    return out;
  }

  /** True when a header of that name (any spelling or compact form) is present. */
  has(name: string): boolean {
    return this.#keys.indexOf(headerKey(name)) >= 0;
  }

  /**
   * First value of a header: for list headers (Via, Contact, Route…) the first comma-separated element,
   * otherwise the first line's whole value. Names are case-insensitive; compact forms work (`v`, `i`…).
   */
  get(name: string): string | undefined {
    const key = headerKey(name);
    const i = this.#keys.indexOf(key);
    if (i < 0) return undefined;
    const v = this.#values[i];
    if (!isListHeader(key) || v.indexOf(',') < 0) return v;
    for (const el of splitList(v)) if (el.length > 0) return el;
    return '';
  }

  /**
   * Every value of a header in order: list headers are split on commas outside quotes and `<>` (RFC 3261 §7.3.1)
   * and empty elements skipped; other headers give one value per line.
   */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const out: string[] = [];
    for (let i = 0; i < this.#keys.length; i++) {
      if (this.#keys[i] !== key) continue;
      if (!list) out.push(this.#values[i]);
      else for (const el of splitList(this.#values[i])) if (el.length > 0) out.push(el);
    }
    return out;
  }

  /** Raw line values of a header without list splitting. */
  getLines(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (let i = 0; i < this.#keys.length; i++) if (this.#keys[i] === key) out.push(this.#values[i]);
    return out;
  }

  /** Replaces every line of that header with one line (or several, for an array) at the first one's place. */
  set(name: string, value: string | readonly string[]): this {
    const key = headerKey(name);
    const values = typeof value === 'string' ? [value] : value;
    let at = this.#keys.indexOf(key);
    if (at >= 0) this.#removeKey(key);
    else at = this.#keys.length;
    const out = canonicalName(name);
    for (let k = 0; k < values.length; k++) {
      this.#keys.splice(at + k, 0, key);
      this.#names.splice(at + k, 0, out);
      this.#values.splice(at + k, 0, checkValue(values[k]));
    }
    this.#changed(key);
    return this;
  }

  /** Adds a header line after all others. */
  append(name: string, value: string): this {
    const key = headerKey(name);
    this.#keys.push(key);
    this.#names.push(canonicalName(name));
    this.#values.push(checkValue(value));
    this.#changed(key);
    return this;
  }

  /** Adds a header line before the first line of that name (top of the Via/Route stack), or first if none. */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    let at = this.#keys.indexOf(key);
    if (at < 0) at = 0;
    this.#keys.splice(at, 0, key);
    this.#names.splice(at, 0, canonicalName(name));
    this.#values.splice(at, 0, checkValue(value));
    this.#changed(key);
    return this;
  }

  /** Removes every line of that header; returns how many were removed. */
  remove(name: string): number {
    const key = headerKey(name);
    const n = this.#removeKey(key);
    if (n > 0) this.#changed(key);
    return n;
  }

  /** Removes the first value of a list header (top Via, first Route), keeping the rest of its line. */
  removeFirst(name: string): string | undefined {
    const key = headerKey(name);
    const i = this.#keys.indexOf(key);
    if (i < 0) return undefined;
    const els = isListHeader(key) ? splitList(this.#values[i]).filter((e) => e.length > 0) : [this.#values[i]];
    const first = els.shift();
    if (els.length === 0) {
      this.#keys.splice(i, 1);
      this.#names.splice(i, 1);
      this.#values.splice(i, 1);
    } else this.#values[i] = els.join(', ');
    this.#changed(key);
    return first;
  }

  #removeKey(key: string): number {
    let n = 0;
    for (let i = this.#keys.length - 1; i >= 0; i--) {
      if (this.#keys[i] === key) {
        this.#keys.splice(i, 1);
        this.#names.splice(i, 1);
        this.#values.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  #typed<T>(slot: number, parse: () => T): T {
    const slots = (this.#slots ??= [NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE]);
    const v = slots[slot];
    if (v !== NONE) return v as T;
    const parsed = parse();
    slots[slot] = parsed;
    return parsed;
  }

  #single(key: string, _header: string): string | undefined {
    const i = this.#keys.indexOf(key);
    return i < 0 ? undefined : this.#values[i];
  }

  // ---- typed access (RFC 3261 §20) ------------------------------------------------------------

  /**
   * Every Via value, top first (RFC 3261 §20.42). Empty list elements are an error (RFC 4475 §3.1.2.1).
   * @throws SipParseError code `bad-header` when a value is malformed.
   */
  via(): Via[] {
    return this.#typed(0, () => {
      const out: Via[] = [];
      for (let i = 0; i < this.#keys.length; i++) {
        if (this.#keys[i] !== 'via') continue;
        for (const el of splitList(this.#values[i])) out.push(parseVia(el));
      }
      return out;
    });
  }

  /**
   * The top Via (the one a response is routed by, RFC 3261 §18.2.2).
   * @throws SipParseError code `missing-header` or `bad-header`.
   */
  topVia(): Via {
    const v = this.via()[0];
    if (!v) throw missing('Via');
    return v;
  }

  /**
   * From (RFC 3261 §20.20).
   * @throws SipParseError code `missing-header` or `bad-header`.
   */
  from(): NameAddr {
    return this.#typed(1, () => {
      const v = this.#single('from', 'From');
      if (v === undefined) throw missing('From');
      return parseNameAddr(v, 'From');
    });
  }

  /**
   * To (RFC 3261 §20.39).
   * @throws SipParseError code `missing-header` or `bad-header`.
   */
  to(): NameAddr {
    return this.#typed(2, () => {
      const v = this.#single('to', 'To');
      if (v === undefined) throw missing('To');
      return parseNameAddr(v, 'To');
    });
  }

  /**
   * Call-ID (RFC 3261 §20.8), checked against `word ["@" word]`.
   * @throws SipParseError code `missing-header` or `bad-header`.
   */
  get callId(): string {
    const v = this.#single('call-id', 'Call-ID');
    if (v === undefined) throw missing('Call-ID');
    if (!isCallId(v)) throw new SipParseError('bad-header', 'Invalid header: Call-ID', { status: 400, header: 'Call-ID' });
    return v;
  }

  /**
   * CSeq (RFC 3261 §20.16) as `{ seq, method }`.
   * @throws SipParseError code `missing-header` or `bad-header`.
   */
  cseq(): CSeq {
    return this.#typed(3, () => {
      const v = this.#single('cseq', 'CSeq');
      if (v === undefined) throw missing('CSeq');
      return parseCSeq(v);
    });
  }

  /**
   * Max-Forwards (RFC 3261 §20.22), undefined when absent.
   * @throws SipParseError code `bad-header` when not 0–255.
   */
  maxForwards(): number | undefined {
    const v = this.#single('max-forwards', 'Max-Forwards');
    return v === undefined ? undefined : parseMaxForwards(v);
  }

  /**
   * Expires in seconds (RFC 3261 §20.19), undefined when absent; values above 2³²−1 are clamped.
   * @throws SipParseError code `bad-header` when not digits.
   */
  expires(): number | undefined {
    const v = this.#single('expires', 'Expires');
    return v === undefined ? undefined : parseDeltaSeconds(v);
  }

  /** True when the Contact header is the wildcard `*` (REGISTER removing all bindings, RFC 3261 §10.2.2). */
  isWildcardContact(): boolean {
    const all = this.getAll('contact');
    return all.length === 1 && all[0] === '*';
  }

  /**
   * Contact values (RFC 3261 §20.10), [] when absent.
   * @throws SipParseError code `bad-header` when malformed, or when `*` is mixed with addresses or is the
   *   only value (check {@link isWildcardContact} first).
   */
  contacts(): NameAddr[] {
    return this.#typed(4, () => this.#nameAddrs('contact', 'Contact'));
  }

  /**
   * Route values in order (RFC 3261 §20.34).
   * @throws SipParseError code `bad-header`.
   */
  routes(): NameAddr[] {
    return this.#typed(5, () => this.#nameAddrs('route', 'Route'));
  }

  /**
   * Record-Route values in order (RFC 3261 §20.30).
   * @throws SipParseError code `bad-header`.
   */
  recordRoutes(): NameAddr[] {
    return this.#typed(6, () => this.#nameAddrs('record-route', 'Record-Route'));
  }

  #nameAddrs(key: string, header: string): NameAddr[] {
    const out: NameAddr[] = [];
    for (let i = 0; i < this.#keys.length; i++) {
      if (this.#keys[i] !== key) continue;
      for (const el of splitList(this.#values[i])) {
        if (el === '*' && key === 'contact') {
          throw new SipParseError('bad-header', 'Invalid header: Contact (wildcard)', { status: 400, header });
        }
        out.push(parseNameAddr(el, header));
      }
    }
    return out;
  }

  /** Body length in bytes: what Content-Length says on output (it is recomputed, RFC 3261 §20.14). */
  contentLength(): number {
    return this.body.length;
  }

  /**
   * Content-Type (RFC 3261 §20.15), undefined when absent.
   * @throws SipParseError code `bad-header`.
   */
  contentType(): ContentType | undefined {
    return this.#typed(7, () => {
      const v = this.#single('content-type', 'Content-Type');
      return v === undefined ? undefined : parseContentType(v);
    });
  }

  /**
   * Allow methods (RFC 3261 §20.5).
   * @throws SipParseError code `bad-header`.
   */
  allow(): string[] {
    return parseTokenList(this.getLines('allow'), 'Allow');
  }

  /**
   * Supported option tags (RFC 3261 §20.37).
   * @throws SipParseError code `bad-header`.
   */
  supported(): string[] {
    return parseTokenList(this.getLines('supported'), 'Supported');
  }

  /**
   * Require option tags (RFC 3261 §20.32).
   * @throws SipParseError code `bad-header`.
   */
  require(): string[] {
    return parseTokenList(this.getLines('require'), 'Require');
  }

  /**
   * Proxy-Require option tags (RFC 3261 §20.29).
   * @throws SipParseError code `bad-header`.
   */
  proxyRequire(): string[] {
    return parseTokenList(this.getLines('proxy-require'), 'Proxy-Require');
  }

  /**
   * Unsupported option tags (RFC 3261 §20.40).
   * @throws SipParseError code `bad-header`.
   */
  unsupported(): string[] {
    return parseTokenList(this.getLines('unsupported'), 'Unsupported');
  }

  /** User-Agent text (RFC 3261 §20.41). */
  get userAgent(): string | undefined {
    return this.#single('user-agent', 'User-Agent');
  }

  /** Raw Authorization values, one per line (RFC 3261 §20.7; digest parsing in engine/sip/auth). */
  authorization(): string[] {
    return this.getLines('authorization');
  }

  /** Raw Proxy-Authorization values (RFC 3261 §20.28). */
  proxyAuthorization(): string[] {
    return this.getLines('proxy-authorization');
  }

  /** Raw WWW-Authenticate values (RFC 3261 §20.44). */
  wwwAuthenticate(): string[] {
    return this.getLines('www-authenticate');
  }

  /** Raw Proxy-Authenticate values (RFC 3261 §20.27). */
  proxyAuthenticate(): string[] {
    return this.getLines('proxy-authenticate');
  }

  /**
   * Credentials/challenges of an auth header split into scheme and params (see {@link parseAuthValue}).
   * @throws SipParseError code `bad-header`.
   */
  authValues(name: 'Authorization' | 'Proxy-Authorization' | 'WWW-Authenticate' | 'Proxy-Authenticate'): AuthValue[] {
    return this.getLines(name).map((v) => parseAuthValue(v, name));
  }

  // ---- serialization ---------------------------------------------------------------------------

  #headText(): string {
    const bodyLen = this.body.length;
    if (this.#head !== undefined && this.#headBodyLen === bodyLen) return this.#head;
    let s = `${this.startLine()}\r\n`;
    let wroteLength = false;
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === 'content-length') {
        if (!wroteLength) s += `Content-Length: ${bodyLen}\r\n`;
        wroteLength = true;
      } else s += `${this.#names[i]}: ${this.#values[i]}\r\n`;
    }
    if (!wroteLength) s += `Content-Length: ${bodyLen}\r\n`;
    s += '\r\n';
    this.#head = s;
    this.#headBodyLen = bodyLen;
    return s;
  }

  /** Bytes {@link serialize} produces. */
  get byteLength(): number {
    return Buffer.byteLength(this.#headText(), 'utf8') + this.body.length;
  }

  /**
   * Writes the canonical message at `offset` (`Name: value` CRLF, long names in canonical case,
   * Content-Length recomputed). Returns the bytes written.
   * @throws RangeError when `buf` is too small (check {@link byteLength}).
   */
  serializeInto(buf: Uint8Array, offset = 0): number {
    const head = this.#headText();
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const need = Buffer.byteLength(head, 'utf8') + this.body.length;
    if (offset + need > b.length) throw new RangeError(`serializeInto: need ${need} bytes at offset ${offset}, buffer has ${b.length}`);
    const n = b.write(head, offset, 'utf8');
    this.body.copy(b, offset + n);
    return n + this.body.length;
  }

  /** The canonical message bytes (allocates; small messages share a slab like Buffer.allocUnsafe). */
  serialize(): Buffer {
    const head = this.#headText();
    const bodyLen = this.body.length;
    const max = head.length * 3 + bodyLen;
    if (max > SLAB_SIZE >>> 2) {
      const headLen = Buffer.byteLength(head, 'utf8');
      const out = Buffer.allocUnsafe(headLen + bodyLen);
      out.write(head, 0, 'utf8');
      this.body.copy(out, headLen);
      return out;
    }
    if (slabPos + max > SLAB_SIZE) {
      slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      slabPos = 0;
    }
    const start = slabPos;
    const n = slab.write(head, start, 'utf8');
    if (bodyLen > 0) this.body.copy(slab, start + n);
    const end = start + n + bodyLen;
    slabPos = (end + 7) & ~7;
    return slab.subarray(start, end);
  }

  /** The message as text (for logs; the body decoded as UTF-8). */
  toString(): string {
    return this.#headText() + this.body.toString('utf8');
  }
}

/** Output slab for {@link SipMessageBase.serialize}: one encode pass, no separate length scan. */
const SLAB_SIZE = 256 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabPos = 0;

function checkValue(v: string): string {
  if (/[\r\n]/.test(v)) throw new TypeError('header value must not contain CR or LF');
  return trimWsp(v);
}

/** Fields to build a request in code. */
export interface SipRequestInit {
  method: string;
  /** A parsed URI, or text (parsed lazily on first access of `uri`). */
  uri: Uri | string;
  version?: string;
  headers?: HeaderInit;
  body?: BodyInit;
}

/** A SIP request (RFC 3261 §7.1). */
export class SipRequest extends SipMessageBase {
  /** Discriminant of {@link SipMessage}. */
  readonly isRequest = true as const;
  #method: string;
  #uriText: string;
  #uri: Uri | undefined;

  constructor(init: SipRequestInit) {
    super(init.version, init.headers, init.body);
    this.#method = init.method;
    if (typeof init.uri === 'string') this.#uriText = init.uri;
    else {
      this.#uri = init.uri;
      this.#uriText = init.uri.toString();
    }
  }

  /** Method token, case-sensitive (RFC 3261 §7.1). */
  get method(): string {
    return this.#method;
  }

  set method(m: string) {
    this.#method = m;
    this.touch();
  }

  /** Request-URI as written on the start line. */
  get uriText(): string {
    return this.#uriText;
  }

  /**
   * Request-URI, parsed on first access. A snapshot: assign `uri` to change it.
   * @throws SipParseError code `bad-uri`.
   */
  get uri(): Uri {
    return (this.#uri ??= parseUri(this.#uriText));
  }

  set uri(u: Uri | string) {
    if (typeof u === 'string') {
      this.#uriText = u;
      this.#uri = undefined;
    } else {
      this.#uri = u;
      this.#uriText = u.toString();
    }
    this.touch();
  }

  protected startLine(): string {
    return `${this.#method} ${this.#uriText} ${this.version}`;
  }

  /** A deep copy (body bytes shared). */
  clone(): SipRequest {
    return new SipRequest({ method: this.#method, uri: this.#uriText, version: this.version, headers: this.headers, body: this.body });
  }
}

/** Fields to build a response in code. */
export interface SipResponseInit {
  status: number;
  /** Reason phrase; defaults to the standard one for the status. */
  reason?: string;
  version?: string;
  headers?: HeaderInit;
  body?: BodyInit;
}

/** A SIP response (RFC 3261 §7.2). */
export class SipResponse extends SipMessageBase {
  /** Discriminant of {@link SipMessage}. */
  readonly isRequest = false as const;
  #status: number;
  #reason: string;

  constructor(init: SipResponseInit) {
    super(init.version, init.headers, init.body);
    this.#status = init.status;
    this.#reason = init.reason ?? defaultReason(init.status);
  }

  /** Status code 100–699. */
  get status(): number {
    return this.#status;
  }

  set status(s: number) {
    this.#status = s;
    this.touch();
  }

  /** Reason phrase (opaque UTF-8 text, may be empty). */
  get reason(): string {
    return this.#reason;
  }

  set reason(r: string) {
    this.#reason = r;
    this.touch();
  }

  protected startLine(): string {
    return `${this.version} ${this.#status} ${this.#reason}`;
  }

  /** A deep copy (body bytes shared). */
  clone(): SipResponse {
    return new SipResponse({ status: this.#status, reason: this.#reason, version: this.version, headers: this.headers, body: this.body });
  }
}

/** A parsed or built SIP message; narrow with `isRequest`. */
export type SipMessage = SipRequest | SipResponse;

/** @internal */
export const adoptHeaders: (msg: SipMessage, keys: string[], names: string[], values: string[]) => void = (msg, k, n, v) =>
  SipMessageBase.adoptHeaders(msg, k, n, v);

/** Standard reason phrases (RFC 3261 §21 and the extensions in common use). */
export const REASON_PHRASES: Readonly<Record<number, string>> = Object.freeze({
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  199: 'Early Dialog Terminated',
  200: 'OK',
  202: 'Accepted',
  204: 'No Notification',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  412: 'Conditional Request Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  417: 'Unknown Resource-Priority',
  420: 'Bad Extension',
  421: 'Extension Required',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  428: 'Use Identity Header',
  429: 'Provide Referrer Identity',
  433: 'Anonymity Disallowed',
  436: 'Bad Identity-Info',
  437: 'Unsupported Certificate',
  438: 'Invalid Identity Header',
  439: 'First Hop Lacks Outbound Support',
  440: 'Max-Breadth Exceeded',
  469: 'Bad Info Package',
  470: 'Consent Needed',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  494: 'Security Agreement Required',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  555: 'Push Notification Service Not Supported',
  580: 'Precondition Failure',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
  607: 'Unwanted',
  608: 'Rejected',
});

/** The standard reason phrase for a status, or a generic one for its class (RFC 3261 §21). */
export function defaultReason(status: number): string {
  const r = REASON_PHRASES[status];
  if (r !== undefined) return r;
  const cls = Math.floor(status / 100);
  return ['', 'Provisional', 'Success', 'Redirection', 'Client Error', 'Server Error', 'Global Failure'][cls] ?? 'Unknown';
}
