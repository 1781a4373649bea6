// Schema of the `gather` node: DTMF input with timeouts, retries and a re-prompt, branches by value (DESIGN.md §3 "Flows"; keys as RFC 4733 events or in-band).
import type { Fault } from '../json-schema.ts';
import { pointer } from '../json-schema.ts';
import { exit, nodeRef, nodeSchema, promptSchema, promptTexts, sayPrompts, seconds, varName } from '../common.ts';
import type { NodeExit, NodeSpec } from '../common.ts';
import type { GatherNode } from '../types.ts';

/** Most keys one gather collects. */
export const MAX_GATHER_DIGITS = 32;

/** Input values a branch may match: keys 0-9, *, #, A-D. */
export const DIGITS_PATTERN = '^[0-9*#A-D]{1,32}$';

/** The `gather` kind in the schema layer. */
export const gatherSpec: NodeSpec<GatherNode> = {
  kind: 'gather',
  schema: nodeSchema(
    'gather',
    'Collects DTMF keys: plays the prompt, waits for input, retries with the re-prompt, then branches by value.',
    {
      prompt: promptSchema,
      reprompt: promptSchema,
      minDigits: { type: 'integer', minimum: 1, maximum: MAX_GATHER_DIGITS, default: 1 },
      maxDigits: { type: 'integer', minimum: 1, maximum: MAX_GATHER_DIGITS, default: 1 },
      terminator: { enum: ['#', '*'], description: 'Ends input early; not part of the value.' },
      timeoutSec: seconds(0.5, 60, 'Time allowed before the first key, after the prompt.', 5),
      interDigitTimeoutSec: seconds(0.5, 30, 'Time allowed between keys.', 3),
      overallTimeoutSec: seconds(0.5, 300, 'Time allowed for one whole attempt, after the prompt.'),
      retries: { type: 'integer', minimum: 0, maximum: 10, default: 2 },
      bargeIn: { type: 'boolean', default: true },
      saveAs: varName,
      branches: {
        type: 'object',
        minProperties: 1,
        maxProperties: 100,
        propertyNames: { type: 'string', pattern: DIGITS_PATTERN },
        additionalProperties: nodeRef,
        description: 'Input value → node.',
      },
      next: nodeRef,
      noInput: nodeRef,
      noMatch: nodeRef,
    },
    ['noInput'],
  ),
  waits: true,
  exits(n) {
    const out: NodeExit[] = [];
    for (const [value, target] of Object.entries(n.branches ?? {})) out.push({ pointer: pointer('/branches', value), target });
    return [...out, ...exit('/next', n.next), ...exit('/noInput', n.noInput), ...exit('/noMatch', n.noMatch)];
  },
  check(n) {
    const faults: Fault[] = [];
    const min = n.minDigits ?? 1;
    const max = n.maxDigits ?? 1;
    if (min > max) faults.push({ path: '/minDigits', message: `must be ≤ maxDigits (${max})` });
    if (n.branches !== undefined) {
      if (n.noMatch === undefined) faults.push({ path: '/noMatch', message: 'is required when branches are given (input matching no branch has nowhere to go)' });
      if (n.next !== undefined) faults.push({ path: '/next', message: 'is not used with branches (input matching no branch goes to noMatch)' });
      for (const value of Object.keys(n.branches)) {
        const at = pointer('/branches', value);
        if (n.terminator !== undefined && value.includes(n.terminator)) faults.push({ path: at, message: `contains the terminator ${n.terminator}` });
        else if (value.length < min || value.length > max) faults.push({ path: at, message: `cannot be entered with ${min}…${max} digits` });
      }
    } else {
      if (n.next === undefined) faults.push({ path: '/next', message: 'is required without branches (where any input goes)' });
      if (n.noMatch !== undefined) faults.push({ path: '/noMatch', message: 'is only used with branches' });
    }
    return faults;
  },
  texts: (n) => [...promptTexts('/prompt', n.prompt), ...promptTexts('/reprompt', n.reprompt)],
  prompts: (n) => sayPrompts(n.prompt, n.reprompt),
};
