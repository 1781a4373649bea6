// The published JSON Schema (draft 2020-12) of flow documents, built from the node kinds' schemas (JSON Schema Core §8, Validation §6; DESIGN.md §3 "Flows").
import { LANGUAGE_PATTERN, MAX_NODES, NODE_NAME_PATTERN, language, nodeRef, voice } from './common.ts';
import type { JsonSchema } from './json-schema.ts';
import { conditionSchema } from './nodes/branch.ts';
import { NODE_KINDS, NODE_SPECS } from './nodes/index.ts';

/** `$id` of the published schema. */
export const FLOW_SCHEMA_ID = 'https://hotline.dev/schemas/flow-v1.json';

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

function build(): JsonSchema {
  const $defs: Record<string, JsonSchema> = { condition: conditionSchema };
  for (const kind of NODE_KINDS) $defs[`${kind}Node`] = NODE_SPECS[kind].schema;
  $defs.node = { oneOf: NODE_KINDS.map((k) => ({ $ref: `#/$defs/${k}Node` })) };
  // structuredClone: the published document shares no objects with the specs (editors may mutate their copy).
  return structuredClone({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: FLOW_SCHEMA_ID,
    title: 'Hotline IVR flow',
    description:
      'An inbound call flow: named nodes, each of a kind (say, play, gather, transfer, notify, record, branch, setVar, http, hangup) naming the nodes it goes to. Beyond this schema, every named node must exist, every node must be reachable from start, and loops must wait for the caller.',
    type: 'object',
    properties: {
      version: { const: 1 },
      name: { type: 'string', maxLength: 200 },
      description: { type: 'string', maxLength: 2000 },
      language: { ...language, description: `Default language of say nodes (default en); ${LANGUAGE_PATTERN}.` },
      voice,
      start: nodeRef,
      nodes: {
        type: 'object',
        minProperties: 1,
        maxProperties: MAX_NODES,
        propertyNames: { type: 'string', pattern: NODE_NAME_PATTERN },
        additionalProperties: { $ref: '#/$defs/node' },
      },
      meta: { type: 'object', description: 'Editor data; ignored by the interpreter.' },
    },
    required: ['version', 'start', 'nodes'],
    additionalProperties: false,
    $defs,
  } satisfies JsonSchema);
}

/** The JSON Schema of flow documents (frozen; served at `GET /api/v1/flows/schema`). */
export const FLOW_SCHEMA: Readonly<JsonSchema> = deepFreeze(build());
