import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TxInput, TxKind, TxState } from './tables.ts';
import { INITIAL_STATE, TABLES, transition } from './tables.ts';

const kinds: TxKind[] = ['ict', 'nict', 'ist', 'nist'];
const timers = ['A', 'B', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M'] as const;
const inputArb: fc.Arbitrary<TxInput> = fc.oneof(
  fc.constantFrom(...timers).map((timer) => ({ type: 'timer', timer }) as TxInput),
  fc.constantFrom<TxInput['type']>('recv-1xx', 'recv-2xx', 'recv-final', 'recv-request', 'recv-ack', 'send-1xx', 'send-2xx', 'send-final', 'transport-error')
    .filter((t) => t !== 'timer')
    .map((type) => ({ type }) as TxInput),
);

describe('transaction tables (RFC 3261 §17, RFC 6026 §7)', () => {
  it('never leaves Terminated, and every path to Terminated ends with a terminate action', () => {
    for (const kind of kinds) {
      fc.assert(
        fc.property(fc.array(inputArb, { maxLength: 40 }), (inputs) => {
          let state: TxState = INITIAL_STATE[kind];
          let passedUpFinal = 0;
          for (const input of inputs) {
            const t = transition(kind, state, input);
            if (state === 'terminated') {
              expect(t).toBeUndefined();
              continue;
            }
            if (!t) continue;
            if (t.next === 'terminated') expect(t.actions.at(-1)).toEqual({ type: 'terminate' });
            else expect(t.actions.some((a) => a.type === 'terminate')).toBe(false);
            // A final non-2xx response is passed up to the TU at most once (§17.1.1.2, §17.1.2.2).
            if (input.type === 'recv-final' && t.actions.some((a) => a.type === 'pass-up')) passedUpFinal++;
            state = t.next;
          }
          expect(passedUpFinal).toBeLessThanOrEqual(1);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('only schedules timers that belong to the machine (RFC 3261 Table 4)', () => {
    const own: Record<TxKind, string> = { ict: 'ABDM', nict: 'EFK', ist: 'GHIL', nist: 'J' };
    for (const kind of kinds) {
      for (const [row, t] of TABLES[kind]) {
        for (const a of t.actions) {
          if (a.type === 'start' || a.type === 'cancel') expect(own[kind], `${kind} ${row}`).toContain(a.timer);
        }
      }
    }
  });

  it('a server transaction never passes a retransmitted request up (§17.2.1, §17.2.2)', () => {
    for (const kind of ['ist', 'nist'] as const) {
      for (const state of ['trying', 'proceeding', 'accepted', 'completed', 'confirmed'] as TxState[]) {
        const t = transition(kind, state, { type: 'recv-request' });
        expect(t?.actions.some((a) => a.type === 'pass-up') ?? false).toBe(false);
      }
    }
  });
});
