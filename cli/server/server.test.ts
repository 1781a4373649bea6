import { mkdtemp, rm } from 'node:fs/promises';
import { readWav } from '../../engine/codec/wav.ts';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerAs, startPhone } from '../../test/peers/sip-phone.ts';
import type { IncomingCall } from '../../engine/sip/ua/invite.ts';
import type { UserAgent } from '../../engine/sip/ua/user-agent.ts';
import { Player, PortAllocator, RealtimeMediaClock, RtpLeg, encodePrompt } from '../../engine/media/index.ts';
import { createAnswer, createOffer, negotiated, parseSdp, writeSdp } from '../../engine/sdp/index.ts';
import { defaultPrompts } from './prompts.ts';
import { HotlineServer } from './server.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const until = async (cond: () => boolean, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

function tone(freq: number, ms: number): Int16Array {
  const n = (ms * 8000) / 1000;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(6000 * Math.sin((2 * Math.PI * freq * i) / 8000));
  return out;
}

const phone = (onIncoming?: (c: IncomingCall) => void) => startPhone(cleanups, onIncoming);
const register = (ua: UserAgent, server: HotlineServer, user: string, domain: string, password: string) => registerAs(ua, server.sipPort, user, domain, password);

describe('hotline serve: the main path end to end (issue 6)', () => {
  it('routes a gateway call by called identity, greets, rings the agent, bridges, records, and writes the CDR and affinity', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-serve-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await HotlineServer.start({
      sip: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      rtpPorts: { min: 42000, max: 42999 },
      dataDir,
      adminToken: 'test-operator-token',
      limits: { maxCalls: 10, maxCallsPerTenant: 5 },
      prompts: defaultPrompts(dataDir),
      keepaliveMs: 60_000,
      logger: (await import('pino')).pino({ level: process.env.DEBUG_LOG ? 'debug' : 'silent' }),
    });
    cleanups.push(() => server.stop());
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${server.httpAddress}/api/v1${url}`, {
        method,
        headers: { authorization: 'Bearer test-operator-token', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items?: Array<Record<string, unknown>> } };
    };
    const t = await api('POST', '/tenants', { name: 'Acme', domain: 'acme.example' });
    expect(t.status).toBe(201);
    const tid = t.body.id as string;
    expect((await api('POST', `/tenants/${tid}/numbers`, { number: '02188886666' })).body.calledIdentity).toBe('02188886666@acme.example');
    expect((await api('POST', `/tenants/${tid}/agents`, { extension: '1001', name: 'Alice', password: 'agent-pass-1' })).status).toBe(201);
    const tel = await api('PUT', `/tenants/${tid}/telephony`, { enabled: true });
    const gwAccount = tel.body.gateway as { username: string; password: string };
    expect(gwAccount.password).toBeTruthy();

    const clock = new RealtimeMediaClock();
    cleanups.push(() => clock.close());
    const ports = new PortAllocator({ min: 43000, max: 43999 });
    // The agent's softphone: registers, answers after a ring, talks a 1 kHz tone.
    let agentCalls = 0;
    let agentAnswered = 0;
    const agent = await phone((call) => {
      agentCalls++;
      void (async () => {
        const leg = await RtpLeg.open(ports, { clock }, { address: '127.0.0.1' });
        cleanups.push(() => leg.close());
        const offer = parseSdp(call.offer);
        const answer = createAnswer(offer, { address: '127.0.0.1', port: leg.ports.rtp });
        leg.setMedia(negotiated(answer, offer));
        call.progress(180);
        setTimeout(() => {
          if (call.state === 'terminated') return;
          call.answer(writeSdp(answer));
          agentAnswered++;
          void new Player(leg).play(encodePrompt('agent-tone', tone(1000, 2000)));
        }, 150);
      })();
    });
    expect(await register(agent.ua, server, '1001', 'acme.example', 'agent-pass-1')).toBe(200);
    // The gateway: registers with the tenant's gateway account, then calls in for a customer.
    const gw = await phone();
    expect(await register(gw.ua, server, gwAccount.username, 'acme.example', gwAccount.password)).toBe(200);
    const regs = await api('GET', `/tenants/${tid}/telephony`);
    expect((regs.body.registrations as unknown[]).length).toBe(1);

    const placeCall = async (): Promise<{ heard: number; ended: Promise<void> }> => {
      const leg = await RtpLeg.open(ports, { clock }, { address: '127.0.0.1' });
      cleanups.push(() => leg.close());
      const offer = createOffer({ address: '127.0.0.1', port: leg.ports.rtp });
      const state = { heard: 0, ended: Promise.resolve() };
      leg.setSink({ onRtp: () => void state.heard++, legClosed: () => {} });
      let resolveEnded!: () => void;
      state.ended = new Promise((r) => (resolveEnded = r));
      const out = gw.sessions.call(
        { uri: 'sip:02188886666@acme.example', dest: { transport: 'udp', address: '127.0.0.1', port: server.sipPort }, from: '<sip:13800001111@acme.example>', sdp: writeSdp(offer) },
        {
          onAnswered: (res) => {
            leg.setMedia(negotiated(offer, parseSdp(res.body.toString())));
            void new Player(leg).play(encodePrompt('caller-tone', tone(600, 8000)));
          },
          onEnded: () => resolveEnded(),
        },
      );
      // Talk until the agent has answered and its audio flowed for a second, then hang up.
      const answeredBefore = agentAnswered;
      await until(() => agentAnswered > answeredBefore, 30_000);
      const heardAtAnswer = state.heard;
      await until(() => state.heard > heardAtAnswer + 50, 10_000);
      await out.bye();
      return state;
    };

    const first = await placeCall();
    await first.ended;
    await until(() => server.inbound.active === 0);
    await server.inbound.drain();
    let calls = await api('GET', `/tenants/${tid}/calls`);
    const cdr = calls.body.items?.[0] as { disposition: string; agentId: string; flowPath: string[]; legs: unknown[] };
    expect(cdr.disposition).toBe('answered');
    expect(cdr.flowPath).toEqual(['greeting', 'lastAgent', 'allAgents']);
    expect(cdr.legs.length).toBe(2);
    const recs = await api('GET', `/tenants/${tid}/recordings`);
    expect(recs.body.items?.length).toBe(1);
    const rec = recs.body.items?.[0] as { id: string; durationMs: number; channels: number };
    expect(rec.channels).toBe(2);
    expect(rec.durationMs).toBeGreaterThan(500);
    const audio = await fetch(`${server.httpAddress}/api/v1/tenants/${tid}/recordings/${rec.id}/audio`, { headers: { authorization: 'Bearer test-operator-token' } });
    expect(audio.headers.get('content-type')).toContain('audio/wav');
    const wav = readWav(new Uint8Array(await audio.arrayBuffer()));
    expect(wav.channels).toBe(2);
    expect(wav.frames).toBeGreaterThan(4000);
    // The recording entered the after-call pipeline.
    const jobs = await api('GET', `/tenants/${tid}/transcriptions?recordingId=${rec.id}`);
    expect(jobs.body.items?.length).toBe(1);
    const msgs = await api('GET', `/tenants/${tid}/conversations/${encodeURIComponent('13800001111')}/messages`);
    expect(msgs.body.items?.some((m) => m.kind === 'incoming_call')).toBe(true);

    // The same customer again: the last agent (affinity) takes it at the first transfer.
    await placeCall();
    await until(() => server.inbound.active === 0);
    await server.inbound.drain();
    calls = await api('GET', `/tenants/${tid}/calls`);
    const second = calls.body.items?.[0] as { flowPath: string[]; agentId: string };
    expect(second.flowPath).toEqual(['greeting', 'lastAgent']);
    expect(second.agentId).toBe(cdr.agentId);
  }, 90_000);

  it('refuses unknown called identities (404) and challenges calls not from the tenant gateway (407)', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-serve-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await HotlineServer.start({
      sip: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      rtpPorts: { min: 44000, max: 44099 },
      dataDir,
      adminToken: 'test-operator-token-2',
      limits: { maxCalls: 10, maxCallsPerTenant: 5 },
      prompts: defaultPrompts(dataDir),
      keepaliveMs: 60_000,
      logger: (await import('pino')).pino({ level: 'silent' }),
    });
    cleanups.push(() => server.stop());
    const h = { authorization: 'Bearer test-operator-token-2', 'content-type': 'application/json' };
    const t = (await (await fetch(`${server.httpAddress}/api/v1/tenants`, { method: 'POST', headers: h, body: JSON.stringify({ name: 'B', domain: 'bolt.example' }) })).json()) as { id: string };
    await fetch(`${server.httpAddress}/api/v1/tenants/${t.id}/numbers`, { method: 'POST', headers: h, body: JSON.stringify({ number: '4008001234' }) });
    await fetch(`${server.httpAddress}/api/v1/tenants/${t.id}/telephony`, { method: 'PUT', headers: h, body: JSON.stringify({ enabled: true }) });
    const stranger = await phone();
    const statusOf = (uri: string) =>
      new Promise<number>((resolve) => {
        stranger.sessions.call(
          { uri, dest: { transport: 'udp', address: '127.0.0.1', port: server.sipPort }, from: '<sip:1@x.example>', sdp: writeSdp(createOffer({ address: '127.0.0.1', port: 9000 })) },
          { onFailed: (s) => resolve(s), onAnswered: () => resolve(200) },
        );
      });
    expect(await statusOf('sip:999@bolt.example')).toBe(404);
    expect(await statusOf('sip:4008001234@bolt.example')).toBe(407);
    expect(server.inbound.refusals['unknown-called-identity']).toBe(1);
    expect(server.inbound.refusals['auth-required']).toBe(1);
  }, 30_000);
});
