// The `notify` node: a templated message to an agent or the tenant's webhook (DESIGN.md §3 "Events"); a failed delivery is logged and the flow goes on.
import { CallEndedError } from '../../../engine/call/types.ts';
import { notifySpec } from '../../schema/nodes/notify.ts';
import type { NotifyNode } from '../../schema/types.ts';
import { abortable } from '../abort.ts';
import type { NotifyRecipient, NodeContext, NodeResult } from '../types.ts';

/** The schema of `notify` nodes. */
export const schema = notifySpec.schema;

/** Sends the message; always goes on to `next`. */
export async function run(ctx: NodeContext, node: NotifyNode, signal: AbortSignal): Promise<NodeResult> {
  const info = ctx.call.info;
  try {
    let to: NotifyRecipient;
    if (node.to === 'webhook') {
      to = { kind: 'webhook' };
    } else {
      const agent = node.to === 'lastAgent' ? await abortable(ctx.host.lastAgent(info.caller, info), signal) : await abortable(ctx.host.agent(node.to.agent, info), signal);
      if (agent === undefined) return { next: node.next, outcome: 'no-recipient' };
      to = { kind: 'agent', agent };
    }
    const message = { event: 'flow.notify' as const, text: ctx.render(node.message), call: info, vars: { ...ctx.vars }, node: ctx.node };
    await abortable(ctx.host.notify(to, message), signal);
    return { next: node.next, outcome: 'sent', detail: to.kind === 'agent' ? { agent: to.agent.extension } : { to: 'webhook' } };
  } catch (err) {
    if (err instanceof CallEndedError) throw err;
    ctx.log.warn({ err, node: ctx.node, callId: info.id }, 'notify: delivery failed; going on');
    return { next: node.next, outcome: 'failed' };
  }
}
