// Agent softphones against a mini server: decline (603), busy (486), never answer until CANCEL (RFC 3261 §9), one call per extension, hold/unhold by re-INVITE (RFC 3264 §8.4).
import { afterEach, describe, expect, it } from 'vitest';
import { PortAllocator } from '../engine/media/index.ts';
import { RealScheduler } from '../engine/util/scheduler.ts';
import { AgentSimulator } from './agent.ts';
import { AudioLibrary } from './audio.ts';
import { SimCall } from './call.ts';
import { GatewaySimulator } from './gateway.ts';
import type { PhoneBehaviour } from './phone.ts';
import type { MiniServer } from './testing/mini-server.ts';
import { startMiniServer } from './testing/mini-server.ts';
import { until } from './testing/helpers.ts';

const DOMAIN = 'acme.test';
const GW = { username: 'gw1', password: 'gw-secret' };
const NUMBER = '02188886666';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(behaviour: PhoneBehaviour, dialTimeoutMs = 3000): Promise<{ s: MiniServer; agents: AgentSimulator; g: GatewaySimulator }> {
  const s = await startMiniServer({ domain: DOMAIN, gateway: GW, agents: [{ extension: '200', password: 'pw-200' }], greeting: { hz: 440, ms: 200 }, dialTimeoutMs, rtpPorts: { min: 12500, max: 12899 } });
  cleanups.push(() => s.close());
  const agents = new AgentSimulator({ server: s.sip, domain: DOMAIN, extensions: [{ extension: '200', password: 'pw-200' }], behaviour, probes: [600, 700], rtpPorts: { min: 13000, max: 13299 } });
  cleanups.push(() => agents.close());
  expect((await agents.start())[0]).toMatchObject({ ok: true, status: 200 });
  const g = new GatewaySimulator({ server: s.sip, domain: DOMAIN, ...GW, rtpPorts: { min: 13300, max: 13499 } });
  cleanups.push(() => g.close());
  await g.start();
  return { s, agents, g };
}

describe('agent simulator: how a softphone treats a call (RFC 3261 §13.3.1)', () => {
  it('declines with 603 after ringing; the server sees the dial fail with 603', async () => {
    const { s, agents, g } = await setup({ action: 'decline', ringMs: 300 });
    const call = await g.placeCall({ number: NUMBER });
    await call.ended;
    const [o] = await s.waitForOutcomes(1);
    expect(o).toMatchObject({ agent: '200', dial: 'failed', dialStatus: 603 });
    const a = await agents.phone('200')?.history[0]?.ended;
    expect(a).toMatchObject({ outcome: 'declined', status: 603, endedBy: 'local' });
    expect(a?.ringingMs).toBeGreaterThanOrEqual(0);
  });

  it('is busy (486) at once; the server sees busy', async () => {
    const { s, agents, g } = await setup({ action: 'busy', ringMs: 0 });
    await (await g.placeCall({ number: NUMBER })).ended;
    const [o] = await s.waitForOutcomes(1);
    expect(o).toMatchObject({ dial: 'busy', dialStatus: 486 });
    expect(agents.phone('200')?.refused).toBe(1);
    expect(agents.phone('200')?.history).toHaveLength(0);
  });

  it('never answers: rings until the server gives up and cancels (RFC 3261 §9)', async () => {
    const { s, agents, g } = await setup({ action: 'no-answer', ringMs: 0 }, 800);
    await (await g.placeCall({ number: NUMBER })).ended;
    const [o] = await s.waitForOutcomes(1);
    expect(o.dial).toBe('no-answer');
    const a = await agents.phone('200')?.history[0]?.ended;
    expect(a).toMatchObject({ outcome: 'cancelled', endedBy: 'remote' });
    expect(a?.setupMs).toBeUndefined();
  });

  it('refuses a second call with 486 while on a call (one call per extension)', async () => {
    const { s, agents, g } = await setup({ action: 'answer', ringMs: 100 });
    const first = await g.placeCall({ number: NUMBER, talkMs: 1500 });
    await until(() => agents.phone('200')?.history[0]?.up === true, 3000, 'the agent to answer');
    const second = await g.placeCall({ number: NUMBER, talkMs: 200 });
    await Promise.all([first.ended, second.ended]);
    const outcomes = await s.waitForOutcomes(2);
    expect(outcomes.map((x) => x.dial).sort()).toEqual(['answered', 'busy']);
    expect(agents.phone('200')?.refused).toBe(1);
  });

  it('holds with a sendonly re-INVITE and resumes with sendrecv (RFC 3264 §8.4): nothing is heard while held', async () => {
    const { s, agents } = await setup({ action: 'answer', ringMs: 100, talkMs: 2400, hold: { afterMs: 600, durationMs: 900 } });
    // The server side of this test is a direct leg (engine/call's dial refuses re-INVITEs from agents with 488).
    const [target] = await s.engine.registrar.lookup(`sip:200@${DOMAIN}`);
    const ctx = { sessions: s.engine.sessions, media: { clock: s.manager.clock, ports: new PortAllocator({ min: 12900, max: 12999 }), address: '127.0.0.1' }, scheduler: new RealScheduler() };
    const lib = new AudioLibrary();
    const server = await SimCall.dial(
      ctx,
      { uri: target.requestUri, dest: target.destination, from: `<sip:+15550009@${DOMAIN}>` },
      { audio: await lib.prompt({ kind: 'tone', frequencies: [700] }), probes: [1000] },
    );
    const r = await server.ended;
    expect(r).toMatchObject({ outcome: 'answered', endedBy: 'remote' });
    // The server-side leg was told to stop sending while held, and its frames were held back.
    expect(server.leg.counters.holdDroppedOut).toBeGreaterThan(20);
    expect(r.heard.map((h) => h.label)).toEqual(['answered', 'held', 'resumed']);
    const a = await agents.phone('200')?.history[0]?.ended;
    const seg = (label: string) => a?.heard.find((h) => h.label === label);
    expect(a?.heard.map((h) => h.label)).toEqual(['answered', 'hold', 'resumed']);
    expect(seg('answered')?.toneFrames['700']).toBeGreaterThanOrEqual(15);
    expect(seg('hold')?.frames).toBeLessThanOrEqual(3);
    expect(seg('resumed')?.toneFrames['700']).toBeGreaterThanOrEqual(15);
    // The agent kept talking while holding (its sendonly stream), so the server heard it throughout.
    expect(r.heard.find((h) => h.label === 'held')?.toneFrames['1000']).toBeGreaterThanOrEqual(25);
  });
});
