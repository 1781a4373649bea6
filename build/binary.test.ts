// The single binary end to end (issue 11): built once, copied alone into an empty directory, started with a fresh data
// directory on loopback, and driven by the source tree's SIP/RTP stack as gateway and agent (RFC 3261 §10 REGISTER,
// §13 INVITE, §15 BYE; RFC 3550 RTP), then checked through its admin API: the call record and the recording.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWav } from '../engine/codec/wav.ts';
import { Player, PortAllocator, RealtimeMediaClock, RtpLeg, encodePrompt } from '../engine/media/index.ts';
import { createAnswer, createOffer, negotiated, parseSdp, writeSdp } from '../engine/sdp/index.ts';
import { registerAs, startPhone } from '../test/peers/sip-phone.ts';
import type { IncomingCall } from '../engine/sip/ua/invite.ts';
import type { UserAgent } from '../engine/sip/ua/user-agent.ts';
import defaultFlow from '../ivr/default-flow.json' with { type: 'json' };
import { ROOT, pickNode } from './build.ts';

const TOKEN = 'binary-test-operator-token';
const cleanups: Array<() => Promise<void> | void> = [];
let tmp: string;
let binary: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hotline-binary-'));
  // The real build (`npm run build:binary`), into a private place: a developer's dist/ is left alone.
  const out = path.join(tmp, 'build', 'hotline');
  const res = await run(pickNode().file, [path.join(ROOT, 'build', 'build.ts'), '--out', out], ROOT, 150_000);
  if (res.code !== 0) throw new Error(`build:binary failed (${res.code}):\n${res.stdout}\n${res.stderr}`);
  // Alone in an empty directory: no node_modules, no sources, no package.json anywhere near it.
  const dir = path.join(tmp, 'empty');
  await mkdir(dir);
  binary = path.join(dir, 'hotline');
  await copyFile(out, binary);
  await rm(path.join(tmp, 'build'), { recursive: true, force: true });
}, 180_000);

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  if (tmp) await rm(tmp, { recursive: true, force: true });
}, 30_000);

/** Runs a program to its end. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: minimalEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment a deployer's service would have: a PATH, nothing pointing at this checkout. */
function minimalEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...extra };
}

const until = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

function tone(freq: number, ms: number): Int16Array {
  const n = (ms * 8000) / 1000;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(6000 * Math.sin((2 * Math.PI * freq * i) / 8000));
  return out;
}

/** A started binary: its process, output so far, and the addresses from its `ready` line. */
interface Served {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  sipPort: number;
  api: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function serve(cwd: string, dataDir: string): Promise<Served> {
  const child = spawn(binary, ['serve', '--sip', '127.0.0.1:0', '--http', '127.0.0.1:0', '--rtp-ports', '46600-46699', '--data', dataDir], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: minimalEnv({ HOTLINE_ADMIN_TOKEN: TOKEN, HOTLINE_LOG_LEVEL: 'warn' }),
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => (gone = true));
  cleanups.push(async () => {
    if (gone) return;
    child.kill('SIGKILL');
    await exited;
  });
  await until(() => /hotline ready/.test(out) || gone, 20_000, `the ready line (stdout: ${out}, stderr: ${err})`);
  if (gone) throw new Error(`the binary exited before ready:\n${out}\n${err}`);
  const ready = /hotline ready: sip 127\.0\.0\.1:(\d+) .* admin api (http:\/\/[^ ]+)\/api\/v1/.exec(out);
  if (!ready) throw new Error(`unexpected ready line: ${out}`);
  return { child, stdout: () => out, stderr: () => err, sipPort: Number(ready[1]), api: ready[2], exited };
}

const phone = (onIncoming?: (c: IncomingCall) => void) => startPhone(cleanups, onIncoming);
const register = registerAs;

describe('the single binary (issue 11)', () => {
  it('prints its version from an empty directory with no node_modules', async () => {
    const res = await run(binary, ['--version'], path.dirname(binary), 20_000);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.stderr).toBe('');
  });

  it('serves a gateway call end to end: TTS greeting (Flite and eSpeak-NG from its assets), agent bridged, CDR answered, stereo recording; SIGTERM exits cleanly', async () => {
    const cwd = path.dirname(binary);
    const dataDir = path.join(tmp, 'data');
    const srv = await serve(cwd, dataDir);
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${srv.api}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items?: Array<Record<string, unknown>> } };
    };

