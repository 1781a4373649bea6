// The `gather` node: DTMF input with first-key, inter-key and overall timeouts, terminator, retries with a re-prompt, branches, noInput/noMatch (keys as RFC 4733 events or in-band, delivered by CallControl.collect).
import { describe, expect, it } from 'vitest';
import type { GatherNode } from '../../schema/types.ts';
import { runFlow } from '../interpreter.ts';
import { FakeFlowHost } from '../testing/fake-host.ts';
import { flowOf } from '../testing/flows.ts';
import { ScriptedCall } from '../testing/scripted-call.ts';
import type { FlowRunResult } from '../types.ts';

const exits = { sales: { type: 'hangup', reason: 'sales' }, support: { type: 'hangup', reason: 'support' }, silent: { type: 'hangup', reason: 'no-input' }, wrong: { type: 'hangup', reason: 'no-match' } } as const;

function menu(extra: Partial<GatherNode> = {}): GatherNode {
  return {
    type: 'gather',
    prompt: { say: 'For sales press 1, for support press 2.' },
    reprompt: { say: 'Sorry.' },
    branches: { '1': 'sales', '2': 'support' },
    noInput: 'silent',
    noMatch: 'wrong',
    ...extra,
  };
}

async function run(call: ScriptedCall, node: GatherNode, clock?: { now(): number }): Promise<FlowRunResult> {
  return runFlow(call, flowOf({ menu: node, ...exits }, 'menu'), new FakeFlowHost(), clock ? { clock } : {});
}

const reason = (call: ScriptedCall): string | undefined => call.opsOf('hangup')[0]?.reason;

