// The durable transcription queue in the store: enqueue once per recording, claim with a lease and a token (one worker per job across nodes, a crashed worker's job is taken again when its lease ends), finish, retry later or fail, and per-tenant recognition settings.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ConflictError, NotFoundError } from '../errors.ts';
import { newId } from '../model/index.ts';
import type { JsonObject, Page, PageRequest } from '../store/index.ts';
import { decodeCursor, guarded, pageSize, toPage } from '../store/util.ts';
import type { PipelineTables, RepoHost, TranscriptionJob, TranscriptionJobsTable, TranscriptionStatus } from './schema.ts';

const MAX_ERROR_LENGTH = 500;

function jobOf(r: TranscriptionJobsTable): TranscriptionJob {
  const n = (v: number | null): number | null => (v === null ? null : Number(v));
  return {
    id: r.id,
    tenantId: r.tenant_id,
    recordingId: r.recording_id,
    callId: r.call_id,
    status: r.status as TranscriptionStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    leaseUntil: n(r.lease_until),
    lastErrorCode: r.last_error_code,
    lastError: r.last_error,
    messageId: r.message_id,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    finishedAt: n(r.finished_at),
  };
}

/** Filters of {@link TranscriptionJobsRepo.list}. */
export interface JobFilter {
  status?: TranscriptionStatus;
  recordingId?: string;
  callId?: string;
}

/** A claimed job: the row and the token that proves the claim. */
export interface ClaimedJob {
  job: TranscriptionJob;
  token: string;
}

/** How a failed attempt ends: tried again at `retryAt`, or given up (`retryAt` null). */
export interface AttemptFailure {
  code: string;
  error: string;
  retryAt: number | null;
}

/**
 * Transcription jobs. Bind it to the store, or to a transaction's repositories (`new TranscriptionJobsRepo(tx)`) so
 * that finishing a job commits with its message.
 */
export class TranscriptionJobsRepo {
  readonly #host: RepoHost;

  constructor(host: RepoHost) {
    this.#host = host;
  }

