// The Via header field value: sent-protocol, sent-by and via-params incl. branch, received, rport, maddr, ttl (RFC 3261 §20.42, §18.2.1, §25.1; RFC 3581 §3–4; RFC 5118 §4.5).
import { badHeader } from './errors.ts';
import { lowerAscii, Params } from './params.ts';
import { parseParamsAt, scanToken, skipWs } from './scan.ts';
import { isHost, isIpv4, isIpv6, parsePort } from './uri.ts';

/** The branch magic cookie of RFC 3261 §8.1.1.7. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** Fields to build a {@link Via}. */
export interface ViaInit {
  protocol?: string;
  version?: string;
  /** UDP, TCP, TLS, SCTP, WS… (stored upper-case). */
  transport: string;
  /** Host name, IPv4, or IPv6 reference in brackets. */
  host: string;
  port?: number;
  /** via-params (values as written). */
  params?: Iterable<readonly [string, string | null]>;
  /** Convenience: sets the `branch` param first. */
  branch?: string;
}

/** One Via header field value. A parsed Via is a snapshot; write changes back with `msg.set`/`prepend`. */
export class Via {
  protocol: string;
  version: string;
  transport: string;
  host: string;
  port: number | undefined;
  params: Params;

  constructor(init: ViaInit) {
    this.protocol = init.protocol ?? 'SIP';
    this.version = init.version ?? '2.0';
    this.transport = upperAscii(init.transport);
    this.host = init.host;
    this.port = init.port;
    this.params = init.params instanceof Params ? init.params : new Params(init.params);
    if (init.branch !== undefined) this.params.set('branch', init.branch);
  }

  /** `branch` parameter (RFC 3261 §8.1.1.7). */
  get branch(): string | undefined {
    const v = this.params.get('branch');
    return typeof v === 'string' ? v : undefined;
  }

  /** True when the branch starts with the RFC 3261 magic cookie and has something after it (§17.2.3). */
  get isRfc3261Branch(): boolean {
    const b = this.branch;
    return b !== undefined && b.length > MAGIC_COOKIE.length && b.startsWith(MAGIC_COOKIE);
  }

  /** `received` parameter: the source address a server saw (RFC 3261 §18.2.1), brackets removed from IPv6. */
  get received(): string | undefined {
    const v = this.params.get('received');
    if (typeof v !== 'string') return undefined;
    return v.charCodeAt(0) === 91 ? v.slice(1, -1) : v;
  }

  /**
   * `rport` (RFC 3581): `undefined` when absent, `null` when present without value (a request asking for it),
   * the port number when a server filled it in.
   */
  get rport(): number | null | undefined {
    const v = this.params.get('rport');
    if (v === undefined || v === null) return v;
    return parsePort(v);
  }

  /** `maddr` parameter (RFC 3261 §18.2.2). */
  get maddr(): string | undefined {
    const v = this.params.get('maddr');
    return typeof v === 'string' ? v : undefined;
  }

  /** `ttl` parameter, 0–255. */
  get ttl(): number | undefined {
    const v = this.params.get('ttl');
    return typeof v === 'string' && /^\d{1,3}$/.test(v) && Number(v) <= 255 ? Number(v) : undefined;
  }

  /** `host[:port]` as it appears in the header. */
  get sentBy(): string {
    return this.port === undefined ? this.host : `${this.host}:${this.port}`;
  }

  /** A deep copy. */
  clone(): Via {
    return new Via({ ...this, params: this.params.clone() });
  }

  /** Canonical text: `SIP/2.0/UDP host:port;params`. */
  toString(): string {
    return `${this.protocol}/${this.version}/${this.transport} ${this.sentBy}${this.params.toString()}`;
  }
}

function upperAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return s.toUpperCase();
  }
  return s;
}

/** True when `s` has "SIP/2.0/" at `pos` (the usual sent-protocol prefix). */
function startsWithSip20(s: string, pos: number): boolean {
  return (
    s.charCodeAt(pos) === 83 &&
    s.charCodeAt(pos + 1) === 73 &&
    s.charCodeAt(pos + 2) === 80 &&
    s.charCodeAt(pos + 3) === 47 &&
    s.charCodeAt(pos + 4) === 50 &&
    s.charCodeAt(pos + 5) === 46 &&
    s.charCodeAt(pos + 6) === 48 &&
    s.charCodeAt(pos + 7) === 47
  );
}

