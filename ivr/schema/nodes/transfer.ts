// Schema of the `transfer` node: ring the last agent, an agent or a group by strategy, bridge on answer (DESIGN.md §1, issue 6 "Transfer to an agent").
import type { Fault } from '../json-schema.ts';
import { audioName, exit, nodeRef, nodeSchema, seconds, template } from '../common.ts';
import type { NodeSpec } from '../common.ts';
import type { TransferNode } from '../types.ts';

/** Ring strategies, in the order the schema lists them. */
export const RING_STRATEGIES = Object.freeze(['ring-all', 'round-robin', 'longest-idle', 'least-answered', 'random'] as const);

/** Ringback tone countries. */
export const TONE_COUNTRIES = Object.freeze(['us', 'uk', 'eu', 'cn', 'jp'] as const);

const extension = { type: 'string', pattern: '^[0-9A-Za-z_.+-]{1,32}$', description: 'An agent extension.' } as const;
const strategy = { enum: [...RING_STRATEGIES], default: 'ring-all' };

/** The `transfer` kind in the schema layer. */
export const transferSpec: NodeSpec<TransferNode> = {
  kind: 'transfer',
  schema: nodeSchema(
    'transfer',
    'Rings agents (the last agent of this caller, an agent, or a group by strategy) and bridges the caller to the first who answers; the flow ends with the bridged call. Exits: noAnswer, busy (default noAnswer), unavailable (default noAnswer).',
    {
      target: {
        description: '"lastAgent", {agent}, {group, strategy} or {allAgents: true, strategy}.',
        oneOf: [
          { const: 'lastAgent' },
          { type: 'object', properties: { agent: extension }, required: ['agent'], additionalProperties: false },
          {
            type: 'object',
            properties: { group: { type: 'string', minLength: 1, maxLength: 64 }, strategy },
            required: ['group'],
            additionalProperties: false,
          },
          { type: 'object', properties: { allAgents: { const: true }, strategy }, required: ['allAgents'], additionalProperties: false },
        ],
      },
      ringTimeoutSec: seconds(1, 300, 'How long each attempt rings.', 20),
      maxAgents: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'Hunting strategies: agents tried at most.' },
      record: { type: 'boolean', default: false },
      notify: {
        default: true,
        oneOf: [
          { type: 'boolean' },
          { type: 'object', properties: { message: { ...template, minLength: 1 } }, additionalProperties: false },
        ],
      },
      music: {
        default: 'ringback',
        oneOf: [
          { enum: ['ringback', 'none'] },
          { type: 'object', properties: { tone: { enum: [...TONE_COUNTRIES] } }, required: ['tone'], additionalProperties: false },
          { type: 'object', properties: { play: audioName }, required: ['play'], additionalProperties: false },
        ],
      },
      noAnswer: nodeRef,
      busy: nodeRef,
      unavailable: nodeRef,
    },
    ['target', 'noAnswer'],
  ),
  waits: true,
  exits: (n) => [...exit('/noAnswer', n.noAnswer), ...exit('/busy', n.busy), ...exit('/unavailable', n.unavailable)],
  check(n): Fault[] {
    const hunting = typeof n.target === 'object' && !('agent' in n.target);
    return !hunting && n.maxAgents !== undefined ? [{ path: '/maxAgents', message: 'is only used with a group or allAgents target' }] : [];
  },
  texts: (n) => (typeof n.notify === 'object' && n.notify.message !== undefined ? [{ pointer: '/notify/message', text: n.notify.message }] : []),
  prompts: () => [],
};
