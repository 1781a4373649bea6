import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/index.ts';
import { Via, createResponse, parseMessage } from '../message/index.ts';
import type { Endpoint } from '../transport/sockets.ts';
import { FakeScheduler } from '../../util/scheduler.ts';
import type { ServerTransaction } from './transaction.ts';
import { TransactionLayer } from './layer.ts';

const PEER: Endpoint = { transport: 'udp', address: '192.0.2.10', port: 5060 };

function req(method: string, branch: string, toTag?: string): SipRequest {
  const m = parseMessage(
    Buffer.from(
      `${method} sip:a@b.test SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=${branch}\r\nFrom: <sip:c@d.test>;tag=${branch}\r\nTo: <sip:a@b.test>${toTag ? `;tag=${toTag}` : ''}\r\nCall-ID: ${branch}\r\nCSeq: 1 ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
    ),
  );
  if (!m.isRequest) throw new Error('bad');
  return m;
}

type Step =
  | { kind: 'request'; tx: number; method: 'INVITE' | 'OPTIONS' }
  | { kind: 'ack'; tx: number }
  | { kind: 'respond'; tx: number; status: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'response'; tx: number; status: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), tx: fc.nat(3), method: fc.constantFrom('INVITE' as const, 'OPTIONS' as const) }),
  fc.record({ kind: fc.constant('ack' as const), tx: fc.nat(3) }),
  fc.record({ kind: fc.constant('respond' as const), tx: fc.nat(3), status: fc.constantFrom(180, 200, 486) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({ kind: fc.constant('response' as const), tx: fc.nat(3), status: fc.constantFrom(100, 180, 200, 404) }),
);

describe('transaction layer model (RFC 3261 §17)', () => {
  it('never passes a request up twice, never sends after termination, and leaves no timer (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const clock = new FakeScheduler();
        const passedUp = new Map<string, number>();
        const servers = new Map<number, { tx: ServerTransaction; req: SipRequest }>();
        const clientResponses = new Map<number, number[]>();
        const layer = new TransactionLayer(
          {
            send: () => {},
            makeVia: (t, b) => new Via({ transport: t, host: '198.51.100.1', port: 5060, branch: b }),
            transportFor: (_l, d) => d.transport,
          },
          clock,
          {
            onRequest: (r, tx) => {
              if (!tx) return;
              const k = `${r.topVia().branch}|${r.method}`;
              passedUp.set(k, (passedUp.get(k) ?? 0) + 1);
              const n = Number(r.topVia().branch?.slice(-1));
              servers.set(n, { tx, req: r });
            },
          },
        );
        const clients = new Map<number, ReturnType<TransactionLayer['request']>>();
        for (let i = 0; i < 4; i++) {
          const r = req('INVITE', `z9hG4bK-c${i}`);
          r.remove('Via');
          clients.set(i, layer.request(r, PEER, { onResponse: (res) => clientResponses.set(i, [...(clientResponses.get(i) ?? []), res.status]) }));
        }
        for (const s of steps) {
          switch (s.kind) {
            case 'request':
              layer.receive(req(s.method, `z9hG4bK-s${s.method}${s.tx}`), PEER);
              break;
            case 'ack':
              layer.receive(req('ACK', `z9hG4bK-sINVITE${s.tx}`, 'tt'), PEER);
              break;
            case 'respond': {
              const entry = servers.get(s.tx);
              if (entry && !entry.tx.terminated && !entry.tx.finalSent) {
                const status = entry.req.method === 'INVITE' ? s.status : s.status === 180 ? 200 : s.status;
                entry.tx.respond(createResponse(entry.req, status, undefined, { toTag: 'tt' }));
              }
              break;
            }
            case 'advance':
              clock.advance(s.ms);
              break;
            case 'response': {
              const c = clients.get(s.tx);
              if (c) layer.receive(createResponse(c.request, s.status, undefined, { toTag: 'rt' }) as SipResponse, PEER);
              break;
            }
          }
        }
        for (const n of passedUp.values()) expect(n).toBe(1);
        // A non-2xx final reaches the client TU at most once; after it nothing else does (§17.1.1.2).
        for (const statuses of clientResponses.values()) {
          const i = statuses.findIndex((st) => st >= 300);
          if (i >= 0) expect(statuses.slice(i + 1)).toEqual([]);
        }
        clock.runAll();
        expect(clock.pending).toBe(0);
        expect(layer.size).toEqual({ server: 0, client: 0 });
        for (const c of clients.values()) expect(c.state).toBe('terminated');
      }),
      { numRuns: 200 },
    );
  });
});
