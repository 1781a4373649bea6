// Parsing SIP messages from bytes: framing, start line, header lines with folding, Content-Length (RFC 3261 §7, §7.3.1, §7.4.1, §7.5, §18.3, §25.1).
import { CLASS, TOKEN } from './chars.ts';
import { SipParseError } from './errors.ts';
import { headerInfo, knownAt } from './headers.ts';
import { adoptHeaders, SipRequest, SipResponse, type SipMessage } from './message.ts';

/** Default limit on a message's size: 64 KiB (answered with 513, RFC 3261 §21.5.11). */
export const DEFAULT_MAX_SIZE = 64 * 1024;

/** Options of {@link parseMessage}. */
export interface ParseOptions {
  /** Largest message accepted, bytes (default {@link DEFAULT_MAX_SIZE}). */
  maxSize?: number;
  /**
   * The bytes come from a stream transport: Content-Length is mandatory (RFC 3261 §18.3). On datagrams a
   * missing Content-Length means "the rest of the datagram".
   */
  stream?: boolean;
}

/** A framed header section (start line and header lines) before the body is attached. */
export interface ParsedHead {
  message: SipMessage;
  /** Offset of the first body byte in the buffer. */
  bodyStart: number;
  /** Declared Content-Length, undefined when the header is absent. */
  contentLength: number | undefined;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

function toBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Offset of the first byte after any CRLFs that precede the start line (RFC 3261 §7.5). */
export function skipLeadingCrlf(b: Uint8Array, pos: number, end: number): number {
  while (pos + 1 < end && b[pos] === 13 && b[pos + 1] === 10) pos += 2;
  return pos;
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (case-insensitive "SIP"). */
function isVersion(v: string): boolean {
  return v === 'SIP/2.0' || /^[Ss][Ii][Pp]\/\d+\.\d+$/.test(v);
}

function startLineError(msg: string): SipParseError {
  return new SipParseError('bad-start-line', msg, { status: 400 });
}

function parseStartLine(line: string): SipMessage {
  if (line.length >= 4 && (line.charCodeAt(0) | 32) === 115 && (line.charCodeAt(1) | 32) === 105 && (line.charCodeAt(2) | 32) === 112 && line.charCodeAt(3) === 47) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const sp1 = line.indexOf(' ');
    const version = sp1 < 0 ? line : line.slice(0, sp1);
    if (sp1 < 0 || !isVersion(version)) throw new SipParseError('bad-status', 'Malformed status line');
    const codeText = line.slice(sp1 + 1, sp1 + 4);
    const after = line.charCodeAt(sp1 + 4);
    if (!/^[1-6]\d\d$/.test(codeText) || (line.length > sp1 + 4 && after !== 32)) {
      throw new SipParseError('bad-status', `Bad status code in "${line.slice(0, 40)}"`);
    }
    const reason = line.length > sp1 + 5 ? line.slice(sp1 + 5) : '';
    return new SipResponse({ status: Number(codeText), reason, version });
  }
  // Request-Line = Method SP Request-URI SP SIP-Version (exactly one SP each: RFC 4475 §3.1.2.9, §3.1.2.10)
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) throw startLineError('Malformed request line');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 < 0) throw startLineError('Request line lacks SIP-Version');
  if (sp2 === sp1 + 1 || line.indexOf(' ', sp2 + 1) >= 0) throw startLineError('Extra whitespace in request line');
  const method = line.slice(0, sp1);
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c >= 128 || (CLASS[c] & TOKEN) === 0) throw startLineError('Method is not a token');
  }
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isVersion(version)) throw new SipParseError('bad-version', `Malformed SIP-Version "${version.slice(0, 20)}"`, { status: 400 });
  return new SipRequest({ method, uri, version });
}

function headerError(msg: string): SipParseError {
  return new SipParseError('bad-header', msg, { status: 400 });
}

