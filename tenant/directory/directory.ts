// The engine's tenant policies over the store, cached in memory so the SIP hot path never waits on the database: credential lookup and binding store for the registrar (RFC 3261 §10.3, §22; realm = tenant domain), and the inbound router resolveInbound(calledIdentity, caller, source).
import {
  type AorParts,
  type Binding,
  type BindingStore,
  type CredentialLookup,
  type Ha1Algorithm,
  normalizeIp,
  type RequestSource,
} from '../../engine/sip/registrar/index.ts';
import type { Endpoint } from '../../engine/sip/transport/sockets.ts';
import { type Logger, silentLogger } from '../log.ts';
import { formatCalledIdentity, parseCalledIdentity, tryNormalizeDomain, tryNormalizeNumber } from '../model/index.ts';
import type {
  AgentWithCredentials,
  Flow,
  RegistrationKind,
  ServiceNumber,
  StoredEvent,
  Store,
  TelephonyWithCredentials,
  Tenant,
} from '../store/index.ts';

/** Why an inbound call was refused, and the SIP status to answer with. */
export type InboundRefusalReason =
  /** The Request-URI/To is not `number@domain` with a valid number and domain. */
  | 'not-a-called-identity'
  /** No tenant has this number at this domain. */
  | 'unknown-called-identity'
  /** The tenant's telephony integration is off. */
  | 'integration-disabled';

/** A refused inbound call. */
export interface InboundRefusal {
  ok: false;
  /** 404 (not ours) or 403 (integration disabled). */
  status: 404 | 403;
  reason: InboundRefusalReason;
  /** The tenant, when the called identity was found. */
  tenantId: string | null;
}

/** An inbound call routed to a tenant. */
export interface InboundRoute {
  ok: true;
  tenant: Tenant;
  number: ServiceNumber;
  /** The normalised `number@domain`. */
  calledIdentity: string;
  /** The caller's number, normalised; null when withheld or not a number. */
  customer: string | null;
  /**
   * True when the request came from a live registration of this tenant's gateway (same IP and transport,
   * and same port over UDP). When false the engine challenges with the gateway account (407).
   */
  fromGateway: boolean;
  /** The gateway account to challenge with: username and realm (the tenant's domain). */
  gateway: { username: string; realm: string } | null;
  /** The published inbound flow; null: the default flow. */
  flow: Flow | null;
}

/** Result of {@link TenantDirectory.resolveInbound}. */
export type InboundResolution = InboundRoute | InboundRefusal;

/** Agent availability (derived from registrations, calls in progress and the manual "away"). */
export type AgentState = 'offline' | 'available' | 'busy' | 'wrap-up' | 'away';

/** Options of {@link TenantDirectory}. */
export interface DirectoryOptions {
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  logger?: Logger;
  /**
   * `put` returns a Promise that settles when the bindings are in the database (a failure then fails the
   * REGISTER with 500 and the cache is rolled back). Default false: the cache is updated at once and the
   * database written in the background, in order per AOR (the registrar never waits on it).
   */
  awaitBindingWrites?: boolean;
  /** Delay before retrying a failed background write. Default 1000 ms. */
  retryDelayMs?: number;
  /** Receives events written to the outbox by the directory (gateway registered/unregistered), after commit. */
  onEvents?: (events: StoredEvent[]) => void;
}

interface TenantEntry {
  tenant: Tenant;
  telephony: TelephonyWithCredentials;
  agentsByExtension: Map<string, AgentWithCredentials>;
  agentsById: Map<string, AgentWithCredentials>;
  numbers: ServiceNumber[];
  flow: Flow | null;
}

interface AgentActivity {
  calls: number;
  wrapUpUntil: number;
}

interface GatewayChange {
  type: 'gateway.registered' | 'gateway.unregistered';
  binding: Binding;
}

interface PendingWrite {
  tenantId: string;
  kind: RegistrationKind;
  bindings: readonly Binding[];
  changes: GatewayChange[];
}

const EMPTY: readonly Binding[] = Object.freeze([]);

