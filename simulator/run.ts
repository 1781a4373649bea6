// The scenario runner: resolves the server (address or in-process hook), starts simulated agents and gateways, places calls at a bounded rate and concurrency with the caller mix, correlates agent legs with caller legs, reports progress, and builds the report (DESIGN.md §3 `hotline sim run`).
import { createSocket } from 'node:dgram';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PortAllocator, RealtimeMediaClock } from '../engine/media/index.ts';
import type { Scheduler } from '../engine/util/scheduler.ts';
import { RealScheduler } from '../engine/util/scheduler.ts';
import { AgentSimulator } from './agent.ts';
import type { AudioSpec, SpeechSynth } from './audio.ts';
import { AudioLibrary } from './audio.ts';
import type { SimCall, SimMedia } from './call.ts';
import type { CorrelatedCall } from './correlate.ts';
import { CallCorrelator } from './correlate.ts';
import { SimulatorError } from './errors.ts';
import { GatewaySimulator } from './gateway.ts';
import { draw, pickWeighted, seededRandom } from './random.ts';
import type { CallRecord, RegistrationRecord, ReportFiles, ScenarioProgress, ScenarioReport } from './report.ts';
import { buildReport, writeReport } from './report.ts';
import type { Scenario } from './scenario.ts';
import type { ServerHandle, StartServer } from './server.ts';

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** The server to use (overrides the scenario's `server.address`; the in-process case hands its handle here or through `startServer`). */
  server?: ServerHandle;
  /** Starts the server for `server.inProcess: true`. */
  startServer?: StartServer;
  /** Speech for `speech:` audio. */
  speech?: SpeechSynth;
  /** Called about once per `progressIntervalMs` and at the end. */
  onProgress?: (p: ScenarioProgress) => void;
  progressIntervalMs?: number;
  /** Step-by-step lines (registrations, refusals). */
  log?: (line: string) => void;
  /** Write report.json / report.md / SVGs here (and recordings for `record: true`). */
  outDir?: string;
  /** Stop placing calls and hang up the rest when aborted (Ctrl-C). */
  signal?: AbortSignal;
  /** Local address for SIP and RTP (default: the address that routes to the server). */
  bindHost?: string;
  /** RTP ports of the simulated phones (overrides the scenario's `rtpPorts`). */
  rtpPorts?: { min: number; max: number };
  scheduler?: Scheduler;
}

/** The outcome of a run: the report and, when written, its files. */
export interface RunResult {
  report: ScenarioReport;
  files: ReportFiles | undefined;
}

/** The local address the OS would use to reach `host:port` (UDP "connect" sends nothing). */
export async function localAddressFor(host: string, port: number): Promise<string> {
  if (host === '127.0.0.1' || host === 'localhost') return '127.0.0.1';
  if (host === '::1') return '::1';
  const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    return await new Promise<string>((resolve, reject) => {
      sock.once('error', reject);
      sock.connect(port, host, () => resolve(sock.address().address));
    });
  } finally {
    sock.close();
  }
}

function toneOf(a: AudioSpec): number | undefined {
  return a.kind === 'tone' && a.frequencies.length === 1 ? a.frequencies[0] : undefined;
}

interface Trace {
  record: CallRecord;
  placedMs: number;
  call: SimCall | undefined;
  link: CorrelatedCall | undefined;
  done: Promise<void>;
}

/**
 * Runs a scenario to its end (every call placed and finished, bounded by `load` and `maxCallSec`) and
 * returns its report; writes the report files when `outDir` is given.
 * @throws {SimulatorError} `invalid-state` for `inProcess` without a `startServer` hook or without a domain.
 */
