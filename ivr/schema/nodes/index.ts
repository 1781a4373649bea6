// The node kinds of the schema layer, by name (DESIGN.md §3 "Flows").
import type { NodeSpec } from '../common.ts';
import type { FlowNode, NodeKind } from '../types.ts';
import { branchSpec } from './branch.ts';
import { gatherSpec } from './gather.ts';
import { hangupSpec } from './hangup.ts';
import { httpSpec } from './http.ts';
import { notifySpec } from './notify.ts';
import { playSpec } from './play.ts';
import { recordSpec } from './record.ts';
import { saySpec } from './say.ts';
import { setVarSpec } from './set-var.ts';
import { transferSpec } from './transfer.ts';

/** Every node kind's spec, in the order the schema lists them. */
export const NODE_SPECS: Readonly<{ [K in NodeKind]: NodeSpec<Extract<FlowNode, { type: K }>> }> = Object.freeze({
  say: saySpec,
  play: playSpec,
  gather: gatherSpec,
  transfer: transferSpec,
  notify: notifySpec,
  record: recordSpec,
  branch: branchSpec,
  setVar: setVarSpec,
  http: httpSpec,
  hangup: hangupSpec,
});

/** The node kinds. */
export const NODE_KINDS: readonly NodeKind[] = Object.freeze(Object.keys(NODE_SPECS) as NodeKind[]);

/** The spec of a node's kind (typed loosely for generic walks). */
export function specOf(node: FlowNode): NodeSpec {
  return NODE_SPECS[node.type] as unknown as NodeSpec;
}
