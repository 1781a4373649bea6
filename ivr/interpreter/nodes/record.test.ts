// The `record` node: a voicemail with prompt, beep, max length, end on silence or #, reported like a call recording (DESIGN.md §3 "Flows").
import { describe, expect, it } from 'vitest';
import { runFlow } from '../interpreter.ts';
import { FakeFlowHost } from '../testing/fake-host.ts';
import { flowOf } from '../testing/flows.ts';
import { ScriptedCall } from '../testing/scripted-call.ts';

describe('record', () => {
  it('plays the prompt, then records with the node’s limits at the host’s path, stores the path and reports the recording', async () => {
    const host = new FakeFlowHost();
    const call = new ScriptedCall({ voicemailMs: 3100 });
    const r = await runFlow(
      call,
      flowOf({
        vm: { type: 'record', prompt: { say: 'Leave a message.' }, beep: false, maxSec: 30, endOnSilenceSec: 2.5, endOnHash: false, saveAs: 'vm', next: 'e' },
        e: { type: 'hangup' },
      }),
      host,
    );
    expect(call.ops.map((o) => o.op)).toEqual(['answer', 'play', 'voicemail', 'hangup']);
    expect(call.opsOf('voicemail')[0].opts).toEqual({ path: '/data/recordings/call-1-voicemail.wav', maxMs: 30_000, beep: false, endOnSilenceMs: 2500, endOnHash: false });
    expect(r.vars.vm).toBe('/data/recordings/call-1-voicemail.wav');
    expect(r.path[0]).toMatchObject({ outcome: 'recorded', detail: { durationMs: 3100 } });
    expect(host.recordings).toEqual([{ kind: 'voicemail', path: '/data/recordings/call-1-voicemail.wav', node: 'vm', durationMs: 3100 }]);
    expect(r.recordings).toEqual(host.recordings);
  });

  it('defaults: beep, 120 s, 5 s of silence, # ends', async () => {
    const call = new ScriptedCall();
    await runFlow(call, flowOf({ vm: { type: 'record', next: 'e' }, e: { type: 'hangup' } }), new FakeFlowHost());
    expect(call.opsOf('voicemail')[0].opts).toMatchObject({ beep: true, maxMs: 120_000, endOnSilenceMs: 5000, endOnHash: true });
    expect(call.played).toEqual([]);
  });
});
