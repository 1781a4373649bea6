// Building requests and responses around dialogs: ACK for non-2xx (§17.1.1.3), CANCEL (§9.1), dialog-creating responses (§12.1.1), in-dialog rejections (§12.2.2, §14.2); RFC 3261.
import {
  type BodyInit,
  createResponse,
  type HeaderInit,
  NameAddr,
  parseNameAddr,
  SipParseError,
  SipRequest,
  type SipResponse,
  SipUri,
  type Uri,
} from '../message/index.ts';

/** Max-Forwards of every request the dialog layer builds (RFC 3261 §8.1.1.6). */
export const DEFAULT_MAX_FORWARDS = 70;

/** A Contact to put in a message: a parsed address, a URI, or header text (`<sip:a@1.2.3.4:5060>`). */
export type ContactInit = NameAddr | Uri | string;

/**
 * A Contact value as a {@link NameAddr}.
 * @throws SipParseError code `bad-header` when a string does not parse.
 */
export function toContact(c: ContactInit): NameAddr {
  if (c instanceof NameAddr) return c;
  if (typeof c === 'string') return parseNameAddr(c, 'Contact');
  return new NameAddr({ uri: c });
}

/** Header pairs from any {@link HeaderInit} shape, in order. */
export function headerPairs(init: HeaderInit | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (init === undefined) return out;
  if (Symbol.iterator in init) {
    for (const [n, v] of init as Iterable<readonly [string, string]>) out.push([n, v]);
  } else {
    for (const [n, v] of Object.entries(init as Readonly<Record<string, string | readonly string[]>>)) {
      if (typeof v === 'string') out.push([n, v]);
      else for (const one of v) out.push([n, one]);
    }
  }
  return out;
}

/** True when a non-empty body has a Content-Type from `contentType` or among the headers. */
export function checkBodyType(body: BodyInit | undefined, contentType: string | undefined, headers: Array<[string, string]>): void {
  const size = body === undefined ? 0 : typeof body === 'string' ? body.length : body.byteLength;
  if (size === 0 || contentType !== undefined) return;
  if (headers.some(([n]) => n.toLowerCase() === 'content-type' || n === 'c')) return;
  throw new TypeError('contentType is required with a non-empty body');
}

/**
 * The URI as allowed in a Request-URI (RFC 3261 §19.1.1 table): the `method` parameter and URI headers are
 * removed from SIP/SIPS URIs; other URIs are returned unchanged. Never modifies its argument.
 */
export function requestUriOf(uri: Uri): Uri {
  if (!(uri instanceof SipUri)) return uri;
  if (!uri.params.has('method') && uri.headers.size === 0) return uri;
  const u = uri.clone();
  u.params.delete('method');
  for (const [n] of [...u.headers]) u.headers.delete(n);
  return u;
}

function cseqSeq(req: SipRequest): number {
  return req.cseq().seq;
}

/** ACK for a non-2xx final response (RFC 3261 §17.1.1.3): built by the transaction layer, which sends it. */
export { buildNon2xxAck as createAckForNon2xx } from '../transaction/layer.ts';

/** Options of {@link createCancel}. */
export interface CreateCancelOptions {
  /** A Reason header value (RFC 3326), e.g. `SIP;cause=200;text="Call completed elsewhere"`. */
  reason?: string;
  /** More headers appended at the end. */
  headers?: HeaderInit;
}

/**
 * A CANCEL for a pending request, normally an INVITE (RFC 3261 §9.1): Request-URI, Call-ID, To, From and the
 * CSeq number identical to the request's, CSeq method CANCEL, a single Via equal to the request's top Via (the
 * CANCEL matches the INVITE's transaction by branch, §9.2), the request's Route header fields, Max-Forwards 70.
 *
 * The UA core must not send it before a provisional response has arrived (§9.1), and sends it in a new
 * non-INVITE client transaction to the same destination as the request.
 * @throws TypeError when the request is an ACK or a CANCEL (neither can be cancelled).
 * @throws SipParseError when the request lacks Via, To, From, Call-ID or CSeq.
 */
