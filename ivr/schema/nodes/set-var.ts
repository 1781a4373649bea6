// Schema of the `setVar` node: sets call variables from templates (DESIGN.md §3 "Flows").
import { pointer } from '../json-schema.ts';
import { exit, nodeRef, nodeSchema, template } from '../common.ts';
import type { NodeSpec } from '../common.ts';
import { VAR_NAME_PATTERN } from '../template.ts';
import type { SetVarNode } from '../types.ts';

/** The `setVar` kind in the schema layer. */
export const setVarSpec: NodeSpec<SetVarNode> = {
  kind: 'setVar',
  schema: nodeSchema(
    'setVar',
    'Sets call variables (values are templates), then goes on.',
    {
      vars: {
        type: 'object',
        minProperties: 1,
        maxProperties: 50,
        propertyNames: { type: 'string', pattern: VAR_NAME_PATTERN },
        additionalProperties: template,
      },
      next: nodeRef,
    },
    ['vars', 'next'],
  ),
  waits: false,
  exits: (n) => exit('/next', n.next),
  check: () => [],
  texts: (n) => Object.entries(n.vars).map(([k, text]) => ({ pointer: pointer('/vars', k), text })),
  prompts: () => [],
};
