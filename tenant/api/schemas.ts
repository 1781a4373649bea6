// JSON Schemas (TypeBox) of the admin API: request validation and response serialization, and the source of the generated OpenAPI document.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { EVENT_TYPES } from '../model/index.ts';
import { MAX_PAGE_SIZE } from '../store/index.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Millis = Type.Integer({ description: 'epoch milliseconds' });
const AnyObject = Type.Object({}, { additionalProperties: true });

/** Every error answer: `{error, message, field?}` (and `faults` for invalid flows). */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'machine-readable code: validation_error, conflict, not_found, unauthorized, forbidden…' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'the input field at fault' })),
    faults: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
);

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

/** The page query plus route-specific filters (one object: `allOf` with closed objects would refuse the filters). */
export const pageQueryWith = <P extends Record<string, TSchema>>(props: P) => Type.Object({ ...PageQuery.properties, ...props }, { additionalProperties: false });

/** `{items, nextCursor}` of `item`. */
export const PageOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const TenantParams = Type.Object({ tenantId: Type.String({ maxLength: 64 }) });
export const withTenant = <P extends Record<string, TSchema>>(props: P) => Type.Object({ tenantId: Type.String({ maxLength: 64 }), ...props });

export const TenantSettings = Type.Object(
  {
    recordCalls: Type.Optional(Type.Boolean()),
    wrapUpSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
    maxConcurrentCalls: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  },
  { additionalProperties: false },
);

export const Tenant = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain: Type.String({ description: 'normalised: lower case, IDN as punycode, no trailing dot; also the SIP digest realm' }),
  settings: TenantSettings,
  createdAt: Millis,
  updatedAt: Millis,
});
export const TenantCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), domain: Type.String({ minLength: 1, maxLength: 1000 }), settings: Type.Optional(TenantSettings) },
  { additionalProperties: false },
);
export const TenantPatch = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), settings: Type.Optional(TenantSettings) },
  { additionalProperties: false },
);

export const ServiceNumber = Type.Object({
  id: Type.String(),
  number: Type.String(),
  calledIdentity: Type.String({ description: 'number@domain: what a gateway puts in the Request-URI of an inbound call' }),
  createdAt: Millis,
});
export const NumberCreate = Type.Object({ number: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const AgentStateSchema = Type.Union(['offline', 'available', 'busy', 'wrap-up', 'away'].map((s) => Type.Literal(s)));
export const Agent = Type.Object({
  id: Type.String(),
  extension: Type.String(),
  name: Type.String(),
  away: Type.Boolean(),
  state: AgentStateSchema,
  createdAt: Millis,
  updatedAt: Millis,
});
export const AgentCreate = Type.Object(
  {
    extension: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 8, maxLength: 128, description: 'kept only as SIP digest HA1 hashes; never returned' }),
  },
  { additionalProperties: false },
);
export const AgentPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
    away: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const TelephonyPut = Type.Object(
  { enabled: Type.Boolean(), rotatePassword: Type.Optional(Type.Boolean({ description: 'issue a new gateway password' })) },
  { additionalProperties: false },
);
export const TelephonyPutResult = Type.Object({
  enabled: Type.Boolean(),
  gateway: Nullable(Type.Object({ username: Type.String(), password: Type.Optional(Type.String({ description: 'only when issued by this request' })) })),
});
export const Registration = Type.Object({
  contact: Type.String(),
  source: Type.String({ description: 'transport:address:port the REGISTER came from' }),
  transport: Type.String(),
  userAgent: Nullable(Type.String()),
  registeredAt: Millis,
  expiresAt: Millis,
  lastKeepalive: Nullable(Type.Object({ ok: Type.Boolean(), rttMs: Nullable(Type.Number()), at: Millis })),
});
export const TelephonyView = Type.Object({
  enabled: Type.Boolean(),
  gateway: Nullable(Type.Object({ username: Type.String() })),
  registrations: Type.Array(Registration),
});