export function createCancel(request: SipRequest, opts: CreateCancelOptions = {}): SipRequest {
  if (request.method === 'ACK' || request.method === 'CANCEL') throw new TypeError(`request: a ${request.method} cannot be cancelled`);
  const cancel = new SipRequest({ method: 'CANCEL', uri: request.uriText });
  cancel.append('Via', topViaText(request));
  cancel.append('Max-Forwards', String(DEFAULT_MAX_FORWARDS));
  for (const r of request.getLines('route')) cancel.append('Route', r);
  cancel.append('To', lineOf(request, 'to'));
  cancel.append('From', lineOf(request, 'from'));
  cancel.append('Call-ID', request.callId);
  cancel.append('CSeq', `${cseqSeq(request)} CANCEL`);
  if (opts.reason !== undefined) cancel.append('Reason', opts.reason);
  for (const [n, v] of headerPairs(opts.headers)) cancel.append(n, v);
  return cancel;
}

/** Options of {@link createDialogResponse}. */
export interface CreateDialogResponseOptions {
  /** Our Contact: the remote target the peer will send in-dialog requests to (§12.1.1 — required). */
  contact: ContactInit;
  /** Our local tag for To (generated when omitted). Use the same tag for every response of one dialog. */
  toTag?: string;
  reason?: string;
  /** More headers appended after Contact. */
  headers?: HeaderInit;
  body?: BodyInit;
  /** Content-Type of `body`, required when the body is not empty (unless given among `headers`). */
  contentType?: string;
}

/**
 * A response that creates a dialog at the UAS (RFC 3261 §12.1.1): a 101–299 built per §8.2.6.2 with a To tag,
 * every Record-Route value of the request copied in order, and our Contact. Pass it with the request to
 * {@link Dialog.fromUasRequest}; later responses in the same dialog come from `dialog.createResponse`.
 * @throws RangeError when `status` is not 101–299 (a 100 or a 300–699 creates no dialog; use `createResponse`).
 * @throws TypeError when a body has no Content-Type.
 * @throws SipParseError when the request lacks a header needed to answer it.
 */
export function createDialogResponse(request: SipRequest, status: number, opts: CreateDialogResponseOptions): SipResponse {
  if (!Number.isInteger(status) || status < 101 || status > 299) throw new RangeError(`status ${status}: only 101-299 responses create a dialog`);
  const extra = headerPairs(opts.headers);
  checkBodyType(opts.body, opts.contentType, extra);
  const headers: Array<[string, string]> = [];
  for (const rr of request.getLines('record-route')) headers.push(['Record-Route', rr]);
  headers.push(['Contact', toContact(opts.contact).toString()]);
  headers.push(...extra);
  if (opts.contentType !== undefined) headers.push(['Content-Type', opts.contentType]);
  return createResponse(request, status, opts.reason, { toTag: opts.toTag, headers, body: opts.body });
}

/** Why the dialog refuses a request it received (see `Dialog.receiveRequest`). */
export type RejectionCode =
  /** CSeq not above the last one received (RFC 3261 §12.2.2): 500. */
  | 'out-of-order'
  /** An INVITE while our own INVITE in this dialog is pending (RFC 3261 §14.2): 491. */
  | 'request-pending'
  /** An INVITE before we answered the peer's previous INVITE (RFC 3261 §14.2): 500 with Retry-After 0–10 s. */
  | 'invite-in-progress'
  /** The dialog does not exist (any more) (RFC 3261 §12.2.2): 481. */
  | 'no-dialog';

/** A refusal: the status to answer with, and a Retry-After in seconds when one must be sent. */
export interface Rejection {
  readonly kind: 'reject';
  readonly status: 481 | 491 | 500;
  readonly code: RejectionCode;
  /** Seconds for the Retry-After header (RFC 3261 §14.2), present only when required. */
  readonly retryAfter?: number;
}

/**
 * The response for a refused in-dialog request: the status with a Retry-After header when the rejection
 * carries one (RFC 3261 §12.2.2, §14.2). Built by `createResponse` (§8.2.6.2).
 * @throws SipParseError when the request lacks a header needed to answer it.
 */
export function createRejection(request: SipRequest, rejection: Rejection): SipResponse {
  const headers: Array<[string, string]> = [];
  if (rejection.retryAfter !== undefined) headers.push(['Retry-After', String(rejection.retryAfter)]);
  return createResponse(request, rejection.status, undefined, { headers });
}

function missing(header: string): SipParseError {
  return new SipParseError('missing-header', `Missing header: ${header}`, { status: 400, header });
}

function topViaText(req: SipRequest): string {
  const v = req.get('via');
  if (v === undefined) throw missing('Via');
  return v;
}

function lineOf(req: SipRequest, name: 'from' | 'to'): string {
  const v = req.getLines(name)[0];
  if (v === undefined) throw missing(name === 'from' ? 'From' : 'To');
  return v;
}
