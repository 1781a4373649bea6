// Admin API routes for what happened (DESIGN.md §3): calls (CDRs), recordings (metadata and audio with HTTP Range, RFC 9110 §14), conversations and messages.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.ts';
import { type ApiContext, tenantOf } from '../context.ts';
import { parseRange } from '../range.ts';
import * as S from '../schemas.ts';
import { callView, conversationView, messageView, recordingView } from '../views.ts';

type Id = { tenantId: string };

const CONTENT_TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg', opus: 'audio/ogg' };

/** Registers the activity routes under the `/api/v1` prefix. */
export function activityRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;

  app.get<{ Params: Id; Querystring: S.PageQueryString & { agentId?: string; customer?: string } }>(
    '/tenants/:tenantId/calls',
    { schema: { tags: ['calls'], summary: 'Call detail records, newest first', params: S.TenantParams, querystring: S.CallQuery, response: { 200: S.PageOf(S.Call), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const { agentId, customer, ...page } = req.query;
      const r = await store.calls.list(tenantOf(req).id, page, { ...(agentId ? { agentId } : {}), ...(customer ? { customer } : {}) });
      return { items: r.items.map(callView), nextCursor: r.nextCursor };
    },
  );

  app.get<{ Params: Id & { callId: string } }>(
    '/tenants/:tenantId/calls/:callId',
    { schema: { tags: ['calls'], summary: 'One call detail record', params: S.withTenant({ callId: Type.String() }), response: { 200: S.Call, ...S.errors(401, 404) } } },
    async (req) => {
      const c = await store.calls.get(tenantOf(req).id, req.params.callId);
      if (c === undefined) throw new NotFoundError('call');
      return callView(c);
    },
  );

  app.get<{ Params: Id; Querystring: S.PageQueryString & { callId?: string } }>(
    '/tenants/:tenantId/recordings',
    {
      schema: {
        tags: ['recordings'],
        summary: 'Recordings, newest first',
        params: S.TenantParams,
        querystring: S.pageQueryWith({ callId: Type.Optional(Type.String()) }),
        response: { 200: S.PageOf(S.Recording), ...S.errors(400, 401, 404) },
      },
    },
    async (req) => {
      const { callId, ...page } = req.query;
      const r = await store.recordings.list(tenantOf(req).id, page, callId ? { callId } : {});
      return { items: r.items.map(recordingView), nextCursor: r.nextCursor };
    },
  );

  app.get<{ Params: Id & { recordingId: string } }>(
    '/tenants/:tenantId/recordings/:recordingId',
    { schema: { tags: ['recordings'], summary: 'A recording', params: S.withTenant({ recordingId: Type.String() }), response: { 200: S.Recording, ...S.errors(401, 404) } } },
    async (req) => {
      const r = await store.recordings.get(tenantOf(req).id, req.params.recordingId);
      if (r === undefined) throw new NotFoundError('recording');
      return recordingView(r);
    },
  );

  app.get<{ Params: Id & { recordingId: string } }>(
    '/tenants/:tenantId/recordings/:recordingId/audio',
    {
      schema: {
        tags: ['recordings'],
        summary: 'The recording audio; supports a single HTTP Range (206 Partial Content)',
        params: S.withTenant({ recordingId: Type.String() }),
        response: { 200: Type.String({ format: 'binary' }), 206: Type.String({ format: 'binary' }), ...S.errors(401, 404, 416) },
      },
    },
    async (req, reply) => {
      const r = await store.recordings.get(tenantOf(req).id, req.params.recordingId);
      if (r === undefined) throw new NotFoundError('recording');
      const root = path.resolve(ctx.dataDir);
      const file = path.resolve(root, r.path);
      if (!file.startsWith(root + path.sep)) throw new NotFoundError('recording audio');
      let size: number;
      try {
        const st = await stat(file);
        if (!st.isFile()) throw new Error('not a file');
        size = st.size;
      } catch {
        throw new NotFoundError('recording audio', 'the recording file is missing');
      }
      reply.header('Accept-Ranges', 'bytes');
      reply.header('Content-Type', CONTENT_TYPES[r.format] ?? 'application/octet-stream');
      reply.header('Content-Disposition', `attachment; filename="${r.id}.${r.format.replace(/[^a-z0-9]/gi, '')}"`);
      const range = parseRange(req.headers.range, size);
      if (range === undefined) {
        reply.header('Content-Length', String(size));
        return reply.code(200).send(createReadStream(file));
      }
      reply.header('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
      reply.header('Content-Length', String(range.end - range.start + 1));
      return reply.code(206).send(createReadStream(file, { start: range.start, end: range.end }));
    },
  );

  app.get<{ Params: Id; Querystring: S.PageQueryString }>(
    '/tenants/:tenantId/conversations',
    { schema: { tags: ['conversations'], summary: 'Customer conversations, most recently active first', params: S.TenantParams, querystring: S.PageQuery, response: { 200: S.PageOf(S.Conversation), ...S.errors(400, 401, 404) } } },
    async (req) => {
      const r = await store.conversations.list(tenantOf(req).id, req.query);
      return { items: r.items.map(conversationView), nextCursor: r.nextCursor };
    },
  );

  app.get<{ Params: Id & { customer: string }; Querystring: S.PageQueryString }>(
    '/tenants/:tenantId/conversations/:customer/messages',
    {
      schema: {
        tags: ['conversations'],
        summary: "A customer's messages (incoming-call notices, transcripts), oldest first",
        params: S.withTenant({ customer: Type.String({ maxLength: 64 }) }),
        querystring: S.PageQuery,
        response: { 200: S.PageOf(S.Message), ...S.errors(400, 401, 404) },
      },
    },
    async (req) => {
      const r = await store.conversations.messages(tenantOf(req).id, req.params.customer, req.query);
      return { items: r.items.map(messageView), nextCursor: r.nextCursor };
    },
  );
}
