// Schema of the `say` node: text to speech, then wait until playback ends (DESIGN.md §3 "Flows").
import { exit, language, nodeRef, nodeSchema, template, voice } from '../common.ts';
import type { NodeSpec } from '../common.ts';
import type { SayNode } from '../types.ts';

/** The `say` kind in the schema layer. */
export const saySpec: NodeSpec<SayNode> = {
  kind: 'say',
  schema: nodeSchema(
    'say',
    'Speaks text (text to speech), then waits until playback ends.',
    {
      text: { ...template, minLength: 1 },
      language,
      voice,
      bargeIn: { type: 'boolean', default: false, description: 'A key stops the speech (kept for a following gather).' },
      next: nodeRef,
    },
    ['text', 'next'],
  ),
  waits: true,
  exits: (n) => exit('/next', n.next),
  check: () => [],
  texts: (n) => [{ pointer: '/text', text: n.text }],
  prompts: (n) => [{ say: n.text, language: n.language, voice: n.voice }],
};
