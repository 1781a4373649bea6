// The `record` node: a voicemail — optional prompt, a beep, then the caller alone until the max length, silence or # — saved like a call recording (DESIGN.md §3 "Flows").
import { recordSpec } from '../../schema/nodes/record.ts';
import type { RecordNode } from '../../schema/types.ts';
import { abortable } from '../abort.ts';
import { playAndWait, promptSource } from '../prompt.ts';
import type { FlowRecording, NodeContext, NodeResult } from '../types.ts';

/** The schema of `record` nodes. */
export const schema = recordSpec.schema;

/** Defaults of optional record fields. */
export const RECORD_DEFAULTS = Object.freeze({ beep: true, maxSec: 120, endOnSilenceSec: 5, endOnHash: true });

/** Plays the prompt, records, reports the recording, and goes on. */
export async function run(ctx: NodeContext, node: RecordNode, signal: AbortSignal): Promise<NodeResult> {
  if (node.prompt !== undefined) await playAndWait(ctx, promptSource(ctx, node.prompt), false, signal);
  const info = ctx.call.info;
  const path = ctx.host.recordingPath('voicemail', info);
  const r = await abortable(
    ctx.call.voicemail({
      path,
      maxMs: (node.maxSec ?? RECORD_DEFAULTS.maxSec) * 1000,
      beep: node.beep ?? RECORD_DEFAULTS.beep,
      endOnSilenceMs: (node.endOnSilenceSec ?? RECORD_DEFAULTS.endOnSilenceSec) * 1000,
      endOnHash: node.endOnHash ?? RECORD_DEFAULTS.endOnHash,
    }),
    signal,
  );
  const recording: FlowRecording = { kind: 'voicemail', path: r.path, node: ctx.node, durationMs: r.durationMs };
  ctx.report.recordings.push(recording);
  if (node.saveAs !== undefined) ctx.setVar(node.saveAs, r.path);
  try {
    await ctx.host.onRecording?.(recording, info);
  } catch (err) {
    ctx.log.warn({ err, path: r.path }, 'record: onRecording failed');
  }
  return { next: node.next, outcome: 'recorded', detail: { durationMs: r.durationMs } };
}
