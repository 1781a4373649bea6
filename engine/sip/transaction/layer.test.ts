import { describe, expect, it } from 'vitest';
import type { SipMessage, SipRequest, SipResponse } from '../message/index.ts';
import { Via, createResponse, parseMessage } from '../message/index.ts';
import type { Endpoint } from '../transport/sockets.ts';
import { FakeScheduler } from '../../util/scheduler.ts';
import type { ServerTransaction } from './transaction.ts';
import { TransactionTimeoutError } from './transaction.ts';
import type { TxTransport } from './layer.ts';
import { TransactionLayer } from './layer.ts';

const PEER: Endpoint = { transport: 'udp', address: '192.0.2.10', port: 5060 };
const PEER_TCP: Endpoint = { transport: 'tcp', address: '192.0.2.10', port: 5060 };

function req(method: string, opts: { branch?: string; toTag?: string; cseq?: number; callId?: string; fromTag?: string; via?: string } = {}): SipRequest {
  const via = opts.via ?? `SIP/2.0/UDP 192.0.2.10:5060;branch=${opts.branch ?? 'z9hG4bK-1'}`;
  const text = [
    `${method} sip:100@acme.test SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: <sip:alice@example.test>;tag=${opts.fromTag ?? 'ft1'}`,
    `To: <sip:100@acme.test>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    `Call-ID: ${opts.callId ?? 'call-1'}`,
    `CSeq: ${opts.cseq ?? 1} ${method === 'ACK' || method === 'CANCEL' ? method : method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const m = parseMessage(Buffer.from(text));
  if (!m.isRequest) throw new Error('not a request');
  return m;
}

function harness(timers?: { t1?: number }) {
  const clock = new FakeScheduler();
  const sent: Array<{ at: number; msg: SipMessage; dest: Endpoint }> = [];
  const transport: TxTransport = {
    send: (bytes, dest) => sent.push({ at: clock.now(), msg: parseMessage(bytes), dest }),
    makeVia: (t, branch) => new Via({ transport: t, host: '198.51.100.1', port: 5060, branch }),
    transportFor: (_len, dest) => dest.transport,
  };
  const requests: Array<{ req: SipRequest; tx: ServerTransaction | undefined }> = [];
  const cancels: SipRequest[] = [];
  const strays: SipResponse[] = [];
  const layer = new TransactionLayer(
    transport,
    clock,
    {
      onRequest: (r, tx) => requests.push({ req: r, tx }),
      onCancel: (_inv, c) => cancels.push(c),
      onStrayResponse: (r) => strays.push(r),
    },
    { timers: { t1: timers?.t1 ?? 500, t2: 4000, t4: 5000, d: 32_000 } },
  );
  const statuses = () => sent.filter((s) => !s.msg.isRequest).map((s) => (s.msg.isRequest ? 0 : s.msg.status));
  return { clock, sent, layer, requests, cancels, strays, statuses };
}

function outgoingInvite(): SipRequest {
  const r = req('INVITE');
  r.remove('Via');
  return r;
}

describe('INVITE client transaction (RFC 3261 §17.1.1)', () => {
  it('retransmits INVITE at T1, 2·T1, 4·T1 … until Timer B fires at 64·T1 (RFC 3261 §17.1.1.2)', () => {
    const h = harness();
    const errors: unknown[] = [];
    const tx = h.layer.request(outgoingInvite(), PEER, { onResponse: () => {}, onError: (e) => errors.push(e) });
    h.clock.runAll();
    expect(h.sent.map((s) => s.at)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TransactionTimeoutError);
    expect((errors[0] as TransactionTimeoutError).timer).toBe('B');
    expect(tx.state).toBe('terminated');
    expect(h.layer.size.client).toBe(0);
    expect(h.clock.pending).toBe(0);
  });

  it('stops retransmitting on a provisional response (RFC 3261 §17.1.1.2)', () => {
    const h = harness();
    const got: number[] = [];
    const tx = h.layer.request(outgoingInvite(), PEER, { onResponse: (r) => got.push(r.status) });
    h.clock.advance(600);
    h.layer.receive(createResponse(tx.request, 180), PEER);
    h.clock.advance(60_000);
    expect(h.sent).toHaveLength(2);
    expect(got).toEqual([180]);
    expect(tx.state).toBe('proceeding');
    tx.destroy();
  });

  it('ACKs a 486 inside the transaction, re-ACKs retransmissions, passes it up once, ends after Timer D (§17.1.1.2, §17.1.1.3)', () => {
    const h = harness();
    const got: number[] = [];
    const tx = h.layer.request(outgoingInvite(), PEER, { onResponse: (r) => got.push(r.status) });
    const busy = createResponse(tx.request, 486, undefined, { toTag: 'tt9' });
    h.layer.receive(busy, PEER);
    h.layer.receive(busy, PEER);
    const acks = h.sent.filter((s) => s.msg.isRequest && s.msg.method === 'ACK');
    expect(acks).toHaveLength(2);
    const ack = acks[0].msg as SipRequest;
    expect(ack.topVia().branch).toBe(tx.request.topVia().branch);
    expect(ack.to().tag).toBe('tt9');
    expect(ack.cseq()).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.uriText).toBe(tx.request.uriText);
    expect(got).toEqual([486]);
    expect(tx.state).toBe('completed');
    h.clock.advance(31_999);
    expect(tx.state).toBe('completed');
    h.clock.advance(1);
    expect(tx.state).toBe('terminated');
  });

  it('passes every 2xx retransmission to the TU while Accepted, then ends after Timer M (RFC 6026 §7.2)', () => {
    const h = harness();
    const got: number[] = [];
    const tx = h.layer.request(outgoingInvite(), PEER, { onResponse: (r) => got.push(r.status) });
    const ok = createResponse(tx.request, 200, undefined, { toTag: 'a' });
    h.layer.receive(ok, PEER);
    h.layer.receive(ok, PEER);
    expect(got).toEqual([200, 200]);
    expect(tx.state).toBe('accepted');
    expect(h.sent.filter((s) => s.msg.isRequest && s.msg.method === 'ACK')).toHaveLength(0);
    h.clock.advance(32_000);
    expect(tx.state).toBe('terminated');
    h.layer.receive(ok, PEER);
    expect(h.strays).toHaveLength(1);
  });

  it('does not retransmit over TCP and Timer D is zero (RFC 3261 §17.1.1.2)', () => {
    const h = harness();
    const tx = h.layer.request(outgoingInvite(), PEER_TCP, { onResponse: () => {} });
    h.clock.advance(10_000);
    expect(h.sent).toHaveLength(1);
    h.layer.receive(createResponse(tx.request, 503), PEER_TCP);
    h.clock.advance(0);
    expect(tx.state).toBe('terminated');
  });
});

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits at T1 doubling up to T2, then T2, until Timer F (RFC 3261 §17.1.2.2)', () => {
    const h = harness();
    const r = req('OPTIONS');
    r.remove('Via');
    const errors: unknown[] = [];
    h.layer.request(r, PEER, { onResponse: () => {}, onError: (e) => errors.push(e) });
    h.clock.runAll();
    expect(h.sent.map((s) => s.at)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect((errors[0] as TransactionTimeoutError).timer).toBe('F');
  });

  it('retransmits at T2 once a provisional arrived, and absorbs final retransmissions until Timer K (§17.1.2.2)', () => {
    const h = harness();
    const r = req('REGISTER');
    r.remove('Via');
    const got: number[] = [];
    const tx = h.layer.request(r, PEER, { onResponse: (res) => got.push(res.status) });
    h.layer.receive(createResponse(tx.request, 100), PEER);
    h.clock.advance(500);
    expect(h.sent.map((s) => s.at)).toEqual([0, 500]);
    h.clock.advance(4000);
    expect(h.sent.map((s) => s.at)).toEqual([0, 500, 4500]);
    const ok = createResponse(tx.request, 200);
    h.layer.receive(ok, PEER);
    h.layer.receive(ok, PEER);
    expect(got).toEqual([100, 200]);
    h.clock.advance(4999);
    expect(tx.state).toBe('completed');
    h.clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(h.clock.pending).toBe(0);
  });
});

