// The `say` node: text to speech through CallControl.play, waiting until playback ends (DESIGN.md §1; barge-in keys kept for a following gather).
import { saySpec } from '../../schema/nodes/say.ts';
import type { SayNode } from '../../schema/types.ts';
import { playAndWait, voiceFor } from '../prompt.ts';
import type { NodeContext, NodeResult } from '../types.ts';

/** The schema of `say` nodes. */
export const schema = saySpec.schema;

/** Speaks the (templated) text and resolves when playback has ended or a key stopped it. */
export async function run(ctx: NodeContext, node: SayNode, signal: AbortSignal): Promise<NodeResult> {
  const prompt = ctx.host.prompts.speech(ctx.render(node.text), voiceFor(ctx, node.language, node.voice));
  const r = await playAndWait(ctx, prompt, node.bargeIn ?? false, signal);
  return { next: node.next, outcome: r.reason === 'ended' ? 'played' : r.reason };
}
