// Schema of the `notify` node: a templated message to an agent or the tenant's webhook (DESIGN.md §3 "Events").
import { exit, nodeRef, nodeSchema, template } from '../common.ts';
import type { NodeSpec } from '../common.ts';
import type { NotifyNode } from '../types.ts';

/** The `notify` kind in the schema layer. */
export const notifySpec: NodeSpec<NotifyNode> = {
  kind: 'notify',
  schema: nodeSchema(
    'notify',
    "Sends a message (templated with call variables) to an agent or the tenant's webhook, then goes on.",
    {
      to: {
        description: '"webhook", "lastAgent" or {agent: extension}.',
        oneOf: [
          { enum: ['webhook', 'lastAgent'] },
          {
            type: 'object',
            properties: { agent: { type: 'string', pattern: '^[0-9A-Za-z_.+-]{1,32}$' } },
            required: ['agent'],
            additionalProperties: false,
          },
        ],
      },
      message: { ...template, minLength: 1 },
      next: nodeRef,
    },
    ['to', 'message', 'next'],
  ),
  waits: false,
  exits: (n) => exit('/next', n.next),
  check: () => [],
  texts: (n) => [{ pointer: '/message', text: n.message }],
  prompts: () => [],
};
