// The main path's front door (issue 6): an INVITE from a gateway is resolved to a tenant by its called identity,
// checked (own gateway or digest 407, limits), answered with anchored media, and handed to the tenant's flow;
// the CDR, affinity, recording and transcript follow when it ends.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Call, CallManager } from '../../engine/call/call.ts';
import type { DigestAuthenticator } from '../../engine/sip/auth/index.ts';
import type { SipUri } from '../../engine/sip/message/index.ts';
import type { IncomingCall } from '../../engine/sip/ua/invite.ts';
import { DEFAULT_FLOW } from '../../ivr/default-flow.ts';
import { runFlow } from '../../ivr/interpreter/interpreter.ts';
import type { FlowRecording, FlowRunResult, PromptFactory } from '../../ivr/interpreter/types.ts';
import type { Flow } from '../../ivr/schema/index.ts';
import type { Logger, TenantLayer } from '../../tenant/index.ts';
import { CallFlowHost } from './flow-host.ts';

export interface InboundLimits {
  /** Concurrent calls in the whole server. */
  maxCalls: number;
  /** Concurrent calls per tenant. */
  maxCallsPerTenant: number;
}

export interface InboundDeps {
  tenant: TenantLayer;
  calls: CallManager;
  authenticator: DigestAuthenticator;
  prompts: PromptFactory;
  dataDir: string;
  limits: InboundLimits;
  log: Logger;
  /** A recording is stored: hand it to the after-call pipeline. */
  onRecordingStored?(recordingId: string, tenantId: string): void | Promise<void>;
}

/** Refusals by reason, for logs and metrics. */
export type RefusalCounters = Record<string, number>;

/** `user@host` of the called identity: the Request-URI, or the To URI when the Request-URI carries only the number. */
export function calledIdentityOf(incoming: IncomingCall, isServedDomain: (host: string) => boolean): { user: string | undefined; host: string } {
  const req = incoming.request;
  const ruri = req.uri;
  const r = ruri.scheme === 'tel' ? undefined : (ruri as SipUri);
  if (r && r.user && isServedDomain(r.host.toLowerCase())) return { user: r.user, host: r.host };
  const to = req.to().uri;
  const t = to.scheme === 'tel' ? undefined : (to as SipUri);
  if (t && isServedDomain(t.host.toLowerCase())) return { user: r?.user ?? t.user, host: t.host };
  return { user: r?.user ?? t?.user, host: r?.host ?? t?.host ?? '' };
}

/** The caller's number: P-Asserted-Identity when present (RFC 3325), else the From user. */
export function callerOf(incoming: IncomingCall): string {
  const req = incoming.request;
  const pai = req.get('P-Asserted-Identity');
  const m = pai ? /sips?:([^@;>]+)@|tel:([^;>]+)/.exec(pai) : null;
  if (m) return m[1] ?? m[2] ?? '';
  const from = req.from().uri;
  return from.scheme === 'tel' ? from.toString().slice(4) : ((from as SipUri).user ?? '');
}

export class InboundRouter {
  readonly #d: InboundDeps;
  readonly refusals: RefusalCounters = {};
  readonly #perTenant = new Map<string, number>();
  readonly #rotation = new Map<string, number>();
  #active = 0;
  readonly #running = new Set<Promise<void>>();

  constructor(deps: InboundDeps) {
    this.#d = deps;
  }

  get active(): number {
    return this.#active;
  }

