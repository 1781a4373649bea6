// Schema of the `play` node: an audio file of the tenant (WAV of any rate and channel count) (DESIGN.md §3 "Flows").
import { audioName, exit, nodeRef, nodeSchema } from '../common.ts';
import type { NodeSpec } from '../common.ts';
import type { PlayNode } from '../types.ts';

/** The `play` kind in the schema layer. */
export const playSpec: NodeSpec<PlayNode> = {
  kind: 'play',
  schema: nodeSchema(
    'play',
    'Plays a WAV file of the tenant (converted to 8 kHz mono once), then goes on.',
    {
      file: audioName,
      bargeIn: { type: 'boolean', default: false },
      next: nodeRef,
    },
    ['file', 'next'],
  ),
  waits: true,
  exits: (n) => exit('/next', n.next),
  check: () => [],
  texts: () => [],
  prompts: () => [],
};
