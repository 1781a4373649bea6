// Test helper: builds flow documents and checks them with validateFlow, so interpreter tests only run flows the schema accepts.
import { assertFlow } from '../../schema/validate.ts';
import type { Flow, FlowNode } from '../../schema/types.ts';

/** A validated flow of `nodes` starting at `start` (default: the first node). */
export function flowOf(nodes: Record<string, FlowNode>, start?: string, top: Partial<Flow> = {}): Flow {
  return assertFlow({ version: 1, start: start ?? Object.keys(nodes)[0], ...top, nodes });
}

/** Awaits until `cond` holds, yielding to the event loop between checks (bounded). */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Resolves `'pending'` if `p` has not settled after one turn of the event loop. */
export async function settledWithinATurn<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}