  get #db() {
    return this.#host.db.withTables<PipelineTables>();
  }

  /**
   * Queues the transcription of a recording, once: a recording that already has a job gets that job back.
   * @returns the job and whether it was created now. @throws {NotFoundError} of `recording`.
   */
  async enqueue(recordingId: string, at = this.#host.now()): Promise<{ job: TranscriptionJob; created: boolean }> {
    const rec = await this.#db.selectFrom('recordings').select(['id', 'tenant_id', 'call_id']).where('id', '=', recordingId).executeTakeFirst();
    if (rec === undefined) throw new NotFoundError('recording');
    const row: TranscriptionJobsTable = {
      id: newId('trj', at),
      tenant_id: rec.tenant_id,
      recording_id: rec.id,
      call_id: rec.call_id,
      status: 'queued',
      attempts: 0,
      next_attempt_at: at,
      lease_until: null,
      lease_token: null,
      last_error_code: null,
      last_error: null,
      message_id: null,
      created_at: at,
      updated_at: at,
      finished_at: null,
    };
    await this.#db.insertInto('transcription_jobs').values(row).onConflict((oc) => oc.column('recording_id').doNothing()).execute();
    const job = await this.#db.selectFrom('transcription_jobs').selectAll().where('recording_id', '=', recordingId).executeTakeFirstOrThrow();
    return { job: jobOf(job), created: job.id === row.id };
  }

  /** A job of the tenant, or `undefined`. */
  async get(tenantId: string, id: string): Promise<TranscriptionJob | undefined> {
    const r = await this.#db.selectFrom('transcription_jobs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && jobOf(r);
  }

  /** A job by id, any tenant (the worker), or `undefined`. */
  async byId(id: string): Promise<TranscriptionJob | undefined> {
    const r = await this.#db.selectFrom('transcription_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return r && jobOf(r);
  }

  /** The tenant's jobs, newest first, paginated and filtered. @throws {ValidationError} naming `limit` or `cursor`. */
  async list(tenantId: string, req?: PageRequest, filter: JobFilter = {}): Promise<Page<TranscriptionJob>> {
    const limit = pageSize(req);
    let q = this.#db.selectFrom('transcription_jobs').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.recordingId !== undefined) q = q.where('recording_id', '=', filter.recordingId);
    if (filter.callId !== undefined) q = q.where('call_id', '=', filter.callId);
    if (req?.cursor) q = q.where('id', '<', decodeCursor(req.cursor, ['s'])[0] as string);
    return toPage(await q.execute(), limit, jobOf, (r) => [r.id]);
  }

  /** Jobs a worker may take at `now`: queued and due, or running with an expired lease (a lost worker). Oldest due first. */
  async due(now: number, limit: number): Promise<TranscriptionJob[]> {
    const rows = await this.#db
      .selectFrom('transcription_jobs')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('lease_until', '<=', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(jobOf);
  }

  /**
   * Takes a due job for one attempt until `leaseUntil` (counts the attempt). Atomic: of several workers racing for a
   * job, one wins. @returns the claim, or `undefined` when the job is no longer free.
   */
  async claim(id: string, now: number, leaseUntil: number): Promise<ClaimedJob | undefined> {
    const token = randomUUID();
    const r = await this.#db
      .updateTable('transcription_jobs')
      .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), lease_until: leaseUntil, lease_token: token, updated_at: now }))
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('lease_until', '<=', now)]),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    return r === undefined ? undefined : { job: jobOf(r), token };
  }

  /** Extends a claim. @returns false when the claim was lost (expired and taken by another worker). */
  async renew(id: string, token: string, leaseUntil: number): Promise<boolean> {
    const r = await this.#db.updateTable('transcription_jobs').set({ lease_until: leaseUntil }).where('id', '=', id).where('lease_token', '=', token).where('status', '=', 'running').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Marks a claimed job done with its message. @returns false when the claim was lost (the caller rolls back). */
  async complete(id: string, token: string, messageId: string, at = this.#host.now()): Promise<boolean> {
    const r = await this.#db
      .updateTable('transcription_jobs')
      .set({ status: 'done', message_id: messageId, lease_until: null, lease_token: null, updated_at: at, finished_at: at })
      .where('id', '=', id)
      .where('lease_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Records a failed attempt: queued again at `retryAt`, or `failed` with the reason. @returns false when the claim was lost. */
  async attemptFailed(id: string, token: string, f: AttemptFailure, at = this.#host.now()): Promise<boolean> {
    const r = await this.#db
      .updateTable('transcription_jobs')
      .set({
        status: f.retryAt === null ? 'failed' : 'queued',
        next_attempt_at: f.retryAt ?? at,
        lease_until: null,
        lease_token: null,
        last_error_code: f.code.slice(0, 64),
        last_error: f.error.slice(0, MAX_ERROR_LENGTH),
        updated_at: at,
        finished_at: f.retryAt === null ? at : null,
      })
      .where('id', '=', id)
      .where('lease_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Gives a claimed job back without counting the attempt (graceful shutdown). @returns false when the claim was lost. */
  async release(id: string, token: string, at = this.#host.now()): Promise<boolean> {
    const r = await this.#db
      .updateTable('transcription_jobs')
      .set((eb) => ({ status: 'queued', attempts: eb('attempts', '-', 1), next_attempt_at: at, lease_until: null, lease_token: null, updated_at: at }))
      .where('id', '=', id)
      .where('lease_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Runs a failed job again from its first attempt (the admin API's retry). The last error stays visible until the
   * next outcome. @throws {NotFoundError} of `transcription`; {ConflictError} naming `status` when it has not failed.
   */
  async retry(tenantId: string, id: string, at = this.#host.now()): Promise<TranscriptionJob> {
    const r = await this.#db
      .updateTable('transcription_jobs')
      .set({ status: 'queued', attempts: 0, next_attempt_at: at, lease_until: null, lease_token: null, updated_at: at, finished_at: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .returningAll()
      .executeTakeFirst();
    if (r !== undefined) return jobOf(r);
    const cur = await this.get(tenantId, id);
    if (cur === undefined) throw new NotFoundError('transcription');
    throw new ConflictError('status', `is ${cur.status}; only a failed transcription can be retried`);
  }

  /** When a job next becomes takeable (a queued job's due time or a running job's lease end), or `undefined`. */
  async nextWakeAt(): Promise<number | undefined> {
    const r = await this.#db
      .selectFrom('transcription_jobs')
      .select(sql<number | null>`min(case when status = 'running' then lease_until else next_attempt_at end)`.as('at'))
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  /** Recordings made since `since` that have no job (a crash between `recording.ready` and enqueueing), oldest first. */
  async recordingsWithoutJob(since: number, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('recordings as r')
      .leftJoin('transcription_jobs as j', 'j.recording_id', 'r.id')
      .select('r.id')
      .where('j.id', 'is', null)
      .where('r.created_at', '>=', since)
      .orderBy('r.id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

}

/** Per-tenant speech recognition settings (opaque JSON checked by the recogniser layer). */
export class TranscriptionSettingsRepo {
  readonly #host: RepoHost;

  constructor(host: RepoHost) {
    this.#host = host;
  }

  get #db() {
    return this.#host.db.withTables<PipelineTables>();
  }

  /** The tenant's settings, or null when it has none (the server's defaults apply). */
  async get(tenantId: string): Promise<JsonObject | null> {
    const r = await this.#db.selectFrom('transcription_settings').select('settings').where('tenant_id', '=', tenantId).executeTakeFirst();
    if (r === undefined) return null;
    try {
      return JSON.parse(r.settings) as JsonObject;
    } catch {
      return null;
    }
  }

  /** Replaces the tenant's settings. @throws {NotFoundError} of `tenant`. */
  async put(tenantId: string, settings: JsonObject): Promise<void> {
    const at = this.#host.now();
    const text = JSON.stringify(settings);
    await guarded('tenant', () =>
      this.#db
        .insertInto('transcription_settings')
        .values({ tenant_id: tenantId, settings: text, updated_at: at })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: text, updated_at: at }))
        .execute(),
    );
  }

  /** Removes the tenant's settings (back to the defaults). @returns false when it had none. */
  async remove(tenantId: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('transcription_settings').where('tenant_id', '=', tenantId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
