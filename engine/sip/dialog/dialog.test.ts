// Examples for dialog creation, in-dialog requests, CSeq rules, target refresh, glare and ACK for 2xx (RFC 3261 §12, §13.2.2.4, §14, §15, §16.12).
import { describe, expect, it } from 'vitest';
import { createResponse, generateBranch, NameAddr, parseMessage, type SipRequest, SipUri, Via } from '../message/index.ts';
import { FakeScheduler } from '../../util/scheduler.ts';
import { createRejection } from './build.ts';
import { type CreateRequestOptions, Dialog } from './dialog.ts';
import { DialogError } from './errors.ts';
import { aliceInvite, BOB_CONTACT, bobAnswer, RECORD_ROUTE, req, res } from './test-fixtures.ts';

/** Alice's (UAC) and Bob's (UAS) views of one call through two loose-routing proxies. */
function call(status = 200, opts: { recordRoute?: string[]; random?: () => number } = {}) {
  const rr = opts.recordRoute ?? RECORD_ROUTE;
  const sent = aliceInvite();
  const atBob = aliceInvite({ recordRoute: rr, via: ['SIP/2.0/UDP p2.biloxi.example.com;branch=z9hG4bKp2', 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds'] });
  const answer = bobAnswer(atBob, status);
  const bob = Dialog.fromUasRequest(atBob, answer, { random: opts.random });
  const alice = Dialog.fromUacResponse(sent, answer, { random: opts.random });
  return { sent, atBob, answer, alice, bob };
}

/** What the transaction layer does before sending: a Via with a fresh branch; then the bytes cross the wire. */
function wire(r: SipRequest): SipRequest {
  r.prepend('Via', `SIP/2.0/UDP 192.0.2.200;branch=${generateBranch()}`);
  return parseMessage(r.serialize()) as SipRequest;
}

function send(d: Dialog, method: string, opts?: CreateRequestOptions): SipRequest {
  return wire(d.createRequest(method, opts));
}

function expectDialogError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DialogError);
    expect((e as DialogError).code).toBe(code);
    return;
  }
  throw new Error(`expected DialogError ${code}`);
}

describe('dialog creation at the UAC (RFC 3261 §12.1.2)', () => {
  it('a 180 with a To tag creates an early dialog: route set = Record-Route reversed, remote target = Contact', () => {
    const { alice } = call(180);
    expect(alice.role).toBe('uac');
    expect(alice.state).toBe('early');
    expect(alice.id).toEqual({ callId: 'a84b4c76e66710@pc33.atlanta.example.com', localTag: '1928301774', remoteTag: 'a6c85cf' });
    expect(alice.routeSet.map(String)).toEqual(['sip:p1.atlanta.example.com;lr', 'sip:p2.biloxi.example.com;lr']);
    expect(alice.remoteTarget.toString()).toBe('sip:bob@192.0.2.4');
    expect(alice.localSeq).toBe(314159);
    expect(alice.remoteSeq).toBeUndefined();
    expect(alice.localUri.toString()).toBe('sip:alice@atlanta.example.com');
    expect(alice.remoteUri.toString()).toBe('sip:bob@biloxi.example.com');
    expect(alice.localContact?.uri.toString()).toBe('sip:alice@pc33.atlanta.example.com');
    expect(alice.outgoingInvitePending).toBe(true);
    expect(alice.secure).toBe(false);
  });

  it('a 2xx creates a confirmed dialog directly, with no INVITE pending (§12.1.2, §13.2.2.4)', () => {
    const { alice } = call(200);
    expect(alice.state).toBe('confirmed');
    expect(alice.outgoingInvitePending).toBe(false);
  });

  it('a 100, a 1xx without To tag, or a non-2xx final creates no dialog (§12.1)', () => {
    const inv = aliceInvite();
    expectDialogError(() => Dialog.fromUacResponse(inv, createResponse(inv, 100)), 'not-dialog-creating');
    const ringingNoTag = createResponse(inv, 180);
    ringingNoTag.set('To', 'Bob <sip:bob@biloxi.example.com>');
    expectDialogError(() => Dialog.fromUacResponse(inv, ringingNoTag), 'not-dialog-creating');
    expectDialogError(() => Dialog.fromUacResponse(inv, createResponse(inv, 486)), 'not-dialog-creating');
  });

  it('refuses a response that answers another request (Call-ID, From tag or CSeq differ)', () => {
    const inv = aliceInvite();
    const other = bobAnswer(aliceInvite({ cseq: 1 }), 200);
    expectDialogError(() => Dialog.fromUacResponse(inv, other), 'not-dialog-creating');
  });

  it('a 2xx without To tag from an RFC 2543 peer makes a dialog with an empty remote tag (§12.1.2)', () => {
    const inv = aliceInvite();
    const ok = createResponse(inv, 200, undefined, { headers: { Contact: BOB_CONTACT } });
    ok.set('To', 'Bob <sip:bob@biloxi.example.com>');
    const d = Dialog.fromUacResponse(inv, ok);
    expect(d.remoteTag).toBe('');
    const bye = send(d, 'BYE');
    expect(bye.to().tag).toBeUndefined();
  });

  it('a provisional without Contact falls back to the Request-URI as remote target until one arrives', () => {
    const inv = aliceInvite();
    const d = Dialog.fromUacResponse(inv, bobAnswer(inv, 183, 'x1', null));
    expect(d.remoteTarget.toString()).toBe('sip:bob@biloxi.example.com');
    const r = d.receiveResponse(bobAnswer(inv, 200, 'x1'));
    expect(r).toEqual({ state: 'confirmed', targetRefreshed: true });
    expect(d.remoteTarget.toString()).toBe('sip:bob@192.0.2.4');
  });

  it('the secure flag needs both TLS and a SIPS Request-URI (§12.1.2)', () => {
    const inv = aliceInvite({ uri: 'sips:bob@biloxi.example.com' });
    const ok = bobAnswer(inv, 200, 't', '<sips:bob@192.0.2.4>');
    expect(Dialog.fromUacResponse(inv, ok, { tls: true }).secure).toBe(true);
    expect(Dialog.fromUacResponse(inv, ok, { tls: false }).secure).toBe(false);
    const plain = aliceInvite();
    expect(Dialog.fromUacResponse(plain, bobAnswer(plain, 200), { tls: true }).secure).toBe(false);
  });
});

