// One-line summaries of SIP messages for logs and `hotline sip lint` (method or status, Call-ID, CSeq).
import type { SipMessage } from './message.ts';

/**
 * `INVITE sip:bob@example.com Call-ID abc@host CSeq 1 INVITE` or `200 OK Call-ID … CSeq …`.
 * Never throws: uses the raw header text, `-` when absent.
 */
export function summarize(msg: SipMessage): string {
  const first = msg.isRequest ? `${msg.method} ${msg.uriText}` : `${msg.status} ${msg.reason}`.trimEnd();
  const callId = msg.getLines('Call-ID')[0] ?? '-';
  const cseq = msg.getLines('CSeq')[0] ?? '-';
  return `${first} Call-ID ${callId} CSeq ${cseq}`;
}
