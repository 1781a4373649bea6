// Public surface of ivr/schema: the flow document types, FLOW_SCHEMA, validateFlow and the FlowValidator the admin API uses (DESIGN.md §3 "Flows").
export { FLOW_SCHEMA, FLOW_SCHEMA_ID } from './flow-schema.ts';
export { assertFlow, flowValidator, validateFlow } from './validate.ts';
export type { FlowValidation, FlowValidator } from './validate.ts';
export type { Fault, JsonSchema } from './json-schema.ts';
export { NODE_KINDS, NODE_SPECS, specOf } from './nodes/index.ts';
export type { NodeExit, NodeSpec, NodeText } from './common.ts';
export { hasPlaceholders, renderTemplate, unknownPlaceholders } from './template.ts';
export type { TemplateScope } from './template.ts';
export { DAY_NAMES } from './nodes/branch.ts';
export { RING_STRATEGIES, TONE_COUNTRIES } from './nodes/transfer.ts';
export type * from './types.ts';