describe('dialog creation at the UAS (RFC 3261 §12.1.1)', () => {
  it('route set = Record-Route in order, remote target = the request Contact, local tag from the response To', () => {
    const { bob, answer } = call(180);
    expect(bob.role).toBe('uas');
    expect(bob.state).toBe('early');
    expect(bob.id).toEqual({ callId: 'a84b4c76e66710@pc33.atlanta.example.com', localTag: 'a6c85cf', remoteTag: '1928301774' });
    expect(bob.routeSet.map(String)).toEqual(['sip:p2.biloxi.example.com;lr', 'sip:p1.atlanta.example.com;lr']);
    expect(bob.remoteTarget.toString()).toBe('sip:alice@pc33.atlanta.example.com');
    expect(bob.remoteSeq).toBe(314159);
    expect(bob.localSeq).toBeUndefined();
    expect(bob.localUri.toString()).toBe('sip:bob@biloxi.example.com');
    expect(bob.remoteUri.toString()).toBe('sip:alice@atlanta.example.com');
    expect(bob.incomingInvitePending).toBe(true);
    // createDialogResponse copied the Record-Route values in order and added our Contact (§12.1.1).
    expect(answer.getAll('record-route')).toEqual(RECORD_ROUTE);
    expect(answer.contacts()[0].uri.toString()).toBe('sip:bob@192.0.2.4');
  });

  it('refuses a request without Contact, a request already carrying a To tag, and a non-dialog response', () => {
    const noContact = aliceInvite({ contact: null });
    expectDialogError(() => Dialog.fromUasRequest(noContact, bobAnswer(noContact, 200)), 'missing-contact');
    const inv = aliceInvite();
    const tagged = inv.clone();
    tagged.set('To', 'Bob <sip:bob@biloxi.example.com>;tag=zz');
    expectDialogError(() => Dialog.fromUasRequest(tagged, bobAnswer(tagged, 200)), 'not-dialog-creating');
    expectDialogError(() => Dialog.fromUasRequest(inv, createResponse(inv, 100)), 'not-dialog-creating');
    expectDialogError(() => Dialog.fromUasRequest(inv, createResponse(inv, 603)), 'not-dialog-creating');
  });

  it('the UAS early dialog is confirmed by sending 2xx and terminated by sending a non-2xx final (§12.3, §13.3.1.4)', () => {
    const a = call(180);
    expect(a.bob.responseSent(a.bob.createResponse(a.atBob, 200))).toBe('confirmed');
    expect(a.bob.incomingInvitePending).toBe(false);
    const b = call(180);
    expect(b.bob.responseSent(b.bob.createResponse(b.atBob, 486))).toBe('terminated');
  });

  it('later responses to the creating INVITE keep the To tag, Record-Route and Contact (§12.1.1)', () => {
    const { bob, atBob } = call(180);
    const ok = bob.createResponse(atBob, 200, { body: 'v=0\r\n', contentType: 'application/sdp' });
    expect(ok.to().tag).toBe('a6c85cf');
    expect(ok.getAll('record-route')).toEqual(RECORD_ROUTE);
    expect(ok.contacts()[0].uri.toString()).toBe('sip:bob@192.0.2.4');
    expect(ok.get('content-type')).toBe('application/sdp');
  });
});

