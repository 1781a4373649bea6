// Simulated agent softphones on one UA: each extension registers `EXT@DOMAIN` with its password (RFC 3261 §10.2, §22.2), rings, answers / declines (603) / never answers / is busy (486), talks, holds (RFC 3264 §8.4) and hangs up.
import type { IncomingCall } from '../engine/sip/ua/invite.ts';
import type { AudioSpec } from './audio.ts';
import type { SimCall, SimCallEvents } from './call.ts';
import type { PhoneBehaviour, PhoneOptions } from './phone.ts';
import { withDefaults } from './options.ts';
import { SimPhone } from './phone.ts';
import type { RegisterOutcome, Registration } from './registration.ts';

/** What an agent softphone knows about a call ringing it. */
export interface RingingInfo {
  extension: string;
  /** From user (the caller's number as the server presents it). */
  from: string;
  requestUri: string;
  /** Calls this extension already has. */
  activeCalls: number;
}

/** A behaviour, fixed or chosen per call. */
export type BehaviourChoice = PhoneBehaviour | ((info: RingingInfo) => PhoneBehaviour);

/** One extension. */
export interface ExtensionSpec {
  extension: string;
  password: string;
  /** Overrides the simulator's behaviour for this extension. */
  behaviour?: BehaviourChoice;
}

/** Options of {@link AgentSimulator}. */
export interface AgentOptions extends PhoneOptions {
  extensions: readonly ExtensionSpec[];
  /** How the softphones treat calls (per extension overrides apply). */
  behaviour: BehaviourChoice;
  /** What agents say when no behaviour names audio. */
  agentAudio: AudioSpec;
  /** Probe tones agents listen for (the caller's tone). */
  probes: readonly number[];
  /** Calls an extension takes at once; more are refused 486. */
  maxCallsPerExtension: number;
}

/** Defaults of {@link AgentOptions} beyond the phone's. */
export const AGENT_DEFAULTS: Readonly<Pick<AgentOptions, 'behaviour' | 'agentAudio' | 'probes' | 'maxCallsPerExtension' | 'product'>> = Object.freeze({
  behaviour: Object.freeze({ action: 'answer', ringMs: 1000 }) as PhoneBehaviour,
  agentAudio: Object.freeze({ kind: 'tone', frequencies: Object.freeze([1000]) }) as AudioSpec,
  probes: Object.freeze([]),
  maxCallsPerExtension: 1,
  product: 'Hotline-Sim-Softphone',
});

/** One extension's softphone: its registration and its calls. */
export interface Softphone {
  readonly extension: string;
  readonly registration: Registration;
  /** Calls ringing or up. */
  readonly calls: Set<SimCall>;
  /** Calls that rang this phone, in order (ended or not). */
  readonly history: SimCall[];
  /** INVITEs refused at once (busy, unknown codec…). */
  refused: number;
}

/** Events of an {@link AgentSimulator}. */
export interface AgentEvents {
  /** A call rings an extension (before the behaviour plays out). */
  ringing?(phone: Softphone, call: SimCall, behaviour: PhoneBehaviour): void;
  /** An INVITE was refused without creating a call (busy, behaviour `busy`). */
  refused?(phone: Softphone, status: number, from: string): void;
}

/**
 * One or many softphones sharing a UA (one SIP socket; each extension registers its own contact
 * `sip:EXT@host:port`, and INVITEs are dispatched by the Request-URI user, else the To user).
 */
export class AgentSimulator extends SimPhone {
  override readonly options: Readonly<AgentOptions>;
  readonly #phones = new Map<string, Softphone>();
  events: AgentEvents = {};
  /** Per-call event hooks given to every call (the scenario runner's correlation). */
  callEvents: SimCallEvents = {};

  constructor(options: Pick<AgentOptions, 'server' | 'domain' | 'extensions'> & Partial<AgentOptions>) {
    const o = withDefaults(AGENT_DEFAULTS, options) as AgentOptions;
    super(o);
    this.options = Object.freeze(o);
    for (const e of o.extensions) {
      if (!e.extension) throw new TypeError('extensions[].extension must not be empty');
      if (this.#phones.has(e.extension)) throw new TypeError(`extension ${e.extension} is listed twice`);
      this.#phones.set(e.extension, { extension: e.extension, registration: this.addRegistration(e.extension, e.password), calls: new Set(), history: [], refused: 0 });
    }
  }

  /** Binds the SIP socket and registers every extension; resolves with each outcome, in order. */
  async start(): Promise<RegisterOutcome[]> {
    await this.listen();
    return Promise.all([...this.#phones.values()].map((p) => p.registration.start()));
  }

  /** The softphone of an extension. */
  phone(extension: string): Softphone | undefined {
    return this.#phones.get(extension);
  }

  /** Every softphone. */
  get phones(): readonly Softphone[] {
    return [...this.#phones.values()];
  }

  protected onIncoming(inc: IncomingCall): void {
    const uriUser = (inc.request.uri as { user?: string }).user;
    const toUser = (inc.request.to().uri as { user?: string }).user;
    const phone = (uriUser !== undefined ? this.#phones.get(uriUser) : undefined) ?? (toUser !== undefined ? this.#phones.get(toUser) : undefined);
    const from = (inc.request.from().uri as { user?: string; number?: string });
    const fromUser = from.user ?? from.number ?? '';
    if (!phone) {
      inc.reject(404, 'Not Found');
      return;
    }
    if (phone.calls.size >= this.options.maxCallsPerExtension) {
      phone.refused++;
      inc.reject(486, 'Busy Here');
      this.events.refused?.(phone, 486, fromUser);
      return;
    }
    const info: RingingInfo = { extension: phone.extension, from: fromUser, requestUri: inc.request.uriText, activeCalls: phone.calls.size };
    const choice = this.#extBehaviour(phone.extension) ?? this.options.behaviour;
    const behaviour = typeof choice === 'function' ? choice(info) : choice;
    if (behaviour.action === 'busy') {
      phone.refused++;
      inc.reject(486, 'Busy Here');
      this.events.refused?.(phone, 486, fromUser);
      return;
    }
    const hooks = this.callEvents;
    const withAudio: PhoneBehaviour = { ...behaviour, audio: behaviour.audio ?? this.options.agentAudio };
    // Reserve the line while the leg opens, so a second INVITE meanwhile sees the phone busy.
    const placeholder = {} as SimCall;
    phone.calls.add(placeholder);
    void this.answerAs(inc, withAudio, { probes: this.options.probes }, `agent-${phone.extension}`, {
      ringing: (c) => hooks.ringing?.(c),
      answered: (c) => hooks.answered?.(c),
      ended: (c, r) => {
        phone.calls.delete(c);
        hooks.ended?.(c, r);
      },
    })
      .then((call) => {
        phone.calls.delete(placeholder);
        if (!call) return;
        phone.history.push(call);
        if (!call.done) phone.calls.add(call);
        this.events.ringing?.(phone, call, withAudio);
      })
      .catch(() => phone.calls.delete(placeholder));
  }

  #extBehaviour(ext: string): BehaviourChoice | undefined {
    return this.options.extensions.find((e) => e.extension === ext)?.behaviour;
  }
}
