// The `notify` node: templated messages to the tenant webhook, an agent or the last agent; failures are logged and the flow goes on (DESIGN.md §3 "Events").
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../log.ts';
import type { NotifyNode } from '../../schema/types.ts';
import { runFlow } from '../interpreter.ts';
import { FakeFlowHost, agent } from '../testing/fake-host.ts';
import { flowOf } from '../testing/flows.ts';
import { ScriptedCall } from '../testing/scripted-call.ts';
import type { FlowRunResult } from '../types.ts';

async function run(host: FakeFlowHost, to: NotifyNode['to'], log?: MemoryLogger): Promise<FlowRunResult> {
  return runFlow(
    new ScriptedCall(),
    flowOf({ s: { type: 'setVar', vars: { topic: 'refund' }, next: 'n' }, n: { type: 'notify', to, message: '{{caller}} asks about {{vars.topic}}', next: 'e' }, e: { type: 'hangup' } }),
    host,
    log ? { log } : {},
  );
}

describe('notify', () => {
  it('sends the templated message with the call and its variables to the webhook', async () => {
    const host = new FakeFlowHost();
    const r = await run(host, 'webhook');
    expect(host.notifications).toHaveLength(1);
    expect(host.notifications[0]).toMatchObject({ to: { kind: 'webhook' }, message: { event: 'flow.notify', text: '13800138000 asks about refund', vars: { topic: 'refund' }, node: 'n', call: { id: 'call-1' } } });
    expect(r.path[1]).toMatchObject({ node: 'n', outcome: 'sent' });
  });

  it('sends to an agent by extension, or to the caller’s last agent', async () => {
    const host = new FakeFlowHost().addAgent(agent('1001')).addAgent(agent('1002'));
    await run(host, { agent: '1002' });
    host.affinity.set('13800138000', '1001');
    await run(host, 'lastAgent');
    expect(host.notifications.map((n) => (n.to.kind === 'agent' ? n.to.agent.extension : '-'))).toEqual(['1002', '1001']);
  });

  it('an unknown recipient or a failed delivery is noted in the path and the flow goes on', async () => {
    const host = new FakeFlowHost();
    const r1 = await run(host, { agent: '9999' });
    expect(r1.path[1].outcome).toBe('no-recipient');
    host.failNotify = true;
    const log = new MemoryLogger();
    const r2 = await run(host, 'webhook', log);
    expect(r2.path.map((s) => s.outcome)).toEqual(['set', 'failed', 'hangup']);
    expect(r2.outcome).toBe('completed');
    expect(log.entries.some((e) => e.level === 'warn')).toBe(true);
  });
});
