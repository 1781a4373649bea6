// The code-driven Simulation the demo uses: registration from a server handle, calls placed one by one, correlated outcomes, narration events.
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulationEvent } from './simulation.ts';
import { Simulation } from './simulation.ts';
import { startMiniServer } from './testing/mini-server.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Simulation (the demo’s driver)', () => {
  it('registers a gateway and agents from the server handle, places calls one by one and reports each outcome with its narration', async () => {
    const server = await startMiniServer({
      domain: 'demo.test',
      gateway: { username: 'gw-demo', password: 'demo-secret' },
      agents: [
        { extension: '201', password: 'pw-201' },
        { extension: '202', password: 'pw-202' },
      ],
      greeting: { hz: 440, ms: 500 },
      rtpPorts: { min: 15000, max: 15299 },
    });
    cleanups.push(() => server.close());
    const events: SimulationEvent[] = [];
    const sim = await Simulation.start({
      server,
      gateway: { callerIds: { kind: 'list', numbers: ['+15550201', '+15550202'] } },
      agents: { behaviour: { action: 'answer', ringMs: 200 } },
      rtpPorts: { min: 15300, max: 15499 },
      onEvent: (e) => events.push(e),
    });
    cleanups.push(() => sim.close());
    expect(sim.registrations.map((r) => [r.role, r.user, r.ok])).toEqual([
      ['agent', '201', true],
      ['agent', '202', true],
      ['gateway', 'gw-demo', true],
    ]);

    const first = await sim.call({ talkMs: 2000 });
    expect(first.caller).toMatchObject({ outcome: 'answered', from: '+15550201', to: '02188886666' });
    expect(first.agent).toMatchObject({ outcome: 'answered', endedBy: 'remote' });
    expect(first.agentExtension).toBe('201');
    expect(first.ivrMs).toBeGreaterThanOrEqual(450);
    expect(first.agentAnswerMs).toBeGreaterThan(first.ivrMs as number);
    expect(first.audio).toEqual({ greeting: true, callerHeardAgent: true, agentHeardCaller: true });

    const second = await sim.call({ talkMs: 1500 });
    expect(second.agentExtension).toBe('202');
    expect(second.caller.from).toBe('+15550202');

    const types = events.filter((e) => 'id' in e && e.id === 1).map((e) => e.type);
    expect(types).toEqual(['call.placed', 'call.answered', 'agent.ringing', 'agent.answered', 'call.ended']);
  }, 20_000);

  it('refuses to start without a gateway account', async () => {
    await expect(Simulation.start({ server: { sip: { host: '127.0.0.1', port: 5060 }, domain: 'x.test' } })).rejects.toMatchObject({ code: 'invalid-state' });
  });
});
