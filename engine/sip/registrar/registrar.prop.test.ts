// Model test of REGISTER processing: random REGISTER sequences and clock advances against a small independent model of RFC 3261 §10.3 steps 6–8 (expiry, 423, *, Call-ID/CSeq ordering, contact limit).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SipResponse } from '../message/index.ts';
import { InMemoryBindingStore } from './store.ts';
import { AsyncStore, register, setup, SOURCE } from './test-helpers.ts';

const OPTS = { requireAuth: false, minExpires: 60, maxExpires: 600, defaultExpires: 300, maxContactsPerAor: 3 } as const;
const USERS = ['alice', 'bob'] as const;
const EXPIRES = [0, 1, 59, 60, 61, 120, 300, 600, 1000] as const;

type ContactSpec = { n: number; expires: number | undefined };
type RegisterOp = {
  kind: 'register';
  user: (typeof USERS)[number];
  contacts: ContactSpec[] | '*';
  expiresHeader: number | undefined;
  callId: string;
  cseq: number;
};
type AdvanceOp = { kind: 'advance'; ms: number };
type Op = RegisterOp | AdvanceOp;

const contactArb = fc.record({ n: fc.integer({ min: 0, max: 4 }), expires: fc.option(fc.constantFrom(...EXPIRES), { nil: undefined }) });
const registerArb: fc.Arbitrary<RegisterOp> = fc.record({
  kind: fc.constant('register' as const),
  user: fc.constantFrom(...USERS),
  contacts: fc.oneof({ weight: 9, arbitrary: fc.array(contactArb, { maxLength: 7 }) }, { weight: 1, arbitrary: fc.constant('*' as const) }),
  expiresHeader: fc.option(fc.constantFrom(...EXPIRES), { nil: undefined }),
  callId: fc.constantFrom('A', 'B', 'C'),
  cseq: fc.integer({ min: 1, max: 6 }),
});
const advanceArb: fc.Arbitrary<AdvanceOp> = fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400_000 }) });
const opsArb = fc.array(fc.oneof({ weight: 3, arbitrary: registerArb }, { weight: 1, arbitrary: advanceArb }), { minLength: 1, maxLength: 40 });

/** What the model keeps per binding. */
interface MB {
  contact: string;
  expiresAt: number;
  callId: string;
  cseq: number;
}

const contactUri = (n: number): string => `sip:u@192.0.2.${n}`;
const aorOf = (user: string): string => `sip:${user}@a.example`;

/** The model: RFC 3261 §10.3 steps 6–7 written as directly as possible. */
class Model {
  now = 0;
  expiredCount = 0;
  readonly map = new Map<string, MB[]>();

  advance(ms: number): void {
    this.now += ms;
    for (const [aor, list] of this.map) {
      const live = list.filter((b) => b.expiresAt > this.now);
      this.expiredCount += list.length - live.length;
      if (live.length === 0) this.map.delete(aor);
      else this.map.set(aor, live);
    }
  }

  register(op: RegisterOp): number {
    const aor = aorOf(op.user);
    const stored = this.map.get(aor) ?? [];
    const outOfOrder = (b: MB): boolean => b.callId === op.callId && op.cseq <= b.cseq;
    if (op.contacts === '*') {
      if (op.expiresHeader !== 0) return 400;
      if (stored.some(outOfOrder)) return 500;
      this.map.delete(aor);
      return 200;
    }
    if (op.contacts.length > 2 * OPTS.maxContactsPerAor) return 403;
    const granted = new Map<number, number>();
    for (const c of op.contacts) {
      const requested = c.expires ?? op.expiresHeader ?? OPTS.defaultExpires;
      if (requested > 0 && requested < OPTS.minExpires) return 423;
      granted.delete(c.n); // the last occurrence counts, in its position
      granted.set(c.n, Math.min(requested, OPTS.maxExpires));
    }
    let list = stored.slice();
    const untouched = new Set(stored);
    for (const [n, e] of granted) {
      const uri = contactUri(n);
      const old = list.find((b) => b.contact === uri);
      if (old !== undefined) {
        if (outOfOrder(old)) return 500;
        list = list.filter((b) => b !== old);
        untouched.delete(old);
      }
      if (e > 0) list.push({ contact: uri, expiresAt: this.now + e * 1000, callId: op.callId, cseq: op.cseq });
    }
    while (list.length > OPTS.maxContactsPerAor) {
      const victim = list.find((b) => untouched.has(b));
      if (victim === undefined) return 403;
      list = list.filter((b) => b !== victim);
    }
    if (list.length === 0) this.map.delete(aor);
    else this.map.set(aor, list);
    return 200;
  }
}

