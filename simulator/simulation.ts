// A simulation driven from code (the demo, tests): one gateway and a set of agent softphones against a server, calls placed one by one with their outcome awaited — caller leg, agent leg, time in IVR and audio checks.
import { PortAllocator, RealtimeMediaClock } from '../engine/media/index.ts';
import type { AgentOptions, BehaviourChoice, ExtensionSpec } from './agent.ts';
import { AgentSimulator } from './agent.ts';
import type { AudioSpec, SpeechSynth } from './audio.ts';
import { AudioLibrary } from './audio.ts';
import type { SimCall, SimCallResult, SimMedia } from './call.ts';
import type { CorrelatedCall } from './correlate.ts';
import { CallCorrelator } from './correlate.ts';
import { SimulatorError } from './errors.ts';
import type { DtmfStep, GatewayOptions } from './gateway.ts';
import { GatewaySimulator } from './gateway.ts';
import type { CallSummary, RegistrationRecord } from './report.ts';
import { audioChecks } from './report.ts';
import { localAddressFor } from './run.ts';
import type { ServerHandle } from './server.ts';

/** Options of {@link Simulation.start}. */
export interface SimulationOptions {
  /** The server: address, domain, and the gateway account / agents it was provisioned with. */
  server: ServerHandle;
  /** Gateway settings; the account defaults to `server.gateway`. */
  gateway?: Partial<Omit<GatewayOptions, 'server' | 'domain' | 'media' | 'audio'>>;
  /** Agent softphones (default: `server.agents`); none when empty. */
  agents?: { extensions?: readonly ExtensionSpec[]; behaviour?: BehaviourChoice; agentAudio?: AudioSpec } & Partial<Pick<AgentOptions, 'maxCallsPerExtension' | 'registration'>>;
  /** Record every leg into this directory. */
  recordDir?: string;
  /** RTP ports of the simulated phones. */
  rtpPorts?: { min: number; max: number };
  /** Local address (default: the one that routes to the server). */
  bindHost?: string;
  speech?: SpeechSynth;
  /** What happens, step by step (for a demo's narration). */
  onEvent?: (e: SimulationEvent) => void;
  /** Audio checks: minimum greeting and tone durations, ms. */
  checks?: { greetingMinMs?: number; toneMinMs?: number };
}

/** A step of a simulated call, for narration. */
export type SimulationEvent =
  | { type: 'registered'; role: 'gateway' | 'agent'; user: string; ok: boolean; status: number }
  | { type: 'call.placed'; id: number; caller: string; number: string }
  | { type: 'call.answered'; id: number; setupMs: number }
  | { type: 'agent.ringing'; id: number; extension: string }
  | { type: 'agent.answered'; id: number; extension: string; afterMs: number }
  | { type: 'call.ended'; id: number; outcome: SimulatedCallOutcome };

/** What happened to one call placed through {@link Simulation.call}. */
export interface SimulatedCallOutcome {
  id: number;
  caller: SimCallResult;
  /** The agent leg that answered (else the last that rang). */
  agent: SimCallResult | undefined;
  agentExtension: string | undefined;
  /** Answer → first agent INVITE, ms. */
  ivrMs: number | undefined;
  /** INVITE → agent answer, ms. */
  agentAnswerMs: number | undefined;
  audio: CallSummary['audio'];
}

/** Options of {@link Simulation.call}. */
export interface SimulatedCallOptions {
  /** Called number (default: the server's first number). */
  number?: string;
  caller?: string;
  /** Hang up this long after the answer, ms (default 5000). */
  talkMs?: number;
  audio?: AudioSpec;
  dtmf?: readonly DtmfStep[];
  /** Give up when not answered within this, ms. */
  maxRingMs?: number;
}

function toneOf(a: AudioSpec | undefined): number | undefined {
  return a?.kind === 'tone' && a.frequencies.length === 1 ? a.frequencies[0] : undefined;
}

/**
 * A gateway and agents against one server. {@link start} registers them; {@link call} places a call and
 * resolves once both legs have ended; {@link close} hangs up and un-registers.
 */
export class Simulation {
  readonly gateway: GatewaySimulator;
  readonly agents: AgentSimulator | undefined;
  readonly media: SimMedia;
  readonly server: ServerHandle;
  readonly registrations: RegistrationRecord[] = [];
  readonly #correlator = new CallCorrelator();
  readonly #ids = new Map<CorrelatedCall, number>();
  readonly #opts: SimulationOptions;
  #next = 1;

  private constructor(opts: SimulationOptions, gateway: GatewaySimulator, agents: AgentSimulator | undefined, media: SimMedia) {
    this.#opts = opts;
    this.server = opts.server;
    this.gateway = gateway;
    this.agents = agents;
    this.media = media;
  }