export const FlowDocument = Type.Object({}, { additionalProperties: true, description: 'a flow document (see GET /api/v1/flows/schema)' });
export const Flow = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  version: Type.Integer(),
  published: Type.Boolean(),
  publishedAt: Nullable(Millis),
  createdAt: Millis,
  document: FlowDocument,
});
export const FlowFault = Type.Object({ path: Type.String(), message: Type.String() });
export const FlowValidation = Type.Object({ valid: Type.Boolean(), faults: Type.Array(FlowFault) });

export const Call = Type.Object({
  id: Type.String(),
  direction: Type.String(),
  customer: Type.String(),
  number: Nullable(Type.String()),
  agentId: Nullable(Type.String()),
  startedAt: Millis,
  answeredAt: Nullable(Millis),
  endedAt: Nullable(Millis),
  disposition: Nullable(Type.String()),
  legs: Type.Array(AnyObject),
  flowPath: Type.Array(Type.String()),
  quality: AnyObject,
});
export const CallQuery = pageQueryWith({ agentId: Type.Optional(Type.String()), customer: Type.Optional(Type.String()) });

export const Recording = Type.Object({
  id: Type.String(),
  callId: Nullable(Type.String()),
  format: Type.String(),
  channels: Type.Integer(),
  sampleRate: Type.Integer(),
  durationMs: Type.Integer(),
  sizeBytes: Type.Integer(),
  createdAt: Millis,
});

export const Conversation = Type.Object({ id: Type.String(), customer: Type.String(), createdAt: Millis, lastMessageAt: Millis });
export const Message = Type.Object({
  id: Type.String(),
  customer: Type.String(),
  kind: Type.String(),
  callId: Nullable(Type.String()),
  agentId: Nullable(Type.String()),
  body: AnyObject,
  createdAt: Millis,
});

export const EventTypeSchema = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));
export const Event = Type.Object({
  id: Type.String(),
  seq: Type.Integer({ description: 'stream position (the SSE id)' }),
  type: Type.String(),
  callId: Nullable(Type.String()),
  agentId: Nullable(Type.String()),
  createdAt: Millis,
  data: AnyObject,
});
export const EventQuery = pageQueryWith({ type: Type.Optional(Type.String()), callId: Type.Optional(Type.String()), agentId: Type.Optional(Type.String()) });
export const Delivery = Type.Object({
  webhookId: Type.String(),
  eventId: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Millis,
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  deliveredAt: Nullable(Millis),
});
export const ReplayBody = Type.Object({ webhookId: Type.Optional(Type.String()) }, { additionalProperties: false });

export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Nullable(Type.Array(Type.String())),
  enabled: Type.Boolean(),
  createdAt: Millis,
  updatedAt: Millis,
});
export const WebhookCreate = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    secret: Type.String({ minLength: 16, maxLength: 256, description: 'HMAC-SHA256 key; never returned' }),
    events: Type.Optional(Nullable(Type.Array(EventTypeSchema, { minItems: 1 }))),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const WebhookPatch = Type.Partial(WebhookCreate, { additionalProperties: false });

export const ApiKey = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Millis, lastUsedAt: Nullable(Millis), revokedAt: Nullable(Millis) });
export const ApiKeyCreate = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export const ApiKeyCreated = Type.Object({ ...ApiKey.properties, key: Type.String({ description: 'the bearer token; shown once' }) });

export type TenantCreateBody = Static<typeof TenantCreate>;
export type TenantPatchBody = Static<typeof TenantPatch>;
export type AgentCreateBody = Static<typeof AgentCreate>;
export type AgentPatchBody = Static<typeof AgentPatch>;
export type TelephonyPutBody = Static<typeof TelephonyPut>;
export type WebhookCreateBody = Static<typeof WebhookCreate>;
export type WebhookPatchBody = Static<typeof WebhookPatch>;
export type PageQueryString = Static<typeof PageQuery>;

/** Standard error responses of a route, for the OpenAPI document. */
export function errors(...codes: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(codes.map((c) => [c, ErrorBody]));
}
