// Properties of the dialog layer: the state table, CSeq monotonicity under random traffic, dialog-ID and route-set symmetry (RFC 3261 §12, §12.2.1.1, §12.2.2, §14).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResponse, generateBranch, parseMessage, type SipRequest, type SipResponse } from '../message/index.ts';
import { createRejection } from './build.ts';
import { Dialog } from './dialog.ts';
import { DialogError } from './errors.ts';
import { dialogIdOf, swapDialogId } from './id.ts';
import { DIALOG_INPUTS, DIALOG_STATES, type DialogState, nextDialogState } from './state.ts';
import { DialogTable } from './table.ts';
import { aliceInvite, bobAnswer } from './test-fixtures.ts';

/** The transaction layer's part before sending (a Via with a fresh branch), then the wire. */
function wire(r: SipRequest): SipRequest {
  r.prepend('Via', `SIP/2.0/UDP 192.0.2.200;branch=${generateBranch()}`);
  return parseMessage(r.serialize()) as SipRequest;
}

function wireResponse(r: SipResponse): SipResponse {
  return parseMessage(r.serialize()) as SipResponse;
}

const RANK: Record<DialogState, number> = { early: 0, confirmed: 1, terminated: 2 };

describe('dialog state table (RFC 3261 §12)', () => {
  it('is total, never leaves terminated, and never goes back (early → confirmed → terminated)', () => {
    for (const s of DIALOG_STATES) for (const i of DIALOG_INPUTS) expect(DIALOG_STATES).toContain(nextDialogState(s, i));
    fc.assert(
      fc.property(fc.constantFrom<DialogState>('early', 'confirmed'), fc.array(fc.constantFrom(...DIALOG_INPUTS), { maxLength: 30 }), (start, inputs) => {
        let s = start;
        for (const i of inputs) {
          const n = nextDialogState(s, i);
          expect(RANK[n]).toBeGreaterThanOrEqual(RANK[s]);
          if (s === 'terminated') expect(n).toBe('terminated');
          s = n;
        }
      }),
      { numRuns: 300 },
    );
  });
});

type Side = 'a' | 'b';
const METHODS = ['INFO', 'OPTIONS', 'UPDATE', 'INVITE', 'BYE', 'MESSAGE'] as const;

type Op =
  | { op: 'send'; from: Side; method: (typeof METHODS)[number] }
  | { op: 'deliver'; to: Side; pick: number }
  | { op: 'replay'; to: Side; pick: number }
  | { op: 'respond'; by: Side; pick: number; status: number }
  | { op: 'timeout'; who: Side; pick: number }
  | { op: 'terminate'; who: Side };

const side = fc.constantFrom<Side>('a', 'b');
const pick = fc.nat({ max: 20 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('send' as const), from: side, method: fc.constantFrom(...METHODS) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('deliver' as const), to: side, pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), to: side, pick }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('respond' as const), by: side, pick, status: fc.constantFrom(200, 200, 180, 486, 481, 408, 500) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('timeout' as const), who: side, pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('terminate' as const), who: side }) },
);

/** Runs `fn`, letting only DialogError through (a refusal the model allows). */
function attempt<T>(fn: () => T): T | DialogError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DialogError) return e;
    throw e;
  }
}

