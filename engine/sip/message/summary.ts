// One-line summaries of SIP messages for logs and `hotline sip lint` (method or status, Call-ID, CSeq).
import { SipParseError } from './errors.ts';
import type { SipMessage } from './message.ts';

/**
 * `INVITE sip:bob@example.com Call-ID abc@host CSeq 1 INVITE` or `200 OK Call-ID … CSeq …`.
 * Never throws: a CSeq that does not parse is shown as written, an absent header as `-`.
 */
export function summarize(msg: SipMessage): string {
  const first = msg.isRequest ? `${msg.method} ${msg.uriText}` : `${msg.status} ${msg.reason}`.trimEnd();
  const callId = msg.getLines('Call-ID')[0] ?? '-';
  let cseq = msg.getLines('CSeq')[0] ?? '-';
  try {
    if (cseq !== '-') {
      const c = msg.cseq();
      cseq = `${c.seq} ${c.method}`;
    }
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
  }
  return `${first} Call-ID ${callId} CSeq ${cseq}`;
}