describe('early dialogs and forking (RFC 3261 §12.1.2, §12.3, §13.2.2.4)', () => {
  it('a 2xx confirms the early dialog and recomputes its route set and remote target from the 2xx', () => {
    const inv = aliceInvite();
    const ringing = bobAnswer(inv, 180);
    ringing.set('Record-Route', RECORD_ROUTE);
    const d = Dialog.fromUacResponse(inv, ringing);
    const ok = bobAnswer(inv, 200, 'a6c85cf', '<sip:bob@192.0.2.99>');
    ok.set('Record-Route', '<sip:p9.example.com;lr>');
    expect(d.receiveResponse(ok)).toEqual({ state: 'confirmed', targetRefreshed: true });
    expect(d.routeSet.map(String)).toEqual(['sip:p9.example.com;lr']);
    expect(d.remoteTarget.toString()).toBe('sip:bob@192.0.2.99');
  });

  it('the route set does not change once confirmed (§12.2.1.2)', () => {
    const { alice, sent } = call(200);
    const again = bobAnswer(sent, 200);
    again.set('Record-Route', '<sip:elsewhere.example.com;lr>');
    alice.receiveResponse(again);
    expect(alice.routeSet.map(String)).toEqual(['sip:p1.atlanta.example.com;lr', 'sip:p2.biloxi.example.com;lr']);
  });

  it('a non-2xx final terminates the early dialog even when it carries another fork tag (§12.3)', () => {
    const inv = aliceInvite();
    const d = Dialog.fromUacResponse(inv, bobAnswer(inv, 180, 'fork1'));
    expect(d.receiveResponse(createResponse(inv, 480, undefined, { toTag: 'fork2' })).state).toBe('terminated');
    expect(d.outgoingInvitePending).toBe(false);
  });

  it('a provisional from another fork is not this dialog’s', () => {
    const inv = aliceInvite();
    const d = Dialog.fromUacResponse(inv, bobAnswer(inv, 180, 'fork1'));
    expectDialogError(() => d.receiveResponse(bobAnswer(inv, 183, 'fork2')), 'wrong-dialog');
  });

  it('Timer B on the creating INVITE fails the early dialog (§12.3)', () => {
    const inv = aliceInvite();
    const d = Dialog.fromUacResponse(inv, bobAnswer(inv, 180));
    expect(d.requestFailed(inv)).toBe('terminated');
  });
});

