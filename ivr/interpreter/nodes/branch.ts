// The `branch` node: first rule whose condition holds — caller, called number, variables, tenant-local time of day and day of week (DESIGN.md §3 "Flows").
import { branchSpec } from '../../schema/nodes/branch.ts';
import type { BranchNode } from '../../schema/types.ts';
import { throwIfEnded } from '../abort.ts';
import { evaluate } from '../conditions.ts';
import type { NodeContext, NodeResult } from '../types.ts';

/** The schema of `branch` nodes. */
export const schema = branchSpec.schema;

/** Picks the exit (the clock is read once, so every rule sees the same instant). */
export async function run(ctx: NodeContext, node: BranchNode, signal: AbortSignal): Promise<NodeResult> {
  throwIfEnded(signal);
  const scope = { caller: ctx.call.info.caller, called: ctx.call.info.called, vars: ctx.vars, now: ctx.clock.now(), timezone: ctx.host.timezone };
  const i = node.conditions.findIndex((c) => evaluate(c.when, scope));
  return i >= 0 ? { next: node.conditions[i].next, outcome: 'matched', detail: { rule: i } } : { next: node.default, outcome: 'default' };
}