  /**
   * Starts and registers the gateway and agents.
   * @throws {SimulatorError} `invalid-state` without a gateway account (neither options nor server give one).
   */
  static async start(opts: SimulationOptions): Promise<Simulation> {
    const s = opts.server;
    const username = opts.gateway?.username ?? s.gateway?.username;
    const password = opts.gateway?.password ?? s.gateway?.password;
    if (!username || password === undefined) throw new SimulatorError('invalid-state', 'a gateway account is needed (server.gateway or gateway.username/password)');
    const host = opts.bindHost ?? (await localAddressFor(s.sip.host, s.sip.port));
    const ports = opts.rtpPorts ?? { min: 30000, max: 39999 };
    const media: SimMedia = { clock: new RealtimeMediaClock(), ports: new PortAllocator({ min: ports.min, max: ports.max }), address: host };
    const audio = new AudioLibrary({ speech: opts.speech });
    const common = { server: s.sip, domain: s.domain, bind: { host, port: 0 }, media, audio, recordDir: opts.recordDir };
    const agentAudio = opts.agents?.agentAudio ?? { kind: 'tone', frequencies: [1000] };
    const gateway = new GatewaySimulator({ ...common, ...opts.gateway, username, password, probes: [toneOf(agentAudio)].filter((x): x is number => x !== undefined) });
    const extensions = opts.agents?.extensions ?? s.agents ?? [];
    const callerTone = toneOf(opts.gateway?.callerAudio ?? { kind: 'tone', frequencies: [600] });
    const agents =
      extensions.length > 0
        ? new AgentSimulator({
            ...common,
            extensions,
            behaviour: opts.agents?.behaviour,
            agentAudio,
            probes: callerTone === undefined ? [] : [callerTone],
            maxCallsPerExtension: opts.agents?.maxCallsPerExtension,
            registration: opts.agents?.registration,
          })
        : undefined;
    const sim = new Simulation(opts, gateway, agents, media);
    try {
      await sim.#start();
    } catch (err) {
      await sim.close();
      throw err;
    }
    return sim;
  }

  #emit(e: SimulationEvent): void {
    try {
      this.#opts.onEvent?.(e);
    } catch {
      // Narration must not break the simulation.
    }
  }

  async #start(): Promise<void> {
    const agents = this.agents;
    if (agents) {
      agents.keepFinished = false;
      agents.callEvents = {
        ringing: (c) => {
          const link = this.#correlator.agentRinging(c);
          const id = link && this.#ids.get(link);
          if (id !== undefined) this.#emit({ type: 'agent.ringing', id, extension: c.to });
        },
        answered: (c) => {
          const link = this.#correlator.agentAnswered(c);
          const id = link && this.#ids.get(link);
          if (link && id !== undefined) this.#emit({ type: 'agent.answered', id, extension: c.to, afterMs: (c.answeredMs ?? 0) - link.call.createdMs });
        },
      };
      const outcomes = await agents.start();
      agents.phones.forEach((p, i) => {
        const o = outcomes[i];
        this.registrations.push({ role: 'agent', user: p.extension, ok: o.ok, status: o.status, registrations: o.ok ? 1 : 0 });
        this.#emit({ type: 'registered', role: 'agent', user: p.extension, ok: o.ok, status: o.status });
      });
    }
    this.gateway.keepFinished = false;
    const o = await this.gateway.start();
    if (o) {
      this.registrations.push({ role: 'gateway', user: this.gateway.options.username, ok: o.ok, status: o.status, registrations: o.ok ? 1 : 0 });
      this.#emit({ type: 'registered', role: 'gateway', user: this.gateway.options.username, ok: o.ok, status: o.status });
    }
  }

  /**
   * Places a call and returns at once with the caller leg and a promise of the outcome (both legs ended).
   * @throws {SimulatorError} `no-free-line` and as {@link GatewaySimulator.placeCall}.
   */
  async place(opts: SimulatedCallOptions = {}): Promise<{ id: number; call: SimCall; outcome: Promise<SimulatedCallOutcome> }> {
    const number = opts.number ?? this.server.numbers?.[0];
    if (!number) throw new SimulatorError('invalid-state', 'no number to call (options.number or server.numbers)');
    const id = this.#next++;
    const caller = opts.caller ?? this.gateway.callerIds.next();
    const call = await this.gateway.placeCall({
      number,
      caller,
      talkMs: opts.talkMs ?? 5000,
      audio: opts.audio,
      dtmf: opts.dtmf,
      maxRingMs: opts.maxRingMs,
      events: { answered: (c) => this.#emit({ type: 'call.answered', id, setupMs: (c.answeredMs ?? 0) - c.createdMs }) },
    });
    const link = this.#correlator.track(call, caller);
    this.#ids.set(link, id);
    this.#emit({ type: 'call.placed', id, caller, number });
    const callerTone = toneOf(opts.audio ?? this.gateway.options.callerAudio);
    const agentTone = toneOf(this.agents?.options.agentAudio);
    const checks = { greetingMinMs: this.#opts.checks?.greetingMinMs ?? 200, toneMinMs: this.#opts.checks?.toneMinMs ?? 200 };
    const outcome = (async (): Promise<SimulatedCallOutcome> => {
      const callerResult = await call.ended;
      const l = link;
      const agentCall = l.answeredAgent ?? l.agentCalls[l.agentCalls.length - 1];
      const agentResult = agentCall ? await agentCall.ended : undefined;
      this.#ids.delete(l);
      const out: SimulatedCallOutcome = {
        id,
        caller: callerResult,
        agent: agentResult,
        agentExtension: l.answeredAgent?.to,
        ivrMs: l.agentRingMs !== undefined && call.answeredMs !== undefined ? l.agentRingMs - call.answeredMs : undefined,
        agentAnswerMs: l.agentAnswerMs !== undefined ? l.agentAnswerMs - call.createdMs : undefined,
        audio: audioChecks(callerResult, agentResult, { caller: callerTone, agent: agentTone }, checks),
      };
      this.#emit({ type: 'call.ended', id, outcome: out });
      return out;
    })();
    return { id, call, outcome };
  }

  /** Places a call and resolves once it (and its agent leg) ended. */
  async call(opts: SimulatedCallOptions = {}): Promise<SimulatedCallOutcome> {
    return (await this.place(opts)).outcome;
  }

  /** Hangs up, un-registers, closes sockets and the media clock. */
  async close(): Promise<void> {
    await Promise.all([this.gateway.close(), this.agents?.close()]);
    this.media.clock.close();
  }
}
