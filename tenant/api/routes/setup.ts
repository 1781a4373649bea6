// Admin API routes for setting a tenant up (DESIGN.md §3): tenants, service numbers, agents, telephony integration, inbound flows, API keys.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FlowValidationError, ForbiddenError, NotFoundError } from '../../errors.ts';
import type { JsonObject } from '../../store/index.ts';
import { type ApiContext, principalOf, tenantOf } from '../context.ts';
import * as S from '../schemas.ts';
import { agentView, apiKeyView, flowView, numberView, registrationView, tenantView } from '../views.ts';

type Id = { tenantId: string };

function operatorOnly(principal: ReturnType<typeof principalOf>): void {
  if (principal.kind !== 'operator') throw new ForbiddenError('only the operator token may do this');
}

/** Registers the setup routes under the `/api/v1` prefix. */
export function setupRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;
  const stateOf = (tenantId: string, agentId: string): string => ctx.directory?.agentState(tenantId, agentId) ?? 'offline';

  // ---- tenants ----
  app.post<{ Body: S.TenantCreateBody }>(
    '/tenants',
    { schema: { tags: ['tenants'], summary: 'Create a tenant (operator)', body: S.TenantCreate, response: { 201: S.Tenant, ...S.errors(400, 401, 403, 409) } } },
    async (req, reply) => {
      operatorOnly(principalOf(req));
      const t = await store.tenants.create(req.body);
      await ctx.tenantChanged(t.id);
      return reply.code(201).send(tenantView(t));
    },
  );

  app.get<{ Querystring: S.PageQueryString }>(
    '/tenants',
    { schema: { tags: ['tenants'], summary: 'List tenants (a tenant key sees its own)', querystring: S.PageQuery, response: { 200: S.PageOf(S.Tenant), ...S.errors(400, 401) } } },
    async (req) => {
      const p = principalOf(req);
      const page = await store.tenants.list(req.query, p.kind === 'tenant' ? p.tenantId : undefined);
      return { items: page.items.map(tenantView), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: Id }>(
    '/tenants/:tenantId',
    { schema: { tags: ['tenants'], summary: 'Get a tenant', params: S.TenantParams, response: { 200: S.Tenant, ...S.errors(401, 404) } } },
    async (req) => tenantView(tenantOf(req)),
  );

  app.patch<{ Params: Id; Body: S.TenantPatchBody }>(
    '/tenants/:tenantId',
    { schema: { tags: ['tenants'], summary: 'Rename a tenant or change its settings (the domain is fixed: it is the digest realm)', params: S.TenantParams, body: S.TenantPatch, response: { 200: S.Tenant, ...S.errors(400, 401, 404) } } },
    async (req) => {
      const t = await store.tenants.update(tenantOf(req).id, req.body);
      await ctx.tenantChanged(t.id);
      return tenantView(t);
    },
  );

  app.delete<{ Params: Id }>(
    '/tenants/:tenantId',
    { schema: { tags: ['tenants'], summary: 'Delete a tenant and everything it owns (operator)', params: S.TenantParams, response: { 204: Type.Null(), ...S.errors(401, 403, 404) } } },
    async (req, reply) => {
      operatorOnly(principalOf(req));
      const id = tenantOf(req).id;
      await store.tenants.delete(id);
      await ctx.tenantChanged(id);
      return reply.code(204).send();
    },
  );

  // ---- service numbers ----
  app.post<{ Params: Id; Body: { number: string } }>(
    '/tenants/:tenantId/numbers',
    { schema: { tags: ['numbers'], summary: 'Add a service number', params: S.TenantParams, body: S.NumberCreate, response: { 201: S.ServiceNumber, ...S.errors(400, 401, 404, 409) } } },
    async (req, reply) => {
      const n = await store.numbers.add(tenantOf(req).id, req.body.number);
      await ctx.tenantChanged(n.tenantId);
      return reply.code(201).send(numberView(n));
    },
  );

  app.get<{ Params: Id; Querystring: S.PageQueryString }>(
    '/tenants/:tenantId/numbers',
    { schema: { tags: ['numbers'], summary: 'List service numbers', params: S.TenantParams, querystring: S.PageQuery, response: { 200: S.PageOf(S.ServiceNumber), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const page = await store.numbers.list(tenantOf(req).id, req.query);
      return { items: page.items.map(numberView), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: Id & { numberId: string } }>(
    '/tenants/:tenantId/numbers/:numberId',
    { schema: { tags: ['numbers'], summary: 'Get a service number', params: S.withTenant({ numberId: Type.String() }), response: { 200: S.ServiceNumber, ...S.errors(401, 404) } } },
    async (req) => {
      const n = await store.numbers.get(tenantOf(req).id, req.params.numberId);
      if (n === undefined) throw new NotFoundError('number');
      return numberView(n);
    },
  );

  app.delete<{ Params: Id & { numberId: string } }>(
    '/tenants/:tenantId/numbers/:numberId',
    { schema: { tags: ['numbers'], summary: 'Remove a service number', params: S.withTenant({ numberId: Type.String() }), response: { 204: Type.Null(), ...S.errors(401, 404) } } },
    async (req, reply) => {
      const id = tenantOf(req).id;
      if (!(await store.numbers.remove(id, req.params.numberId))) throw new NotFoundError('number');
      await ctx.tenantChanged(id);
      return reply.code(204).send();
    },
  );

  // ---- agents ----
  app.post<{ Params: Id; Body: S.AgentCreateBody }>(
    '/tenants/:tenantId/agents',
    { schema: { tags: ['agents'], summary: 'Create an agent (SIP account EXTENSION@DOMAIN)', params: S.TenantParams, body: S.AgentCreate, response: { 201: S.Agent, ...S.errors(400, 401, 404, 409) } } },
    async (req, reply) => {
      const a = await store.agents.create(tenantOf(req).id, req.body);
      await ctx.tenantChanged(a.tenantId);
      return reply.code(201).send(agentView(a, stateOf(a.tenantId, a.id)));
    },
  );

  app.get<{ Params: Id; Querystring: S.PageQueryString }>(
    '/tenants/:tenantId/agents',
    { schema: { tags: ['agents'], summary: 'List agents with their state', params: S.TenantParams, querystring: S.PageQuery, response: { 200: S.PageOf(S.Agent), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const id = tenantOf(req).id;
      const page = await store.agents.list(id, req.query);
      return { items: page.items.map((a) => agentView(a, stateOf(id, a.id))), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: Id & { agentId: string } }>(
    '/tenants/:tenantId/agents/:agentId',
    { schema: { tags: ['agents'], summary: 'Get an agent', params: S.withTenant({ agentId: Type.String() }), response: { 200: S.Agent, ...S.errors(401, 404) } } },
    async (req) => {
      const id = tenantOf(req).id;
      const a = await store.agents.get(id, req.params.agentId);
      if (a === undefined) throw new NotFoundError('agent');
      return agentView(a, stateOf(id, a.id));
    },
  );

  app.patch<{ Params: Id & { agentId: string }; Body: S.AgentPatchBody }>(
    '/tenants/:tenantId/agents/:agentId',
    { schema: { tags: ['agents'], summary: 'Rename an agent, set a new password, or set away', params: S.withTenant({ agentId: Type.String() }), body: S.AgentPatch, response: { 200: S.Agent, ...S.errors(400, 401, 404) } } },
    async (req) => {
      const id = tenantOf(req).id;
      const a = await store.agents.update(id, req.params.agentId, req.body);
      await ctx.tenantChanged(id);
      return agentView(a, stateOf(id, a.id));
    },
  );

  app.delete<{ Params: Id & { agentId: string } }>(
    '/tenants/:tenantId/agents/:agentId',
    { schema: { tags: ['agents'], summary: 'Delete an agent', params: S.withTenant({ agentId: Type.String() }), response: { 204: Type.Null(), ...S.errors(401, 404) } } },
    async (req, reply) => {
      const id = tenantOf(req).id;
      if (!(await store.agents.remove(id, req.params.agentId))) throw new NotFoundError('agent');
      await ctx.tenantChanged(id);
      return reply.code(204).send();
    },
  );

  // ---- telephony integration ----
  app.put<{ Params: Id; Body: S.TelephonyPutBody }>(
    '/tenants/:tenantId/telephony',
    {
      schema: {
        tags: ['telephony'],
        summary: 'Turn the telephony integration on or off; enabling issues the gateway account (password shown once)',
        params: S.TenantParams,
        body: S.TelephonyPut,
        response: { 200: S.TelephonyPutResult, ...S.errors(400, 401, 404) },
      },
    },
    async (req) => {
      const id = tenantOf(req).id;
      if (req.body.enabled) {
        const r = await store.telephony.enable(id, { rotatePassword: req.body.rotatePassword === true });
        await ctx.tenantChanged(id);
        const username = r.telephony.gatewayUsername;
        return { enabled: true, gateway: username === null ? null : { username, ...(r.password !== undefined ? { password: r.password } : {}) } };
      }
      const t = await store.telephony.disable(id);
      await ctx.tenantChanged(id);
      return { enabled: false, gateway: t.gatewayUsername === null ? null : { username: t.gatewayUsername } };
    },
  );

  app.get<{ Params: Id }>(
    '/tenants/:tenantId/telephony',
    { schema: { tags: ['telephony'], summary: 'Telephony integration state and the registered gateways', params: S.TenantParams, response: { 200: S.TelephonyView, ...S.errors(401, 404) } } },
    async (req) => {
      const id = tenantOf(req).id;
      const t = await store.telephony.get(id);
      const bindings = ctx.directory !== undefined ? ctx.directory.gatewayBindings(id) : (await store.registrations.byTenant(id, { kind: 'gateway' })).map((s) => s.binding);
      return { enabled: t.enabled, gateway: t.gatewayUsername === null ? null : { username: t.gatewayUsername }, registrations: bindings.map(registrationView) };
    },
  );

  // ---- flows ----
  const validated = (doc: unknown): JsonObject => {
    const r = ctx.flows.validate(doc);
    if (!r.ok) throw new FlowValidationError(r.faults);
    return doc as JsonObject;
  };

  app.put<{ Params: Id; Body: JsonObject }>(
    '/tenants/:tenantId/flows/inbound',
    { schema: { tags: ['flows'], summary: 'Validate and publish the inbound flow (a new version)', params: S.TenantParams, body: S.FlowDocument, response: { 200: S.Flow, ...S.errors(400, 401, 404) } } },
    async (req) => {
      const id = tenantOf(req).id;
      const f = await store.flows.save(id, 'inbound', validated(req.body));
      await ctx.tenantChanged(id);
      return flowView(f);
    },
  );

  app.get<{ Params: Id }>(
    '/tenants/:tenantId/flows/inbound',
    { schema: { tags: ['flows'], summary: 'The published inbound flow', params: S.TenantParams, response: { 200: S.Flow, ...S.errors(401, 404) } } },
    async (req) => {
      const f = await store.flows.published(tenantOf(req).id, 'inbound');
      if (f === undefined) throw new NotFoundError('flow', 'no inbound flow is published (calls use the default flow)');
      return flowView(f);
    },
  );

  app.get<{ Params: Id; Querystring: S.PageQueryString }>(
    '/tenants/:tenantId/flows/inbound/versions',
    { schema: { tags: ['flows'], summary: 'Every saved version, newest first', params: S.TenantParams, querystring: S.PageQuery, response: { 200: S.PageOf(S.Flow), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const page = await store.flows.versions(tenantOf(req).id, 'inbound', req.query);
      return { items: page.items.map(flowView), nextCursor: page.nextCursor };
    },
  );

  app.post<{ Params: Id & { flowId: string } }>(
    '/tenants/:tenantId/flows/inbound/versions/:flowId/publish',
    { schema: { tags: ['flows'], summary: 'Publish an earlier version again (roll back)', params: S.withTenant({ flowId: Type.String() }), response: { 200: S.Flow, ...S.errors(401, 404) } } },
    async (req) => {
      const id = tenantOf(req).id;
      const f = await store.flows.publish(id, req.params.flowId);
      await ctx.tenantChanged(id);
      return flowView(f);
    },
  );

  app.post<{ Body: JsonObject }>(
    '/flows/validate',
    { schema: { tags: ['flows'], summary: 'Validate a flow document without saving it', body: Type.Unknown(), response: { 200: S.FlowValidation, ...S.errors(400, 401) } } },
    async (req) => {
      const r = ctx.flows.validate(req.body);
      return r.ok ? { valid: true, faults: [] } : { valid: false, faults: r.faults };
    },
  );

  app.get(
    '/flows/schema',
    { schema: { tags: ['flows'], summary: 'The JSON Schema of flow documents', response: { 200: Type.Object({}, { additionalProperties: true }), ...S.errors(401) } } },
    async () => ctx.flows.schema,
  );

  // ---- API keys ----
  app.post<{ Params: Id; Body: { name: string } }>(
    '/tenants/:tenantId/api-keys',
    { schema: { tags: ['api keys'], summary: 'Create an API key for this tenant (the key is shown once)', params: S.TenantParams, body: S.ApiKeyCreate, response: { 201: S.ApiKeyCreated, ...S.errors(400, 401, 404) } } },
    async (req, reply) => {
      const { apiKey, token } = await store.apiKeys.create(tenantOf(req).id, req.body.name);
      return reply.code(201).send({ ...apiKeyView(apiKey), key: token });
    },
  );

  app.get<{ Params: Id; Querystring: S.PageQueryString }>(
    '/tenants/:tenantId/api-keys',
    { schema: { tags: ['api keys'], summary: 'List API keys (never their secrets)', params: S.TenantParams, querystring: S.PageQuery, response: { 200: S.PageOf(S.ApiKey), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const page = await store.apiKeys.list(tenantOf(req).id, req.query);
      return { items: page.items.map(apiKeyView), nextCursor: page.nextCursor };
    },
  );

  app.delete<{ Params: Id & { keyId: string } }>(
    '/tenants/:tenantId/api-keys/:keyId',
    { schema: { tags: ['api keys'], summary: 'Revoke an API key', params: S.withTenant({ keyId: Type.String() }), response: { 204: Type.Null(), ...S.errors(401, 404) } } },
    async (req, reply) => {
      if (!(await store.apiKeys.revoke(tenantOf(req).id, req.params.keyId))) throw new NotFoundError('api key');
      return reply.code(204).send();
    },
  );
}
