// `hotline demo`: a server with an embedded database in a temporary directory, a demo tenant, a simulated gateway and
// agents, a few calls through the full path (greeting, last-agent transfer, recording, transcript), narrated.
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { sharedEmbeddedTts } from '../../ivr/tts/index.ts';
import type { SimulationEvent } from '../../simulator/index.ts';
import { Simulation } from '../../simulator/index.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { defaultPrompts } from '../server/prompts.ts';
import { HotlineServer, SERVER_DEFAULTS } from '../server/server.ts';

export interface DemoOptions {
  dataDir?: string;
  calls: number;
  /** Keep the server running after the calls (until Ctrl-C). */
  keep: boolean;
  out: (line: string) => void;
  /** Wait this long at most for transcripts, ms. */
  transcriptWaitMs: number;
}

const DOMAIN = 'demo.hotline.example';
const NUMBER = '02188886666';
const CUSTOMER_SAYS = 'hello i would like to check my order';
const AGENT_SAYS = 'sure let me look at your order';
const OTHER_SAYS = 'please reset my password';

type Json = Record<string, unknown> & { items?: Array<Record<string, unknown>> };

/** Runs the demo; resolves with a summary for tests. */
export async function runDemo(o: DemoOptions): Promise<{ answered: number; recordings: number; transcripts: string[]; httpAddress: string; dataDir: string }> {
  const say = o.out;
  const dataDir = o.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'hotline-demo-')));
  say(`1. Starting a Hotline server (embedded SQLite under ${dataDir})`);
  const server = await HotlineServer.start({
    sip: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    rtpPorts: { min: 46000, max: 46999 },
    dataDir,
    limits: SERVER_DEFAULTS.limits,
    keepaliveMs: SERVER_DEFAULTS.keepaliveMs,
    prompts: defaultPrompts(dataDir),
    logger: pino({ level: process.env.HOTLINE_LOG_LEVEL ?? 'warn' }),
  });
  let sim: Simulation | undefined;
  try {
    const api = async (method: string, url: string, body?: unknown): Promise<Json> => {
      const res = await fetch(`${server.httpAddress}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${server.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = (await res.json()) as Json;
      if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    say(`   SIP on udp+tcp 127.0.0.1:${server.sipPort}, admin API ${server.httpAddress}/api/v1`);
    say(`2. Creating the demo tenant ${DOMAIN} through the admin API`);
    const tenant = await api('POST', '/tenants', { name: 'Demo Shop', domain: DOMAIN });
    const tid = tenant.id as string;
    const number = await api('POST', `/tenants/${tid}/numbers`, { number: NUMBER });
    say(`   service number ${NUMBER} → called identity ${number.calledIdentity as string}`);
    const agents = [
      { extension: '1001', name: 'Alice', password: 'demo-agent-1001' },
      { extension: '1002', name: 'Bob', password: 'demo-agent-1002' },
    ];
    for (const a of agents) await api('POST', `/tenants/${tid}/agents`, a);
    say(`   agents ${agents.map((a) => `${a.extension} (${a.name})`).join(', ')}`);
    const tel = await api('PUT', `/tenants/${tid}/telephony`, { enabled: true });
    const gw = tel.gateway as { username: string; password: string };
    say(`   telephony integration on: gateway account ${gw.username}`);
    await api('PUT', `/tenants/${tid}/transcription-settings`, {
      provider: 'pocketsphinx',
      language: 'en-US',
      mode: 'grammar',
      hints: [CUSTOMER_SAYS, AGENT_SAYS, OTHER_SAYS],
    });
    say('   inbound flow: the default one (greeting → last agent → all agents → voicemail)');

    say('3. Starting a simulated FXO gateway and two agent softphones');
    const tts = sharedEmbeddedTts();
    await mkdir(path.join(dataDir, 'simulator'), { recursive: true });
    sim = await Simulation.start({
      server: { sip: { host: '127.0.0.1', port: server.sipPort }, domain: DOMAIN, gateway: gw, agents, numbers: [NUMBER] },
      rtpPorts: { min: 47000, max: 47999 },
      recordDir: path.join(dataDir, 'simulator'),
      // Each side repeats its sentence with a pause after it, as people do (and as a recogniser segments best).
      speech: {
        synthesize: async (text, voice) => {
          const r = await tts.synthesize(text, { language: 'en', voice });
          const pcm = r.pcm instanceof Float32Array ? new Float32Array(r.pcm.length + r.sampleRate) : new Int16Array(r.pcm.length + r.sampleRate);
          pcm.set(r.pcm as never);
          return { pcm, sampleRate: r.sampleRate };
        },
      },
      gateway: { callerAudio: { kind: 'speech', text: CUSTOMER_SAYS } },
      agents: { agentAudio: { kind: 'speech', text: AGENT_SAYS }, behaviour: { action: 'answer', ringMs: 600 } },
      onEvent: (e) => narrate(e, say),
    });
    const regs = await api('GET', `/tenants/${tid}/telephony`);
    say(`   registered gateways: ${(regs.registrations as unknown[]).length}`);

    say(`4. Placing ${o.calls} call(s) from customers through the gateway`);
    const callers = ['+8613800001111', '+8613800001111', '+8613900002222'];
    let answered = 0;
    for (let i = 0; i < o.calls; i++) {
      const caller = callers[i % callers.length];
      const out = await sim.call({ caller, number: NUMBER, talkMs: 9000 });
      if (out.agentExtension) answered++;
    }
    await server.inbound.drain();

    say('5. What the platform recorded');
    const calls = await api('GET', `/tenants/${tid}/calls`);
    for (const c of [...(calls.items ?? [])].reverse()) {
      const agent = agents.find((a) => c.agentId && server.tenant.directory.agent(tid, c.agentId as string)?.extension === a.extension);
      say(`   call ${c.id as string}: customer ${c.customer as string}, ${c.disposition as string}${agent ? ` by ${agent.name} (${agent.extension})` : ''}, path ${(c.flowPath as string[]).join(' → ')}`);
    }
    const recs = await api('GET', `/tenants/${tid}/recordings`);
    for (const r of recs.items ?? []) say(`   recording ${r.id as string}: ${Math.round((r.durationMs as number) / 100) / 10} s stereo → ${server.httpAddress}/api/v1/tenants/${tid}/recordings/${r.id as string}/audio`);

    say('6. Speech recognition of the recordings (offline, per speaker)');
    const deadline = Date.now() + o.transcriptWaitMs;
    let jobs: Json = { items: [] };
    while (Date.now() < deadline) {
      jobs = await api('GET', `/tenants/${tid}/transcriptions`);
      const items = jobs.items ?? [];
      if (items.length >= (recs.items?.length ?? 0) && items.every((j) => j.status === 'done' || j.status === 'failed')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const transcripts: string[] = [];
    const convs = await api('GET', `/tenants/${tid}/conversations`);
    for (const conv of convs.items ?? []) {
      const msgs = await api('GET', `/tenants/${tid}/conversations/${encodeURIComponent(conv.customer as string)}/messages`);
      for (const m of [...(msgs.items ?? [])].reverse()) {
        if (m.kind === 'call_transcript') {
          const lines = ((m.body as { lines?: Array<{ speaker: string; text: string }> }).lines ?? []).map((l) => `${l.speaker}: ${l.text}`);
          transcripts.push(lines.join(' | '));
          say(`   ${conv.customer as string} — transcript message: ${lines.join(' | ') || '(no speech recognised)'}`);
        } else say(`   ${conv.customer as string} — ${m.kind as string} message`);
      }
    }
    for (const j of jobs.items ?? []) if (j.status === 'failed') say(`   transcription ${j.id as string} failed: ${String(j.lastError)}`);
    say(`Done. Data directory: ${dataDir}`);
    say(`Admin API: ${server.httpAddress}/api/v1 (token ${server.adminToken}); OpenAPI at ${server.httpAddress}/api/v1/openapi.json`);
    if (o.keep) {
      say('The server keeps running; press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    return { answered, recordings: recs.items?.length ?? 0, transcripts, httpAddress: server.httpAddress, dataDir };
  } finally {
    await sim?.close().catch(() => undefined);
    await server.stop();
  }
}

function narrate(e: SimulationEvent, say: (l: string) => void): void {
  switch (e.type) {
    case 'registered':
      say(`   ${e.role} ${e.user} REGISTER → ${e.status}`);
      break;
    case 'call.placed':
      say(`   call #${e.id}: ${e.caller} dials ${e.number}`);
      break;
    case 'call.answered':
      say(`   call #${e.id}: answered by Hotline in ${Math.round(e.setupMs)} ms, greeting plays`);
      break;
    case 'agent.ringing':
      say(`   call #${e.id}: agent ${e.extension} rings (incoming-call message sent)`);
      break;
    case 'agent.answered':
      say(`   call #${e.id}: agent ${e.extension} answers after ${Math.round(e.afterMs)} ms — caller and agent bridged, recording`);
      break;
    case 'call.ended':
      say(`   call #${e.id}: ended (${e.outcome.caller.outcome ?? 'done'})`);
      break;
  }
}

export const command: Command = {
  summary: 'run the demo',
  async run(args) {
    const { values } = parseFlags(args, { calls: { type: 'string' }, data: { type: 'string' }, keep: { type: 'boolean' } });
    const calls = values.calls ? Number(values.calls) : 3;
    if (!Number.isInteger(calls) || calls < 1 || calls > 20) {
      process.stderr.write('hotline demo: --calls must be 1-20\n');
      return 2;
    }
    const r = await runDemo({ calls, dataDir: values.data, keep: values.keep === true, out: (l) => process.stdout.write(`${l}\n`), transcriptWaitMs: 60_000 });
    return r.answered > 0 ? 0 : 1;
  },
};
