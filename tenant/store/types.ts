// The tenant model as the store hands it out: plain records (camelCase, nullable fields as null), never password hashes unless asked for by name.
import type { Binding } from '../../engine/sip/registrar/index.ts';
import type { Ha1Pair } from '../model/index.ts';

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Per-tenant settings (data in the store, not configuration files). */
export interface TenantSettings {
  /** Record bridged calls. Default false. */
  recordCalls?: boolean;
  /** Seconds an agent stays in wrap-up after a call. Default 0. */
  wrapUpSeconds?: number;
  /** Most simultaneous calls of the tenant; absent = unlimited. */
  maxConcurrentCalls?: number;
}

export interface Tenant {
  id: string;
  name: string;
  /** Normalised domain: also the digest realm of its gateway and agents. */
  domain: string;
  settings: TenantSettings;
  createdAt: number;
  updatedAt: number;
}

export interface ServiceNumber {
  id: string;
  tenantId: string;
  number: string;
  /** `number@domain`. */
  calledIdentity: string;
  createdAt: number;
}

export interface Agent {
  id: string;
  tenantId: string;
  extension: string;
  name: string;
  /** Manually set "away": never routed to. */
  away: boolean;
  createdAt: number;
  updatedAt: number;
}

/** An agent with its digest HA1 hashes (for the credential cache only). */
export interface AgentWithCredentials extends Agent {
  ha1: Ha1Pair;
}

export interface Telephony {
  tenantId: string;
  enabled: boolean;
  /** The gateway account name, once issued. */
  gatewayUsername: string | null;
  updatedAt: number;
}

/** Telephony with the gateway account's HA1 hashes (for the credential cache only). */
export interface TelephonyWithCredentials extends Telephony {
  gatewayHa1: Ha1Pair | null;
}

/** Who a registration belongs to. */
export type RegistrationKind = 'gateway' | 'agent';

/** A stored registration binding and its owner. */
export interface StoredBinding {
  tenantId: string;
  kind: RegistrationKind;
  binding: Binding;
}

export interface Affinity {
  tenantId: string;
  customer: string;
  agentId: string;
  callId: string | null;
  updatedAt: number;
}

/** Kinds of flows a tenant has. */
export type FlowKind = 'inbound';

export interface Flow {
  id: string;
  tenantId: string;
  kind: FlowKind;
  /** 1, 2, 3… per tenant and kind. */
  version: number;
  document: JsonObject;
  published: boolean;
  createdAt: number;
  publishedAt: number | null;
}

export type CallDirection = 'inbound' | 'outbound';

/** A call detail record. */
export interface CallRecord {
  id: string;
  tenantId: string;
  direction: CallDirection;
  /** The customer's number (caller inbound, callee outbound). */
  customer: string;
  /** The tenant's service number involved, when known. */
  number: string | null;
  /** The agent who answered (or placed) the call. */
  agentId: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** `answered`, `no-answer`, `busy`, `abandoned`, `failed`, `refused`… */
  disposition: string | null;
  /** One entry per leg (endpoint, timestamps, SIP status, codec…). */
  legs: JsonObject[];
  /** The flow node ids visited, in order. */
  flowPath: string[];
  /** Per-leg quality statistics (loss, jitter, MOS…). */
  quality: JsonObject;
}

export interface Recording {
  id: string;
  tenantId: string;
  callId: string | null;
  /** Path relative to the data directory. */
  path: string;
  /** `wav`. */
  format: string;
  channels: number;
  sampleRate: number;
  durationMs: number;
  sizeBytes: number;
  createdAt: number;
}

export interface Conversation {
  id: string;
  tenantId: string;
  customer: string;
  createdAt: number;
  lastMessageAt: number;
}

/** What a message is. */
export type MessageKind = 'incoming_call' | 'transcript' | 'call_transcript' | 'note' | 'missed_call' | 'voicemail';

export interface Message {
  id: string;
  tenantId: string;
  conversationId: string;
  customer: string;
  kind: MessageKind;
  callId: string | null;
  agentId: string | null;
  body: JsonObject;
  createdAt: number;
}

export interface Webhook {
  id: string;
  tenantId: string;
  url: string;
  /** Event types delivered; null = all. */
  events: string[] | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A webhook with its signing secret (for the dispatcher only). */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

/** An event as kept in the outbox. */
export interface StoredEvent {
  /** Global sequence number: SSE id, delivery order. */
  seq: number;
  /** `evt_…`: stable across retries (receivers deduplicate on it). */
  id: string;
  tenantId: string;
  type: string;
  callId: string | null;
  agentId: string | null;
  data: JsonObject;
  createdAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  webhookId: string;
  eventSeq: number;
  eventId: string;
  tenantId: string;
  orderKey: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** One page of a list, and the cursor of the next (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Which page: at most `limit` items after `cursor` (from a previous page's `nextCursor`). */
export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}