/**
 * Frames the start line and headers ending at the empty line at `headEnd` (index of the CRLFCRLF).
 * Header names are kept canonical (known headers) or as written; values are trimmed and folded lines
 * (CRLF followed by SP/HTAB) joined with one SP (RFC 3261 §7.3.1).
 * @throws SipParseError
 */
export function parseHead(b: Buffer, start: number, headEnd: number): ParsedHead {
  const head = b.toString('utf8', start, headEnd);
  const len = head.length;
  let eol = head.indexOf('\r\n');
  if (eol < 0) eol = len;
  const first = head.slice(0, eol);
  if (first.indexOf('\n') >= 0 || first.indexOf('\r') >= 0) throw startLineError('Bare CR or LF in start line');
  const message = parseStartLine(first);
  const keys: string[] = [];
  const names: string[] = [];
  const values: string[] = [];
  let contentLength: number | undefined;
  let pos = eol + 2;
  while (pos < len) {
    const lineEnd = lineEndAt(head, pos, len);
    const c0 = head.charCodeAt(pos);
    if (c0 === 32 || c0 === 9) throw headerError('Folded line before the first header');
    const colon = head.indexOf(':', pos);
    if (colon <= pos || colon >= lineEnd) throw headerError(`Header line without ":" ("${head.slice(pos, Math.min(lineEnd, pos + 30))}")`);
    let ne = colon;
    while (ne > pos && (head.charCodeAt(ne - 1) === 32 || head.charCodeAt(ne - 1) === 9)) ne--;
    let info = knownAt(head, pos, ne - pos);
    let name: string;
    let key: string;
    if (info) {
      name = info.name;
      key = info.key;
    } else {
      name = head.slice(pos, ne);
      info = headerInfo(name);
      if (info) {
        key = info.key;
        name = info.name;
      } else {
        if (name.length === 0) throw headerError('Empty header name');
        for (let i = 0; i < name.length; i++) {
          const c = name.charCodeAt(i);
          if (c >= 128 || (CLASS[c] & TOKEN) === 0) throw headerError(`Bad header name "${name.slice(0, 30)}"`);
        }
        key = name.toLowerCase();
      }
    }
    let vs = colon + 1;
    while (vs < lineEnd && (head.charCodeAt(vs) === 32 || head.charCodeAt(vs) === 9)) vs++;
    let ve = lineEnd;
    while (ve > vs && (head.charCodeAt(ve - 1) === 32 || head.charCodeAt(ve - 1) === 9)) ve--;
    let value = head.slice(vs, ve);
    pos = lineEnd + 2;
    // Continuation lines (LWS folding) are joined with one SP.
    while (pos < len) {
      const c = head.charCodeAt(pos);
      if (c !== 32 && c !== 9) break;
      const contEnd = lineEndAt(head, pos, len);
      const cont = trimWspLocal(head.slice(pos, contEnd));
      if (cont.length > 0) value = value.length > 0 ? `${value} ${cont}` : cont;
      pos = contEnd + 2;
    }
    if (value.indexOf('\r') >= 0) throw headerError('Bare CR in header');
    if (key === 'content-length') {
      const n = digits(value);
      if (n < 0) {
        throw new SipParseError('bad-content-length', `Invalid header: Content-Length "${value.slice(0, 20)}"`, {
          status: 400,
          header: 'Content-Length',
          partial: withHeaders(message, keys, names, values),
        });
      }
      if (contentLength !== undefined && contentLength !== n) {
        throw new SipParseError('bad-content-length', 'Conflicting Content-Length headers', {
          status: 400,
          header: 'Content-Length',
          partial: withHeaders(message, keys, names, values),
        });
      }
      contentLength = n;
    }
    keys.push(key);
    names.push(name);
    values.push(value);
  }
  adoptHeaders(message, keys, names, values);
  return { message, bodyStart: headEnd + 4, contentLength };
}