/** UDP / TCP / TLS at `pos` as constant strings (no slice), else undefined. */
function knownTransport(s: string, pos: number): string | undefined {
  const a = s.charCodeAt(pos);
  const b = s.charCodeAt(pos + 1);
  const c = s.charCodeAt(pos + 2);
  if (a === 85 && b === 68 && c === 80) return 'UDP';
  if (a === 84 && b === 67 && c === 80) return 'TCP';
  if (a === 84 && b === 76 && c === 83) return 'TLS';
  return undefined;
}

function isReceivedAddress(v: string): boolean {
  if (v.charCodeAt(0) === 91) return v.charCodeAt(v.length - 1) === 93 && isIpv6(v.slice(1, -1));
  return isIpv4(v) || isIpv6(v);
}

/**
 * Parses one via-parm: `sent-protocol LWS sent-by *( SEMI via-params )` with LWS allowed around "/" and ":".
 * Checks the typed params: ttl 0–255, maddr a host, received an IPv4/IPv6 address (with or without brackets,
 * RFC 5118 §4.5), rport empty or a port, branch a token.
 * @throws SipParseError code `bad-header` (header `Via`).
 */
export function parseVia(value: string): Via {
  const s = value;
  let pos = skipWs(s, 0);
  let protocol: string;
  let version: string;
  let transport: string;
  if (startsWithSip20(s, pos)) {
    // Fast path: "SIP/2.0/" then a transport token.
    protocol = 'SIP';
    version = '2.0';
    pos += 8;
  } else {
    const proto = scanToken(s, pos);
    if (proto === pos) throw badHeader('Via', 'bad sent-protocol');
    protocol = s.slice(pos, proto);
    pos = skipWs(s, proto);
    if (s.charCodeAt(pos) !== 47) throw badHeader('Via', 'bad sent-protocol');
    pos = skipWs(s, pos + 1);
    const ver = scanToken(s, pos);
    if (ver === pos) throw badHeader('Via', 'bad sent-protocol');
    version = s.slice(pos, ver);
    pos = skipWs(s, ver);
    if (s.charCodeAt(pos) !== 47) throw badHeader('Via', 'bad sent-protocol');
    pos = skipWs(s, pos + 1);
  }
  const te = scanToken(s, pos);
  if (te === pos) throw badHeader('Via', 'bad sent-protocol');
  transport = te - pos === 3 ? knownTransport(s, pos) ?? s.slice(pos, te) : s.slice(pos, te);
  pos = skipWs(s, te);
  // sent-by: host [ COLON port ]
  let host: string;
  const start = pos;
  if (s.charCodeAt(pos) === 91) {
    const close = s.indexOf(']', pos);
    if (close < 0) throw badHeader('Via', 'unterminated IPv6 reference');
    host = s.slice(pos, close + 1);
    pos = close + 1;
  } else {
    while (pos < s.length) {
      const c = s.charCodeAt(pos);
      if (c === 59 || c === 58 || c === 32 || c === 9 || c === 44) break;
      pos++;
    }
    host = s.slice(start, pos);
  }
  if (pos === start || !isHost(host)) throw badHeader('Via', 'bad sent-by host');
  let port: number | undefined;
  let p = skipWs(s, pos);
  if (s.charCodeAt(p) === 58) {
    p = skipWs(s, p + 1);
    let e = p;
    let n = 0;
    while (e < s.length && s.charCodeAt(e) >= 48 && s.charCodeAt(e) <= 57) n = n * 10 + (s.charCodeAt(e++) - 48);
    if (e === p || e - p > 5 || n > 65535) throw badHeader('Via', 'bad sent-by port');
    port = n;
    pos = e;
  }
  const params = new Params();
  parseParamsAt(s, pos, 'Via', params);
  const via = new Via({ protocol, version, transport, host, port, params });
  for (let i = 0; i < params.size; i++) {
    const n = params.nameAt(i);
    const v = params.valueAt(i);
    switch (n.length >= 3 && n.length <= 8 ? lowerAscii(n) : '') {
      case 'ttl':
        if (v === null || via.ttl === undefined) throw badHeader('Via', 'bad ttl');
        break;
      case 'maddr':
        if (v === null || !isHost(v)) throw badHeader('Via', 'bad maddr');
        break;
      case 'received':
        if (v === null || !isReceivedAddress(v)) throw badHeader('Via', 'bad received');
        break;
      case 'rport':
        if (v !== null && parsePort(v) === undefined) throw badHeader('Via', 'bad rport');
        break;
      case 'branch':
        if (v === null || v.charCodeAt(0) === 34) throw badHeader('Via', 'bad branch');
        break;
    }
  }
  return via;
}
