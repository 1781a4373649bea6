// The `transfer` node: last agent / agent / group by strategy, fork to every contact, notify before ringing, music, recording, exits noAnswer/busy/unavailable (issue 6 "Transfer to an agent").
import { describe, expect, it } from 'vitest';
import type { DialOptions, DialOutcome } from '../../../engine/call/types.ts';
import { MemoryLogger } from '../../log.ts';
import type { TransferNode } from '../../schema/types.ts';
import { runFlow } from '../interpreter.ts';
import { FakeFlowHost, agent } from '../testing/fake-host.ts';
import { flowOf, settledWithinATurn, until } from '../testing/flows.ts';
import { ScriptedCall } from '../testing/scripted-call.ts';
import type { DialScript } from '../testing/scripted-call.ts';
import type { FlowRunResult } from '../types.ts';

const exits = {
  na: { type: 'hangup', reason: 'noAnswer' },
  busy: { type: 'hangup', reason: 'busy' },
  gone: { type: 'hangup', reason: 'unavailable' },
} as const;

function transfer(extra: Partial<TransferNode> = {}): TransferNode {
  return { type: 'transfer', target: 'lastAgent', noAnswer: 'na', busy: 'busy', unavailable: 'gone', ...extra };
}

const answer = (opts: DialOptions, i = 0): DialOutcome => ({
  outcome: 'answered',
  target: opts.targets[i],
  leg: { id: 'leg-b', role: 'callee', uri: opts.targets[i].uri, startedAt: 1 },
});

async function run(host: FakeFlowHost, node: TransferNode, onDial?: (o: DialOptions, i: number) => DialScript, log?: MemoryLogger): Promise<{ r: FlowRunResult; call: ScriptedCall }> {
  const call = new ScriptedCall(onDial ? { onDial } : {});
  const r = await runFlow(call, flowOf({ t: node, ...exits }, 't'), host, log ? { log } : {});
  return { r, call };
}

const exitTaken = (call: ScriptedCall): string | undefined => call.opsOf('hangup')[0]?.reason;

