// The `transfer` node: ring the last agent / an agent / a group by strategy, notify each agent before the phone rings, bridge on answer, record when asked (DESIGN.md §1; issue 6 "Transfer to an agent").
//
//   resolve agents ─▶ none / offline ─────────────────────────────▶ unavailable (default noAnswer)
//                  └▶ only agent busy ────────────────────────────▶ busy (default noAnswer)
//   ring-all (or one agent): notify all ─▶ one dial of every contact (first 200 wins)
//   hunting strategies: for each agent in order: notify ─▶ dial its contacts ─▶ next agent on no answer / busy
//   answered ─▶ bridged (recording from the answer) ─▶ wait for either side to hang up ─▶ the flow ends
//   nobody answered ─▶ busy if every attempt was busy, else noAnswer
import { CallEndedError } from '../../../engine/call/types.ts';
import type { DialOptions, DialOutcome, DialTarget, PromptSource } from '../../../engine/call/types.ts';
import { ringbackPrompt } from '../../media/tones.ts';
import { transferSpec } from '../../schema/nodes/transfer.ts';
import type { MusicSpec, TransferNode } from '../../schema/types.ts';
import { abortable } from '../abort.ts';
import type { AgentTarget, FlowRecording, NodeContext, NodeResult } from '../types.ts';

/** The schema of `transfer` nodes. */
export const schema = transferSpec.schema;

/** Defaults of optional transfer fields. */
export const TRANSFER_DEFAULTS = Object.freeze({ ringTimeoutSec: 20, maxAgents: 10, record: false, notify: true });

/** Default text of the agent notification. */
export const DEFAULT_NOTIFY_TEXT = 'Incoming call from {{caller}}';

type Resolved = { agents: AgentTarget[]; busy: boolean; reason?: string };

async function resolveAgents(ctx: NodeContext, node: TransferNode): Promise<Resolved> {
  const info = ctx.call.info;
  const t = node.target;
  try {
    if (t === 'lastAgent' || 'agent' in t) {
      const agent = t === 'lastAgent' ? await ctx.host.lastAgent(info.caller, info) : await ctx.host.agent(t.agent, info);
      if (agent === undefined) return { agents: [], busy: false, reason: t === 'lastAgent' ? 'no-last-agent' : 'unknown-agent' };
      if (agent.state === 'busy') return { agents: [], busy: true, reason: 'agent-busy' };
      if (agent.state === 'offline' || agent.contacts.length === 0) return { agents: [], busy: false, reason: 'agent-offline' };
      return { agents: [agent], busy: false };
    }
    const spec = {
      ...('group' in t ? { group: t.group } : {}),
      strategy: t.strategy ?? 'ring-all',
      limit: node.maxAgents ?? TRANSFER_DEFAULTS.maxAgents,
    };
    const agents = (await ctx.host.agentTargets(spec, info))
      .filter((a) => (a.state ?? 'available') === 'available' && a.contacts.length > 0)
      .slice(0, spec.limit);
    return agents.length === 0 ? { agents, busy: false, reason: 'no-available-agent' } : { agents, busy: false };
  } catch (err) {
    if (err instanceof CallEndedError) throw err;
    ctx.log.warn({ err, node: ctx.node, callId: info.id }, 'transfer: the host could not resolve agents; taking the unavailable exit');
    return { agents: [], busy: false, reason: 'host-error' };
  }
}

function musicPrompt(ctx: NodeContext, music: MusicSpec | undefined): PromptSource | undefined {
  const m = music ?? 'ringback';
  if (m === 'none') return undefined;
  if (m === 'ringback') return ringbackPrompt(ctx.host.ringbackCountry ?? 'us');
  if ('tone' in m) return ringbackPrompt(m.tone);
  return ctx.host.prompts.file(m.play);
}

async function notifyAgents(ctx: NodeContext, node: TransferNode, agents: AgentTarget[]): Promise<void> {
  const n = node.notify ?? TRANSFER_DEFAULTS.notify;
  if (n === false) return;
  const text = ctx.render(typeof n === 'object' && n.message !== undefined ? n.message : DEFAULT_NOTIFY_TEXT);
  await Promise.all(
    agents.map(async (agent) => {
      try {
        await ctx.host.notify({ kind: 'agent', agent }, { event: 'agent.incoming_call', text, call: ctx.call.info, vars: { ...ctx.vars }, node: ctx.node });
      } catch (err) {
        ctx.log.warn({ err, node: ctx.node, agent: agent.agentId }, 'transfer: agent notification failed; ringing anyway');
      }
    }),
  );
}

