// The pipeline's tables as Kysely types (created by the store's migration 0002_transcriptions) and the records the repository hands out.
import type { Repositories } from '../store/index.ts';

/** Where a job is: waiting (first try or a retry), held by a worker, finished with a message, or given up. */
export type TranscriptionStatus = 'queued' | 'running' | 'done' | 'failed';

/** The statuses, for validation. */
export const TRANSCRIPTION_STATUSES: readonly TranscriptionStatus[] = Object.freeze(['queued', 'running', 'done', 'failed']);

export type TranscriptionJobsTable = {
  id: string;
  tenant_id: string;
  recording_id: string;
  call_id: string | null;
  status: string;
  /** Attempts started (a claim counts one; a graceful shutdown gives it back). */
  attempts: number;
  /** When a queued job may next run. */
  next_attempt_at: number;
  /** A running job belongs to its worker until then (the worker renews it); after it, any worker may take it. */
  lease_until: number | null;
  /** Random token of the current claim: only its holder may finish the job. */
  lease_token: string | null;
  last_error_code: string | null;
  last_error: string | null;
  /** The transcript message, once done. */
  message_id: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
};

export type TranscriptionSettingsTable = {
  tenant_id: string;
  /** JSON object: the tenant's speech recognition settings (ivr/asr's AsrConfig). */
  settings: string;
  updated_at: number;
};

/** The tables this folder queries, added to the store's own. */
export type PipelineTables = {
  transcription_jobs: TranscriptionJobsTable;
  transcription_settings: TranscriptionSettingsTable;
};

/** A transcription job. */
export interface TranscriptionJob {
  id: string;
  tenantId: string;
  recordingId: string;
  callId: string | null;
  status: TranscriptionStatus;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
  /** Code of the last failure (`timeout`, `server-error`, `recording-missing`…), kept after a retry succeeds. */
  lastErrorCode: string | null;
  lastError: string | null;
  messageId: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** What the repositories of a store or transaction offer (the pipeline's repository is built on them). */
export type RepoHost = Pick<Repositories, 'db' | 'now' | 'dialect'>;
