// Examples for the ACK of a non-2xx (RFC 3261 §17.1.1.3), CANCEL (§9.1), dialog-creating responses (§12.1.1) and rejections (§12.2.2, §14.2).
import { describe, expect, it } from 'vitest';
import { createResponse, parseMessage, SipParseError, type SipRequest, SipUri } from '../message/index.ts';
import { createAckForNon2xx, createCancel, createDialogResponse, createRejection, requestUriOf } from './build.ts';
import { aliceInvite, RECORD_ROUTE } from './test-fixtures.ts';

const VIA_TOP = 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;rport';
const ROUTES = ['<sip:p1.atlanta.example.com;lr>', '<sip:p2.biloxi.example.com;lr>'];

function invite(): SipRequest {
  return aliceInvite({ via: [VIA_TOP, 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKinner'], route: ROUTES, extra: ['Subject: lunch'] });
}

describe('ACK for a 300–699 response (RFC 3261 §17.1.1.3)', () => {
  it('copies Request-URI, Call-ID, From and Route of the INVITE, To of the response, and only the top Via', () => {
    const inv = invite();
    const busy = createResponse(inv, 486, undefined, { toTag: 'busy1' });
    const ack = createAckForNon2xx(inv, busy);
    expect(ack.method).toBe('ACK');
    expect(ack.uriText).toBe(inv.uriText);
    expect(ack.getLines('via')).toEqual([VIA_TOP]);
    expect(ack.topVia().branch).toBe('z9hG4bKnashds8'); // same branch: part of the INVITE transaction
    expect(ack.callId).toBe(inv.callId);
    expect(ack.from().toString()).toBe(inv.from().toString());
    expect(ack.to().tag).toBe('busy1');
    expect(ack.cseq()).toEqual({ seq: 314159, method: 'ACK' });
    expect(ack.getAll('route')).toEqual(ROUTES);
    expect(ack.maxForwards()).toBe(70);
    expect(ack.has('subject')).toBe(false);
    expect(ack.has('contact')).toBe(false);
    expect(ack.body.length).toBe(0);
    const back = parseMessage(ack.serialize()) as SipRequest;
    expect(back.cseq().method).toBe('ACK');
  });

  it('refuses a 2xx (the dialog ACKs those, §13.2.2.4), a non-INVITE, or a response to another CSeq', () => {
    const inv = invite();
    expect(() => createAckForNon2xx(inv, createResponse(inv, 200))).toThrow(TypeError);
    expect(() => createAckForNon2xx(inv, createResponse(inv, 180))).toThrow(TypeError);
    const other = aliceInvite({ cseq: 2 });
    expect(() => createAckForNon2xx(inv, createResponse(other, 404))).toThrow(TypeError);
    const opts = inv.clone();
    opts.method = 'OPTIONS';
    expect(() => createAckForNon2xx(opts, createResponse(inv, 404))).toThrow(TypeError);
  });
});

describe('CANCEL (RFC 3261 §9.1)', () => {
  it('has the request’s Request-URI, Call-ID, To, From, CSeq number, top Via and Route', () => {
    const inv = invite();
    const cancel = createCancel(inv);
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.uriText).toBe(inv.uriText);
    expect(cancel.callId).toBe(inv.callId);
    expect(cancel.getLines('to')).toEqual(inv.getLines('to'));
    expect(cancel.getLines('from')).toEqual(inv.getLines('from'));
    expect(cancel.cseq()).toEqual({ seq: 314159, method: 'CANCEL' });
    expect(cancel.getLines('via')).toEqual([VIA_TOP]);
    expect(cancel.getAll('route')).toEqual(ROUTES);
    expect(cancel.maxForwards()).toBe(70);
    expect(cancel.has('subject')).toBe(false);
    expect(cancel.has('contact')).toBe(false);
  });

  it('can carry a Reason (RFC 3326) and more headers', () => {
    const cancel = createCancel(invite(), { reason: 'SIP;cause=200;text="Call completed elsewhere"', headers: { 'User-Agent': 'hotline' } });
    expect(cancel.get('reason')).toBe('SIP;cause=200;text="Call completed elsewhere"');
    expect(cancel.userAgent).toBe('hotline');
  });

  it('refuses to cancel an ACK or a CANCEL, and needs a Via to copy', () => {
    const inv = invite();
    expect(() => createCancel(createCancel(inv))).toThrow(TypeError);
    const ack = createAckForNon2xx(inv, createResponse(inv, 486));
    expect(() => createCancel(ack)).toThrow(TypeError);
    const noVia = inv.clone();
    noVia.remove('via');
    try {
      createCancel(noVia);
      throw new Error('expected a SipParseError');
    } catch (e) {
      expect(e).toBeInstanceOf(SipParseError);
      expect((e as SipParseError).code).toBe('missing-header');
    }
  });
});

describe('dialog-creating responses (RFC 3261 §12.1.1)', () => {
  it('copy every Record-Route value in order, add Contact and a To tag', () => {
    const inv = aliceInvite({ recordRoute: [RECORD_ROUTE.join(', ')] });
    const ok = createDialogResponse(inv, 200, { contact: '<sip:bob@192.0.2.4>', toTag: 'tt', body: 'v=0\r\n', contentType: 'application/sdp' });
    expect(ok.getAll('record-route')).toEqual(RECORD_ROUTE);
    expect(ok.contacts()[0].uri.toString()).toBe('sip:bob@192.0.2.4');
    expect(ok.to().tag).toBe('tt');
    expect(ok.contentType()?.mime).toBe('application/sdp');
  });

  it('only for 101–299, and a body needs a Content-Type', () => {
    const inv = aliceInvite();
    expect(() => createDialogResponse(inv, 100, { contact: '<sip:b@h>' })).toThrow(RangeError);
    expect(() => createDialogResponse(inv, 486, { contact: '<sip:b@h>' })).toThrow(RangeError);
    expect(() => createDialogResponse(inv, 200, { contact: '<sip:b@h>', body: 'x' })).toThrow(TypeError);
    expect(createDialogResponse(inv, 180, { contact: new SipUri({ host: 'h' }) }).get('contact')).toBe('<sip:h>');
  });
});

describe('rejections (RFC 3261 §12.2.2, §14.2)', () => {
  it('carry Retry-After only when the rejection has one', () => {
    const r = aliceInvite();
    r.set('To', 'Bob <sip:bob@biloxi.example.com>;tag=x');
    const plain = createRejection(r, { kind: 'reject', status: 481, code: 'no-dialog' });
    expect(plain.status).toBe(481);
    expect(plain.has('retry-after')).toBe(false);
    expect(plain.to().tag).toBe('x');
    const later = createRejection(r, { kind: 'reject', status: 500, code: 'invite-in-progress', retryAfter: 7 });
    expect(later.get('retry-after')).toBe('7');
  });
});

describe('Request-URI from a URI (RFC 3261 §19.1.1 table)', () => {
  it('drops the method parameter and URI headers, keeps the rest, never mutates its input', () => {
    const u = new SipUri({ host: 'h.example.com', user: 'u', params: [['transport', 'tcp'], ['method', 'INVITE'], ['lr', null]], headers: [['Subject', 'x']] });
    expect(requestUriOf(u).toString()).toBe('sip:u@h.example.com;transport=tcp;lr');
    expect(u.toString()).toBe('sip:u@h.example.com;transport=tcp;method=INVITE;lr?Subject=x');
    const plain = new SipUri({ host: 'h' });
    expect(requestUriOf(plain)).toBe(plain);
  });
});
