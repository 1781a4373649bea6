// The `hangup` node: ends the call (the interpreter sends the hangup with the node's reason) (DESIGN.md §3 "Flows").
import { hangupSpec } from '../../schema/nodes/hangup.ts';
import type { HangupNode } from '../../schema/types.ts';
import { throwIfEnded } from '../abort.ts';
import type { NodeContext, NodeResult } from '../types.ts';

/** The schema of `hangup` nodes. */
export const schema = hangupSpec.schema;

/** Ends the flow; the interpreter hangs up. */
export async function run(_ctx: NodeContext, node: HangupNode, signal: AbortSignal): Promise<NodeResult> {
  throwIfEnded(signal);
  return { end: 'hangup', outcome: 'hangup', hangupReason: node.reason ?? 'flow-complete' };
}