describe('transfer to the last agent', () => {
  it('rings every registered contact of the agent at once with the ring timeout, ringback and the call id header; bridges on answer', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001', { contacts: 3 }));
    host.affinity.set('13800138000', '1001');
    const { r, call } = await run(host, transfer({ ringTimeoutSec: 12 }), (o) => answer(o, 2));
    const dial = call.opsOf('dial')[0].opts;
    expect(dial.targets).toHaveLength(3);
    expect(dial.timeoutMs).toBe(12_000);
    expect(dial.from).toBe('13800138000');
    expect(dial.music?.key).toBe('tone:ringback:us');
    expect(dial.headers).toEqual([['X-Hotline-Call', 'call-1']]);
    expect(dial.record).toBeUndefined();
    expect(call.ops.map((o) => o.op)).toEqual(['answer', 'dial', 'waitForEnd', 'hangup']);
    expect(r.outcome).toBe('bridged');
    expect(r.path[0]).toMatchObject({ outcome: 'bridged', detail: { agent: '1001', endedBy: 'callee' } });
    expect(host.transfers.map((e) => e.phase)).toEqual(['ringing', 'answered', 'ended']);
  });

  it('no last agent → unavailable; last agent busy → busy; offline or without contacts → unavailable (no dial)', async () => {
    const host = new FakeFlowHost();
    const none = await run(host, transfer());
    expect(exitTaken(none.call)).toBe('unavailable');
    expect(none.r.path[0]).toMatchObject({ outcome: 'unavailable', detail: { reason: 'no-last-agent' } });
    host.affinity.set('13800138000', '1001');
    host.addAgent(agent('1001', { state: 'busy' }));
    expect(exitTaken((await run(host, transfer())).call)).toBe('busy');
    host.addAgent(agent('1001', { state: 'offline' }));
    expect(exitTaken((await run(host, transfer())).call)).toBe('unavailable');
    host.addAgent(agent('1001', { contacts: 0 }));
    const noContacts = await run(host, transfer());
    expect(exitTaken(noContacts.call)).toBe('unavailable');
    expect(noContacts.call.opsOf('dial')).toEqual([]);
  });

  it('no answer within the ring timeout → noAnswer; 486 Busy → busy', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'));
    host.affinity.set('13800138000', '1001');
    expect(exitTaken((await run(host, transfer(), () => ({ outcome: 'no-answer' }))).call)).toBe('noAnswer');
    const busy = await run(host, transfer(), () => ({ outcome: 'busy', status: 486 }));
    expect(exitTaken(busy.call)).toBe('busy');
    expect(busy.r.path[0].detail).toEqual({ attempts: [{ agents: ['1001'], outcome: 'busy', status: 486 }] });
  });

  it('busy and unavailable default to noAnswer when the node leaves them out', async () => {
    const host = new FakeFlowHost();
    const flow = flowOf({ t: { type: 'transfer', target: 'lastAgent', noAnswer: 'na' }, na: exits.na }, 't');
    const gone = new ScriptedCall();
    await runFlow(gone, flow, host);
    expect(exitTaken(gone)).toBe('noAnswer');
    host.affinity.set('13800138000', '1001');
    host.addAgent(agent('1001', { state: 'busy' }));
    const busy = new ScriptedCall();
    const r = await runFlow(busy, flow, host);
    expect(r.path[0].outcome).toBe('busy');
    expect(exitTaken(busy)).toBe('noAnswer');
  });

  it('notifies the agent (agent.incoming_call, templated) before the phone rings; a failed notification still rings', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'));
    host.affinity.set('13800138000', '1001');
    let notifiedFirst = false;
    await run(host, transfer({ notify: { message: 'Call from {{caller}} to {{called}}' } }), (o) => {
      notifiedFirst = host.notifications.length === 1;
      return answer(o);
    });
    expect(notifiedFirst).toBe(true);
    expect(host.notifications[0]).toMatchObject({ to: { kind: 'agent', agent: { extension: '1001' } }, message: { event: 'agent.incoming_call', text: 'Call from 13800138000 to 02188886666', node: 't' } });
    host.failNotify = true;
    const log = new MemoryLogger();
    const { r } = await run(host, transfer(), (o) => answer(o), log);
    expect(r.outcome).toBe('bridged');
    expect(log.entries.some((e) => e.level === 'warn' && e.msg.includes('notification failed'))).toBe(true);
  });

  it('notify: false sends nothing', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'));
    host.affinity.set('13800138000', '1001');
    await run(host, transfer({ notify: false }), (o) => answer(o));
    expect(host.notifications).toEqual([]);
  });

  it('record: true records the bridged call from the answer and reports the recording', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'));
    host.affinity.set('13800138000', '1001');
    const { r, call } = await run(host, transfer({ record: true }), (o) => answer(o));
    expect(call.opsOf('dial')[0].opts.record).toEqual({ path: '/data/recordings/call-1-call.wav' });
    expect(r.recordings).toEqual([expect.objectContaining({ kind: 'call', path: '/data/recordings/call-1-call.wav', node: 't' })]);
    expect(host.recordings).toHaveLength(1);
  });

  it('music: none / a tone country / a file / the tenant ringback country', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'));
    host.affinity.set('13800138000', '1001');
    const keyOf = async (n: TransferNode): Promise<string | undefined> => (await run(host, n, (o) => answer(o))).call.opsOf('dial')[0].opts.music?.key;
    expect(await keyOf(transfer({ music: 'none' }))).toBeUndefined();
    expect(await keyOf(transfer({ music: { tone: 'uk' } }))).toBe('tone:ringback:uk');
    expect(await keyOf(transfer({ music: { play: 'hold.wav' } }))).toBe('file:hold.wav');
    host.ringbackCountry = 'cn';
    expect(await keyOf(transfer())).toBe('tone:ringback:cn');
  });

  it('a failing host (store down) takes the unavailable exit and logs', async () => {
    const host = new FakeFlowHost();
    host.failing = true;
    const log = new MemoryLogger();
    const { r, call } = await run(host, transfer(), undefined, log);
    expect(exitTaken(call)).toBe('unavailable');
    expect(r.path[0].detail).toEqual({ reason: 'host-error' });
    expect(log.entries.some((e) => e.level === 'warn')).toBe(true);
  });
});