function requestOf(op: RegisterOp) {
  const contacts =
    op.contacts === '*' ? ['*'] : op.contacts.map((c) => `<${contactUri(c.n)}>${c.expires === undefined ? '' : `;expires=${c.expires}`}`);
  return register({ user: op.user, contacts, expires: op.expiresHeader, callId: op.callId, cseq: op.cseq });
}

function snapshot(get: (aor: string) => readonly { contact: string; expiresAt: number; callId: string; cseq: number }[]) {
  const out: Record<string, MB[]> = {};
  for (const u of USERS) {
    const list = get(aorOf(u)).map((b) => ({ contact: b.contact, expiresAt: b.expiresAt, callId: b.callId, cseq: b.cseq }));
    if (list.length > 0) out[aorOf(u)] = list;
  }
  return out;
}

function modelSnapshot(m: Model): Record<string, MB[]> {
  const out: Record<string, MB[]> = {};
  for (const u of USERS) {
    const list = m.map.get(aorOf(u));
    if (list !== undefined) out[aorOf(u)] = list.map((b) => ({ ...b }));
  }
  return out;
}

function checkResponse(res: SipResponse, expectedStatus: number, m: Model, op: RegisterOp): void {
  expect(res.status).toBe(expectedStatus);
  if (expectedStatus === 423) expect(res.get('Min-Expires')).toBe(String(OPTS.minExpires));
  if (expectedStatus !== 200) return;
  // Step 8: every current binding, with the seconds it has left.
  const listed = res.contacts().map((c) => [c.uri.toString(), c.expires]);
  const expected = (m.map.get(aorOf(op.user)) ?? []).map((b) => [b.contact, Math.ceil((b.expiresAt - m.now) / 1000)]);
  expect(listed).toEqual(expected);
}

describe('REGISTER model (RFC 3261 §10.3)', () => {
  it('matches the model; bindings never outlive their expiry, never exceed maxContactsPerAor; a refused request changes nothing (RFC 3261 §10.3 steps 6–8)', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const store = new InMemoryBindingStore();
        const { registrar, scheduler } = setup(OPTS, store);
        const epoch = registrar.now();
        const m = new Model();
        let expiredEvents = 0;
        registrar.on('expired', () => expiredEvents++);
        const get = (aor: string) => store.get(aor).map((b) => ({ ...b, expiresAt: b.expiresAt - epoch }));
        for (const op of ops) {
          if (op.kind === 'advance') {
            scheduler.advance(op.ms);
            m.advance(op.ms);
          } else {
            const before = snapshot(get);
            const status = m.register(op);
            const res = registrar.handle(requestOf(op), SOURCE) as SipResponse;
            checkResponse(res, status, m, op);
            if (status !== 200) expect(snapshot(get)).toEqual(before);
          }
          expect(snapshot(get)).toEqual(modelSnapshot(m));
          for (const u of USERS) {
            const list = store.get(aorOf(u));
            expect(list.length).toBeLessThanOrEqual(OPTS.maxContactsPerAor);
            for (const b of list) expect(b.expiresAt).toBeGreaterThan(registrar.now());
          }
          expect(expiredEvents).toBe(m.expiredCount);
          expect(scheduler.pending).toBe(store.size > 0 ? 1 : 0);
        }
        registrar.close();
        expect(scheduler.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('matches the model through an asynchronous store as well', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb, async (ops) => {
        const store = new AsyncStore();
        const { registrar, scheduler } = setup(OPTS, store);
        const epoch = registrar.now();
        const m = new Model();
        const get = (aor: string) => store.inner.get(aor).map((b) => ({ ...b, expiresAt: b.expiresAt - epoch }));
        const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
        for (const op of ops) {
          if (op.kind === 'advance') {
            scheduler.advance(op.ms);
            m.advance(op.ms);
            await settle();
          } else {
            const status = m.register(op);
            checkResponse(await registrar.handle(requestOf(op), SOURCE), status, m, op);
          }
          expect(snapshot(get)).toEqual(modelSnapshot(m));
        }
        registrar.close();
        expect(scheduler.pending).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