describe('requests inside a dialog (RFC 3261 §12.2.1.1)', () => {
  it('loose routing: Request-URI = remote target, Route = the route set in order (§12.2.1.1, §16.12)', () => {
    const { alice, bob } = call(200);
    const bye = send(alice, 'BYE');
    expect(bye.uriText).toBe('sip:bob@192.0.2.4');
    expect(bye.getAll('route')).toEqual(['<sip:p1.atlanta.example.com;lr>', '<sip:p2.biloxi.example.com;lr>']);
    expect(alice.looseRouting).toBe(true);
    const info = send(bob, 'INFO');
    expect(info.uriText).toBe('sip:alice@pc33.atlanta.example.com');
    expect(info.getAll('route')).toEqual(['<sip:p2.biloxi.example.com;lr>', '<sip:p1.atlanta.example.com;lr>']);
  });

  it('strict routing: Request-URI = first route, Route = the rest then the remote target (§12.2.1.1, §16.12.1.2)', () => {
    const { alice } = call(200, { recordRoute: ['<sip:p2.biloxi.example.com;lr>', '<sip:p1.atlanta.example.com;maddr=192.0.2.1;method=INVITE>'] });
    expect(alice.looseRouting).toBe(false);
    const bye = send(alice, 'BYE');
    // method is not allowed in a Request-URI (§19.1.1 table) and is stripped; maddr stays.
    expect(bye.uriText).toBe('sip:p1.atlanta.example.com;maddr=192.0.2.1');
    expect(bye.getAll('route')).toEqual(['<sip:p2.biloxi.example.com;lr>', '<sip:bob@192.0.2.4>']);
  });

  it('no route set: Request-URI = remote target and no Route; URI headers are stripped from the Request-URI', () => {
    const inv = aliceInvite();
    const d = Dialog.fromUacResponse(inv, bobAnswer(inv, 200, 't', '<sip:bob@192.0.2.4;transport=tcp?Subject=x>'));
    const bye = send(d, 'BYE');
    expect(bye.uriText).toBe('sip:bob@192.0.2.4;transport=tcp');
    expect(bye.has('route')).toBe(false);
  });

  it('From/To carry the local and remote tags, Call-ID is the dialog’s, Max-Forwards 70, no Via by default', () => {
    const { alice } = call(200);
    const bye = alice.createRequest('INFO');
    expect(bye.from().toString()).toBe('"Alice" <sip:alice@atlanta.example.com>;tag=1928301774');
    expect(bye.to().toString()).toBe('"Bob" <sip:bob@biloxi.example.com>;tag=a6c85cf');
    expect(bye.callId).toBe('a84b4c76e66710@pc33.atlanta.example.com');
    expect(bye.maxForwards()).toBe(70);
    expect(bye.has('via')).toBe(false);
    expect(bye.has('contact')).toBe(false);
    const withVia = alice.createRequest('INFO', { via: new Via({ transport: 'UDP', host: 'pc33.atlanta.example.com', branch: 'z9hG4bKnew1' }) });
    expect(withVia.topVia().branch).toBe('z9hG4bKnew1');
    expect(withVia.via()).toHaveLength(1);
  });

  it('the request survives the wire: serialize then parse gives the same dialog fields', () => {
    const { alice } = call(200);
    const info = send(alice, 'INFO', { body: 'Signal=5\r\n', contentType: 'application/dtmf-relay' });
    const back = parseMessage(info.serialize()) as SipRequest;
    expect(back.method).toBe('INFO');
    expect(back.cseq()).toEqual({ seq: 314160, method: 'INFO' });
    expect(back.body.toString()).toBe('Signal=5\r\n');
    expect(back.contentType()?.mime).toBe('application/dtmf-relay');
  });

  it('UAC CSeq continues from the INVITE; each new request adds one (§12.2.1.1)', () => {
    const { alice } = call(200);
    expect(send(alice, 'INFO').cseq()).toEqual({ seq: 314160, method: 'INFO' });
    expect(send(alice, 'OPTIONS').cseq().seq).toBe(314161);
    expect(alice.localSeq).toBe(314161);
  });

  it('UAS CSeq starts at a random value below 2^31 (§8.1.1.5, §12.2.1.1)', () => {
    expect(call(200, { random: () => 0 }).bob.createRequest('INFO').cseq().seq).toBe(1);
    const high = call(200, { random: () => 0.999999999999 }).bob.createRequest('INFO').cseq().seq;
    expect(high).toBeLessThan(2 ** 31);
    expect(high).toBeGreaterThan(2 ** 30);
  });

  it('only target-refresh requests (INVITE, UPDATE) carry our Contact (§12.2.1.1, RFC 3311 §5.1)', () => {
    const { alice } = call(200);
    expect(send(alice, 'INVITE').contacts()[0].uri.toString()).toBe('sip:alice@pc33.atlanta.example.com');
    expect(send(alice, 'UPDATE').contacts()[0].uri.toString()).toBe('sip:alice@pc33.atlanta.example.com');
    expect(send(alice, 'INFO').has('contact')).toBe(false);
    expect(send(alice, 'OPTIONS').has('contact')).toBe(false);
  });

  it('refuses ACK/CANCEL (dedicated builders), dialog-owned headers, and a body without Content-Type', () => {
    const { alice } = call(200);
    expect(() => send(alice, 'ACK')).toThrow(TypeError);
    expect(() => send(alice, 'CANCEL')).toThrow(TypeError);
    expect(() => send(alice, 'INFO', { headers: { 'Call-ID': 'x' } })).toThrow(TypeError);
    expect(() => send(alice, 'INFO', { headers: [['f', 'x']] })).toThrow(TypeError);
    expect(() => send(alice, 'INVITE', { headers: { Contact: '<sip:x@y>' } })).toThrow(TypeError);
    expect(() => send(alice, 'INFO', { body: 'x' })).toThrow(TypeError);
    expect(send(alice, 'INFO', { body: 'x', headers: { 'Content-Type': 'text/plain' } }).body.toString()).toBe('x');
    expect(alice.localSeq).toBe(314160); // the refused calls consumed no CSeq
  });

  it('sending BYE terminates the dialog; nothing more can be sent (§15.1.1)', () => {
    const { alice } = call(200);
    send(alice, 'BYE');
    expect(alice.state).toBe('terminated');
    expectDialogError(() => send(alice, 'INFO'), 'terminated');
  });

  it('the callee must not BYE an early dialog; the caller may (§15)', () => {
    const { alice, bob } = call(180);
    expectDialogError(() => send(bob, 'BYE'), 'early-bye');
    expect(send(alice, 'BYE').method).toBe('BYE');
    expect(alice.state).toBe('terminated');
  });
});

