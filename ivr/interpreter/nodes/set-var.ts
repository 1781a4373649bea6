// The `setVar` node: sets call variables from templates (DESIGN.md §3 "Flows").
import { setVarSpec } from '../../schema/nodes/set-var.ts';
import type { SetVarNode } from '../../schema/types.ts';
import { throwIfEnded } from '../abort.ts';
import type { NodeContext, NodeResult } from '../types.ts';

/** The schema of `setVar` nodes. */
export const schema = setVarSpec.schema;

/** Renders every value first (all see the variables as they were), then sets them. */
export async function run(ctx: NodeContext, node: SetVarNode, signal: AbortSignal): Promise<NodeResult> {
  throwIfEnded(signal);
  const values = Object.entries(node.vars).map(([k, v]) => [k, ctx.render(v)] as const);
  for (const [k, v] of values) ctx.setVar(k, v);
  return { next: node.next, outcome: 'set', detail: { vars: values.map(([k]) => k) } };
}
