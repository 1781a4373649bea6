// Admin API routes for events (DESIGN.md §3 "Events"): the event log with delivery status and replay, webhooks, and the live stream (Server-Sent Events with Last-Event-ID resume, WHATWG HTML §9.2).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { StoredEvent } from '../../store/index.ts';
import { type ApiContext, tenantOf } from '../context.ts';
import * as S from '../schemas.ts';
import { deliveryView, eventView, webhookView } from '../views.ts';

type Id = { tenantId: string };

/** Registers the event routes under the `/api/v1` prefix. */
export function eventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;

  app.get<{ Params: Id; Querystring: S.PageQueryString & { type?: string; callId?: string; agentId?: string } }>(
    '/tenants/:tenantId/events',
    { schema: { tags: ['events'], summary: 'The event log, oldest first', params: S.TenantParams, querystring: S.EventQuery, response: { 200: S.PageOf(S.Event), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const { type, callId, agentId, ...page } = req.query;
      const r = await store.outbox.list(tenantOf(req).id, page, { ...(type ? { type } : {}), ...(callId ? { callId } : {}), ...(agentId ? { agentId } : {}) });
      return { items: r.items.map(eventView), nextCursor: r.nextCursor };
    },
  );

  app.get<{ Params: Id & { eventId: string } }>(
    '/tenants/:tenantId/events/:eventId',
    { schema: { tags: ['events'], summary: 'One event', params: S.withTenant({ eventId: Type.String() }), response: { 200: S.Event, ...S.errors(401, 404) } } },
    async (req) => {
      const e = await store.outbox.get(tenantOf(req).id, req.params.eventId);
      if (e === undefined) throw new NotFoundError('event');
      return eventView(e);
    },
  );

  app.get<{ Params: Id & { eventId: string }; Querystring: S.PageQueryString }>(
    '/tenants/:tenantId/events/:eventId/deliveries',
    { schema: { tags: ['events'], summary: "An event's webhook deliveries", params: S.withTenant({ eventId: Type.String() }), querystring: S.PageQuery, response: { 200: S.PageOf(S.Delivery), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const id = tenantOf(req).id;
      if ((await store.outbox.get(id, req.params.eventId)) === undefined) throw new NotFoundError('event');
      const r = await store.outbox.deliveries(id, req.query, { eventId: req.params.eventId });
      return { items: r.items.map(deliveryView), nextCursor: r.nextCursor };
    },
  );

  app.post<{ Params: Id & { eventId: string }; Body: { webhookId?: string } | undefined }>(
    '/tenants/:tenantId/events/:eventId/replay',
    {
      schema: {
        tags: ['events'],
        summary: 'Deliver an event again to every subscribed webhook (or one)',
        params: S.withTenant({ eventId: Type.String() }),
        body: Type.Optional(S.ReplayBody),
        response: { 202: Type.Object({ scheduled: Type.Integer() }), ...S.errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const n = await store.outbox.replay(tenantOf(req).id, req.params.eventId, req.body?.webhookId);
      ctx.wake();
      return reply.code(202).send({ scheduled: n });
    },
  );

  // ---- webhooks ----
  app.post<{ Params: Id; Body: S.WebhookCreateBody }>(
    '/tenants/:tenantId/webhooks',
    { schema: { tags: ['webhooks'], summary: 'Add a webhook (events signed with HMAC-SHA256 using the secret)', params: S.TenantParams, body: S.WebhookCreate, response: { 201: S.Webhook, ...S.errors(400, 401, 404) } } },
    async (req, reply) => {
      const w = await store.webhooks.create(tenantOf(req).id, req.body);
      return reply.code(201).send(webhookView(w));
    },
  );

  app.get<{ Params: Id; Querystring: S.PageQueryString }>(
    '/tenants/:tenantId/webhooks',
    { schema: { tags: ['webhooks'], summary: 'List webhooks (never their secrets)', params: S.TenantParams, querystring: S.PageQuery, response: { 200: S.PageOf(S.Webhook), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const r = await store.webhooks.list(tenantOf(req).id, req.query);
      return { items: r.items.map(webhookView), nextCursor: r.nextCursor };
    },
  );

  app.get<{ Params: Id & { webhookId: string } }>(
    '/tenants/:tenantId/webhooks/:webhookId',
    { schema: { tags: ['webhooks'], summary: 'A webhook', params: S.withTenant({ webhookId: Type.String() }), response: { 200: S.Webhook, ...S.errors(401, 404) } } },
    async (req) => {
      const w = await store.webhooks.get(tenantOf(req).id, req.params.webhookId);
      if (w === undefined) throw new NotFoundError('webhook');
      return webhookView(w);
    },
  );

  app.patch<{ Params: Id & { webhookId: string }; Body: S.WebhookPatchBody }>(
    '/tenants/:tenantId/webhooks/:webhookId',
    { schema: { tags: ['webhooks'], summary: 'Change a webhook', params: S.withTenant({ webhookId: Type.String() }), body: S.WebhookPatch, response: { 200: S.Webhook, ...S.errors(400, 401, 404) } } },
    async (req) => webhookView(await store.webhooks.update(tenantOf(req).id, req.params.webhookId, req.body)),
  );

  app.delete<{ Params: Id & { webhookId: string } }>(
    '/tenants/:tenantId/webhooks/:webhookId',
    { schema: { tags: ['webhooks'], summary: 'Remove a webhook', params: S.withTenant({ webhookId: Type.String() }), response: { 204: Type.Null(), ...S.errors(401, 404) } } },
    async (req, reply) => {
      if (!(await store.webhooks.remove(tenantOf(req).id, req.params.webhookId))) throw new NotFoundError('webhook');
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Id & { webhookId: string }; Querystring: S.PageQueryString & { status?: 'pending' | 'delivered' | 'failed' } }>(
    '/tenants/:tenantId/webhooks/:webhookId/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: "A webhook's deliveries, oldest event first",
        params: S.withTenant({ webhookId: Type.String() }),
        querystring: S.pageQueryWith({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])) }),
        response: { 200: S.PageOf(S.Delivery), ...S.errors(400, 401, 404) },
      },
    },
    async (req) => {
      const id = tenantOf(req).id;
      if ((await store.webhooks.get(id, req.params.webhookId)) === undefined) throw new NotFoundError('webhook');
      const { status, ...page } = req.query;
      const r = await store.outbox.deliveries(id, page, { webhookId: req.params.webhookId, ...(status ? { status } : {}) });
      return { items: r.items.map(deliveryView), nextCursor: r.nextCursor };
    },
  );

  // ---- live stream (Server-Sent Events) ----
  app.get<{ Params: Id; Querystring: { agentId?: string; lastEventId?: string } }>(
    '/tenants/:tenantId/stream',
    {
      schema: {
        tags: ['events'],
        summary: "Live events as Server-Sent Events (id = seq; resume with Last-Event-ID); `agentId` narrows to one agent's events",
        params: S.TenantParams,
        querystring: Type.Object({ agentId: Type.Optional(Type.String()), lastEventId: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) }, { additionalProperties: false }),
        response: { 200: Type.String({ description: 'text/event-stream' }), ...S.errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const { agentId } = req.query;
      if (agentId !== undefined && (await store.agents.get(tenant.id, agentId)) === undefined) throw new NotFoundError('agent');
      const header = req.headers['last-event-id'];
      const lastText = (Array.isArray(header) ? header[0] : header) ?? req.query.lastEventId;
      let last: number | undefined;
      if (lastText !== undefined && lastText !== '') {
        if (!/^[0-9]{1,15}$/.test(lastText.trim())) throw new ValidationError('Last-Event-ID', 'must be an event seq from this stream');
        last = Number(lastText.trim());
      }
      const live = ctx.live;
      const wanted = (e: StoredEvent): boolean => e.tenantId === tenant.id && (agentId === undefined || e.agentId === agentId);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write(`retry: 2000\n\n`);

      // Subscribe first and hold live events while reading the store, so that none falls in between.
      let sent = 0;
      let replaying = true;
      const held: StoredEvent[] = [];
      const send = (e: StoredEvent): void => {
        if (e.seq <= sent) return;
        sent = e.seq;
        res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(eventView(e))}\n\n`);
      };
      const unsubscribe = live?.subscribe((e) => {
        if (!wanted(e)) return;
        if (replaying) held.push(e);
        else send(e);
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), ctx.sseHeartbeatMs);
      heartbeat.unref();
      const close = (): void => {
        clearInterval(heartbeat);
        unsubscribe?.();
      };
      req.raw.on('close', close);
      res.on('close', close);
      try {
        sent = last ?? (await store.outbox.lastSeq());
        if (last !== undefined) {
          for (;;) {
            const batch = await store.outbox.since(tenant.id, sent, { ...(agentId ? { agentId } : {}), limit: 500 });
            for (const e of batch) send(e);
            if (batch.length < 500) break;
          }
        }
      } catch (err) {
        ctx.log.error({ err }, 'stream replay failed');
        res.end();
        close();
        return;
      }
      replaying = false;
      for (const e of held.splice(0).sort((a, b) => a.seq - b.seq)) send(e);
    },
  );
}