describe('requests received in a dialog (RFC 3261 §12.2.2)', () => {
  it('accepts a higher CSeq and records it as the remote CSeq', () => {
    const { alice, bob } = call(200);
    expect(alice.remoteSeq).toBeUndefined();
    const info = send(bob, 'INFO');
    expect(alice.receiveRequest(info)).toEqual({ kind: 'accept', targetRefreshed: false });
    expect(alice.remoteSeq).toBe(info.cseq().seq);
  });

  it('rejects a lower or equal CSeq with 500 and keeps the remote CSeq (§12.2.2)', () => {
    const { alice, bob } = call(200);
    const first = send(bob, 'INFO');
    const second = send(bob, 'INFO');
    expect(alice.receiveRequest(second).kind).toBe('accept');
    expect(alice.receiveRequest(first)).toEqual({ kind: 'reject', status: 500, code: 'out-of-order' });
    expect(alice.receiveRequest(second)).toEqual({ kind: 'reject', status: 500, code: 'out-of-order' });
    expect(alice.remoteSeq).toBe(second.cseq().seq);
    const r = createRejection(first, { kind: 'reject', status: 500, code: 'out-of-order' });
    expect(r.status).toBe(500);
    expect(r.has('retry-after')).toBe(false);
  });

  it('a re-INVITE with a new Contact replaces the remote target (target refresh, §12.2.2)', () => {
    const { alice, bob } = call(200);
    bob.localContact = new NameAddr({ uri: 'sip:bob@198.51.100.7:5070' });
    const reinvite = send(bob, 'INVITE', { headers: { 'Content-Type': 'application/sdp' }, body: 'v=0\r\n' });
    expect(alice.receiveRequest(reinvite)).toEqual({ kind: 'accept', targetRefreshed: true });
    expect(alice.remoteTarget.toString()).toBe('sip:bob@198.51.100.7:5070');
    expect(send(alice, 'BYE').uriText).toBe('sip:bob@198.51.100.7:5070');
  });

  it('an UPDATE refreshes the target too; an INFO with a Contact does not (RFC 3311 §5.2)', () => {
    const { alice, bob } = call(200);
    const info = send(bob, 'INFO', { headers: { Contact: '<sip:bob@203.0.113.1>' } });
    expect(alice.receiveRequest(info)).toEqual({ kind: 'accept', targetRefreshed: false });
    bob.localContact = new NameAddr({ uri: 'sip:bob@203.0.113.2' });
    const update = send(bob, 'UPDATE');
    expect(alice.receiveRequest(update).kind).toBe('accept');
    expect(alice.remoteTarget.toString()).toBe('sip:bob@203.0.113.2');
  });

  it('a BYE terminates the dialog; later requests get 481 and ACKs are dropped (§15.1.2, §12.2.2)', () => {
    const { alice, bob } = call(200);
    expect(bob.receiveRequest(send(alice, 'BYE')).kind).toBe('accept');
    expect(bob.state).toBe('terminated');
    const late = req(`INFO sip:bob@192.0.2.4 SIP/2.0
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKlate
Max-Forwards: 70
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710@pc33.atlanta.example.com
CSeq: 999999 INFO
`);
    expect(bob.receiveRequest(late)).toEqual({ kind: 'reject', status: 481, code: 'no-dialog' });
    const ack = late.clone();
    ack.method = 'ACK';
    ack.set('CSeq', '314159 ACK');
    expect(bob.receiveRequest(ack)).toEqual({ kind: 'drop' });
  });

  it('a BYE while the peer’s INVITE is unanswered tells the UA core to answer it 487 (§15.1.2)', () => {
    const { alice, bob } = call(180);
    expect(bob.receiveRequest(send(alice, 'BYE'))).toEqual({ kind: 'accept', targetRefreshed: false, unansweredInvite: 314159 });
  });

  it('the ACK of the answered INVITE is accepted without touching the remote CSeq; a stale ACK is dropped', () => {
    const { alice, bob, sent, answer } = call(200);
    const ack = alice.createAck(sent, answer);
    expect(bob.receiveRequest(ack)).toEqual({ kind: 'accept', targetRefreshed: false });
    expect(bob.remoteSeq).toBe(314159);
    const stale = ack.clone();
    stale.set('CSeq', '314000 ACK');
    expect(bob.receiveRequest(stale)).toEqual({ kind: 'drop' });
  });

  it('a request naming another dialog is a programming error', () => {
    const { alice } = call(200);
    const other = call(200).bob;
    const foreign = other.createRequest('INFO');
    foreign.set('To', 'Alice <sip:alice@atlanta.example.com>;tag=nottheone');
    expectDialogError(() => alice.receiveRequest(foreign), 'wrong-dialog');
  });
});

