// The `gather` node: DTMF input (RFC 4733 events or in-band, as the call delivers them) with first-key, inter-key and overall timeouts, terminator, retries with a re-prompt, branches by value.
//
// Keys are collected one at a time (CallControl.collect with maxDigits 1), so that the overall timeout can bound each
// wait and the terminator is handled here; keys pressed during a barge-in prompt are buffered by the call and count.
//
//   attempt 1:            prompt ─▶ keys ─▶ match? ─▶ branch / next
//   attempt 2…1+retries:  reprompt ─▶ prompt ─▶ keys …   (a key during the reprompt skips the prompt)
//   after the last miss:  noInput (nothing or too few keys) / noMatch (keys matching no branch)
import { CallEndedError } from '../../../engine/call/types.ts';
import type { Digit } from '../../../engine/call/types.ts';
import { gatherSpec } from '../../schema/nodes/gather.ts';
import type { GatherNode } from '../../schema/types.ts';
import { abortable } from '../abort.ts';
import { playAndWait, promptSource } from '../prompt.ts';
import type { NodeContext, NodeResult } from '../types.ts';

/** The schema of `gather` nodes. */
export const schema = gatherSpec.schema;

/** Defaults of optional gather fields. */
export const GATHER_DEFAULTS = Object.freeze({ minDigits: 1, maxDigits: 1, timeoutSec: 5, interDigitTimeoutSec: 3, retries: 2, bargeIn: true });

/** Collects one attempt's keys. */
async function collectKeys(ctx: NodeContext, node: GatherNode, signal: AbortSignal): Promise<{ digits: string; terminated: boolean }> {
  const max = node.maxDigits ?? GATHER_DEFAULTS.maxDigits;
  const firstMs = (node.timeoutSec ?? GATHER_DEFAULTS.timeoutSec) * 1000;
  const interMs = (node.interDigitTimeoutSec ?? GATHER_DEFAULTS.interDigitTimeoutSec) * 1000;
  const overallMs = node.overallTimeoutSec !== undefined ? node.overallTimeoutSec * 1000 : Infinity;
  const started = ctx.clock.now();
  let digits = '';
  while (digits.length < max) {
    let wait = digits.length === 0 ? firstMs : interMs;
    const left = overallMs - (ctx.clock.now() - started);
    if (left <= 0) break;
    wait = Math.max(1, Math.min(wait, left));
    const r = await abortable(
      ctx.call.collect({ minDigits: 1, maxDigits: 1, firstDigitTimeoutMs: wait, interDigitTimeoutMs: wait, useBuffered: true }),
      signal,
    );
    if (r.reason === 'hangup') throw new CallEndedError();
    if (r.digits.length === 0) break; // timeout
    const key = r.digits[0] as Digit;
    if (node.terminator !== undefined && key === node.terminator) return { digits, terminated: true };
    digits += key;
  }
  return { digits, terminated: false };
}

/** Runs the attempts and picks the exit. */
export async function run(ctx: NodeContext, node: GatherNode, signal: AbortSignal): Promise<NodeResult> {
  const attempts = 1 + (node.retries ?? GATHER_DEFAULTS.retries);
  const min = node.minDigits ?? GATHER_DEFAULTS.minDigits;
  const bargeIn = node.bargeIn ?? GATHER_DEFAULTS.bargeIn;
  let miss: 'no-input' | 'no-match' = 'no-input';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let keyPressed = false;
    if (attempt > 1 && node.reprompt !== undefined) {
      keyPressed = (await playAndWait(ctx, promptSource(ctx, node.reprompt), bargeIn, signal)).reason === 'barge-in';
    }
    if (!keyPressed && node.prompt !== undefined) await playAndWait(ctx, promptSource(ctx, node.prompt), bargeIn, signal);
    const { digits } = await collectKeys(ctx, node, signal);
    if (digits.length === 0) {
      miss = 'no-input';
      continue;
    }
    if (node.branches !== undefined) {
      if (digits.length >= min && Object.hasOwn(node.branches, digits)) {
        if (node.saveAs !== undefined) ctx.setVar(node.saveAs, digits);
        return { next: node.branches[digits], outcome: 'matched', detail: { value: digits, attempts: attempt } };
      }
      miss = 'no-match';
      continue;
    }
    if (digits.length < min) {
      miss = 'no-input';
      continue;
    }
    if (node.saveAs !== undefined) ctx.setVar(node.saveAs, digits);
    // Free input may be a PIN or a card number: the path records its length only.
    return { next: node.next, outcome: 'input', detail: { length: digits.length, attempts: attempt } };
  }
  if (miss === 'no-match' && node.noMatch !== undefined) return { next: node.noMatch, outcome: 'no-match', detail: { attempts } };
  return { next: node.noInput, outcome: 'no-input', detail: { attempts } };
}