describe('INVITE server transaction (RFC 3261 §17.2.1)', () => {
  it('answers 100 Trying at once and re-sends the last provisional on retransmission (§17.2.1)', () => {
    const h = harness();
    h.layer.receive(req('INVITE'), PEER);
    expect(h.requests).toHaveLength(1);
    expect(h.statuses()).toEqual([100]);
    h.requests[0].tx?.respond(createResponse(h.requests[0].req, 180, undefined, { toTag: 'x' }));
    h.layer.receive(req('INVITE'), PEER);
    expect(h.statuses()).toEqual([100, 180, 180]);
    expect(h.requests).toHaveLength(1);
    h.layer.close();
  });

  it('retransmits a 486 on Timer G (T1 doubling to T2) until ACK, then absorbs ACKs until Timer I (§17.2.1)', () => {
    const h = harness();
    h.layer.receive(req('INVITE'), PEER);
    const { tx, req: inv } = h.requests[0];
    h.clock.advance(100);
    tx?.respond(createResponse(inv, 486, undefined, { toTag: 'x' }));
    h.clock.advance(500 + 1000 + 2000 + 4000);
    const finals = h.sent.filter((s) => !s.msg.isRequest && s.msg.status === 486).map((s) => s.at);
    expect(finals).toEqual([100, 600, 1600, 3600, 7600]);
    h.layer.receive(req('ACK', { toTag: 'x' }), PEER);
    expect(tx?.state).toBe('confirmed');
    h.layer.receive(req('ACK', { toTag: 'x' }), PEER);
    expect(h.requests).toHaveLength(1);
    h.clock.advance(5000);
    expect(tx?.state).toBe('terminated');
    expect(h.clock.pending).toBe(0);
  });

  it('gives up on Timer H when no ACK comes (§17.2.1)', () => {
    const h = harness();
    h.layer.receive(req('INVITE'), PEER);
    const { tx, req: inv } = h.requests[0];
    const errors: unknown[] = [];
    if (tx) tx.events.onError = (e) => errors.push(e);
    tx?.respond(createResponse(inv, 603, undefined, { toTag: 'x' }));
    h.clock.runAll();
    expect((errors[0] as TransactionTimeoutError).timer).toBe('H');
    expect(h.layer.size.server).toBe(0);
  });

  it('answers CANCEL 200 and the INVITE 487 with the provisional To tag (RFC 3261 §9.2)', () => {
    const h = harness();
    h.layer.receive(req('INVITE'), PEER);
    const { tx, req: inv } = h.requests[0];
    tx?.respond(createResponse(inv, 180, undefined, { toTag: 'ring' }));
    h.layer.receive(req('CANCEL'), PEER);
    const res = h.sent.filter((s) => !s.msg.isRequest).map((s) => s.msg as SipResponse);
    const cancelOk = res.find((r) => r.cseq().method === 'CANCEL');
    const terminated = res.find((r) => r.status === 487);
    expect(cancelOk?.status).toBe(200);
    expect(terminated?.to().tag).toBe('ring');
    expect(h.cancels).toHaveLength(1);
    expect(tx?.cancelled).toBe(true);
    h.layer.close();
  });

  it('answers 481 to a CANCEL that matches no INVITE (RFC 3261 §9.2)', () => {
    const h = harness();
    h.layer.receive(req('CANCEL', { branch: 'z9hG4bK-none' }), PEER);
    expect(h.statuses()).toEqual([481]);
    expect(h.layer.stats.cancel481).toBe(1);
    h.layer.close();
  });

  it('refuses a merged request with 482 (RFC 3261 §8.2.2.2)', () => {
    const h = harness();
    h.layer.receive(req('INVITE', { branch: 'z9hG4bK-a' }), PEER);
    h.layer.receive(req('INVITE', { branch: 'z9hG4bK-b' }), PEER);
    expect(h.requests).toHaveLength(1);
    expect(h.statuses()).toEqual([100, 482]);
    h.layer.close();
  });

  it('matches retransmissions from an RFC 2543 peer without the magic cookie (RFC 3261 §17.2.3)', () => {
    const h = harness();
    const via = 'SIP/2.0/UDP 192.0.2.10:5060;branch=oldstyle1';
    h.layer.receive(req('INVITE', { via }), PEER);
    h.layer.receive(req('INVITE', { via }), PEER);
    expect(h.requests).toHaveLength(1);
    expect(h.layer.stats.retransmissionsAbsorbed).toBe(1);
    const { tx, req: inv } = h.requests[0];
    tx?.respond(createResponse(inv, 486, undefined, { toTag: 'q' }));
    h.layer.receive(req('ACK', { via, toTag: 'q' }), PEER);
    expect(tx?.state).toBe('confirmed');
    h.layer.close();
  });

  it('hands an ACK for a 2xx (new branch) to the TU without a transaction (RFC 3261 §17.2.3)', () => {
    const h = harness();
    h.layer.receive(req('INVITE'), PEER);
    const { tx, req: inv } = h.requests[0];
    tx?.respond(createResponse(inv, 200, undefined, { toTag: 'ok' }));
    expect(tx?.state).toBe('accepted');
    h.layer.receive(req('ACK', { branch: 'z9hG4bK-ack', toTag: 'ok' }), PEER);
    expect(h.requests.map((r) => [r.req.method, r.tx === undefined])).toEqual([
      ['INVITE', false],
      ['ACK', true],
    ]);
    h.clock.advance(32_000);
    expect(tx?.state).toBe('terminated');
  });
});

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('absorbs retransmissions while Trying, re-sends the final while Completed, ends on Timer J', () => {
    const h = harness();
    h.layer.receive(req('OPTIONS'), PEER);
    h.layer.receive(req('OPTIONS'), PEER);
    expect(h.sent).toHaveLength(0);
    const { tx, req: o } = h.requests[0];
    tx?.respond(createResponse(o, 200));
    h.layer.receive(req('OPTIONS'), PEER);
    expect(h.statuses()).toEqual([200, 200]);
    expect(() => tx?.respond(createResponse(o, 500))).toThrow(/cannot send/);
    h.clock.advance(32_000);
    expect(tx?.state).toBe('terminated');
    expect(h.layer.size.server).toBe(0);
  });

  it('ends at once after the final over TCP: Timer J is zero (RFC 3261 §17.2.2)', () => {
    const h = harness();
    const r = req('OPTIONS', { via: 'SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-t' });
    h.layer.receive(r, PEER_TCP);
    const { tx } = h.requests[0];
    tx?.respond(createResponse(r, 200));
    h.clock.advance(0);
    expect(tx?.state).toBe('terminated');
    expect(h.sent[0].dest).toEqual(PEER_TCP);
  });
});
