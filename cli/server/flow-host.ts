// The tenant side of a running flow (ivr FlowHost): agents and their registered phones, affinity, notifications,
// recording paths — implemented over the tenant directory and store for one call.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CallInfo, DialTarget } from '../../engine/call/types.ts';
import type { AgentGroupSpec, AgentTarget, FlowHost, FlowRecording, NotifyMessage, NotifyRecipient, PromptFactory, TransferEvent } from '../../ivr/interpreter/types.ts';
import type { TenantLayer } from '../../tenant/index.ts';

export interface CallFlowHostDeps {
  tenant: TenantLayer;
  tenantId: string;
  /** The CDR id of this call. */
  callId: string;
  /** The customer (normalised number), or null when withheld. */
  customer: string | null;
  dataDir: string;
  prompts: PromptFactory;
  timezone: string;
  /** Round-robin positions per tenant (shared by all calls of the process). */
  rotation: Map<string, number>;
  onRecording?(rec: FlowRecording): Promise<void>;
  onTransfer?(ev: TransferEvent): void;
}

/** The registered phones of an agent as dial targets (the flow each REGISTER came from: NAT-safe). */
export function agentTarget(layer: TenantLayer, tenantId: string, agentId: string): AgentTarget | undefined {
  const agent = layer.directory.agent(tenantId, agentId);
  if (!agent) return undefined;
  const contacts: DialTarget[] = layer.directory.agentBindings(tenantId, agentId).map((b) => ({
    uri: b.contact,
    dest: { transport: b.source.transport, address: b.source.address, port: b.source.port },
    label: `agent ${agent.extension}`,
  }));
  const state = layer.directory.agentState(tenantId, agentId);
  return {
    agentId,
    extension: agent.extension,
    name: agent.name,
    contacts,
    state: state === 'available' ? 'available' : state === 'offline' ? 'offline' : 'busy',
  };
}

export class CallFlowHost implements FlowHost {
  readonly timezone: string;
  readonly prompts: PromptFactory;
  readonly #d: CallFlowHostDeps;

  constructor(deps: CallFlowHostDeps) {
    this.#d = deps;
    this.timezone = deps.timezone;
    this.prompts = deps.prompts;
  }

  async lastAgent(caller: string): Promise<AgentTarget | undefined> {
    const customer = this.#d.customer ?? caller;
    if (!customer) return undefined;
    const aff = await this.#d.tenant.store.affinity.get(this.#d.tenantId, customer);
    return aff ? agentTarget(this.#d.tenant, this.#d.tenantId, aff.agentId) : undefined;
  }

  async agent(extension: string): Promise<AgentTarget | undefined> {
    const a = this.#d.tenant.directory.agentByExtension(this.#d.tenantId, extension);
    return a ? agentTarget(this.#d.tenant, this.#d.tenantId, a.id) : undefined;
  }

  async agentTargets(spec: AgentGroupSpec): Promise<AgentTarget[]> {
    const all = this.#d.tenant.directory
      .agents(this.#d.tenantId)
      .map((a) => agentTarget(this.#d.tenant, this.#d.tenantId, a.id))
      .filter((t): t is AgentTarget => t !== undefined && t.state === 'available' && t.contacts.length > 0);
    let ordered = all;
    switch (spec.strategy) {
      case 'round-robin': {
        const key = `${this.#d.tenantId}|${spec.group ?? ''}`;
        const at = (this.#d.rotation.get(key) ?? 0) % Math.max(1, all.length);
        this.#d.rotation.set(key, at + 1);
        ordered = [...all.slice(at), ...all.slice(0, at)];
        break;
      }
      case 'random':
        ordered = [...all].sort(() => Math.random() - 0.5);
        break;
      default:
        // ring-all, longest-idle and least-answered: the directory's order (extension) — per-agent idle time and
        // answer counts are not tracked yet, so these fall back to a stable order.
        ordered = all;
    }
    return ordered.slice(0, spec.limit);
  }

  async notify(to: NotifyRecipient, message: NotifyMessage): Promise<void> {
    if (to.kind === 'agent') {
      await this.#d.tenant.activity.agentIncomingCall(this.#d.tenantId, {
        callId: this.#d.callId,
        agentId: to.agent.agentId,
        customer: this.#d.customer ?? message.call.caller,
        extension: to.agent.extension,
      });
    }
    // Webhook notifications of a `notify` node ride on the call's events (no separate event type yet).
  }

  recordingPath(kind: 'voicemail' | 'call', call: CallInfo): string {
    const day = new Date(call.startedAt).toISOString().slice(0, 10);
    const dir = path.join(this.#d.dataDir, 'recordings', this.#d.tenantId, day);
    mkdirSync(dir, { recursive: true });
    return path.join(dir, `${this.#d.callId}-${kind}.wav`);
  }

  async onRecording(recording: FlowRecording): Promise<void> {
    await this.#d.onRecording?.(recording);
  }

  onTransfer(event: TransferEvent): void {
    this.#d.onTransfer?.(event);
  }
}
