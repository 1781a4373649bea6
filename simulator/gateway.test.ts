// Gateway simulator against a mini server on real sockets: digest registration and refresh (RFC 3261 §10.2, §22.2), OPTIONS keepalive (§11.2), an inbound call heard both ways with recordings, lines and 486 busy, outbound calls answered like a customer phone.
import { afterEach, describe, expect, it } from 'vitest';
import { RtpLeg } from '../engine/media/index.ts';
import { createOffer, writeSdp } from '../engine/sdp/index.ts';
import { AgentSimulator } from './agent.ts';
import { GatewaySimulator } from './gateway.ts';
import { SimulatorError } from './errors.ts';
import type { MiniServer } from './testing/mini-server.ts';
import { startMiniServer } from './testing/mini-server.ts';
import { tempDir, until, wavTones } from './testing/helpers.ts';

const DOMAIN = 'acme.test';
const GW = { username: 'gw1', password: 'gw-secret' };
const AGENTS = [{ extension: '100', password: 'pw-100' }];
const NUMBER = '02188886666';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(opts: Parameters<typeof startMiniServer>[0] extends infer T ? Partial<T> : never = {}): Promise<MiniServer> {
  const s = await startMiniServer({ domain: DOMAIN, gateway: GW, agents: AGENTS, rtpPorts: { min: 10000, max: 10499 }, ...opts });
  cleanups.push(() => s.close());
  return s;
}

function gateway(s: MiniServer, opts: Partial<ConstructorParameters<typeof GatewaySimulator>[0]> = {}): GatewaySimulator {
  const g = new GatewaySimulator({ server: s.sip, domain: DOMAIN, ...GW, rtpPorts: { min: 10500, max: 10999 }, ...opts });
  cleanups.push(() => g.close());
  return g;
}

describe('gateway simulator: registration (RFC 3261 §10.2, §22.2)', () => {
  it('registers with digest auth, refreshes before expiry with the same Call-ID (§10.2.4), answers OPTIONS keepalives (§11.2) and un-registers on close', async () => {
    const s = await server();
    const events: string[] = [];
    s.engine.registrar.on('registered', () => events.push('registered'));
    s.engine.registrar.on('refreshed', () => events.push('refreshed'));
    s.engine.registrar.on('unregistered', () => events.push('unregistered'));
    const g = gateway(s, { registration: { expires: 2, refreshRatio: 0.4 } });
    const first = await g.start();
    expect(first).toMatchObject({ ok: true, status: 200, expires: 2 });
    expect(s.engine.registrar.stats().authFailures ?? 0).toBe(0);
    await until(() => g.registration.registrations >= 3, 5000, 'two refreshes');
    expect(events.slice(0, 3)).toEqual(['registered', 'refreshed', 'refreshed']);
    const bindings = await s.engine.registrar.bindings(`sip:${GW.username}@${DOMAIN}`);
    expect(bindings).toHaveLength(1);
    expect(bindings[0].contact).toBe(`sip:${GW.username}@127.0.0.1:${g.port}`);
    // The server's keepalive: an OPTIONS to the registered contact over the registered flow.
    const ping = await s.engine.ua.ping(bindings[0].source, bindings[0].contact);
    expect(ping).toMatchObject({ ok: true, status: 200 });
    await g.close();
    expect(events).toContain('unregistered');
    expect(await s.engine.registrar.bindings(`sip:${GW.username}@${DOMAIN}`)).toEqual([]);
  });

  it('reports a refused registration (wrong password) without retrying', async () => {
    const s = await server();
    const g = gateway(s, { password: 'wrong' });
    const r = await g.start();
    expect(r?.ok).toBe(false);
    expect([401, 403]).toContain(r?.status);
    expect(g.registration.state).toBe('failed');
    expect(await s.engine.registrar.bindings(`sip:${GW.username}@${DOMAIN}`)).toEqual([]);
  });
});

