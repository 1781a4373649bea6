// Schema of the `record` node: a voicemail (beep, max length, end on silence or #) saved like a call recording (DESIGN.md §3 "Flows").
import { exit, nodeRef, nodeSchema, promptSchema, promptTexts, sayPrompts, seconds, varName } from '../common.ts';
import type { NodeSpec } from '../common.ts';
import type { RecordNode } from '../types.ts';

/** The `record` kind in the schema layer. */
export const recordSpec: NodeSpec<RecordNode> = {
  kind: 'record',
  schema: nodeSchema(
    'record',
    'Records a voicemail: optional prompt, a beep, then the caller until the max length, silence or #.',
    {
      prompt: promptSchema,
      beep: { type: 'boolean', default: true },
      maxSec: seconds(1, 3600, 'Longest recording.', 120),
      endOnSilenceSec: seconds(0, 60, 'Stop after this much silence (0: never).', 5),
      endOnHash: { type: 'boolean', default: true },
      saveAs: varName,
      next: nodeRef,
    },
    ['next'],
  ),
  waits: true,
  exits: (n) => exit('/next', n.next),
  check: () => [],
  texts: (n) => promptTexts('/prompt', n.prompt),
  prompts: (n) => sayPrompts(n.prompt),
};
