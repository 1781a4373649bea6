// Matches the agent legs a server creates to the caller legs the simulated gateway placed: by the caller number the server presents in From (oldest open call first), else the oldest caller leg that is up and not bridged yet.
import type { SimCall } from './call.ts';

/** A caller leg and the agent legs matched to it. */
export interface CorrelatedCall {
  /** The caller number the gateway sent. */
  readonly caller: string;
  readonly call: SimCall;
  /** Agent legs that rang for this call (ring-all strategies ring several). */
  readonly agentCalls: SimCall[];
  /** The agent leg that answered (the bridge). */
  answeredAgent: SimCall | undefined;
  /** Media-clock ms of the first agent INVITE and of the agent's answer. */
  agentRingMs: number | undefined;
  agentAnswerMs: number | undefined;
}

/**
 * Correlates caller and agent legs of one simulation. When the agent answers, the caller leg gets a
 * `bridged` hearing segment, so what the caller hears before and after the bridge is told apart.
 */
export class CallCorrelator {
  readonly #open: CorrelatedCall[] = [];
  readonly #byAgent = new Map<SimCall, CorrelatedCall>();
  /** Agent legs that matched no caller leg. */
  unmatched = 0;

  /** Starts tracking a caller leg (until it ends). */
  track(call: SimCall, caller: string): CorrelatedCall {
    const c: CorrelatedCall = { caller, call, agentCalls: [], answeredAgent: undefined, agentRingMs: undefined, agentAnswerMs: undefined };
    this.#open.push(c);
    void call.ended.then(() => {
      const i = this.#open.indexOf(c);
      if (i >= 0) this.#open.splice(i, 1);
      for (const a of c.agentCalls) void a.ended.then(() => this.#byAgent.delete(a));
    });
    return c;
  }

  /** An agent leg rang: the caller leg it belongs to, if any. */
  agentRinging(agent: SimCall): CorrelatedCall | undefined {
    const open = this.#open.filter((c) => !c.call.done && c.answeredAgent === undefined);
    const c = open.find((x) => x.caller === agent.from) ?? open.find((x) => x.call.up);
    if (!c) {
      this.unmatched++;
      return undefined;
    }
    this.#byAgent.set(agent, c);
    c.agentCalls.push(agent);
    c.agentRingMs ??= agent.createdMs;
    return c;
  }

  /** An agent leg answered: marks the bridge on its caller leg. */
  agentAnswered(agent: SimCall): CorrelatedCall | undefined {
    const c = this.#byAgent.get(agent);
    if (!c || c.answeredAgent !== undefined) return undefined;
    c.answeredAgent = agent;
    c.agentAnswerMs = agent.answeredMs;
    c.call.mark('bridged');
    return c;
  }

  /** The caller leg an agent leg belongs to. */
  of(agent: SimCall): CorrelatedCall | undefined {
    return this.#byAgent.get(agent);
  }
}