describe('gather', () => {
  it('a key during the prompt (barge-in) picks its branch on the first attempt', async () => {
    const call = new ScriptedCall({ onPlay: () => ({ press: '2' }) });
    const r = await run(call, menu({ saveAs: 'choice' }));
    expect(reason(call)).toBe('support');
    expect(r.path[0]).toMatchObject({ outcome: 'matched', detail: { value: '2', attempts: 1 } });
    expect(r.vars.choice).toBe('2');
    expect(call.played).toEqual(['speech:-:-:For sales press 1, for support press 2.']);
    expect(call.opsOf('play')[0].opts.bargeIn).toBe(true);
  });

  it('retries with the re-prompt after no input and after a wrong key, then matches', async () => {
    const call = new ScriptedCall();
    call.pause().press('9').press('1');
    const r = await run(call, menu());
    expect(reason(call)).toBe('sales');
    expect(call.played).toEqual([
      'speech:-:-:For sales press 1, for support press 2.',
      'speech:-:-:Sorry.',
      'speech:-:-:For sales press 1, for support press 2.',
      'speech:-:-:Sorry.',
      'speech:-:-:For sales press 1, for support press 2.',
    ]);
    expect(r.path[0].detail).toMatchObject({ attempts: 3 });
  });

  it('takes noInput after every attempt timed out (1 + retries attempts)', async () => {
    const call = new ScriptedCall();
    const r = await run(call, menu({ retries: 1 }));
    expect(reason(call)).toBe('no-input');
    expect(r.path[0]).toMatchObject({ outcome: 'no-input', detail: { attempts: 2 } });
    expect(call.opsOf('collect')).toHaveLength(2);
  });

  it('takes noMatch when the last attempt had keys matching no branch', async () => {
    const call = new ScriptedCall();
    call.pause().press('7').press('8');
    const r = await run(call, menu({ retries: 2 }));
    expect(reason(call)).toBe('no-match');
    expect(r.path[0].outcome).toBe('no-match');
  });

  it('a key during the re-prompt skips the prompt on that attempt', async () => {
    const call = new ScriptedCall({ onPlay: (p) => (p.key.endsWith('Sorry.') ? { press: '1' } : 'end') });
    call.pause();
    await run(call, menu());
    expect(reason(call)).toBe('sales');
    expect(call.played.filter((k) => k.includes('For sales'))).toHaveLength(1);
  });

  it('collects several keys up to the terminator, which is not part of the value; free input is logged by length only', async () => {
    const call = new ScriptedCall();
    call.press('40213#');
    const r = await runFlow(
      call,
      flowOf({ code: { type: 'gather', minDigits: 4, maxDigits: 8, terminator: '#', saveAs: 'order', next: 'ok', noInput: 'silent' }, ok: { type: 'hangup', reason: 'ok' }, silent: { type: 'hangup' } }),
      new FakeFlowHost(),
    );
    expect(r.vars.order).toBe('40213');
    expect(r.path[0]).toMatchObject({ outcome: 'input', detail: { length: 5, attempts: 1 } });
    expect(JSON.stringify(r.path)).not.toContain('40213');
    expect(reason(call)).toBe('ok');
  });

  it('stops at maxDigits without a terminator', async () => {
    const call = new ScriptedCall();
    call.press('123456');
    const r = await runFlow(call, flowOf({ g: { type: 'gather', maxDigits: 3, saveAs: 'x', next: 'e', noInput: 'e' }, e: { type: 'hangup' } }), new FakeFlowHost());
    expect(r.vars.x).toBe('123');
    expect(call.opsOf('collect')).toHaveLength(3);
  });

  it('fewer keys than minDigits count as no input', async () => {
    const call = new ScriptedCall();
    call.press('12').pause();
    const r = await runFlow(call, flowOf({ g: { type: 'gather', minDigits: 3, maxDigits: 5, retries: 0, next: 'e', noInput: 'n' }, e: { type: 'hangup' }, n: { type: 'hangup', reason: 'n' } }), new FakeFlowHost());
    expect(r.path[0].outcome).toBe('no-input');
    expect(reason(call)).toBe('n');
  });

  it('asks the call for the first key within timeoutSec and for later keys within interDigitTimeoutSec', async () => {
    const call = new ScriptedCall();
    call.press('12').pause();
    await runFlow(call, flowOf({ g: { type: 'gather', maxDigits: 4, timeoutSec: 7, interDigitTimeoutSec: 2, retries: 0, next: 'e', noInput: 'e' }, e: { type: 'hangup' } }), new FakeFlowHost());
    const waits = call.opsOf('collect').map((c) => c.opts.firstDigitTimeoutMs);
    expect(waits).toEqual([7000, 2000, 2000]);
    for (const c of call.opsOf('collect')) expect(c.opts).toMatchObject({ minDigits: 1, maxDigits: 1, useBuffered: true });
  });

  it('the overall timeout bounds an attempt: the waits shrink to what is left and the attempt ends when it is spent', async () => {
    const call = new ScriptedCall();
    call.press('123456');
    let now = 0;
    const clock = { now: () => now };
    // Each key arrives 1.5 s after the previous one (the clock moves when collect is asked).
    const collect = call.collect.bind(call);
    call.collect = async (opts) => {
      now += 1500;
      return collect(opts);
    };
    const r = await runFlow(
      call,
      flowOf({ g: { type: 'gather', maxDigits: 6, interDigitTimeoutSec: 3, overallTimeoutSec: 4, saveAs: 'x', next: 'e', noInput: 'e' }, e: { type: 'hangup' } }),
      new FakeFlowHost(),
      { clock },
    );
    expect(r.vars.x).toBe('123');
    expect(call.opsOf('collect').map((c) => c.opts.firstDigitTimeoutMs)).toEqual([4000, 2500, 1000]);
  });

  it('caller hangs up while waiting for keys: the flow stops with outcome hangup', async () => {
    const call = new ScriptedCall();
    call.collect = () => new Promise(() => {}); // keys never come
    const p = run(call, menu());
    await new Promise((r) => setImmediate(r));
    call.callerHangsUp();
    const r = await p;
    expect(r.outcome).toBe('hangup');
    expect(r.path[0].outcome).toBe('hangup');
  });
});