describe('responses received in a dialog (RFC 3261 §12.2.1.2)', () => {
  it('a 2xx to a re-INVITE with a new Contact replaces the remote target and clears the pending INVITE', () => {
    const { alice, bob } = call(200);
    const reinvite = send(alice, 'INVITE');
    expect(alice.outgoingInvitePending).toBe(true);
    expect(bob.receiveRequest(reinvite).kind).toBe('accept');
    bob.localContact = undefined;
    const ok = bob.createResponse(reinvite, 200, { headers: { Contact: '<sip:bob@192.0.2.50>' } });
    expect(bob.responseSent(ok)).toBe('confirmed');
    expect(alice.receiveResponse(ok)).toEqual({ state: 'confirmed', targetRefreshed: true });
    expect(alice.outgoingInvitePending).toBe(false);
    expect(alice.remoteTarget.toString()).toBe('sip:bob@192.0.2.50');
  });

  it('a non-2xx to a re-INVITE leaves the dialog as it was', () => {
    const { alice } = call(200);
    const reinvite = send(alice, 'INVITE');
    expect(alice.receiveResponse(createResponse(reinvite, 488)).state).toBe('confirmed');
    expect(alice.canSendInvite).toBe(true);
  });

  it('a 481 or 408 to an in-dialog request terminates the dialog', () => {
    for (const status of [481, 408]) {
      const { alice } = call(200);
      expect(alice.receiveResponse(createResponse(send(alice, 'INFO'), status)).state).toBe('terminated');
    }
  });

  it('no response at all (timeout) terminates the dialog', () => {
    const { alice } = call(200);
    expect(alice.requestFailed(send(alice, 'OPTIONS'))).toBe('terminated');
  });

  it('the 2xx to the UAS’s re-INVITE carries our Contact (§12.2.2, §13.3.1.4)', () => {
    const { alice, bob } = call(200);
    const reinvite = send(bob, 'INVITE');
    alice.receiveRequest(reinvite);
    const ok = alice.createResponse(reinvite, 200);
    expect(ok.contacts()[0].uri.toString()).toBe('sip:alice@pc33.atlanta.example.com');
    expect(ok.has('record-route')).toBe(false);
    expect(alice.createResponse(send(bob, 'INFO'), 200).has('contact')).toBe(false);
  });
});

