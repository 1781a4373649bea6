// Building a response from a request (RFC 3261 §8.2.6, §8.2.6.1, §8.2.6.2).
import { SipParseError } from './errors.ts';
import { generateTag } from './ids.ts';
import { type HeaderInit, type BodyInit, SipRequest, SipResponse, defaultReason } from './message.ts';

/** Options of {@link createResponse}. */
export interface CreateResponseOptions {
  /** To tag to add when the request's To has none (generated when omitted; never added to 100). */
  toTag?: string;
  /** Extra headers appended after the copied ones (e.g. Contact, Allow, Unsupported, WWW-Authenticate). */
  headers?: HeaderInit;
  body?: BodyInit;
}

/**
 * A response to `req` per RFC 3261 §8.2.6.2: the Via values (in order), From, Call-ID and CSeq copied as
 * written; To copied with a tag added unless present or the status is 100; Timestamp copied into a 100
 * (§8.2.6.1). The reason phrase defaults to the standard one.
 * @throws SipParseError when the request lacks a header needed to build a response (To, From, Call-ID, CSeq, Via),
 *   or its To cannot be parsed.
 * @throws RangeError when the status is not 100–699.
 */
export function createResponse(req: SipRequest, status: number, reason?: string, opts?: CreateResponseOptions): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new RangeError(`status ${status} not in 100-699`);
  const res = new SipResponse({ status, reason: reason ?? defaultReason(status) });
  const vias = req.getLines('via');
  if (vias.length === 0) throw missingFor('Via');
  for (const v of vias) res.append('Via', v);
  const from = req.getLines('from')[0];
  if (from === undefined) throw missingFor('From');
  res.append('From', from);
  const to = req.getLines('to')[0];
  if (to === undefined) throw missingFor('To');
  if (status !== 100 && req.to().tag === undefined) res.append('To', `${to};tag=${opts?.toTag ?? generateTag()}`);
  else res.append('To', to);
  const callId = req.getLines('call-id')[0];
  if (callId === undefined) throw missingFor('Call-ID');
  res.append('Call-ID', callId);
  const cseq = req.getLines('cseq')[0];
  if (cseq === undefined) throw missingFor('CSeq');
  res.append('CSeq', cseq);
  if (status === 100) for (const t of req.getLines('timestamp')) res.append('Timestamp', t);
  if (opts?.headers) {
    const extra = new SipResponse({ status, headers: opts.headers });
    for (const [n, v] of extra.headers) res.append(n, v);
  }
  if (opts?.body !== undefined) res.body = new SipResponse({ status, body: opts.body }).body;
  return res;
}

function missingFor(header: string): SipParseError {
  return new SipParseError('missing-header', `Missing header: ${header}`, { status: 400, header });
}
