// The `say` and `play` nodes: speech and files through CallControl.play, waiting for the end, barge-in, language/voice defaults (DESIGN.md §1).
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../log.ts';
import { promptFactory } from '../../media/prompts.ts';
import { TtsCache } from '../../tts/cache.ts';
import { TtsService } from '../../tts/service.ts';
import type { SynthesisResult, TtsProvider } from '../../tts/types.ts';
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

describe('say with real prompts', () => {
  it('a prompt whose audio cannot be made is logged and skipped: the call goes on', async () => {
    const host = new FakeFlowHost();
    host.prompts = {
      speech: (text) => ({ key: `bad:${text}`, render: () => Promise.reject(new Error('tts down')) }),
      file: (name) => ({ key: name, render: async () => new Int16Array(8) }),
    };
    const call = new ScriptedCall({ renderPrompts: true });
    const log = new MemoryLogger();
    const r = await runFlow(call, flowOf({ a: { type: 'say', text: 'Hi', next: 'b' }, b: { type: 'hangup', reason: 'reached' } }), host, { log });
    expect(r.path.map((s) => s.outcome)).toEqual(['failed', 'hangup']);
    expect(call.opsOf('hangup')[0].reason).toBe('reached');
    expect(log.entries.some((e) => e.level === 'error' && e.obj.prompt === 'bad:Hi')).toBe(true);
  });

  it('say plays through the tenant TtsService: the played prompt renders 8 kHz speech from its provider', async () => {
    const provider: TtsProvider = {
      id: 'fake',
      voiceFor: (v) => v.language ?? 'none',
      synthesize: async (text): Promise<SynthesisResult> => ({ pcm: new Float32Array(1600 * text.length).fill(0.2), sampleRate: 16000 }),
    };
    const tts = new TtsService({ provider, embedded: provider, cache: new TtsCache() });
    const host = new FakeFlowHost();
    host.prompts = promptFactory({ tts, audioDir: '/nonexistent' });
    const call = new ScriptedCall({ renderPrompts: true });
    await runFlow(call, flowOf({ a: { type: 'say', text: 'Hello', next: 'b' }, b: { type: 'hangup' } }, 'a', { language: 'en' }), host);
    const key = tts.prompt('Hello', { language: 'en' }).key;
    expect(call.played).toEqual([key]);
    expect(call.rendered.get(key)?.length).toBe(4000); // 5 × 0.1 s at 16 kHz → 0.5 s at 8 kHz
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
