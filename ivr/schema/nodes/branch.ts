// Schema of the `branch` node: conditions on caller, called number, tenant-local time of day and day of week, variables (DESIGN.md §3 "Flows").
import type { Fault, JsonSchema } from '../json-schema.ts';
import { pointer } from '../json-schema.ts';
import { nodeRef, nodeSchema } from '../common.ts';
import type { NodeExit, NodeSpec } from '../common.ts';
import { VAR_NAME_PATTERN } from '../template.ts';
import type { BranchNode, Condition, StringTest } from '../types.ts';

/** `HH:MM`, 00:00…23:59 (24:00 allowed as the end of a day). */
export const TIME_PATTERN = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';

/** Day names, Monday first. */
export const DAY_NAMES = Object.freeze(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const);

/** Deepest nesting of all/any/not. */
export const MAX_CONDITION_DEPTH = 8;

const stringTestProperties: Record<string, JsonSchema> = {
  equals: { type: 'string', maxLength: 200 },
  startsWith: { type: 'string', maxLength: 200 },
  in: { type: 'array', items: { type: 'string', maxLength: 200 }, minItems: 1, maxItems: 500 },
  matches: { type: 'string', minLength: 1, maxLength: 200, description: 'A regular expression (JavaScript, Unicode mode).' },
};

const stringTest: JsonSchema = {
  type: 'object',
  properties: stringTestProperties,
  minProperties: 1,
  additionalProperties: false,
};

/** The condition grammar, referenced recursively as `#/$defs/condition` (FLOW_SCHEMA puts it in `$defs`). */
export const conditionSchema: JsonSchema = {
  description: 'A condition: {caller}, {called}, {var, …test}, {timeOfDay}, {dayOfWeek}, {all}, {any}, {not}.',
  oneOf: [
    { type: 'object', properties: { caller: stringTest }, required: ['caller'], additionalProperties: false },
    { type: 'object', properties: { called: stringTest }, required: ['called'], additionalProperties: false },
    {
      type: 'object',
      properties: { var: { type: 'string', pattern: VAR_NAME_PATTERN }, ...stringTestProperties, exists: { type: 'boolean' } },
      required: ['var'],
      minProperties: 2,
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        timeOfDay: {
          type: 'object',
          properties: { from: { type: 'string', pattern: TIME_PATTERN }, to: { type: 'string', pattern: TIME_PATTERN } },
          required: ['from', 'to'],
          additionalProperties: false,
          description: 'Tenant-local HH:MM; from inclusive, to exclusive; to < from wraps past midnight.',
        },
      },
      required: ['timeOfDay'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { dayOfWeek: { type: 'array', items: { enum: [...DAY_NAMES] }, minItems: 1, maxItems: 7, uniqueItems: true } },
      required: ['dayOfWeek'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { all: { type: 'array', items: { $ref: '#/$defs/condition' }, minItems: 1, maxItems: 50 } },
      required: ['all'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { any: { type: 'array', items: { $ref: '#/$defs/condition' }, minItems: 1, maxItems: 50 } },
      required: ['any'],
      additionalProperties: false,
    },
    { type: 'object', properties: { not: { $ref: '#/$defs/condition' } }, required: ['not'], additionalProperties: false },
  ],
};

function checkTest(t: StringTest, at: string, faults: Fault[]): void {
  if (t.matches === undefined) return;
  try {
    new RegExp(t.matches, 'u');
  } catch (err) {
    faults.push({ path: `${at}/matches`, message: `is not a valid regular expression: ${(err as Error).message}` });
  }
}

function checkCondition(c: Condition, at: string, depth: number, faults: Fault[]): void {
  if (depth > MAX_CONDITION_DEPTH) {
    faults.push({ path: at, message: `nests deeper than ${MAX_CONDITION_DEPTH} levels` });
    return;
  }
  if ('caller' in c) checkTest(c.caller, `${at}/caller`, faults);
  else if ('called' in c) checkTest(c.called, `${at}/called`, faults);
  else if ('var' in c) checkTest(c, at, faults);
  else if ('all' in c) c.all.forEach((s, i) => checkCondition(s, pointer(at, 'all', i), depth + 1, faults));
  else if ('any' in c) c.any.forEach((s, i) => checkCondition(s, pointer(at, 'any', i), depth + 1, faults));
  else if ('not' in c) checkCondition(c.not, `${at}/not`, depth + 1, faults);
  else if ('timeOfDay' in c && c.timeOfDay.from === c.timeOfDay.to) {
    faults.push({ path: `${at}/timeOfDay/to`, message: 'must differ from from (an empty or full-day window)' });
  }
}

/** The `branch` kind in the schema layer. */
export const branchSpec: NodeSpec<BranchNode> = {
  kind: 'branch',
  schema: nodeSchema(
    'branch',
    'Goes to the first rule whose condition holds, else to default.',
    {
      conditions: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: {
          type: 'object',
          properties: { when: { $ref: '#/$defs/condition' }, next: nodeRef },
          required: ['when', 'next'],
          additionalProperties: false,
        },
      },
      default: nodeRef,
    },
    ['conditions', 'default'],
  ),
  waits: false,
  exits(n) {
    const out: NodeExit[] = n.conditions.map((c, i) => ({ pointer: pointer('/conditions', i, 'next'), target: c.next }));
    out.push({ pointer: '/default', target: n.default });
    return out;
  },
  check(n) {
    const faults: Fault[] = [];
    n.conditions.forEach((c, i) => checkCondition(c.when, pointer('/conditions', i, 'when'), 1, faults));
    return faults;
  },
  texts: () => [],
  prompts: () => [],
};
