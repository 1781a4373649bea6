// Interpreter behaviour: answering, the path for the CDR, cancellation at hangup, the step limit, per-call isolation, templating (DESIGN.md §1–§2, issue 7 "Flows").
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOW } from '../default-flow.ts';
import { MemoryLogger } from '../log.ts';
import type { SayNode } from '../schema/types.ts';
import { runFlow } from './interpreter.ts';
import { NODE_REGISTRY } from './registry.ts';
import type { NodeRegistry } from './registry.ts';
import { FakeFlowHost, agent } from './testing/fake-host.ts';
import { flowOf, settledWithinATurn, until } from './testing/flows.ts';
import { ScriptedCall } from './testing/scripted-call.ts';
import type { PathStep } from './types.ts';

const say = (text: string, next: string): SayNode => ({ type: 'say', text, next });

describe('runFlow', () => {
  it('answers, runs nodes in order, records the path and hangs up with the hangup node’s reason', async () => {
    const call = new ScriptedCall();
    let t = 1000;
    const flow = flowOf({ a: say('one', 'b'), b: say('two', 'c'), c: { type: 'hangup', reason: 'done-here' } });
    const r = await runFlow(call, flow, new FakeFlowHost(), { clock: { now: () => (t += 10) } });
    expect(r.outcome).toBe('completed');
    expect(call.ops.map((o) => o.op)).toEqual(['answer', 'play', 'play', 'hangup']);
    expect(call.opsOf('hangup')[0].reason).toBe('done-here');
    expect(r.path.map((s) => [s.node, s.kind, s.outcome])).toEqual([
      ['a', 'say', 'played'],
      ['b', 'say', 'played'],
      ['c', 'hangup', 'hangup'],
    ]);
    for (const s of r.path) expect(s.leftAt!).toBeGreaterThan(s.enteredAt);
    expect(r.path[1].enteredAt).toBeGreaterThan(r.path[0].enteredAt);
    expect(r.endedAt).toBeGreaterThan(r.startedAt);
  });

  it('does not answer when told not to', async () => {
    const call = new ScriptedCall();
    await runFlow(call, flowOf({ a: { type: 'hangup' } }), new FakeFlowHost(), { answer: false });
    expect(call.answered).toBe(false);
  });

  it('caller hangs up mid-say: the interpreter stops at once, enters no further node and does not hang up again', async () => {
    const call = new ScriptedCall({ onPlay: (_, i) => (i === 0 ? 'hold' : 'end') });
    const host = new FakeFlowHost();
    const run = runFlow(call, flowOf({ greet: say('Welcome, please hold.', 'next'), next: say('never', 'end'), end: { type: 'hangup' } }), host);
    await until(() => call.opsOf('play').length === 1, 'the greeting to start');
    call.callerHangsUp();
    const r = await settledWithinATurn(run);
    expect(r).not.toBe('pending');
    if (r === 'pending') return;
    expect(r.outcome).toBe('hangup');
    expect(r.path.map((s) => [s.node, s.outcome])).toEqual([['greet', 'hangup']]);
    expect(call.played).toEqual(['speech:-:-:Welcome, please hold.']);
    expect(call.opsOf('hangup')).toEqual([]);
  });

  it('stops at once even when a node ignores the signal (the interpreter races every node against the hangup)', async () => {
    const call = new ScriptedCall();
    let started = false;
    const stubborn: NodeRegistry = { ...NODE_REGISTRY, say: { schema: NODE_REGISTRY.say.schema, run: () => ((started = true), new Promise(() => {})) } };
    const run = runFlow(call, flowOf({ a: say('x', 'b'), b: { type: 'hangup' } }), new FakeFlowHost(), { registry: stubborn });
    await until(() => started, 'the node to start');
    call.callerHangsUp();
    const r = await settledWithinATurn(run);
    expect(r !== 'pending' && r.outcome).toBe('hangup');
  });

  it('a caller who hangs up before the flow starts yields outcome hangup and an empty path', async () => {
    const call = new ScriptedCall();
    call.callerHangsUp();
    const r = await runFlow(call, DEFAULT_FLOW, new FakeFlowHost());
    expect(r.outcome).toBe('hangup');
    expect(r.path).toEqual([]);
  });

  it('the step limit ends a loop that waits for the caller but never ends (and the call is hung up)', async () => {
    const call = new ScriptedCall({ onPlay: () => ({ press: '1' }) });
    const flow = flowOf({
      menu: { type: 'gather', prompt: { say: 'Press 1 to hear this again.' }, branches: { '1': 'again' }, noMatch: 'menu', noInput: 'end' },
      again: say('Again.', 'menu'),
      end: { type: 'hangup' },
    });
    const log = new MemoryLogger();
    const r = await runFlow(call, flow, new FakeFlowHost(), { maxSteps: 7, log });
    expect(r.outcome).toBe('step-limit');
    expect(r.path).toHaveLength(7);
    expect(r.error).toMatchObject({ code: 'step-limit' });
    expect(call.opsOf('hangup')[0].reason).toBe('flow-step-limit');
    expect(log.entries.some((e) => e.level === 'warn' && e.msg.includes('step limit'))).toBe(true);
  });

  it('one call’s faulty flow ends only that call: a throwing node gives outcome error and a safe hangup, the other call completes', async () => {
    const faulty: NodeRegistry = {
      ...NODE_REGISTRY,
      say: {
        schema: NODE_REGISTRY.say.schema,
        run: (ctx, node, signal) => {
          if (node.text === 'boom') throw new TypeError('a bug in a node');
          return NODE_REGISTRY.say.run(ctx, node, signal);
        },
      },
    };
    const bad = new ScriptedCall({ info: { id: 'bad' } });
    const good = new ScriptedCall({ info: { id: 'good' } });
    const log = new MemoryLogger();
    const [rb, rg] = await Promise.all([
      runFlow(bad, flowOf({ a: say('hello', 'b'), b: say('boom', 'c'), c: { type: 'hangup' } }), new FakeFlowHost(), { registry: faulty, log }),
      runFlow(good, flowOf({ a: say('hello', 'b'), b: say('fine', 'c'), c: { type: 'hangup' } }), new FakeFlowHost(), { registry: faulty, log }),
    ]);
    expect(rb.outcome).toBe('error');
    expect(rb.error).toMatchObject({ code: 'node-failed', node: 'b', message: 'a bug in a node' });
    expect(rb.path.at(-1)).toMatchObject({ node: 'b', outcome: 'error' });
    expect(bad.opsOf('hangup')[0].reason).toBe('flow-error');
    expect(rg.outcome).toBe('completed');
    expect(good.played).toHaveLength(2);
    expect(log.entries.filter((e) => e.level === 'error').map((e) => e.obj.callId)).toEqual(['bad']);
  });

  it('an unvalidated flow naming a missing node or kind ends that call with outcome error', async () => {
    const call = new ScriptedCall();
    const flow = { version: 1 as const, start: 'a', nodes: { a: say('x', 'ghost') } };
    const r = await runFlow(call, flow, new FakeFlowHost());
    expect(r.outcome).toBe('error');
    expect(r.error).toMatchObject({ code: 'unknown-node', node: 'ghost' });
    const call2 = new ScriptedCall();
    const r2 = await runFlow(call2, { version: 1, start: 'a', nodes: { a: { type: 'dance' } as never } }, new FakeFlowHost());
    expect(r2.error).toMatchObject({ code: 'unknown-kind' });
    expect(call2.opsOf('hangup')).toHaveLength(1);
  });

  it('substitutes {{caller}}, {{called}}, {{calledIdentity}}, {{callId}} and {{vars.x}} in texts', async () => {
    const call = new ScriptedCall({ info: { id: 'c-9', caller: '1390', called: '021', calledIdentity: '021@acme.example' } });
    const flow = flowOf({
      s: { type: 'setVar', vars: { who: 'VIP {{caller}}' }, next: 'a' },
      a: say('{{vars.who}} called {{called}} ({{calledIdentity}}) on {{callId}}; {{vars.unset}}.', 'b'),
      b: { type: 'hangup' },
    });
    const r = await runFlow(call, flow, new FakeFlowHost(), { vars: { seeded: 'yes' } });
    expect(call.played).toEqual(['speech:-:-:VIP 1390 called 021 (021@acme.example) on c-9; .']);
    expect(r.vars).toEqual({ seeded: 'yes', who: 'VIP 1390' });
  });

  it('reports each finished step to onStep, and survives a throwing listener', async () => {
    const steps: PathStep[] = [];
    const log = new MemoryLogger();
    const r = await runFlow(new ScriptedCall(), flowOf({ a: say('x', 'b'), b: { type: 'hangup' } }), new FakeFlowHost(), {
      log,
      onStep: (s) => {
        steps.push({ ...s });
        throw new Error('listener bug');
      },
    });
    expect(r.outcome).toBe('completed');
    expect(steps.map((s) => s.node)).toEqual(['a', 'b']);
    expect(log.entries.filter((e) => e.msg.includes('onStep'))).toHaveLength(2);
  });

  it('the default flow with nobody to take the call: greeting → last agent unavailable → all agents no answer → voicemail → goodbye → hangup', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001')).addAgent(agent('1002'));
    const call = new ScriptedCall();
    const r = await runFlow(call, DEFAULT_FLOW, host);
    expect(r.path.map((s) => [s.node, s.outcome])).toEqual([
      ['greeting', 'played'],
      ['lastAgent', 'unavailable'],
      ['allAgents', 'no-answer'],
      ['voicemail', 'recorded'],
      ['goodbye', 'played'],
      ['end', 'hangup'],
    ]);
    expect(call.opsOf('dial')[0].opts.targets.map((t) => t.label)).toEqual(['1001', '1002']);
    expect(r.recordings).toEqual([{ kind: 'voicemail', path: '/data/recordings/call-1-voicemail.wav', node: 'voicemail', durationMs: 4200 }]);
    expect(r.vars.voicemail).toBe('/data/recordings/call-1-voicemail.wav');
    expect(r.outcome).toBe('completed');
  });

  it('the default flow with a last agent who answers: bridged, recorded, and the agent notified first', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001', { contacts: 2 })).addAgent(agent('1002'));
    host.affinity.set('13800138000', '1001');
    let notifiedBeforeRing = false;
    const call = new ScriptedCall({
      onDial: (opts) => {
        notifiedBeforeRing = host.notifications.length === 1;
        return { outcome: 'answered', target: opts.targets[1], leg: { id: 'leg-2', role: 'callee', uri: opts.targets[1].uri, startedAt: 0 } };
      },
    });
    const r = await runFlow(call, DEFAULT_FLOW, host);
    expect(r.outcome).toBe('bridged');
    expect(r.answeredBy?.extension).toBe('1001');
    expect(notifiedBeforeRing).toBe(true);
    expect(host.notifications[0].message).toMatchObject({ event: 'agent.incoming_call', text: 'Incoming call from 13800138000' });
    expect(r.recordings).toEqual([expect.objectContaining({ kind: 'call', path: '/data/recordings/call-1-call.wav' })]);
    expect(r.path.map((s) => [s.node, s.outcome])).toEqual([
      ['greeting', 'played'],
      ['lastAgent', 'bridged'],
    ]);
    expect(call.opsOf('hangup')).toHaveLength(1);
  });
});
