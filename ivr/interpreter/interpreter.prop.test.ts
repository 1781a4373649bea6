// Properties of the interpreter over random valid flows and random caller behaviour: it always settles, follows only declared exits, respects the step limit, and ends the call exactly once unless the caller hung up (DESIGN.md §1–§2).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DialOutcome } from '../../engine/call/types.ts';
import { specOf } from '../schema/nodes/index.ts';
import type { FlowNode } from '../schema/types.ts';
import { validateFlow } from '../schema/validate.ts';
import { runFlow } from './interpreter.ts';
import { FakeFlowHost, agent } from './testing/fake-host.ts';
import { ScriptedCall } from './testing/scripted-call.ts';
import type { PlayScript } from './testing/scripted-call.ts';

const KINDS = ['say', 'gather', 'setVar', 'branch', 'notify', 'record', 'transfer', 'hangup'] as const;

/** Node i of n whose main exit is i+1 (so every node is reachable) and whose other exits are random. */
function makeNode(kind: (typeof KINDS)[number], i: number, n: number, pick: number[]): FlowNode {
  const name = (k: number): string => `n${k}`;
  const next = name(i + 1 < n ? i + 1 : n); // n{n} is the final hangup
  const other = (j: number): string => name(pick[j] % (n + 1));
  switch (kind) {
    case 'say':
      return { type: 'say', text: `node ${i}`, bargeIn: pick[0] % 2 === 0, next };
    case 'gather':
      return { type: 'gather', prompt: { say: `menu ${i}` }, retries: pick[1] % 3, branches: { '1': next, '2': other(2) }, noMatch: other(3), noInput: other(4) };
    case 'setVar':
      return { type: 'setVar', vars: { v: `{{caller}}-${i}` }, next };
    case 'branch':
      return { type: 'branch', conditions: [{ when: { var: 'v', exists: true }, next: other(0) }], default: next };
    case 'notify':
      return { type: 'notify', to: 'webhook', message: 'hi {{vars.v}}', next };
    case 'record':
      return { type: 'record', next };
    case 'transfer':
      return { type: 'transfer', target: pick[0] % 2 ? 'lastAgent' : { allAgents: true, strategy: 'round-robin' }, noAnswer: next, busy: other(1) };
    case 'hangup':
      return { type: 'hangup', reason: `r${i}` };
  }
}

const flowArb = fc
  .array(fc.tuple(fc.constantFrom(...KINDS), fc.array(fc.nat(50), { minLength: 5, maxLength: 5 })), { minLength: 1, maxLength: 8 })
  .map((specs) => {
    const n = specs.length;
    const nodes: Record<string, FlowNode> = {};
    specs.forEach(([kind, pick], i) => (nodes[`n${i}`] = makeNode(kind, i, n, pick)));
    nodes[`n${n}`] = { type: 'hangup', reason: 'end' };
    return { version: 1 as const, start: 'n0', nodes };
  });

const behaviourArb = fc.record({
  plays: fc.array(fc.constantFrom<PlayScript>('end', 'end', { press: '1' }, { press: '2' }, { press: '9' }, 'hangup'), { minLength: 1, maxLength: 20 }),
  keys: fc.stringMatching(/^[0-9#*]{0,12}$/),
  dials: fc.array(fc.constantFrom('answered', 'no-answer', 'busy', 'failed', 'hangup'), { minLength: 1, maxLength: 10 }),
  bridged: fc.constantFrom('callee', 'caller', 'hangup'),
});

describe('runFlow properties', () => {
  it('on any valid flow and caller behaviour: settles, follows declared exits, one hangup at the end unless the caller left', async () => {
    await fc.assert(
      fc.asyncProperty(flowArb, behaviourArb, fc.integer({ min: 3, max: 30 }), async (doc, b, maxSteps) => {
        const v = validateFlow(doc);
        fc.pre(v.ok);
        const flow = doc;
        const call = new ScriptedCall({
          onPlay: (_, i) => b.plays[i % b.plays.length],
          onDial: (opts, i): DialOutcome | 'hangup' => {
            const o = b.dials[i % b.dials.length];
            if (o === 'hangup') return 'hangup';
            if (o === 'answered') return { outcome: 'answered', target: opts.targets[0], leg: { id: 'l', role: 'callee', uri: opts.targets[0].uri, startedAt: 0 } };
            return { outcome: o };
          },
          onBridged: () => (b.bridged === 'hangup' ? 'hangup' : { endedBy: b.bridged }),
        });
        call.press(b.keys);
        const host = new FakeFlowHost().addAgent(agent('1001')).addAgent(agent('1002'));
        host.affinity.set(call.info.caller, '1001');
        const r = await runFlow(call, flow, host, { maxSteps });
        expect(['completed', 'bridged', 'hangup', 'step-limit']).toContain(r.outcome);
        expect(r.path.length).toBeLessThanOrEqual(maxSteps);
        for (let i = 0; i + 1 < r.path.length; i++) {
          const node = flow.nodes[r.path[i].node];
          const exits = specOf(node).exits(node).map((e) => e.target);
          expect(exits).toContain(r.path[i + 1].node);
        }
        const hangups = call.opsOf('hangup');
        if (call.hungUpBy === 'caller') {
          expect(hangups).toHaveLength(0);
        } else {
          expect(hangups).toHaveLength(1);
          expect(call.ops.at(-1)?.op).toBe('hangup');
        }
        if (r.outcome === 'step-limit') expect(r.path.length).toBe(maxSteps);
        for (const s of r.path) expect(s.outcome).not.toBe('running');
      }),
      { numRuns: 250 },
    );
  });
});
