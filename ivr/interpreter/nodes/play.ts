// The `play` node: a tenant WAV file (any rate/channels, converted to 8 kHz once) through CallControl.play (DESIGN.md §3 "Flows").
import { playSpec } from '../../schema/nodes/play.ts';
import type { PlayNode } from '../../schema/types.ts';
import { playAndWait } from '../prompt.ts';
import type { NodeContext, NodeResult } from '../types.ts';

/** The schema of `play` nodes. */
export const schema = playSpec.schema;

/** Plays the file and resolves when playback has ended or a key stopped it. */
export async function run(ctx: NodeContext, node: PlayNode, signal: AbortSignal): Promise<NodeResult> {
  const r = await playAndWait(ctx, ctx.host.prompts.file(node.file), node.bargeIn ?? false, signal);
  return { next: node.next, outcome: r.reason === 'ended' ? 'played' : r.reason };
}