describe('ACK for a 2xx (RFC 3261 §13.2.2.4, RFC 6026 §7.2)', () => {
  it('has the INVITE’s CSeq number with method ACK, the dialog’s route set and target, and no CSeq increment', () => {
    const { alice, sent, answer } = call(200);
    const ack = alice.createAck(sent, answer);
    expect(ack.method).toBe('ACK');
    expect(ack.cseq()).toEqual({ seq: 314159, method: 'ACK' });
    expect(ack.uriText).toBe('sip:bob@192.0.2.4');
    expect(ack.getAll('route')).toEqual(['<sip:p1.atlanta.example.com;lr>', '<sip:p2.biloxi.example.com;lr>']);
    expect(ack.to().tag).toBe('a6c85cf');
    expect(ack.has('via')).toBe(false);
    expect(ack.has('contact')).toBe(false);
    expect(alice.localSeq).toBe(314159);
    expect(send(alice, 'INFO').cseq().seq).toBe(314160);
  });

  it('copies the INVITE’s credentials and carries an answer body when given', () => {
    const sent = aliceInvite({ extra: ['Proxy-Authorization: Digest username="alice", realm="atlanta.example.com", nonce="n", uri="sip:bob@biloxi.example.com", response="r"'] });
    const ok = bobAnswer(sent, 200);
    const d = Dialog.fromUacResponse(sent, ok);
    const ack = d.createAck(sent, ok, { body: 'v=0\r\n', contentType: 'application/sdp' });
    expect(ack.proxyAuthorization()).toEqual(sent.proxyAuthorization());
    expect(ack.body.toString()).toBe('v=0\r\n');
  });

  it('the same ACK answers a retransmitted 2xx; a re-INVITE’s ACK replaces it', () => {
    const { alice, sent, answer, bob } = call(200);
    const ack = alice.createAck(sent, answer);
    ack.prepend('Via', 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKack1');
    expect(alice.ackFor(answer)).toBe(ack);
    const reinvite = send(alice, 'INVITE');
    bob.receiveRequest(reinvite);
    const ok2 = bob.createResponse(reinvite, 200);
    alice.receiveResponse(ok2);
    expect(alice.ackFor(ok2)).toBeUndefined();
    const ack2 = alice.createAck(reinvite, ok2);
    expect(ack2.cseq()).toEqual({ seq: 314160, method: 'ACK' });
    expect(alice.ackFor(ok2)).toBe(ack2);
    expect(alice.ackFor(answer)).toBeUndefined();
  });

  it('refuses a non-2xx or a response to another INVITE', () => {
    const { alice, sent } = call(200);
    expect(() => alice.createAck(sent, createResponse(sent, 486))).toThrow(TypeError);
    expect(() => alice.createAck(sent, bobAnswer(aliceInvite({ cseq: 7 }), 200))).toThrow(TypeError);
    expect(() => alice.createAck(sent, bobAnswer(sent, 200, 'anotherFork'))).toThrow(TypeError);
  });

  it('a terminated dialog still ACKs a 2xx (the UA then hangs up)', () => {
    const { alice, sent, answer } = call(200);
    alice.terminate();
    expect(alice.createAck(sent, answer).method).toBe('ACK');
  });
});

describe('INVITE glare (RFC 3261 §14.1, §14.2)', () => {
  it('an INVITE received while ours is pending gets 491 (§14.2)', () => {
    const { alice, bob } = call(200);
    const ours = send(alice, 'INVITE');
    expect(ours.method).toBe('INVITE');
    const theirs = send(bob, 'INVITE');
    expect(alice.receiveRequest(theirs)).toEqual({ kind: 'reject', status: 491, code: 'request-pending' });
    // The INVITE was in order: its CSeq is recorded even though it is refused.
    expect(alice.remoteSeq).toBe(theirs.cseq().seq);
    expect(createRejection(theirs, { kind: 'reject', status: 491, code: 'request-pending' }).status).toBe(491);
  });

  it('a second INVITE before we answered the first gets 500 with Retry-After 0–10 s (§14.2)', () => {
    for (const [r, expected] of [
      [0, 0],
      [0.5, 5],
      [0.9999, 10],
    ] as const) {
      const { alice, bob } = call(200, { random: () => r });
      const first = send(bob, 'INVITE');
      expect(alice.receiveRequest(first).kind).toBe('accept');
      expect(alice.incomingInvitePending).toBe(true);
      // A misbehaving peer sends another one before our final response.
      bob.receiveResponse(alice.createResponse(first, 200));
      const second = send(bob, 'INVITE');
      const result = alice.receiveRequest(second);
      expect(result).toEqual({ kind: 'reject', status: 500, code: 'invite-in-progress', retryAfter: expected });
      if (result.kind !== 'reject') throw new Error('unreachable');
      expect(createRejection(second, result).get('retry-after')).toBe(String(expected));
    }
  });

  it('once our final response is sent, the next INVITE is accepted', () => {
    const { alice, bob } = call(200);
    const first = send(bob, 'INVITE');
    alice.receiveRequest(first);
    alice.responseSent(alice.createResponse(first, 200));
    expect(alice.incomingInvitePending).toBe(false);
    bob.receiveResponse(alice.createResponse(first, 200));
    expect(alice.receiveRequest(send(bob, 'INVITE')).kind).toBe('accept');
  });

  it('an early UAS dialog refuses a re-INVITE with 500 while the initial INVITE is unanswered (§14.2)', () => {
    const { bob } = call(180, { random: () => 0.3 });
    const early = req(`INVITE sip:bob@192.0.2.4 SIP/2.0
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKre
Max-Forwards: 70
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710@pc33.atlanta.example.com
CSeq: 314160 INVITE
Contact: <sip:alice@pc33.atlanta.example.com>
`);
    expect(bob.receiveRequest(early)).toEqual({ kind: 'reject', status: 500, code: 'invite-in-progress', retryAfter: 3 });
  });

  it('we may not start an INVITE while one is in progress in either direction (§14.1)', () => {
    const { alice, bob } = call(200);
    send(alice, 'INVITE');
    expect(alice.canSendInvite).toBe(false);
    expectDialogError(() => send(alice, 'INVITE'), 'invite-pending');
    const { alice: a2, bob: b2 } = call(200);
    const theirs = send(b2, 'INVITE');
    expect(a2.receiveRequest(theirs).kind).toBe('accept');
    expect(a2.canSendInvite).toBe(false);
    expectDialogError(() => send(a2, 'INVITE'), 'invite-pending');
    a2.responseSent(a2.createResponse(theirs, 200));
    expect(a2.canSendInvite).toBe(true);
    expect(bob.state).toBe('confirmed');
  });

  it('after a 491 the Call-ID owner waits 2.1–4 s, the other side 0–2 s, in 10 ms steps (§14.1)', () => {
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const { alice, bob } = call(200, { random: () => r });
      const a = alice.glareRetryDelay();
      const b = bob.glareRetryDelay();
      expect(a).toBeGreaterThanOrEqual(2100);
      expect(a).toBeLessThanOrEqual(4000);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThanOrEqual(2000);
      expect(a % 10).toBe(0);
      expect(b % 10).toBe(0);
    }
    expect(call(200, { random: () => 0 }).alice.glareRetryDelay()).toBe(2100);
    expect(call(200, { random: () => 0.999999 }).alice.glareRetryDelay()).toBe(4000);
    expect(call(200, { random: () => 0.999999 }).bob.glareRetryDelay()).toBe(2000);
  });
});