  /** Resolves once every call being handled has finished its bookkeeping. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  #refuse(incoming: IncomingCall, status: number, reason: string, headers?: Array<[string, string]>): void {
    this.refusals[reason] = (this.refusals[reason] ?? 0) + 1;
    this.#d.log.info({ callId: incoming.request.callId, status, reason, source: incoming.source }, 'inbound call refused');
    incoming.reject(status, undefined, headers);
  }

  /** Entry point for every new INVITE. Never throws. */
  handle(incoming: IncomingCall): void {
    const p = this.#handle(incoming).catch((err: unknown) => {
      this.#d.log.error({ err, callId: incoming.request.callId }, 'inbound call failed');
      incoming.reject(500);
    });
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p));
  }

  async #handle(incoming: IncomingCall): Promise<void> {
    const { tenant, calls, limits } = this.#d;
    const dir = tenant.directory;
    const identity = calledIdentityOf(incoming, (h) => dir.realmFor(h) !== undefined);
    const caller = callerOf(incoming);
    const route = dir.resolveInbound(identity, caller, incoming.source);
    if (!route.ok) {
      this.#refuse(incoming, route.status, route.reason);
      return;
    }
    const tenantId = route.tenant.id;
    if (!route.fromGateway) {
      // Only the tenant's own gateways may call in: not the registered flow → digest with the gateway account.
      const gw = route.gateway;
      const header = incoming.request.proxyAuthorization();
      const verdict =
        gw && header.length > 0
          ? await this.#d.authenticator.verify({ header, method: 'INVITE', realm: gw.realm, lookupHa1: (u, r, a) => (u === gw.username && (a === 'MD5' || a === 'SHA-256') ? dir.ha1(u, r, a) : undefined) })
          : undefined;
      if (!verdict?.ok) {
        if (!gw) {
          this.#refuse(incoming, 403, 'no-gateway-account');
          return;
        }
        const challenge = this.#d.authenticator.challenge(gw.realm, { stale: verdict?.stale === true });
        this.#refuse(incoming, 407, verdict ? `auth-${verdict.reason}` : 'auth-required', challenge.map((c) => ['Proxy-Authenticate', c] as [string, string]));
        return;
      }
    }
    const tenantCalls = this.#perTenant.get(tenantId) ?? 0;
    if (this.#active >= limits.maxCalls || tenantCalls >= limits.maxCallsPerTenant) {
      this.#refuse(incoming, 503, this.#active >= limits.maxCalls ? 'global-limit' : 'tenant-limit', [['Retry-After', '10']]);
      return;
    }
    this.#active++;
    this.#perTenant.set(tenantId, tenantCalls + 1);
    try {
      await this.#run(incoming, route.tenant.id, route.tenant.settings, route.number.number, route.calledIdentity, route.customer, caller, (route.flow?.document as Flow | undefined) ?? DEFAULT_FLOW);
    } finally {
      this.#active--;
      this.#perTenant.set(tenantId, (this.#perTenant.get(tenantId) ?? 1) - 1);
    }
  }

  async #run(incoming: IncomingCall, tenantId: string, settings: unknown, number: string, calledIdentity: string, customer: string | null, caller: string, flow: Flow): Promise<void> {
    const { tenant, calls, log } = this.#d;
    const cdr = await tenant.activity.callStarted({ tenantId, direction: 'inbound', customer: customer ?? caller ?? 'anonymous', number });
    let call: Call;
    try {
      call = await calls.accept(incoming, { id: cdr.id, caller: customer ?? caller, called: number, calledIdentity });
    } catch (err) {
      await tenant.activity.callEnded(tenantId, cdr.id, { disposition: 'failed' });
      log.warn({ err, callId: cdr.id }, 'could not accept the call');
      return;
    }
    let answeredAgent: string | undefined;
    const host = new CallFlowHost({
      tenant,
      tenantId,
      callId: cdr.id,
      customer,
      dataDir: this.#d.dataDir,
      prompts: this.#d.prompts,
      timezone: timezoneOf(settings),
      rotation: this.#rotation,
      onRecording: async (rec) => {
        if (rec.kind === 'voicemail') await this.#storeRecording(tenantId, cdr.id, rec.path, rec.durationMs ?? 0);
      },
      onTransfer: (ev) => {
        if (ev.phase === 'answered' && ev.agent) {
          answeredAgent = ev.agent.agentId;
          tenant.directory.agentCallStarted(tenantId, ev.agent.agentId);
          void tenant.activity.callAnswered(tenantId, cdr.id, { agentId: ev.agent.agentId }).catch((err: unknown) => log.warn({ err }, 'callAnswered failed'));
        }
      },
    });
    log.info({ callId: cdr.id, tenantId, caller, calledIdentity }, 'inbound call');
    let result: FlowRunResult | undefined;
    try {
      result = await runFlow(call, flow, host, { vars: { customer: customer ?? '' }, onStep: (s) => log.debug({ callId: cdr.id, node: s.node, outcome: s.outcome, detail: s.detail }, 'flow step') });
    } finally {
      await call.hangup('flow-ended').catch(() => undefined);
      await call.ended;
      if (answeredAgent) tenant.directory.agentCallEnded(tenantId, answeredAgent);
    }
    const legs = [call.callerLeg, call.calleeLeg].filter((l) => l !== undefined);
    await tenant.activity.callEnded(tenantId, cdr.id, {
      disposition: dispositionOf(result, answeredAgent),
      agentId: answeredAgent ?? null,
      flowPath: result.path.map((s) => s.node),
      legs: legs.map((l) => JSON.parse(JSON.stringify(l)) as Record<string, never>),
      quality: Object.fromEntries(legs.map((l) => [l.role, (l.quality ?? null) as never])),
    });
    if (call.recording) await this.#storeRecording(tenantId, cdr.id, call.recording.path, call.recording.durationMs);
    log.info({ callId: cdr.id, outcome: result.outcome, agent: answeredAgent, error: result.error, path: result.path.map((s) => `${s.node}:${s.outcome}`) }, 'inbound call ended');
  }

  async #storeRecording(tenantId: string, callId: string, file: string, durationMs: number): Promise<void> {
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size <= 44) return;
    const rec = await this.#d.tenant.activity.recordingReady({
      tenantId,
      callId,
      path: path.relative(this.#d.dataDir, file),
      format: 'wav',
      channels: 2,
      sampleRate: 8000,
      durationMs,
      sizeBytes: size,
    });
    await this.#d.onRecordingStored?.(rec.id, tenantId);
  }
}

function timezoneOf(settings: unknown): string {
  const tz = (settings as { timezone?: unknown } | null)?.timezone;
  return typeof tz === 'string' && tz.length > 0 ? tz : 'UTC';
}

function dispositionOf(result: FlowRunResult, agent: string | undefined): string {
  if (agent) return 'answered';
  switch (result.outcome) {
    case 'hangup':
      return 'abandoned';
    case 'error':
    case 'step-limit':
      return 'failed';
    default:
      return result.recordings.some((r: FlowRecording) => r.kind === 'voicemail') ? 'voicemail' : 'completed';
  }
}