describe('dialogs under random traffic (RFC 3261 §12.2.1.1, §12.2.2, §14)', () => {
  it('local CSeq strictly increases per new request, ACK adds none, remote CSeq never decreases, terminated is final', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.double({ min: 0, max: 0.999, noNaN: true }), fc.array(opArb, { maxLength: 60 }), (early, r, ops) => {
        const inv = aliceInvite();
        const answer = bobAnswer(inv, early ? 180 : 200);
        const d: Record<Side, Dialog> = {
          a: Dialog.fromUacResponse(inv, answer, { random: () => r }),
          b: Dialog.fromUasRequest(inv, answer, { random: () => r }),
        };
        const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');
        // Requests in flight to a side, requests it received (for replays), requests it accepted and must answer,
        // requests a side sent and awaits an answer for.
        const inFlight: Record<Side, SipRequest[]> = { a: [], b: [] };
        const received: Record<Side, SipRequest[]> = { a: [], b: [] };
        const toAnswer: Record<Side, SipRequest[]> = { a: [], b: [] };
        const outstanding: Record<Side, SipRequest[]> = { a: [], b: [] };
        if (early) toAnswer.b.push(wire(inv.clone()));
        const lastLocal: Record<Side, number | undefined> = { a: d.a.localSeq, b: d.b.localSeq };
        const lastRemote: Record<Side, number | undefined> = { a: d.a.remoteSeq, b: d.b.remoteSeq };
        const wasTerminated: Record<Side, boolean> = { a: false, b: false };

        const deliverResponse = (to: Side, res: SipResponse) => {
          const got = wireResponse(res);
          d[to].receiveResponse(got);
          if (got.status >= 200) outstanding[to] = outstanding[to].filter((q) => q.cseq().seq !== got.cseq().seq);
          // A 2xx to an INVITE is ACKed at once (§13.2.2.4); the ACK takes no new CSeq.
          const cseq = got.cseq();
          if (got.status >= 200 && got.status < 300 && cseq.method === 'INVITE') {
            const invite = d[to].role === 'uac' && cseq.seq === inv.cseq().seq ? inv : undefined;
            const sentInvite = invite ?? [...received[other(to)], ...inFlight[other(to)]].find((q) => q.method === 'INVITE' && q.cseq().seq === cseq.seq);
            if (sentInvite) {
              const before = d[to].localSeq;
              const ack = wire(d[to].createAck(sentInvite, got));
              expect(d[to].localSeq).toBe(before);
              expect(ack.cseq()).toEqual({ seq: cseq.seq, method: 'ACK' });
              inFlight[other(to)].push(ack);
            }
          }
        };

        for (const o of ops) {
          switch (o.op) {
            case 'send': {
              const out = attempt(() => d[o.from].createRequest(o.method));
              if (out instanceof DialogError) {
                expect(['terminated', 'invite-pending', 'early-bye']).toContain(out.code);
                break;
              }
              const seq = out.cseq().seq;
              if (lastLocal[o.from] !== undefined) expect(seq).toBe((lastLocal[o.from] as number) + 1);
              else expect(seq).toBeLessThan(2 ** 31);
              lastLocal[o.from] = seq;
              const w = wire(out);
              inFlight[other(o.from)].push(w);
              outstanding[o.from].push(w);
              break;
            }
            case 'deliver':
            case 'replay': {
              const pool = o.op === 'deliver' ? inFlight[o.to] : received[o.to];
              if (pool.length === 0) break;
              const i = o.pick % pool.length;
              const q = pool[i];
              if (o.op === 'deliver') {
                pool.splice(i, 1);
                received[o.to].push(q);
              }
              const before = d[o.to].remoteSeq;
              const result = d[o.to].receiveRequest(q);
              const seq = q.cseq().seq;
              if (o.op === 'replay' && q.method !== 'ACK') expect(result.kind).toBe('reject');
              if (result.kind === 'reject') {
                if (result.code === 'out-of-order') {
                  expect(before).toBeDefined();
                  expect(seq).toBeLessThanOrEqual(before as number);
                }
                if (q.method !== 'ACK') deliverResponse(other(o.to), createRejection(q, result));
              } else if (result.kind === 'accept' && q.method !== 'ACK' && q.method !== 'CANCEL') {
                expect(before === undefined || seq > before).toBe(true);
                toAnswer[o.to].push(q);
              }
              break;
            }
            case 'respond': {
              const pool = toAnswer[o.by];
              if (pool.length === 0) break;
              const i = o.pick % pool.length;
              const q = pool[i];
              // Provisional responses only make sense for INVITE; answer others finally.
              const status = o.status === 180 && q.method !== 'INVITE' ? 200 : o.status;
              const res = d[o.by].createResponse(q, status);
              d[o.by].responseSent(res);
              if (status >= 200) pool.splice(i, 1);
              if (q.cseq().seq === inv.cseq().seq && q.method === 'INVITE' && d[o.by].role === 'uas') {
                // Responses to the creating INVITE reach the UAC through its table logic: same dialog tag here.
                deliverResponse(other(o.by), status >= 300 ? createResponse(q, status, undefined, { toTag: d[o.by].localTag }) : res);
              } else deliverResponse(other(o.by), res);
              break;
            }
            case 'timeout': {
              const pool = outstanding[o.who];
              if (pool.length === 0) break;
              const i = o.pick % pool.length;
              d[o.who].requestFailed(pool[i]);
              pool.splice(i, 1);
              break;
            }
            case 'terminate':
              d[o.who].terminate();
              break;
          }
          for (const s of ['a', 'b'] as const) {
            if (wasTerminated[s]) expect(d[s].state).toBe('terminated');
            wasTerminated[s] = d[s].state === 'terminated';
            const rs = d[s].remoteSeq;
            if (lastRemote[s] !== undefined) expect(rs).toBeGreaterThanOrEqual(lastRemote[s] as number);
            lastRemote[s] = rs;
            expect(d[s].localSeq).toBe(lastLocal[s]);
            if (d[s].state === 'terminated') expect(attempt(() => d[s].createRequest('INFO'))).toBeInstanceOf(DialogError);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

const tokenChar = fc.constantFrom(...'abcXYZ019.!%*_+`\'~-'.split(''));
const tagArb = fc.string({ unit: tokenChar, minLength: 1, maxLength: 16 });
const wordChar = fc.constantFrom(...'aZ09-.!%*_+`\'~()<>:\\"/[]?{}'.split(''));
const callIdArb = fc
  .tuple(fc.string({ unit: wordChar, minLength: 1, maxLength: 24 }), fc.option(fc.domain(), { nil: undefined }))
  .map(([w, h]) => (h === undefined ? w : `${w}@${h}`));
const proxyArb = fc.tuple(fc.domain(), fc.boolean()).map(([h, lr]) => `<sip:${h}${lr ? ';lr' : ''}>`);

describe('dialog-ID and route-set symmetry (RFC 3261 §12.1.1, §12.1.2, §12.2.2)', () => {
  it('the UAC’s dialog ID is the UAS’s with local and remote swapped, and each finds the other’s requests', () => {
    fc.assert(
      fc.property(callIdArb, tagArb, tagArb, fc.array(proxyArb, { maxLength: 4 }), fc.domain(), fc.boolean(), (callId, fromTag, toTag, rr, host, early) => {
        const sent = aliceInvite({ callId, fromTag, contact: `<sip:alice@${host}>` });
        const atBob = aliceInvite({ callId, fromTag, contact: `<sip:alice@${host}>`, recordRoute: rr });
        const answer = wireResponse(bobAnswer(atBob, early ? 183 : 200, toTag));
        const alice = Dialog.fromUacResponse(sent, answer);
        const bob = Dialog.fromUasRequest(atBob, answer);
        expect(alice.id).toEqual(swapDialogId(bob.id));
        expect(dialogIdOf(answer, 'uac')).toEqual(swapDialogId(dialogIdOf(answer, 'uas')));
        // §12.1.1 / §12.1.2: the UAC's route set is the UAS's, reversed.
        expect(alice.routeSet.map(String)).toEqual(bob.routeSet.map(String).reverse());
        const alices = new DialogTable();
        const bobs = new DialogTable();
        alices.add(alice);
        bobs.add(bob);
        const fromAlice = wire(alice.createRequest('INFO'));
        expect(bobs.find(fromAlice)).toBe(bob);
        expect(bobs.lookup(fromAlice)).toEqual({ kind: 'dialog', dialog: bob });
        expect(alices.find(wireResponse(bob.createResponse(fromAlice, 200)))).toBe(alice);
        if (!early) {
          const fromBob = wire(bob.createRequest('INFO'));
          expect(alices.find(fromBob)).toBe(alice);
          expect(bobs.find(wireResponse(alice.createResponse(fromBob, 200)))).toBe(bob);
        }
        // With loose routing the Route header is the route set itself (§12.2.1.1).
        if (alice.looseRouting) expect(fromAlice.routes().map((r) => r.uri.toString())).toEqual(alice.routeSet.map(String));
        else expect(fromAlice.uriText).toBe(alice.routeSet[0].toString());
      }),
      { numRuns: 200 },
    );
  });
});
