// Admin API routes of the transcription pipeline (registered through buildAdminApi's `routes` option): list and inspect jobs, retry a failed one, transcribe a recording on demand, and per-tenant speech recognition settings.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type ApiContext, tenantOf } from '../api/context.ts';
import * as S from '../api/schemas.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { JsonObject } from '../store/index.ts';
import { TranscriptionJobsRepo, TranscriptionSettingsRepo } from './repo.ts';
import { TRANSCRIPTION_STATUSES, type TranscriptionJob, type TranscriptionStatus } from './schema.ts';

/** Checks and shows tenant speech recognition settings (ivr/asr: `parseAsrConfig`, `redactAsrConfig`). */
export interface TranscriptionSettingsCodec {
  /** The settings to store. Throws an error with a string `field` (ivr/asr's `AsrConfigError`) or a TypeError for bad input. */
  validate(input: unknown): JsonObject;
  /** The settings as shown (secrets hidden). */
  redact(settings: JsonObject): JsonObject;
}

/** Options of {@link transcriptionRoutes}. */
export interface TranscriptionRoutesOptions {
  /** Woken after a retry or an on-demand transcription (the running worker). */
  wake?: () => void;
  /** Enables `GET/PUT/DELETE …/transcription-settings`. */
  settings?: TranscriptionSettingsCodec;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Millis = Type.Integer({ description: 'epoch milliseconds' });

/** A job as the API shows it. */
export const TranscriptionJobSchema = Type.Object({
  id: Type.String(),
  recordingId: Type.String(),
  callId: Nullable(Type.String()),
  status: Type.Union(TRANSCRIPTION_STATUSES.map((s) => Type.Literal(s)), { description: 'queued, running, done (messageId set) or failed (lastError says why)' }),
  attempts: Type.Integer(),
  nextAttemptAt: Millis,
  lastErrorCode: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
  createdAt: Millis,
  updatedAt: Millis,
  finishedAt: Nullable(Millis),
});

const SettingsBody = Type.Object({}, { additionalProperties: true, description: 'speech recognition settings: {provider, language, hints?, …}' });
const SettingsView = Type.Object({ settings: Nullable(SettingsBody) });

/** The API view of a job. */
export const jobView = (j: TranscriptionJob) => ({
  id: j.id,
  recordingId: j.recordingId,
  callId: j.callId,
  status: j.status,
  attempts: j.attempts,
  nextAttemptAt: j.nextAttemptAt,
  lastErrorCode: j.lastErrorCode,
  lastError: j.lastError,
  messageId: j.messageId,
  createdAt: j.createdAt,
  updatedAt: j.updatedAt,
  finishedAt: j.finishedAt,
});

type Id = { tenantId: string };

/** The route registrar to pass in `buildAdminApi({ routes: [transcriptionRoutes(…)] })`. */
export function transcriptionRoutes(opts: TranscriptionRoutesOptions = {}): (app: FastifyInstance, ctx: ApiContext) => void {
  const wake = opts.wake ?? (() => {});
  return (app, ctx) => {
    const jobs = new TranscriptionJobsRepo(ctx.store);
    const settings = new TranscriptionSettingsRepo(ctx.store);

    app.get<{ Params: Id; Querystring: S.PageQueryString & { status?: TranscriptionStatus; recordingId?: string; callId?: string } }>(
      '/tenants/:tenantId/transcriptions',
      {
        schema: {
          tags: ['transcriptions'],
          summary: 'Transcription jobs, newest first',
          params: S.TenantParams,
          querystring: S.pageQueryWith({
            status: Type.Optional(Type.Union(TRANSCRIPTION_STATUSES.map((s) => Type.Literal(s)))),
            recordingId: Type.Optional(Type.String({ maxLength: 64 })),
            callId: Type.Optional(Type.String({ maxLength: 128 })),
          }),
          response: { 200: S.PageOf(TranscriptionJobSchema), ...S.errors(400, 401, 404) },
        },
      },
      async (req) => {
        const { status, recordingId, callId, ...page } = req.query;
        const r = await jobs.list(tenantOf(req).id, page, { ...(status ? { status } : {}), ...(recordingId ? { recordingId } : {}), ...(callId ? { callId } : {}) });
        return { items: r.items.map(jobView), nextCursor: r.nextCursor };
      },
    );

    app.get<{ Params: Id & { jobId: string } }>(
      '/tenants/:tenantId/transcriptions/:jobId',
      { schema: { tags: ['transcriptions'], summary: 'A transcription job', params: S.withTenant({ jobId: Type.String({ maxLength: 64 }) }), response: { 200: TranscriptionJobSchema, ...S.errors(401, 404) } } },
      async (req) => {
        const j = await jobs.get(tenantOf(req).id, req.params.jobId);
        if (j === undefined) throw new NotFoundError('transcription');
        return jobView(j);
      },
    );

    app.post<{ Params: Id & { jobId: string } }>(
      '/tenants/:tenantId/transcriptions/:jobId/retry',
      {
        schema: {
          tags: ['transcriptions'],
          summary: 'Runs a failed transcription again from its first attempt',
          params: S.withTenant({ jobId: Type.String({ maxLength: 64 }) }),
          response: { 202: TranscriptionJobSchema, ...S.errors(401, 404, 409) },
        },
      },
      async (req, reply) => {
        const j = await jobs.retry(tenantOf(req).id, req.params.jobId, ctx.store.now());
        wake();
        return reply.code(202).send(jobView(j));
      },
    );

    app.post<{ Params: Id & { recordingId: string } }>(
      '/tenants/:tenantId/recordings/:recordingId/transcription',
      {
        schema: {
          tags: ['transcriptions'],
          summary: 'Queues the transcription of a recording (once: an existing job is returned)',
          params: S.withTenant({ recordingId: Type.String({ maxLength: 64 }) }),
          response: { 202: TranscriptionJobSchema, ...S.errors(401, 404) },
        },
      },
      async (req, reply) => {
        const rec = await ctx.store.recordings.get(tenantOf(req).id, req.params.recordingId);
        if (rec === undefined) throw new NotFoundError('recording');
        const { job } = await jobs.enqueue(rec.id, ctx.store.now());
        wake();
        return reply.code(202).send(jobView(job));
      },
    );

    const codec = opts.settings;
    if (codec === undefined) return;
    const settingsSchema = { tags: ['transcriptions'], params: S.TenantParams };

    app.get<{ Params: Id }>(
      '/tenants/:tenantId/transcription-settings',
      { schema: { ...settingsSchema, summary: "The tenant's speech recognition settings (null: the server's defaults); secrets hidden", response: { 200: SettingsView, ...S.errors(401, 404) } } },
      async (req) => {
        const s = await settings.get(tenantOf(req).id);
        return { settings: s === null ? null : codec.redact(s) };
      },
    );

    app.put<{ Params: Id; Body: Record<string, unknown> }>(
      '/tenants/:tenantId/transcription-settings',
      { schema: { ...settingsSchema, summary: 'Sets the speech recognition provider, language and phrases of the tenant', body: SettingsBody, response: { 200: SettingsView, ...S.errors(400, 401, 404) } } },
      async (req) => {
        let checked: JsonObject;
        try {
          checked = codec.validate(req.body);
        } catch (err) {
          const field = (err as { field?: unknown }).field;
          const msg = err instanceof Error ? err.message : String(err);
          if (typeof field === 'string') throw new ValidationError(field, msg.startsWith(`${field}: `) ? msg.slice(field.length + 2) : msg);
          if (err instanceof TypeError) throw new ValidationError('body', msg);
          throw err;
        }
        await settings.put(tenantOf(req).id, checked);
        return { settings: codec.redact(checked) };
      },
    );

    app.delete<{ Params: Id }>(
      '/tenants/:tenantId/transcription-settings',
      { schema: { ...settingsSchema, summary: "Removes the tenant's settings (the server's defaults apply)", response: { 204: Type.Null(), ...S.errors(401, 404) } } },
      async (req, reply) => {
        await settings.remove(tenantOf(req).id);
        return reply.code(204).send();
      },
    );
  };
}
