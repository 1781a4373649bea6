// Store records → API representations (only the fields the API shows: never hashes, secrets or paths).
import type { Binding } from '../../engine/sip/registrar/index.ts';
import { endpointText } from '../directory/index.ts';
import type { Agent, ApiKey, CallRecord, Conversation, Delivery, Flow, Message, Recording, ServiceNumber, StoredEvent, Tenant, Webhook } from '../store/index.ts';

export const tenantView = (t: Tenant) => ({ id: t.id, name: t.name, domain: t.domain, settings: t.settings, createdAt: t.createdAt, updatedAt: t.updatedAt });
export const numberView = (n: ServiceNumber) => ({ id: n.id, number: n.number, calledIdentity: n.calledIdentity, createdAt: n.createdAt });
export const agentView = (a: Agent, state: string) => ({ id: a.id, extension: a.extension, name: a.name, away: a.away, state, createdAt: a.createdAt, updatedAt: a.updatedAt });
export const registrationView = (b: Binding) => ({
  contact: b.contact,
  source: endpointText(b.source),
  transport: b.source.transport,
  userAgent: b.userAgent ?? null,
  registeredAt: b.registeredAt,
  expiresAt: b.expiresAt,
  lastKeepalive: b.lastKeepalive === undefined ? null : { ok: b.lastKeepalive.ok, rttMs: b.lastKeepalive.rttMs ?? null, at: b.lastKeepalive.at },
});
export const flowView = (f: Flow) => ({ id: f.id, kind: f.kind, version: f.version, published: f.published, publishedAt: f.publishedAt, createdAt: f.createdAt, document: f.document });
export const callView = (c: CallRecord) => {
  const { tenantId: _t, ...rest } = c;
  return rest;
};
export const recordingView = (r: Recording) => ({
  id: r.id, callId: r.callId, format: r.format, channels: r.channels, sampleRate: r.sampleRate, durationMs: r.durationMs, sizeBytes: r.sizeBytes, createdAt: r.createdAt,
});
export const conversationView = (c: Conversation) => ({ id: c.id, customer: c.customer, createdAt: c.createdAt, lastMessageAt: c.lastMessageAt });
export const messageView = (m: Message) => ({ id: m.id, customer: m.customer, kind: m.kind, callId: m.callId, agentId: m.agentId, body: m.body, createdAt: m.createdAt });
export const eventView = (e: StoredEvent) => ({ id: e.id, seq: e.seq, type: e.type, callId: e.callId, agentId: e.agentId, createdAt: e.createdAt, data: e.data });
export const deliveryView = (d: Delivery) => ({
  webhookId: d.webhookId, eventId: d.eventId, status: d.status, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt, lastStatus: d.lastStatus, lastError: d.lastError, deliveredAt: d.deliveredAt,
});
export const webhookView = (w: Webhook) => ({ id: w.id, url: w.url, events: w.events, enabled: w.enabled, createdAt: w.createdAt, updatedAt: w.updatedAt });
export const apiKeyView = (k: ApiKey) => ({ id: k.id, name: k.name, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt, revokedAt: k.revokedAt });
