// The store's tables as Kysely types: one row shape per table, shared by the SQLite and PostgreSQL backends (times are epoch ms, flags 0/1, JSON documents as text).
import type { Generated } from 'kysely';

/** 0 or 1: flags are integers in both dialects so one query serves both. */
export type Flag = 0 | 1;

export interface TenantsTable {
  id: string;
  name: string;
  /** Normalised domain (lower case, punycode, no trailing dot); unique. Also the digest realm. */
  domain: string;
  /** JSON object of {@link TenantSettings}. */
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface NumbersTable {
  id: string;
  tenant_id: string;
  /** Normalised number; unique per tenant. */
  number: string;
  /** `number@domain`; unique across tenants. */
  called_identity: string;
  created_at: number;
}

export interface AgentsTable {
  id: string;
  tenant_id: string;
  /** Normalised extension; unique per tenant. */
  extension: string;
  name: string;
  /** HA1 = MD5(extension:domain:password). */
  ha1_md5: string;
  /** HA1 = SHA-256(extension:domain:password). */
  ha1_sha256: string;
  away: Flag;
  created_at: number;
  updated_at: number;
}

export interface TelephonyTable {
  tenant_id: string;
  enabled: Flag;
  /** The gateway account name (`gw-…`), unique; null until first enabled. */
  gateway_username: string | null;
  gateway_ha1_md5: string | null;
  gateway_ha1_sha256: string | null;
  updated_at: number;
}

export interface RegistrationsTable {
  /** Canonical AOR `sip:user@domain`. */
  aor: string;
  contact: string;
  tenant_id: string;
  /** `gateway` or `agent`. */
  kind: string;
  /** The whole binding as JSON (see the engine's `Binding`). */
  binding: string;
  expires_at: number;
  updated_at: number;
}

export interface AffinityTable {
  tenant_id: string;
  /** Normalised customer number. */
  customer: string;
  agent_id: string;
  call_id: string | null;
  updated_at: number;
}

export interface FlowsTable {
  id: string;
  tenant_id: string;
  /** `inbound` (one published inbound flow per tenant). */
  kind: string;
  version: number;
  /** The flow document as JSON. */
  document: string;
  published: Flag;
  created_at: number;
  published_at: number | null;
}

export interface CallsTable {
  id: string;
  tenant_id: string;
  /** `inbound` or `outbound`. */
  direction: string;
  customer: string;
  number: string | null;
  agent_id: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  disposition: string | null;
  /** JSON array of legs. */
  legs: string;
  /** JSON array of flow node ids visited. */
  flow_path: string;
  /** JSON object of per-leg quality statistics. */
  quality: string;
}

export interface RecordingsTable {
  id: string;
  tenant_id: string;
  call_id: string | null;
  /** Path relative to the data directory. */
  path: string;
  format: string;
  channels: number;
  sample_rate: number;
  duration_ms: number;
  size_bytes: number;
  created_at: number;
}

export interface ConversationsTable {
  id: string;
  tenant_id: string;
  customer: string;
  created_at: number;
  last_message_at: number;
}

export interface MessagesTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  /** `incoming_call`, `transcript`, `note`… */
  kind: string;
  call_id: string | null;
  agent_id: string | null;
  /** JSON body. */
  body: string;
  created_at: number;
}

export interface WebhooksTable {
  id: string;
  tenant_id: string;
  url: string;
  /** HMAC key (needed in clear to sign; never returned by the API). */
  secret: string;
  /** JSON array of event types, or null for all. */
  events: string | null;
  enabled: Flag;
  created_at: number;
  updated_at: number;
}

export interface OutboxTable {
  /** Global, increasing sequence number: the SSE event id and the delivery order. */
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  type: string;
  call_id: string | null;
  agent_id: string | null;
  /** JSON payload. */
  data: string;
  created_at: number;
}

export interface DeliveriesTable {
  webhook_id: string;
  event_seq: number;
  tenant_id: string;
  /** Deliveries with the same key (the call id) go out in `event_seq` order; null = unordered. */
  order_key: string | null;
  /** `pending`, `delivered` or `failed` (gave up). */
  status: string;
  attempts: number;
  next_attempt_at: number;
  /** A dispatcher holds the delivery until then (cluster: one node sends it). */
  lease_until: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** SHA-256 of the key's secret part. */
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Every table of the store. */
export interface Database {
  tenants: TenantsTable;
  numbers: NumbersTable;
  agents: AgentsTable;
  telephony: TelephonyTable;
  registrations: RegistrationsTable;
  affinity: AffinityTable;
  flows: FlowsTable;
  calls: CallsTable;
  recordings: RecordingsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  webhooks: WebhooksTable;
  outbox: OutboxTable;
  deliveries: DeliveriesTable;
  api_keys: ApiKeysTable;
}
