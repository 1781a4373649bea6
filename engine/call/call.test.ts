import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readWav } from '../codec/wav.ts';
import type { RtpLeg } from '../media/index.ts';
import { Player, PortAllocator, RealtimeMediaClock, RtpLeg as Leg, encodePrompt } from '../media/index.ts';
import { createAnswer, createOffer, negotiated, parseSdp, writeSdp } from '../sdp/index.ts';
import type { IncomingCall } from '../sip/ua/invite.ts';
import { InviteSessions } from '../sip/ua/invite.ts';
import { UserAgent } from '../sip/ua/user-agent.ts';
import type { Call } from './call.ts';
import { CallManager } from './call.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tone(freq: number, ms: number, amp = 8000): Int16Array {
  const n = (ms * 8000) / 1000;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * freq * i) / 8000));
  return out;
}

/** Energy of one channel of an interleaved stereo recording around a frequency (Goertzel), normalised. */
function toneLevel(data: Int16Array, channel: 0 | 1, freq: number): number {
  const w = (2 * Math.PI * freq) / 8000;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let n = 0;
  for (let i = channel; i < data.length; i += 2) {
    const s0 = data[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    n++;
  }
  return Math.sqrt(s1 * s1 + s2 * s2 - c * s1 * s2) / Math.max(1, n);
}

async function ua(): Promise<{ ua: UserAgent; sessions: InviteSessions; incoming: IncomingCall[] }> {
  const incoming: IncomingCall[] = [];
  const agent = new UserAgent({ transport: { host: '127.0.0.1', port: 0, tcp: false } });
  const sessions = new InviteSessions(agent, { onIncoming: (c) => incoming.push(c) });
  await agent.listen();
  cleanups.push(async () => {
    sessions.close();
    await agent.close();
  });
  return { ua: agent, sessions, incoming };
}

const until = async (cond: () => boolean, ms = 8000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('Call over real SIP and RTP (engine/call)', () => {
  it('answers, plays a prompt the gateway hears, dials an agent, bridges and records both sides, and tears down on BYE', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-call-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new RealtimeMediaClock();
    cleanups.push(() => clock.close());
    const ports = new PortAllocator({ min: 41000, max: 41999 });

    // The server.
    const server = await ua();
    const mgr = new CallManager(server.sessions, { rtpAddress: '127.0.0.1', bindAddress: '127.0.0.1', rtpPorts: { min: 40000, max: 40999 } });
    cleanups.push(() => mgr.close());
    // The agent's phone: answers with its own RTP leg that plays a 1 kHz tone.
    const agent = await ua();
    const agentLegs: RtpLeg[] = [];
    const agentHandler = async (call: IncomingCall) => {
      const leg = await Leg.open(ports, { clock }, { address: '127.0.0.1' });
      agentLegs.push(leg);
      cleanups.push(() => leg.close());
      const offer = parseSdp(call.offer);
      const answer = createAnswer(offer, { address: '127.0.0.1', port: leg.ports.rtp });
      leg.setMedia(negotiated(answer, offer));
      call.progress(180);
      setTimeout(() => {
        call.answer(writeSdp(answer));
        void new Player(leg).play(encodePrompt('agent-tone', tone(1000, 3000)));
      }, 100);
    };
    // Route the agent's incoming calls to the handler.
    const agentIncoming = agent.incoming;
    const poll = setInterval(() => {
      while (agentIncoming.length) void agentHandler(agentIncoming.shift() as IncomingCall);
    }, 5);
    cleanups.push(() => clearInterval(poll));

    // The server's flow: answer, greet, dial the agent with recording, wait for the end.
    let call: Call | undefined;
    const flowDone: string[] = [];
    const serverPoll = setInterval(() => {
      const inc = server.incoming.shift();
      if (!inc) return;
      void mgr.accept(inc, { caller: '+15550001', called: '100', calledIdentity: '100@acme.test' }).then(async (c) => {
        call = c;
        await c.answer();
        const greeting = await c.play({ key: 'greeting', render: async () => tone(440, 600) });
        flowDone.push(`play:${greeting.reason}`);
        const dial = await c.dial({
          targets: [{ uri: `sip:agent@127.0.0.1:${agent.ua.transport.port}`, dest: { transport: 'udp', address: '127.0.0.1', port: agent.ua.transport.port }, label: 'agent 7' }],
          timeoutMs: 5000,
          from: '<sip:+15550001@acme.test>',
          record: { path: path.join(dir, 'rec.wav') },
        });
        flowDone.push(`dial:${dial.outcome}`);
        const end = await c.waitForEnd();
        flowDone.push(`end:${end.endedBy}`);
      });
    }, 5);
    cleanups.push(() => clearInterval(serverPoll));

    // The gateway: calls in with its RTP leg, sends a 600 Hz tone, and counts the packets it hears.
    const gw = await ua();
    const gwLeg = await Leg.open(ports, { clock }, { address: '127.0.0.1' });
    cleanups.push(() => gwLeg.close());
    const offer = createOffer({ address: '127.0.0.1', port: gwLeg.ports.rtp });
    let heard = 0;
    gwLeg.setSink({ onRtp: () => void heard++, legClosed: () => {} });
    const out = gw.sessions.call(
      { uri: `sip:100@acme.test`, dest: { transport: 'udp', address: '127.0.0.1', port: server.ua.transport.port }, from: '<sip:+15550001@gw.acme.test>', sdp: writeSdp(offer) },
      {
        onAnswered: (res) => {
          gwLeg.setMedia(negotiated(offer, parseSdp(res.body.toString())));
          void new Player(gwLeg).play(encodePrompt('caller-tone', tone(600, 4000)));
        },
      },
    );
    await until(() => flowDone.includes('dial:answered'));
    expect(flowDone[0]).toBe('play:ended');
    const heardAtBridge = heard;
    expect(heardAtBridge).toBeGreaterThan(20); // the 600 ms greeting ≈ 30 packets
    await new Promise((r) => setTimeout(r, 1500));
    expect(heard).toBeGreaterThan(heardAtBridge + 40); // the agent's tone through the bridge
    await out.bye();
    await until(() => flowDone.includes('end:caller'));
    await call?.ended;
    expect(agent.sessions.size).toBe(0);
    expect(server.sessions.size).toBe(0);
    expect(mgr.active).toBe(0);
    expect(call?.recording?.durationMs).toBeGreaterThan(1000);
    const wav = readWav(await readFile(path.join(dir, 'rec.wav')));
    expect(wav.channels).toBe(2);
    expect(wav.sampleRate).toBe(8000);
    // Customer (600 Hz) on the left, agent (1 kHz) on the right.
    expect(toneLevel(wav.data, 0, 600)).toBeGreaterThan(10 * toneLevel(wav.data, 0, 1000));
    expect(toneLevel(wav.data, 1, 1000)).toBeGreaterThan(10 * toneLevel(wav.data, 1, 600));
    expect(call?.callerLeg.quality?.packets).toBeGreaterThan(50);
  }, 30_000);
});