describe('liveness', () => {
  it('lastActivity follows the injected clock on every message in and out', () => {
    const clock = new FakeScheduler(1000);
    const sent = aliceInvite();
    const d = Dialog.fromUacResponse(sent, bobAnswer(sent, 200), { clock });
    expect(d.lastActivity).toBe(1000);
    clock.advance(500);
    send(d, 'INFO');
    expect(d.lastActivity).toBe(1500);
    clock.advance(250);
    d.touch();
    expect(d.lastActivity).toBe(1750);
    expect(clock.pending).toBe(0);
  });

  it('a terminated dialog refuses everything but stays readable', () => {
    const { bob } = call(200);
    bob.terminate();
    bob.terminate();
    expect(bob.state).toBe('terminated');
    expect(bob.remoteTarget).toBeInstanceOf(SipUri);
  });
});

describe('a CSeq at the 32-bit limit (RFC 3261 §8.1.1.5)', () => {
  it('refuses to wrap around', () => {
    const sent = aliceInvite({ cseq: 0xffffffff });
    const d = Dialog.fromUacResponse(sent, bobAnswer(sent, 200));
    expectDialogError(() => send(d, 'INFO'), 'cseq-exhausted');
  });
});

// Keeps the fixture helpers honest: the raw response parser gives the same dialog as the built one.
describe('fixtures', () => {
  it('a raw 200 OK and a built one make the same UAC dialog', () => {
    const sent = aliceInvite();
    const raw = res(`SIP/2.0 200 OK
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds
Record-Route: <sip:p2.biloxi.example.com;lr>, <sip:p1.atlanta.example.com;lr>
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710@pc33.atlanta.example.com
CSeq: 314159 INVITE
Contact: <sip:bob@192.0.2.4>
`);
    const a = Dialog.fromUacResponse(sent, raw);
    const b = call(200).alice;
    expect(a.key).toBe(b.key);
    expect(a.routeSet.map(String)).toEqual(b.routeSet.map(String));
    expect(a.remoteTarget.toString()).toBe(b.remoteTarget.toString());
  });
});