export async function runScenario(scenario: Scenario, opts: RunScenarioOptions = {}): Promise<RunResult> {
  const log = opts.log ?? (() => {});
  const scheduler = opts.scheduler ?? new RealScheduler();
  // 1. The server.
  let handle = opts.server;
  let ownServer = false;
  if (!handle) {
    if (scenario.server.inProcess) {
      if (!opts.startServer) throw new SimulatorError('invalid-state', 'the scenario asks for an in-process server, but no startServer hook was given');
      const agents = scenario.agents.flatMap((g) => g.extensions.map((extension, i) => ({ extension, password: g.passwords[i] })));
      handle = await opts.startServer({
        domain: scenario.server.domain ?? 'demo.hotline.test',
        gateway: { username: scenario.gateways[0].username, password: scenario.gateways[0].password },
        agents,
        numbers: scenario.server.numbers.length ? scenario.server.numbers : ['02188886666'],
      });
      ownServer = true;
    } else {
      const a = scenario.server.address as { host: string; port: number };
      handle = { sip: a, domain: scenario.server.domain ?? '' };
    }
  }
  const server = handle;
  const domain = scenario.server.domain ?? server.domain;
  if (!domain) throw new SimulatorError('invalid-state', 'no domain: set server.domain in the scenario');
  const numbers = scenario.server.numbers.length ? scenario.server.numbers : [...(server.numbers ?? [])];
  const bindHost = opts.bindHost ?? (await localAddressFor(server.sip.host, server.sip.port));
  const clock = new RealtimeMediaClock();
  const rtp = opts.rtpPorts ?? scenario.rtpPorts;
  const media: SimMedia = { clock, ports: new PortAllocator({ min: rtp.min, max: rtp.max }), address: bindHost };
  const audio = new AudioLibrary({ speech: opts.speech });
  const random = seededRandom(scenario.seed);
  let recordDir: string | undefined;
  if (scenario.record !== undefined) {
    recordDir = scenario.record === true ? path.join(opts.outDir ?? '.', 'recordings') : path.resolve(opts.outDir ?? '.', scenario.record);
    await mkdir(recordDir, { recursive: true });
  }
  const common = { server: server.sip, domain, bind: { host: bindHost, port: 0 }, media, scheduler, audio, recordDir };
  const callerTones = [...new Set(scenario.callers.map((c) => toneOf(c.audio)).filter((x): x is number => x !== undefined))];
  const agentTones = [...new Set(scenario.agents.map((g) => toneOf(g.audio)).filter((x): x is number => x !== undefined))];
  if (scenario.checks.callerTone !== undefined) callerTones.push(scenario.checks.callerTone);
  if (scenario.checks.agentTone !== undefined) agentTones.push(scenario.checks.agentTone);

  const traces: Trace[] = [];
  const correlator = new CallCorrelator();
  const traceOf = new Map<CorrelatedCall, Trace>();
  const t0 = clock.now();
  const startedAt = Date.now();
  const rel = (): number => clock.now() - t0;
  const concurrency: Array<[number, number]> = [[0, 0]];
  let concurrent = 0;
  const setConcurrent = (d: number): void => {
    concurrent += d;
    concurrency.push([rel(), concurrent]);
  };

  // 2. Agents: one UA per group; agent legs are matched to caller legs by the caller number the server presents.
  const agentSims = scenario.agents.map((g) => {
    const override = new Map((server.agents ?? []).map((a) => [a.extension, a.password]));
    const sim = new AgentSimulator({
      ...common,
      extensions: g.extensions.map((extension, i) => ({ extension, password: override.get(extension) ?? g.passwords[i] })),
      behaviour: () => {
        const b = pickWeighted(g.behaviours, random);
        return { action: b.action, ringMs: b.ringMs, talkMs: b.talkMs, hold: b.hold };
      },
      agentAudio: g.audio,
      probes: callerTones,
      registration: { expires: g.registerExpiresSec },
    });
    sim.keepFinished = false;
    sim.callEvents = {
      ringing: (c) => {
        const link = correlator.agentRinging(c);
        const t = link && traceOf.get(link);
        if (!t) {
          log(`agent ${c.to}: a call from ${c.from} matches no caller leg`);
          return;
        }
        t.record.agentRingAfterMs ??= c.createdMs - t.placedMs;
      },
      answered: (c) => {
        const link = correlator.agentAnswered(c);
        const t = link && traceOf.get(link);
        if (!t) return;
        t.record.agentExtension = c.to;
        t.record.agentAnswerAfterMs = (c.answeredMs ?? clock.now()) - t.placedMs;
        t.record.agentTone = toneOf(g.audio);
      },
    };
    return sim;
  });

  // 3. Gateways.
  const gatewaySims = scenario.gateways.map(
    (g) =>
      new GatewaySimulator({
        ...common,
        username: server.gateway?.username ?? g.username,
        password: server.gateway?.password ?? g.password ?? '',
        lines: g.lines,
        register: g.register,
        callerIds: g.callerIds,
        customer: g.customer,
        probes: agentTones,
        random,
        registration: { expires: g.registerExpiresSec },
      }),
  );
  for (const gw of gatewaySims) gw.keepFinished = false;

  const registrations: RegistrationRecord[] = [];
  let files: ReportFiles | undefined;
  let report: ScenarioReport;
  let deferred = 0;
  let progressTimer: ReturnType<Scheduler['setTimer']> | undefined;
  try {
    const agentOutcomes = await Promise.all(agentSims.map((a) => a.start()));
    agentSims.forEach((a, i) =>
      a.phones.forEach((p, j) => {
        const o = agentOutcomes[i][j];
        registrations.push({ role: 'agent', user: p.extension, ok: o.ok, status: o.status, registrations: 0 });
        if (!o.ok) log(`agent ${p.extension}: registration failed (${o.reason ?? o.status})`);
      }),
    );
    const gwOutcomes = await Promise.all(gatewaySims.map((g) => g.start()));
    gatewaySims.forEach((g, i) => {
      const o = gwOutcomes[i];
      if (o) {
        registrations.push({ role: 'gateway', user: g.options.username, ok: o.ok, status: o.status, registrations: 0 });
        if (!o.ok) log(`gateway ${g.options.username}: registration failed (${o.reason ?? o.status})`);
      }
    });
    log(`registered ${registrations.filter((r) => r.ok).length} of ${registrations.length}; placing calls`);

    // 4. Progress.
    const placedTimes: number[] = [];
    const progress = (): ScenarioProgress => {
      const now = rel();
      let answered = 0;
      let up = 0;
      let failed = 0;
      let bridged = 0;
      for (const t of traces) {
        const c = t.call;
        if (t.record.error !== undefined) failed++;
        else if (c) {
          if (c.answeredMs !== undefined) answered++;
          else if (c.done) failed++;
          if (c.up) up++;
        }
        if (t.link?.answeredAgent !== undefined) bridged++;
      }
      const recent = placedTimes.filter((x) => now - x <= 5000).length;
      return {
        elapsedMs: now,
        placed: traces.length,
        ringing: traces.filter((t) => t.call !== undefined && !t.call.done && t.call.answeredMs === undefined).length,
        up,
        answered,
        bridged,
        failed,
        ratePerSec: recent / Math.max(1, Math.min(5, now / 1000)),
        target: scenario.load.totalCalls,
      };
    };
    const interval = opts.progressIntervalMs ?? 1000;
    const tickProgress = (): void => {
      opts.onProgress?.(progress());
      progressTimer = scheduler.setTimer(interval, tickProgress);
    };
    if (opts.onProgress) progressTimer = scheduler.setTimer(interval, tickProgress);

    // 5. The load: one slot every 1/cps s; a slot at the concurrency limit or with no free line is skipped.
    const load = scenario.load;
    const slotMs = 1000 / load.callsPerSecond;
    const maxCallMs = load.maxCallSec * 1000;
    let next = 0;
    let gwNext = 0;
    /** Waits `ms`, or less when the run is aborted. */
    const sleep = (ms: number): Promise<void> =>
      new Promise((r) => {
        const done = (): void => {
          h.cancel();
          opts.signal?.removeEventListener('abort', done);
          r();
        };
        const h = scheduler.setTimer(Math.max(0, ms), done);
        opts.signal?.addEventListener('abort', done, { once: true });
      });
    const aborted = (): boolean => opts.signal?.aborted === true;
    /** `p`, or undefined after `ms` (the timer is cancelled either way). */
    const within = async <T>(p: Promise<T>, ms: number): Promise<T | undefined> => {
      let h: ReturnType<Scheduler['setTimer']> | undefined;
      try {
        return await Promise.race([p, new Promise<undefined>((r) => (h = scheduler.setTimer(ms, () => r(undefined))))]);
      } finally {
        h?.cancel();
      }
    };
    for (let slot = 0; ; slot++) {
      if (load.totalCalls !== undefined && traces.length >= load.totalCalls) break;
      if (load.durationSec !== undefined && rel() >= load.durationSec * 1000) break;
      if (aborted()) break;
      await sleep(slot * slotMs - rel());
      if (aborted()) break;
      if (concurrent >= load.maxConcurrent) {
        deferred++;
        continue;
      }
      let gw: GatewaySimulator | undefined;
      for (let k = 0; k < gatewaySims.length && !gw; k++) {
        const cand = gatewaySims[(gwNext + k) % gatewaySims.length];
        if (cand.linesFree > 0) gw = cand;
      }
      gwNext++;
      if (!gw) {
        deferred++;
        continue;
      }
      const profileIndex = scenario.callers.indexOf(pickWeighted(scenario.callers, random));
      const profile = scenario.callers[profileIndex];
      const record: CallRecord = {
        index: next++,
        gateway: gw.options.username,
        caller: gw.callerIds.next(),
        number: profile.number ?? numbers[0] ?? '',
        profile: profileIndex,
        placedAtMs: rel(),
        callerTone: toneOf(profile.audio),
      };
      const trace: Trace = { record, placedMs: clock.now(), call: undefined, link: undefined, done: Promise.resolve() };
      traces.push(trace);
      placedTimes.push(rel());
      setConcurrent(1);
      const talkMs = profile.talkSec === undefined ? undefined : Math.round(draw(profile.talkSec, random) * 1000);
      const gateway = gw;
      trace.done = (async () => {
        try {
          const call = await gateway.placeCall({
            number: record.number,
            caller: record.caller,
            audio: profile.audio,
            talkMs,
            maxRingMs: profile.maxRingSec === undefined ? undefined : profile.maxRingSec * 1000,
            dtmf: profile.dtmf,
          });
          trace.call = call;
          trace.link = correlator.track(call, record.caller);
          traceOf.set(trace.link, trace);
          call.after(maxCallMs, () => void call.hangup());
          record.callerLeg = await call.ended;
          // The agent leg ends at about the same time; wait for its record (bounded).
          const link = trace.link;
          const agentCall = link.answeredAgent ?? link.agentCalls[link.agentCalls.length - 1];
          if (agentCall) {
            record.agentLeg = await within(agentCall.ended, 3000);
          }
        } catch (err) {
          record.error = err instanceof Error ? err.message : String(err);
        } finally {
          setConcurrent(-1);
        }
      })();
    }
    // 6. Drain: every call ends by itself, by maxCallSec, or — when aborted — now.
    if (aborted()) await Promise.all(gatewaySims.map((g) => g.hangupAll()));
    await within(Promise.all(traces.map((t) => t.done)), maxCallMs + 10_000);
    opts.onProgress?.(progress());
  } finally {
    progressTimer?.cancel();
    for (const g of gatewaySims) {
      const r = registrations.find((x) => x.role === 'gateway' && x.user === g.options.username);
      if (r) r.registrations = g.registration.registrations;
    }
    for (const a of agentSims) for (const p of a.phones) {
      const r = registrations.find((x) => x.role === 'agent' && x.user === p.extension);
      if (r) r.registrations = p.registration.registrations;
    }
    await Promise.all([...gatewaySims, ...agentSims].map((p) => p.close().catch(() => undefined)));
    clock.close();
    if (ownServer) await server.close?.();
  }
  report = buildReport({
    scenario,
    server: { sip: `${server.sip.host}:${server.sip.port}`, domain, info: server.info },
    startedAt,
    durationMs: Date.now() - startedAt,
    records: traces.map((t) => t.record),
    registrations,
    concurrency,
    deferredSlots: deferred,
    expectBridge: scenario.agents.length > 0,
  });
  if (opts.outDir) files = await writeReport(report, opts.outDir);
  return { report, files };
}
