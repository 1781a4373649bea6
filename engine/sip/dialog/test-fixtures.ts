// Test fixtures for the dialog layer: an Alice→Bob INVITE through two record-routing proxies, in the style of RFC 3261 §24.2 / RFC 3665 §3.
import { createResponse, type SipMessage, parseMessage, SipRequest, SipResponse } from '../message/index.ts';
import { createDialogResponse } from './build.ts';

/** Parses SIP text written with LF line ends (converted to CRLF). */
export function sip(text: string): SipMessage {
  const t = text.replace(/^\n/, '').replace(/\r?\n/g, '\r\n');
  return parseMessage(Buffer.from(t.endsWith('\r\n\r\n') ? t : `${t}\r\n`));
}

export function req(text: string): SipRequest {
  const m = sip(text);
  if (!(m instanceof SipRequest)) throw new Error('not a request');
  return m;
}

export function res(text: string): SipResponse {
  const m = sip(text);
  if (!(m instanceof SipResponse)) throw new Error('not a response');
  return m;
}

/** Knobs of {@link aliceInvite}. */
export interface InviteKnobs {
  callId?: string;
  fromTag?: string;
  cseq?: number;
  uri?: string;
  /** Record-Route lines as Bob receives them (top = the proxy nearest Bob). */
  recordRoute?: string[];
  contact?: string | null;
  via?: string[];
  route?: string[];
  extra?: string[];
}

/** The INVITE as it leaves Alice (no Record-Route) or as it reaches Bob (with Record-Route, more Vias). */
export function aliceInvite(k: InviteKnobs = {}): SipRequest {
  const lines = [
    `INVITE ${k.uri ?? 'sip:bob@biloxi.example.com'} SIP/2.0`,
    ...(k.via ?? ['SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds']).map((v) => `Via: ${v}`),
    'Max-Forwards: 70',
    ...(k.route ?? []).map((r) => `Route: ${r}`),
    ...(k.recordRoute ?? []).map((r) => `Record-Route: ${r}`),
    'To: Bob <sip:bob@biloxi.example.com>',
    `From: Alice <sip:alice@atlanta.example.com>;tag=${k.fromTag ?? '1928301774'}`,
    `Call-ID: ${k.callId ?? 'a84b4c76e66710@pc33.atlanta.example.com'}`,
    `CSeq: ${k.cseq ?? 314159} INVITE`,
    ...(k.contact === null ? [] : [`Contact: ${k.contact ?? '<sip:alice@pc33.atlanta.example.com>'}`]),
    ...(k.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return req(lines.join('\n'));
}

/** Record-Route as Bob sees it: p2 (biloxi) record-routed last, so it is on top. */
export const RECORD_ROUTE = ['<sip:p2.biloxi.example.com;lr>', '<sip:p1.atlanta.example.com;lr>'];

export const BOB_CONTACT = '<sip:bob@192.0.2.4>';

/** Bob's dialog-creating response to `invite`, as Bob sends it (and, proxies being transparent here, as Alice gets it). */
export function bobAnswer(invite: SipRequest, status: number, toTag = 'a6c85cf', contact: string | null = BOB_CONTACT): SipResponse {
  if (contact === null) return createResponse(invite, status, undefined, { toTag });
  return createDialogResponse(invite, status, { contact, toTag });
}
