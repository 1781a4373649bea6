// The `say` and `play` nodes: speech and files through CallControl.play, waiting for the end, barge-in, language/voice defaults (DESIGN.md §1).
import { describe, expect, it } from 'vitest';
import { runFlow } from '../interpreter.ts';
import { FakeFlowHost } from '../testing/fake-host.ts';
import { flowOf, settledWithinATurn, until } from '../testing/flows.ts';
import { ScriptedCall } from '../testing/scripted-call.ts';

describe('say', () => {
  it('plays the speech and waits until playback ends before the next node', async () => {
    const call = new ScriptedCall({ onPlay: (_, i) => (i === 0 ? 'hold' : 'end') });
    const run = runFlow(call, flowOf({ a: { type: 'say', text: 'Hello', next: 'b' }, b: { type: 'say', text: 'Bye', next: 'c' }, c: { type: 'hangup' } }), new FakeFlowHost());
    await until(() => call.played.length === 1);
    expect(await settledWithinATurn(run)).toBe('pending');
    expect(call.played).toEqual(['speech:-:-:Hello']); // the second say has not started
    call.callerHangsUp();
    await run;
  });

  it('passes bargeIn and records a barge-in outcome; the key stays for a following gather', async () => {
    const call = new ScriptedCall({ onPlay: (_, i) => (i === 0 ? { press: '2' } : 'end') });
    const r = await runFlow(
      call,
      flowOf({
        a: { type: 'say', text: 'Menu', bargeIn: true, next: 'g' },
        g: { type: 'gather', branches: { '2': 'b' }, noMatch: 'c', noInput: 'c' },
        b: { type: 'hangup', reason: 'two' },
        c: { type: 'hangup' },
      }),
      new FakeFlowHost(),
    );
    expect(call.opsOf('play')[0].opts).toEqual({ bargeIn: true });
    expect(r.path.map((s) => s.outcome)).toEqual(['barge-in', 'matched', 'hangup']);
    expect(call.opsOf('hangup')[0].reason).toBe('two');
  });

  it('uses the node’s language and voice, else the flow’s; the flow voice is not used for a node in another language', async () => {
    const call = new ScriptedCall();
    await runFlow(
      call,
      flowOf(
        {
          a: { type: 'say', text: 'one', next: 'b' },
          b: { type: 'say', text: '二', language: 'cmn', next: 'c' },
          c: { type: 'say', text: 'three', voice: 'kal', next: 'd' },
          d: { type: 'hangup' },
        },
        'a',
        { language: 'en-US', voice: 'slt' },
      ),
      new FakeFlowHost(),
    );
    expect(call.played).toEqual(['speech:en-US:slt:one', 'speech:cmn:-:二', 'speech:en-US:kal:three']);
  });
});

describe('play', () => {
  it('plays the tenant file by name and goes on', async () => {
    const call = new ScriptedCall();
    const r = await runFlow(call, flowOf({ a: { type: 'play', file: 'music/intro.wav', next: 'b' }, b: { type: 'hangup' } }), new FakeFlowHost());
    expect(call.played).toEqual(['file:music/intro.wav']);
    expect(call.opsOf('play')[0].opts).toEqual({ bargeIn: false });
    expect(r.path[0].outcome).toBe('played');
  });

  it('caller hangs up during the file: outcome hangup', async () => {
    const call = new ScriptedCall({ onPlay: () => 'hangup' });
    const r = await runFlow(call, flowOf({ a: { type: 'play', file: 'a.wav', next: 'b' }, b: { type: 'hangup' } }), new FakeFlowHost());
    expect(r.outcome).toBe('hangup');
    expect(r.path).toEqual([expect.objectContaining({ node: 'a', outcome: 'hangup' })]);
  });
});