describe('gateway simulator: calls through the server', () => {
  it('places an inbound call to sip:NUMBER@DOMAIN, hears the greeting and the agent, the agent hears the caller; both recordings hold the right tones', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const s = await server({ recordDir: dir });
    const agents = new AgentSimulator({
      server: s.sip,
      domain: DOMAIN,
      extensions: AGENTS,
      behaviour: { action: 'answer', ringMs: 200 },
      agentAudio: { kind: 'tone', frequencies: [1000] },
      probes: [600],
      recordDir: dir,
      rtpPorts: { min: 11000, max: 11499 },
    });
    cleanups.push(() => agents.close());
    expect((await agents.start()).map((r) => r.ok)).toEqual([true]);
    const g = gateway(s, { callerAudio: { kind: 'tone', frequencies: [600] }, probes: [440, 1000], recordDir: dir });
    expect((await g.start())?.ok).toBe(true);

    const call = await g.placeCall({ number: NUMBER, caller: '+15550001', talkMs: 2600 });
    expect(g.linesInUse).toBe(1);
    const r = await call.ended;
    expect(r).toMatchObject({ direction: 'outgoing', outcome: 'answered', status: 200, endedBy: 'local', from: '+15550001', to: NUMBER });
    expect(r.setupMs).toBeGreaterThan(0);
    expect(r.setupMs).toBeLessThan(1000);
    // What the caller heard after the answer: the 440 Hz greeting, then the agent's 1 kHz tone.
    const heard = r.heard.find((h) => h.label === 'answered');
    expect(heard?.toneFrames['440']).toBeGreaterThanOrEqual(15);
    expect(heard?.toneFrames['1000']).toBeGreaterThanOrEqual(30);
    expect(r.quality?.packets).toBeGreaterThan(80);
    expect(r.quality?.lossPercent).toBe(0);
    // The agent's side.
    await until(() => agents.phone('100')?.history[0]?.result !== undefined, 3000, 'the agent leg to end');
    const a = agents.phone('100')?.history[0]?.result;
    expect(a).toMatchObject({ direction: 'incoming', outcome: 'answered', endedBy: 'remote', from: '+15550001', to: '100' });
    expect(a?.heard.find((h) => h.label === 'answered')?.toneFrames['600']).toBeGreaterThanOrEqual(30);
    // The server bridged and recorded.
    const [outcome] = await s.waitForOutcomes(1);
    expect(outcome).toMatchObject({ greeting: 'ended', dial: 'answered', agent: '100', endedBy: 'caller' });
    // Recordings: left = heard, right = sent.
    const gwWav = await wavTones(r.recording as string);
    expect(gwWav.channels).toBe(2);
    expect(gwWav.level(0, 1000)).toBeGreaterThan(5 * gwWav.level(0, 600));
    expect(gwWav.level(1, 600)).toBeGreaterThan(5 * gwWav.level(1, 1000));
    const agWav = await wavTones(a?.recording as string);
    expect(agWav.level(0, 600)).toBeGreaterThan(5 * agWav.level(0, 1000));
    expect(agWav.level(1, 1000)).toBeGreaterThan(5 * agWav.level(1, 600));
    expect(g.linesInUse).toBe(0);
    expect(s.manager.active).toBe(0);
  });

  it('refuses a call beyond its lines (no-free-line) and answers 486 to the server when all lines are used, then takes the outbound call like a customer phone once a line is free', async () => {
    const s = await server({ dial: false, holdMs: 1200 });
    const g = gateway(s, { lines: 1, customer: { action: 'answer', ringMs: 200, talkMs: 400 } });
    await g.start();
    const first = await g.placeCall({ number: NUMBER });
    await until(() => first.up, 3000, 'the first call to be answered');
    await expect(g.placeCall({ number: NUMBER })).rejects.toSatisfy((e: unknown) => e instanceof SimulatorError && e.code === 'no-free-line');

    // The server calls a customer through the gateway (outbound).
    const leg = await RtpLeg.open(s.manager.ports, { clock: s.manager.clock, log: () => {} }, { address: '127.0.0.1' });
    cleanups.push(() => leg.close());
    const offer = writeSdp(createOffer({ address: '127.0.0.1', port: leg.ports.rtp }));
    const dest = { transport: 'udp' as const, address: '127.0.0.1', port: g.port };
    const outcome = (): Promise<string> =>
      new Promise((resolve) => {
        s.engine.sessions.call(
          { uri: `sip:+15557777@127.0.0.1:${g.port}`, dest, from: `<sip:${NUMBER}@${DOMAIN}>`, sdp: offer },
          { onFailed: (st) => resolve(`failed ${st}`), onAnswered: () => resolve('answered'), onEnded: () => undefined },
        );
      });
    expect(await outcome()).toBe('failed 486');
    await first.ended;
    const events: string[] = [];
    const answered = await new Promise<string>((resolve) => {
      s.engine.sessions.call(
        { uri: `sip:+15557777@127.0.0.1:${g.port}`, dest, from: `<sip:${NUMBER}@${DOMAIN}>`, sdp: offer },
        {
          onProgress: (res) => events.push(String(res.status)),
          onAnswered: () => events.push('200'),
          onFailed: (st) => resolve(`failed ${st}`),
          onEnded: (reason) => resolve(reason),
        },
      );
    });
    expect(answered).toBe('remote-bye');
    expect(events).toContain('180');
    expect(events).toContain('200');
    expect(g.dialed).toEqual(['+15557777', '+15557777']);
    await until(() => g.finished.length === 2, 2000, 'the customer leg to end');
    const customer = g.finished[1].result;
    expect(customer).toMatchObject({ direction: 'incoming', outcome: 'answered', endedBy: 'local', to: '+15557777' });
    expect(customer?.talkMs).toBeGreaterThanOrEqual(350);
  });
});
