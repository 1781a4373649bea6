// The flow interpreter: runs one flow on one call over engine/call's CallControl — node by node, cancelled the moment the caller hangs up, bounded by a step limit, recording the path for the CDR, and always ending with a safe hangup (DESIGN.md §1–§2).
//
// Isolation: everything a run touches is its own (variables, report, abort controller); nodes get the call, the host
// and the flow, never another call. Every failure — a node that throws, a host that rejects, a flow naming a missing
// node — is caught here, logged, written into the path, and ends this call only.
import type { CallControl } from '../../engine/call/types.ts';
import { FlowRuntimeError } from '../errors.ts';
import type { IvrLogger } from '../log.ts';
import { SILENT_LOGGER } from '../log.ts';
import { renderTemplate } from '../schema/template.ts';
import type { Flow, FlowNode } from '../schema/types.ts';
import { abortable, isCallEnded } from './abort.ts';
import type { NodeRegistry } from './registry.ts';
import { NODE_REGISTRY } from './registry.ts';
import { SYSTEM_CLOCK } from './types.ts';
import type { FlowHost, FlowOutcome, FlowRunResult, IvrClock, NodeContext, NodeImpl, NodeResult, PathStep, RunReport } from './types.ts';

/** Options of {@link runFlow}. */
export interface RunFlowOptions {
  clock?: IvrClock;
  /** Most nodes entered in one run (a guard against loops). Default 200. */
  maxSteps?: number;
  log?: IvrLogger;
  registry?: NodeRegistry;
  /** Answer the call before the first node. Default true. */
  answer?: boolean;
  /** Initial call variables. */
  vars?: Record<string, string>;
  /** Called when a step ends (live progress). A throwing listener is logged and ignored. */
  onStep?(step: PathStep): void;
}

/** Defaults of {@link RunFlowOptions}. */
export const RUN_FLOW_DEFAULTS = Object.freeze({ maxSteps: 200, answer: true });

/** Most call variables, and longest value. */
export const MAX_VARS = 100;
export const MAX_VAR_LENGTH = 1000;

/**
 * Runs `flow` on `call` until it ends. Never rejects: the result says how it ended. The call is hung up at the end
 * (idempotent) unless the caller already hung up. The flow should have passed `validateFlow`; a flow that did not
 * still cannot harm other calls (unknown nodes and kinds end this call with outcome `error`).
 */
export async function runFlow(call: CallControl, flow: Flow, host: FlowHost, options: RunFlowOptions = {}): Promise<FlowRunResult> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const log = options.log ?? SILENT_LOGGER;
  const registry = options.registry ?? NODE_REGISTRY;
  const maxSteps = options.maxSteps ?? RUN_FLOW_DEFAULTS.maxSteps;
  const startedAt = clock.now();
  const path: PathStep[] = [];
  const report: RunReport = { recordings: [] };
  const vars: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(options.vars ?? {})) vars[k] = String(v).slice(0, MAX_VAR_LENGTH);
  const info = call.info;
  const scope = { caller: info.caller, called: info.called, calledIdentity: info.calledIdentity, callId: info.id, vars };
  const signal = call.signal;

  let outcome: FlowOutcome = 'completed';
  let hangupReason = 'flow-complete';
  let error: FlowRunResult['error'];
  let step: PathStep | undefined;
  const finishStep = (s: PathStep): void => {
    s.leftAt = clock.now();
    try {
      options.onStep?.(s);
    } catch (err) {
      log.warn({ err, callId: info.id }, 'flow: onStep listener threw');
    }
  };

  try {
    if (options.answer ?? RUN_FLOW_DEFAULTS.answer) await abortable(Promise.resolve().then(() => call.answer()), signal);
    let name = flow.start;
    for (let steps = 0; ; steps++) {
      if (steps >= maxSteps) throw new FlowRuntimeError('step-limit', `more than ${maxSteps} steps`, name);
      if (typeof flow.nodes !== 'object' || flow.nodes === null || !Object.hasOwn(flow.nodes, name)) {
        throw new FlowRuntimeError('unknown-node', `no node named ${JSON.stringify(name)}`, name);
      }
      const node: FlowNode = flow.nodes[name];
      const impl = (Object.hasOwn(registry, node?.type) ? registry[node.type] : undefined) as NodeImpl | undefined;
      if (impl === undefined) throw new FlowRuntimeError('unknown-kind', `node ${name} has unknown kind ${JSON.stringify(node?.type)}`, name);
      step = { node: name, kind: node.type, enteredAt: clock.now(), outcome: 'running' };
      path.push(step);
      const ctx: NodeContext = {
        call,
        host,
        flow,
        node: name,
        clock,
        log,
        vars,
        report,
        setVar(k, v) {
          if (!Object.hasOwn(vars, k) && Object.keys(vars).length >= MAX_VARS) {
            log.warn({ callId: info.id, node: name, var: k }, `flow: more than ${MAX_VARS} variables; ignored`);
            return;
          }
          vars[k] = v.slice(0, MAX_VAR_LENGTH);
        },
        render: (t, encode) => renderTemplate(t, scope, encode),
      };
      // Promise.resolve().then: a node that throws synchronously rejects like any other.
      const result: NodeResult = await abortable(Promise.resolve().then(() => impl.run(ctx, node, signal)), signal);
      step.outcome = result.outcome;
      if (result.detail !== undefined) step.detail = result.detail;
      finishStep(step);
      step = undefined;
      if (result.end === 'bridged') {
        outcome = 'bridged';
        hangupReason = result.hangupReason ?? 'bridged call ended';
        break;
      }
      if (result.end === 'hangup' || result.next === undefined) {
        hangupReason = result.hangupReason ?? 'flow-complete';
        break;
      }
      name = result.next;
    }
  } catch (err) {
    if (signal.aborted || isCallEnded(err)) {
      // The caller hung up: during a bridged call that is the ordinary end of a transfer.
      outcome = report.answeredBy !== undefined ? 'bridged' : 'hangup';
      if (step !== undefined) {
        step.outcome = outcome === 'bridged' ? 'bridged' : 'hangup';
        if (outcome === 'bridged') step.detail = { agent: report.answeredBy!.extension, agentId: report.answeredBy!.agentId, endedBy: 'caller' };
      }
    } else if (err instanceof FlowRuntimeError && err.code === 'step-limit') {
      outcome = 'step-limit';
      hangupReason = 'flow-step-limit';
      error = { code: err.code, message: err.message, node: err.node };
      log.warn({ callId: info.id, node: err.node, maxSteps }, 'flow: step limit reached; ending the call');
    } else {
      outcome = 'error';
      hangupReason = 'flow-error';
      const code = err instanceof FlowRuntimeError ? err.code : 'node-failed';
      error = { code, message: err instanceof Error ? err.message : String(err), node: step?.node ?? (err instanceof FlowRuntimeError ? err.node : undefined) };
      log.error({ err, callId: info.id, node: error.node }, 'flow: failed; ending the call');
    }
    if (step !== undefined) {
      if (outcome === 'error' || outcome === 'step-limit') step.outcome = outcome;
      finishStep(step);
    }
  }
  if (!signal.aborted) {
    try {
      await call.hangup(hangupReason);
    } catch (err) {
      if (!isCallEnded(err)) log.warn({ err, callId: info.id }, 'flow: hangup failed');
    }
  }
  const result: FlowRunResult = { outcome, path, vars: { ...vars }, recordings: [...report.recordings], startedAt, endedAt: clock.now() };
  if (report.answeredBy !== undefined) result.answeredBy = report.answeredBy;
  if (error !== undefined) result.error = error;
  return result;
}