/** Text form of a flow endpoint: `udp:192.0.2.1:5060`. */
export function endpointText(e: Endpoint): string {
  return `${e.transport}:${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
}

/**
 * Who is who, in memory: tenants by domain (= realm), agent and gateway credentials (HA1 only), service
 * numbers by called identity, published flows, and every binding. Reads are synchronous; the store is
 * written through. After an admin change call {@link tenantChanged}; in a cluster, changes made by other
 * nodes arrive through the store's notifications ({@link listen}).
 *
 * Isolation: every lookup is keyed by realm, and a realm is exactly one tenant's domain. Credentials of
 * tenant A are never consulted for tenant B's realm, `mayRegister` requires the AOR's domain to be the
 * realm's tenant's, and an inbound call only counts as "from the gateway" when it comes from a binding of
 * the called tenant's own gateway.
 */
export class TenantDirectory implements CredentialLookup, BindingStore {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #awaitWrites: boolean;
  readonly #retryDelayMs: number;
  readonly #onEvents: ((events: StoredEvent[]) => void) | undefined;
  readonly #byId = new Map<string, TenantEntry>();
  readonly #byDomain = new Map<string, string>();
  readonly #byCalledIdentity = new Map<string, { tenantId: string; number: ServiceNumber }>();
  readonly #bindings = new Map<string, readonly Binding[]>();
  readonly #activity = new Map<string, AgentActivity>();
  readonly #pending = new Map<string, PendingWrite>();
  readonly #draining = new Map<string, Promise<void>>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #unlisten: (() => void)[] = [];
  #closed = false;

  private constructor(store: Store, opts: DirectoryOptions) {
    this.#store = store;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger ?? silentLogger();
    this.#awaitWrites = opts.awaitBindingWrites ?? false;
    this.#retryDelayMs = opts.retryDelayMs ?? 1000;
    this.#onEvents = opts.onEvents;
  }

  /** Loads every tenant, credential, number, published flow and live binding from the store. */
  static async open(store: Store, opts: DirectoryOptions = {}): Promise<TenantDirectory> {
    const d = new TenantDirectory(store, opts);
    await d.reloadAll();
    return d;
  }

  /** Re-reads everything from the store (start-up; recovery after losing cluster notifications). */
  async reloadAll(): Promise<void> {
    const s = this.#store;
    const [tenants, telephony, agents, numbers, flows, live] = await Promise.all([
      s.tenants.all(),
      s.telephony.allWithCredentials(),
      s.agents.allWithCredentials(),
      s.numbers.all(),
      s.flows.allPublished(),
      s.registrations.live(this.#now()),
    ]);
    this.#byId.clear();
    this.#byDomain.clear();
    this.#byCalledIdentity.clear();
    const tel = new Map(telephony.map((t) => [t.tenantId, t]));
    const flow = new Map(flows.filter((f) => f.kind === 'inbound').map((f) => [f.tenantId, f]));
    const byTenantAgents = groupBy(agents, (a) => a.tenantId);
    const byTenantNumbers = groupBy(numbers, (n) => n.tenantId);
    for (const t of tenants) {
      this.#install(t, tel.get(t.id) ?? defaultTelephony(t.id), byTenantAgents.get(t.id) ?? [], byTenantNumbers.get(t.id) ?? [], flow.get(t.id) ?? null);
    }
    this.#bindings.clear();
    const byAor = new Map<string, Binding[]>();
    for (const sb of live) {
      let list = byAor.get(sb.binding.aor);
      if (list === undefined) byAor.set(sb.binding.aor, (list = []));
      list.push(sb.binding);
    }
    for (const [aor, list] of byAor) if (!this.#pending.has(aor)) this.#bindings.set(aor, Object.freeze(list));
  }

  /**
   * Re-reads one tenant after a change (admin API, another node). A deleted tenant disappears with its
   * bindings.
   */
  async tenantChanged(tenantId: string): Promise<void> {
    const s = this.#store;
    const tenant = await s.tenants.get(tenantId);
    if (tenant === undefined) {
      this.#uninstall(tenantId);
      for (const [aor] of this.#bindings) if (this.#ownerOf(aor) === undefined) this.#bindings.delete(aor);
      return;
    }
    const [telephony, agents, numbers, flow] = await Promise.all([
      s.telephony.getWithCredentials(tenantId),
      s.agents.allWithCredentials(tenantId),
      s.numbers.all(tenantId),
      s.flows.published(tenantId, 'inbound'),
    ]);
    this.#install(tenant, telephony, agents, numbers, flow ?? null);
  }

  /** Re-reads the bindings of one AOR (a change made by another node). Skipped while a local write is pending. */
  async bindingsChanged(aor: string): Promise<void> {
    if (this.#pending.has(aor) || this.#draining.has(aor)) return;
    const list = await this.#store.registrations.get(aor);
    if (this.#pending.has(aor) || this.#draining.has(aor)) return;
    if (list.length === 0) this.#bindings.delete(aor);
    else this.#bindings.set(aor, Object.freeze(list));
  }

  /**
   * Follows changes made elsewhere through the store's notifications (`tenant` and `binding` channels):
   * other nodes of a PostgreSQL cluster. Changes of this process are already applied.
   */
  async listen(): Promise<void> {
    this.#unlisten.push(
      await this.#store.listen('tenant', (id, { local }) => {
        if (!local) this.tenantChanged(id).catch((err: unknown) => this.#log.error({ err, tenantId: id }, 'tenant reload failed'));
      }),
      await this.#store.listen('binding', (aor, { local }) => {
        if (!local) this.bindingsChanged(aor).catch((err: unknown) => this.#log.error({ err, aor }, 'binding reload failed'));
      }),
    );
  }

  /** Applies a tenant change here and tells the other nodes. */
  async publishTenantChange(tenantId: string): Promise<void> {
    await this.tenantChanged(tenantId);
    await this.#store.notify('tenant', tenantId);
  }

  #install(tenant: Tenant, telephony: TelephonyWithCredentials, agents: AgentWithCredentials[], numbers: ServiceNumber[], flow: Flow | null): void {
    this.#uninstall(tenant.id);
    const entry: TenantEntry = {
      tenant,
      telephony,
      agentsByExtension: new Map(agents.map((a) => [a.extension, a])),
      agentsById: new Map(agents.map((a) => [a.id, a])),
      numbers,
      flow,
    };
    this.#byId.set(tenant.id, entry);
    this.#byDomain.set(tenant.domain, tenant.id);
    for (const n of numbers) this.#byCalledIdentity.set(n.calledIdentity, { tenantId: tenant.id, number: n });
  }

  #uninstall(tenantId: string): void {
    const old = this.#byId.get(tenantId);
    if (old === undefined) return;
    this.#byId.delete(tenantId);
    if (this.#byDomain.get(old.tenant.domain) === tenantId) this.#byDomain.delete(old.tenant.domain);
    for (const n of old.numbers) if (this.#byCalledIdentity.get(n.calledIdentity)?.tenantId === tenantId) this.#byCalledIdentity.delete(n.calledIdentity);
  }

  #entryOfRealm(realm: string): TenantEntry | undefined {
    const id = this.#byDomain.get(realm);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  #entryOfDomain(domain: string): TenantEntry | undefined {
    const d = this.#byDomain.has(domain) ? domain : tryNormalizeDomain(domain);
    return d === undefined ? undefined : this.#entryOfRealm(d);
  }

  // ---- CredentialLookup (RFC 3261 §10.3 steps 1, 3, 4; §22.4) ----

  /** The realm serving `domain`: the tenant's normalised domain, or `undefined` (REGISTER → 404). */
  realmFor(domain: string): string | undefined {
    return this.#entryOfDomain(domain)?.tenant.domain;
  }

  /**
   * The HA1 of `username` in `realm`: the tenant's gateway account (only while the integration is
   * enabled) or one of its agents (by exact extension). `undefined` for anyone else.
   */
  ha1(username: string, realm: string, algorithm: Ha1Algorithm): string | undefined {
    const e = this.#entryOfRealm(realm);
    if (e === undefined) return undefined;
    const gw = e.telephony;
    if (gw.gatewayUsername !== null && username === gw.gatewayUsername) {
      if (!gw.enabled || gw.gatewayHa1 === null) return undefined;
      return algorithm === 'SHA-256' ? gw.gatewayHa1.sha256 : gw.gatewayHa1.md5;
    }
    const a = e.agentsByExtension.get(username);
    if (a === undefined) return undefined;
    return algorithm === 'SHA-256' ? a.ha1.sha256 : a.ha1.md5;
  }

  /** A gateway account or an agent registers its own AOR only, in its own tenant's domain. */
  mayRegister(username: string, realm: string, aor: AorParts): boolean {
    const e = this.#entryOfRealm(realm);
    if (e === undefined) return false;
    if (this.#entryOfDomain(aor.host) !== e) return false;
    if (aor.user !== username) return false;
    return this.ha1(username, realm, 'MD5') !== undefined;
  }

  // ---- BindingStore (RFC 3261 §10.3 step 7) ----

  get(aor: string): readonly Binding[] {
    return this.#bindings.get(aor) ?? EMPTY;
  }

  /**
   * Replaces the bindings of `aor` in the cache at once and writes them to the store (in the background,
   * or awaited with `awaitBindingWrites`). A gateway contact appearing or disappearing also writes a
   * `gateway.registered` / `gateway.unregistered` event in the same transaction.
   * @throws {TypeError} when `aor` is not in a domain we serve (the registrar never asks that).
   */
  put(aor: string, bindings: readonly Binding[]): void | Promise<void> {
    const owner = this.#ownerOf(aor);
    if (owner === undefined) throw new TypeError(`aor: ${aor} is not in a served domain`);
    const before = this.#bindings.get(aor) ?? EMPTY;
    const next = Object.freeze([...bindings]);
    if (next.length === 0) this.#bindings.delete(aor);
    else this.#bindings.set(aor, next);
    const changes = owner.kind === 'gateway' ? gatewayChanges(before, next) : [];
    if (this.#awaitWrites) {
      // the registrar serialises REGISTERs per AOR, so writes of one AOR never overlap here
      return this.#write(aor, { ...owner, bindings: next, changes }).catch((err: unknown) => {
        if (this.#bindings.get(aor) === next) {
          if (before.length === 0) this.#bindings.delete(aor);
          else this.#bindings.set(aor, before);
        }
        throw err;
      });
    }
    const queued = this.#pending.get(aor);
    this.#pending.set(aor, { ...owner, bindings: next, changes: [...(queued?.changes ?? []), ...changes] });
    void this.#drain(aor);
  }

  aors(): string[] {
    return [...this.#bindings.keys()];
  }

  /** Waits until every binding write queued so far is in the store (or has failed and been scheduled for retry). */
  async flush(): Promise<void> {
    while (this.#draining.size > 0) await Promise.all([...this.#draining.values()]);
  }

  /** Writes one AOR's bindings and its gateway events in one transaction, then tells the other nodes. */
  async #write(aor: string, w: PendingWrite): Promise<void> {
    const events = await this.#store.transaction(async (tx) => {
      await tx.registrations.put(aor, { tenantId: w.tenantId, kind: w.kind }, w.bindings);
      const out: StoredEvent[] = [];
      for (const c of w.changes) out.push(await tx.outbox.append(gatewayEvent(w.tenantId, c)));
      return out;
    });
    if (events.length > 0) this.#onEvents?.(events);
    this.#store.notify('binding', aor).catch(() => {});
  }

  /** Background writer of one AOR: writes the newest wanted set until none is queued; retries failures later. */
  #drain(aor: string): Promise<void> {
    const running = this.#draining.get(aor);
    if (running !== undefined) return running;
    const p = (async () => {
      for (;;) {
        const w = this.#pending.get(aor);
        if (w === undefined || this.#closed) return;
        this.#pending.delete(aor);
        try {
          await this.#write(aor, w);
        } catch (err) {
          this.#log.error({ err, aor }, 'storing bindings failed; will retry');
          // keep the newest wanted set (a later put may have queued one) and every change not yet written
          const newer = this.#pending.get(aor);
          this.#pending.set(aor, newer === undefined ? w : { ...newer, changes: [...w.changes, ...newer.changes] });
          const t = setTimeout(() => {
            this.#retryTimers.delete(t);
            void this.#drain(aor);
          }, this.#retryDelayMs);
          t.unref();
          this.#retryTimers.add(t);
          return;
        }
      }
    })().finally(() => this.#draining.delete(aor));
    this.#draining.set(aor, p);
    return p;
  }

  /** The tenant and kind of an AOR `sip:user@domain`, or `undefined` when the domain is not served. */
  #ownerOf(aor: string): { tenantId: string; kind: RegistrationKind } | undefined {
    const m = /^sips?:([^@]+)@(.+)$/.exec(aor);
    if (m === null) return undefined;
    const e = this.#entryOfDomain(m[2]);
    if (e === undefined) return undefined;
    const user = safeDecode(m[1]);
    return { tenantId: e.tenant.id, kind: e.telephony.gatewayUsername === user ? 'gateway' : 'agent' };
  }

  // ---- Inbound routing (DESIGN.md §1, §3 "SIP identities") ----

  /**
   * Resolves an inbound call: which tenant owns the called identity (`number@domain` from the
   * Request-URI, or from To when the Request-URI has only the number), whether its integration is on,
   * and whether `source` is one of that tenant's registered gateways. Synchronous (memory only).
   * Unknown → 404, integration disabled → 403.
   */
  resolveInbound(calledIdentity: string | { user: string | undefined; host: string }, caller: string | undefined, source: Endpoint | RequestSource): InboundResolution {
    const parts = parseCalledIdentity(calledIdentity);
    if (parts === undefined) return { ok: false, status: 404, reason: 'not-a-called-identity', tenantId: null };
    const ci = formatCalledIdentity(parts);
    const hit = this.#byCalledIdentity.get(ci);
    const entry = hit && this.#byId.get(hit.tenantId);
    if (hit === undefined || entry === undefined) return { ok: false, status: 404, reason: 'unknown-called-identity', tenantId: null };
    if (!entry.telephony.enabled) return { ok: false, status: 403, reason: 'integration-disabled', tenantId: entry.tenant.id };
    const gwUser = entry.telephony.gatewayUsername;
    return {
      ok: true,
      tenant: entry.tenant,
      number: hit.number,
      calledIdentity: ci,
      customer: caller === undefined ? null : (tryNormalizeNumber(safeDecode(caller)) ?? null),
      fromGateway: gwUser !== null && this.#isGatewaySource(entry, source),
      gateway: gwUser === null ? null : { username: gwUser, realm: entry.tenant.domain },
      flow: entry.flow,
    };
  }

  #isGatewaySource(entry: TenantEntry, source: Endpoint): boolean {
    const now = this.#now();
    const addr = normalizeIp(source.address);
    for (const b of this.gatewayBindings(entry.tenant.id, now)) {
      const s = b.source;
      if (s.transport !== source.transport || normalizeIp(s.address) !== addr) continue;
      // over UDP the flow is (address, port); a TCP/TLS gateway may open a new connection (new port)
      if (source.transport === 'udp' && s.port !== source.port) continue;
      return true;
    }
    return false;
  }

  // ---- Lookups for call routing and the admin API ----

  /** The tenant with `id` (cached), or `undefined`. */
  tenant(id: string): Tenant | undefined {
    return this.#byId.get(id)?.tenant;
  }

  /** The tenant serving `domain` (any spelling), or `undefined`. */
  tenantByDomain(domain: string): Tenant | undefined {
    return this.#entryOfDomain(domain)?.tenant;
  }

  /** The tenant's published inbound flow, or null. */
  inboundFlow(tenantId: string): Flow | null {
    return this.#byId.get(tenantId)?.flow ?? null;
  }

  /** The agent of the tenant with this extension (exact, as registered), or `undefined`. */
  agentByExtension(tenantId: string, extension: string): AgentWithCredentials | undefined {
    return this.#byId.get(tenantId)?.agentsByExtension.get(extension);
  }

  /** The agent of the tenant with this id, or `undefined` (never another tenant's). */
  agent(tenantId: string, agentId: string): AgentWithCredentials | undefined {
    return this.#byId.get(tenantId)?.agentsById.get(agentId);
  }

  /** Every agent of the tenant. */
  agents(tenantId: string): AgentWithCredentials[] {
    return [...(this.#byId.get(tenantId)?.agentsById.values() ?? [])];
  }

  /** The canonical AOR of an agent: `sip:EXTENSION@DOMAIN`. */
  agentAor(tenantId: string, agentId: string): string | undefined {
    const e = this.#byId.get(tenantId);
    const a = e?.agentsById.get(agentId);
    return e && a ? `sip:${a.extension}@${e.tenant.domain}` : undefined;
  }

  /** The agent's live bindings (its registered phones), or `[]`. */
  agentBindings(tenantId: string, agentId: string, now = this.#now()): Binding[] {
    const aor = this.agentAor(tenantId, agentId);
    return aor === undefined ? [] : this.get(aor).filter((b) => b.expiresAt > now);
  }

  /** The tenant's gateway AOR `sip:gw-…@DOMAIN`, once the account exists. */
  gatewayAor(tenantId: string): string | undefined {
    const e = this.#byId.get(tenantId);
    const u = e?.telephony.gatewayUsername;
    return e && u ? `sip:${u}@${e.tenant.domain}` : undefined;
  }

  /** The live bindings of the tenant's gateway (each a line/contact to send outbound calls to). */
  gatewayBindings(tenantId: string, now = this.#now()): Binding[] {
    const aor = this.gatewayAor(tenantId);
    return aor === undefined ? [] : this.get(aor).filter((b) => b.expiresAt > now);
  }

  /** Whether the tenant's telephony integration is on. */
  telephonyEnabled(tenantId: string): boolean {
    return this.#byId.get(tenantId)?.telephony.enabled ?? false;
  }

  // ---- Agent state ----

  /** Marks the start of a call of an agent (busy until {@link agentCallEnded}). */
  agentCallStarted(tenantId: string, agentId: string): void {
    const key = `${tenantId}/${agentId}`;
    const a = this.#activity.get(key) ?? { calls: 0, wrapUpUntil: 0 };
    a.calls++;
    this.#activity.set(key, a);
  }

  /** Marks the end of a call of an agent; the agent is in wrap-up for the tenant's `wrapUpSeconds`. */
  agentCallEnded(tenantId: string, agentId: string): void {
    const key = `${tenantId}/${agentId}`;
    const a = this.#activity.get(key);
    if (a === undefined) return;
    a.calls = Math.max(0, a.calls - 1);
    const wrap = (this.#byId.get(tenantId)?.tenant.settings.wrapUpSeconds ?? 0) * 1000;
    if (a.calls === 0) {
      a.wrapUpUntil = this.#now() + wrap;
      if (wrap === 0) this.#activity.delete(key);
    }
  }

  /**
   * The agent's state: `away` (manual), `offline` (no live registration), `busy` (on a call),
   * `wrap-up` (just finished one), else `available`. `undefined` for an unknown agent.
   */
  agentState(tenantId: string, agentId: string, now = this.#now()): AgentState | undefined {
    const a = this.agent(tenantId, agentId);
    if (a === undefined) return undefined;
    if (a.away) return 'away';
    if (this.agentBindings(tenantId, agentId, now).length === 0) return 'offline';
    const act = this.#activity.get(`${tenantId}/${agentId}`);
    if (act !== undefined && act.calls > 0) return 'busy';
    if (act !== undefined && act.wrapUpUntil > now) return 'wrap-up';
    return 'available';
  }

  /** Stops listening, cancels retries and waits for writes in flight. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const u of this.#unlisten.splice(0)) u();
    for (const t of this.#retryTimers) clearTimeout(t);
    this.#retryTimers.clear();
    // one last attempt for writes that were waiting for a retry
    for (const aor of [...this.#pending.keys()]) void this.#drain(aor);
    await this.flush();
    this.#closed = true;
  }
}

function defaultTelephony(tenantId: string): TelephonyWithCredentials {
  return { tenantId, enabled: false, gatewayUsername: null, updatedAt: 0, gatewayHa1: null };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    let l = m.get(k);
    if (l === undefined) m.set(k, (l = []));
    l.push(i);
  }
  return m;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Contacts that appeared or disappeared between two binding sets (refreshes are not changes). */
function gatewayChanges(before: readonly Binding[], after: readonly Binding[]): GatewayChange[] {
  const was = new Map(before.map((b) => [b.contact, b]));
  const is = new Map(after.map((b) => [b.contact, b]));
  const out: GatewayChange[] = [];
  for (const [c, b] of is) if (!was.has(c)) out.push({ type: 'gateway.registered', binding: b });
  for (const [c, b] of was) if (!is.has(c)) out.push({ type: 'gateway.unregistered', binding: b });
  return out;
}

function gatewayEvent(tenantId: string, c: GatewayChange) {
  const b = c.binding;
  return {
    tenantId,
    type: c.type,
    data: {
      aor: b.aor,
      contact: b.contact,
      source: endpointText(b.source),
      transport: b.source.transport,
      userAgent: b.userAgent ?? null,
      registeredAt: b.registeredAt,
      expiresAt: b.expiresAt,
    },
  };
}
