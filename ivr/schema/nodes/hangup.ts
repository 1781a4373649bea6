// Schema of the `hangup` node: ends the call (DESIGN.md §3 "Flows").
import { nodeSchema } from '../common.ts';
import type { NodeSpec } from '../common.ts';
import type { HangupNode } from '../types.ts';

/** The `hangup` kind in the schema layer. */
export const hangupSpec: NodeSpec<HangupNode> = {
  kind: 'hangup',
  schema: nodeSchema('hangup', 'Ends the call.', { reason: { type: 'string', maxLength: 100 } }, []),
  waits: false,
  exits: () => [],
  check: () => [],
  texts: () => [],
  prompts: () => [],
};