/** Index of the CR ending the line at `pos` (or `len` for the last line). A bare LF is an error. */
function lineEndAt(head: string, pos: number, len: number): number {
  const nl = head.indexOf('\n', pos);
  if (nl < 0) return len;
  if (head.charCodeAt(nl - 1) !== 13 || nl - 1 < pos) throw headerError('Bare LF in header section');
  return nl - 1;
}

/** 1*DIGIT (at most 10) as a number, -1 otherwise. */
function digits(v: string): number {
  if (v.length === 0 || v.length > 10) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function withHeaders(m: SipMessage, keys: string[], names: string[], values: string[]): SipMessage {
  adoptHeaders(m, keys.slice(), names.slice(), values.slice());
  return m;
}

function trimWspLocal(s: string): string {
  let a = 0;
  let e = s.length;
  while (a < e && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (e > a && (s.charCodeAt(e - 1) === 32 || s.charCodeAt(e - 1) === 9)) e--;
  return a === 0 && e === s.length ? s : s.slice(a, e);
}


/**
 * Parses one SIP message from bytes (a datagram, or one message framed off a stream). Only framing is
 * checked strictly — start line, header lines, Content-Length; header values are parsed on demand by the
 * typed accessors, and {@link validateRequest} decides the response to a bad request.
 *
 * Datagram rules (RFC 3261 §18.3): octets beyond Content-Length are ignored; a body shorter than
 * Content-Length is an error; without Content-Length the body is the rest of the datagram.
 * Leading CRLFs are skipped (§7.5). Bytes after the header section are a view, not a copy.
 *
 * @throws SipParseError — never anything else for any input. `status` is the response a server should send
 *   for a request (400, 513), absent for faults in a response's status line.
 */
export function parseMessage(buf: Uint8Array, opts?: ParseOptions): SipMessage {
  const b = toBuffer(buf);
  const maxSize = opts?.maxSize ?? DEFAULT_MAX_SIZE;
  const start = skipLeadingCrlf(b, 0, b.length);
  if (start >= b.length) throw new SipParseError('empty', 'Empty message');
  const headEnd = b.indexOf(CRLFCRLF, start);
  if (b.length > maxSize) {
    let partial: SipMessage | undefined;
    if (headEnd >= 0 && headEnd < maxSize) {
      try {
        partial = parseHead(b, start, headEnd).message;
      } catch {
        partial = undefined;
      }
    }
    throw new SipParseError('too-large', `Message of ${b.length} bytes exceeds ${maxSize}`, { status: 513, partial });
  }
  if (headEnd < 0) {
    // One line only → a malformed start line; otherwise the header section never ends (RFC 4475 §3.1.2.15 archive).
    throw new SipParseError('no-header-end', 'Header section not terminated by an empty line', { status: 400 });
  }
  const parsed = parseHead(b, start, headEnd);
  return attachBody(b, parsed, opts?.stream === true);
}

/** Attaches the body per Content-Length (or datagram rest) to a parsed head. */
export function attachBody(b: Buffer, parsed: ParsedHead, stream: boolean): SipMessage {
  const { message, bodyStart, contentLength } = parsed;
  if (contentLength === undefined) {
    if (stream) {
      throw new SipParseError('missing-content-length', 'Missing header: Content-Length (required on stream transports)', {
        status: 400,
        header: 'Content-Length',
        partial: message,
      });
    }
    message.body = b.subarray(bodyStart);
    return message;
  }
  if (bodyStart + contentLength > b.length) {
    throw new SipParseError('truncated', `Body shorter than Content-Length (${b.length - bodyStart} < ${contentLength})`, {
      status: 400,
      header: 'Content-Length',
      partial: message,
    });
  }
  message.body = b.subarray(bodyStart, bodyStart + contentLength);
  return message;
}

/** Like {@link parseMessage}, returning the error instead of throwing it. */
export function tryParseMessage(buf: Uint8Array, opts?: ParseOptions): SipMessage | SipParseError {
  try {
    return parseMessage(buf, opts);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
}