describe('transfer to an agent or a group', () => {
  it('{agent} rings that agent', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001')).addAgent(agent('1002'));
    const { r, call } = await run(host, transfer({ target: { agent: '1002' } }), (o) => answer(o));
    expect(call.opsOf('dial')[0].opts.targets.map((t) => t.label)).toEqual(['1002']);
    expect(r.answeredBy?.extension).toBe('1002');
  });

  it('ring-all rings every available agent of the group in one fork and credits the agent whose contact answered', async () => {
    const host = new FakeFlowHost()
      .addAgent(agent('1001', { contacts: 2 }), ['sales'])
      .addAgent(agent('1002', { state: 'busy' }), ['sales'])
      .addAgent(agent('1003'), ['sales'])
      .addAgent(agent('2001'), ['support']);
    const { r, call } = await run(host, transfer({ target: { group: 'sales', strategy: 'ring-all' } }), (o) => answer(o, 2));
    expect(call.opsOf('dial')).toHaveLength(1);
    expect(call.opsOf('dial')[0].opts.targets.map((t) => t.label)).toEqual(['1001', '1001', '1003']);
    expect(r.answeredBy?.extension).toBe('1003');
    expect(host.notifications.map((n) => (n.to.kind === 'agent' ? n.to.agent.extension : 'webhook'))).toEqual(['1001', '1003']);
    expect(host.groupQueries).toEqual([{ group: 'sales', strategy: 'ring-all', limit: 10 }]);
  });

  it('hunting strategies ring one agent at a time in the host’s order until one answers', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'), ['q']).addAgent(agent('1002'), ['q']).addAgent(agent('1003'), ['q']);
    const { r, call } = await run(host, transfer({ target: { group: 'q', strategy: 'round-robin' }, maxAgents: 3 }), (o, i) =>
      i === 0 ? { outcome: 'no-answer' } : i === 1 ? { outcome: 'busy', status: 486 } : answer(o),
    );
    expect(call.opsOf('dial').map((d) => d.opts.targets.map((t) => t.label))).toEqual([['1001'], ['1002'], ['1003']]);
    expect(r.answeredBy?.extension).toBe('1003');
    expect(r.path[0].detail).toMatchObject({ agent: '1003', attempts: 3 });
    expect(host.notifications).toHaveLength(3);
  });

  it('every hunted agent busy → busy; some not answering → noAnswer; maxAgents bounds the hunt', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'), ['q']).addAgent(agent('1002'), ['q']).addAgent(agent('1003'), ['q']);
    const allBusy = await run(host, transfer({ target: { group: 'q', strategy: 'longest-idle' } }), () => ({ outcome: 'busy', status: 486 }));
    expect(exitTaken(allBusy.call)).toBe('busy');
    const mixed = await run(host, transfer({ target: { group: 'q', strategy: 'least-answered' }, maxAgents: 2 }), (_, i) => (i === 0 ? { outcome: 'busy' } : { outcome: 'failed', status: 480 }));
    expect(exitTaken(mixed.call)).toBe('noAnswer');
    expect(mixed.call.opsOf('dial')).toHaveLength(2);
  });

  it('{allAgents} asks the host for every available agent; none available → unavailable', async () => {
    const host = new FakeFlowHost();
    const { r, call } = await run(host, transfer({ target: { allAgents: true, strategy: 'random' } }));
    expect(host.groupQueries).toEqual([{ strategy: 'random', limit: 10 }]);
    expect(exitTaken(call)).toBe('unavailable');
    expect(r.path[0].detail).toEqual({ reason: 'no-available-agent' });
  });
});

describe('transfer and hangups', () => {
  it('caller hangs up while agents ring: the flow stops at once with outcome hangup', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'));
    host.affinity.set('13800138000', '1001');
    const call = new ScriptedCall({ onDial: () => 'hold' });
    const p = runFlow(call, flowOf({ t: transfer(), ...exits }, 't'), host);
    await until(() => call.opsOf('dial').length === 1, 'ringing');
    call.callerHangsUp();
    const r = await settledWithinATurn(p);
    expect(r !== 'pending' && r.outcome).toBe('hangup');
    expect(r !== 'pending' && r.path[0].outcome).toBe('hangup');
  });

  it('caller hangs up during the bridged call: outcome bridged (the ordinary end of a transfer)', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001'));
    host.affinity.set('13800138000', '1001');
    const call = new ScriptedCall({ onDial: (o) => answer(o), onBridged: () => 'hangup' });
    const r = await runFlow(call, flowOf({ t: transfer(), ...exits }, 't'), host);
    expect(r.outcome).toBe('bridged');
    expect(r.answeredBy?.extension).toBe('1001');
    expect(r.path[0]).toMatchObject({ outcome: 'bridged', detail: { endedBy: 'caller' } });
    expect(call.opsOf('hangup')).toEqual([]);
  });
});