function agentOf(agents: AgentTarget[], target: DialTarget): AgentTarget | undefined {
  return agents.find((a) => a.contacts.includes(target)) ?? agents.find((a) => a.contacts.some((c) => c.uri === target.uri));
}

/** Rings, bridges, and waits for the bridged call to end; or picks the exit when nobody answers. */
export async function run(ctx: NodeContext, node: TransferNode, signal: AbortSignal): Promise<NodeResult> {
  const info = ctx.call.info;
  const noAnswer = node.noAnswer;
  const resolved = await abortable(resolveAgents(ctx, node), signal);
  if (resolved.agents.length === 0) {
    return resolved.busy
      ? { next: node.busy ?? noAnswer, outcome: 'busy', detail: { reason: resolved.reason } }
      : { next: node.unavailable ?? noAnswer, outcome: 'unavailable', detail: { reason: resolved.reason } };
  }
  const agents = resolved.agents;
  const t = node.target;
  const strategy = typeof t === 'object' && !('agent' in t) ? (t.strategy ?? 'ring-all') : 'ring-all';
  const rounds: AgentTarget[][] = strategy === 'ring-all' ? [agents] : agents.map((a) => [a]);
  const record = node.record ?? TRANSFER_DEFAULTS.record;
  const recordingPath = record ? ctx.host.recordingPath('call', info) : undefined;
  const music = musicPrompt(ctx, node.music);
  const attempts: Array<{ agents: string[]; outcome: string; status?: number }> = [];

  for (const round of rounds) {
    await abortable(notifyAgents(ctx, node, round), signal);
    const opts: DialOptions = {
      targets: round.flatMap((a) => a.contacts),
      timeoutMs: (node.ringTimeoutSec ?? TRANSFER_DEFAULTS.ringTimeoutSec) * 1000,
      from: info.caller,
      headers: [['X-Hotline-Call', info.id]],
    };
    if (music !== undefined) opts.music = music;
    if (recordingPath !== undefined) opts.record = { path: recordingPath };
    ctx.host.onTransfer?.({ phase: 'ringing', node: ctx.node, call: info, agents: round });
    const r: DialOutcome = await abortable(ctx.call.dial(opts), signal);
    if (r.outcome === 'hangup') throw new CallEndedError();
    if (r.outcome !== 'answered') {
      attempts.push({ agents: round.map((a) => a.extension), outcome: r.outcome, ...(r.status !== undefined ? { status: r.status } : {}) });
      ctx.host.onTransfer?.({ phase: 'failed', node: ctx.node, call: info, agents: round, outcome: r.outcome });
      continue;
    }
    const agent = agentOf(round, r.target) ?? round[0];
    ctx.report.answeredBy = agent;
    ctx.host.onTransfer?.({ phase: 'answered', node: ctx.node, call: info, agents: round, agent });
    let recording: FlowRecording | undefined;
    if (recordingPath !== undefined) {
      recording = { kind: 'call', path: recordingPath, node: ctx.node, agent };
      ctx.report.recordings.push(recording);
    }
    const end = await abortable(ctx.call.waitForEnd(), signal).catch((err: unknown) => {
      if (err instanceof CallEndedError) return { endedBy: 'caller' as const };
      throw err;
    });
    ctx.host.onTransfer?.({ phase: 'ended', node: ctx.node, call: info, agents: round, agent });
    if (recording !== undefined) {
      try {
        await ctx.host.onRecording?.(recording, info);
      } catch (err) {
        ctx.log.warn({ err, path: recording.path }, 'transfer: onRecording failed');
      }
    }
    return {
      end: 'bridged',
      outcome: 'bridged',
      hangupReason: `bridged call ended by ${end.endedBy}`,
      detail: { agent: agent.extension, agentId: agent.agentId, endedBy: end.endedBy, attempts: attempts.length + 1 },
    };
  }
  const allBusy = attempts.length > 0 && attempts.every((a) => a.outcome === 'busy');
  return allBusy
    ? { next: node.busy ?? noAnswer, outcome: 'busy', detail: { attempts } }
    : { next: noAnswer, outcome: 'no-answer', detail: { attempts } };
}