    // Provisioning through the admin API: tenant, number, agent, telephony (gateway account), and a flow that speaks
    // English (Flite) and Mandarin (eSpeak-NG) before the default transfers — both engines out of the binary's assets.
    const t = await api('POST', '/tenants', { name: 'Acme', domain: 'acme.example' });
    expect(t.status).toBe(201);
    const tid = t.body.id as string;
    expect((await api('POST', `/tenants/${tid}/numbers`, { number: '02188886666' })).status).toBe(201);
    expect((await api('POST', `/tenants/${tid}/agents`, { extension: '1001', name: 'Alice', password: 'agent-pass-1' })).status).toBe(201);
    const tel = await api('PUT', `/tenants/${tid}/telephony`, { enabled: true });
    const gwAccount = tel.body.gateway as { username: string; password: string };
    expect(gwAccount.password).toBeTruthy();
    const flow = structuredClone(defaultFlow) as { nodes: Record<string, Record<string, unknown>> };
    flow.nodes.greeting.next = 'greetingZh';
    flow.nodes.greetingZh = { type: 'say', text: '感谢您的来电', language: 'zh-CN', next: 'lastAgent' };
    const published = await api('PUT', `/tenants/${tid}/flows/inbound`, flow);
    expect(published.status, JSON.stringify(published.body)).toBeLessThan(300);

    const clock = new RealtimeMediaClock();
    cleanups.push(() => clock.close());
    const ports = new PortAllocator({ min: 46700, max: 46799 });
    let agentAnswered = 0;
    const agent = await phone((call) => {
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
    expect(await register(agent.ua, srv.sipPort, '1001', 'acme.example', 'agent-pass-1')).toBe(200);
    const gw = await phone();
    expect(await register(gw.ua, srv.sipPort, gwAccount.username, 'acme.example', gwAccount.password)).toBe(200);

    // The customer's call through the gateway.
    const leg = await RtpLeg.open(ports, { clock }, { address: '127.0.0.1' });
    cleanups.push(() => leg.close());
    const offer = createOffer({ address: '127.0.0.1', port: leg.ports.rtp });
    let heard = 0;
    leg.setSink({ onRtp: () => void heard++, legClosed: () => {} });
    let ended!: () => void;
    const endedP = new Promise<void>((r) => (ended = r));
    const out = gw.sessions.call(
      { uri: 'sip:02188886666@acme.example', dest: { transport: 'udp', address: '127.0.0.1', port: srv.sipPort }, from: '<sip:13800001111@acme.example>', sdp: writeSdp(offer) },
      {
        onAnswered: (res) => {
          leg.setMedia(negotiated(offer, parseSdp(res.body.toString())));
          void new Player(leg).play(encodePrompt('caller-tone', tone(600, 8000)));
        },
        onEnded: () => ended(),
      },
    );
    await until(() => agentAnswered > 0, 40_000, 'the agent to answer');
    // Both greetings were spoken to the caller before the agent came (two sentences: well over a second of packets).
    const heardBeforeAgent = heard;
    expect(heardBeforeAgent).toBeGreaterThan(75);
    await until(() => heard > heardBeforeAgent + 50, 10_000, 'bridged audio from the agent');
    await out.bye();
    await endedP;

    // The call record and its recording, through the admin API.
    let cdr: { disposition?: string | null; flowPath?: string[]; legs?: unknown[] } = {};
    const deadline = Date.now() + 15_000;
    let recs: Array<Record<string, unknown>> = [];
    while (Date.now() < deadline) {
      cdr = ((await api('GET', `/tenants/${tid}/calls`)).body.items?.[0] ?? {}) as typeof cdr;
      recs = (await api('GET', `/tenants/${tid}/recordings`)).body.items ?? [];
      if (typeof cdr.disposition === 'string' && recs.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(cdr.disposition).toBe('answered');
    expect(cdr.flowPath).toEqual(['greeting', 'greetingZh', 'lastAgent', 'allAgents']);
    expect(cdr.legs?.length).toBe(2);
    expect(recs.length).toBe(1);
    const rec = recs[0] as { id: string; channels: number; durationMs: number };
    expect(rec.channels).toBe(2);
    expect(rec.durationMs).toBeGreaterThan(500);
    const audio = await fetch(`${srv.api}/api/v1/tenants/${tid}/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(audio.status).toBe(200);
    const wav = readWav(new Uint8Array(await audio.arrayBuffer()));
    expect(wav.channels).toBe(2);
    expect(wav.frames).toBeGreaterThan(4000);
    // The two sentences were synthesised by the binary itself and cached under its data directory.
    expect((await readdir(path.join(dataDir, 'tts-cache'), { recursive: true })).filter((f) => String(f).endsWith('.wav')).length).toBeGreaterThanOrEqual(2);

    // A clean stop by PID.
    expect(srv.child.pid).toBeGreaterThan(0);
    process.kill(srv.child.pid!, 'SIGTERM');
    const exit = await Promise.race([srv.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000).unref())]);
    expect(exit, `stdout: ${srv.stdout()}\nstderr: ${srv.stderr()}`).toEqual({ code: 0, signal: null });
    expect(srv.stdout()).toContain('hotline: shutting down');
    expect(srv.stderr()).not.toMatch(/Error|ExperimentalWarning/);
  }, 120_000);
});
