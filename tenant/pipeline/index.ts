// Public surface of tenant/pipeline: the durable after-call transcription queue (repository), its worker, and its admin API routes.
export { TRANSCRIPTION_STATUSES, type PipelineTables, type TranscriptionJob, type TranscriptionStatus } from './schema.ts';
export { TranscriptionJobsRepo, TranscriptionSettingsRepo, type AttemptFailure, type ClaimedJob, type JobFilter } from './repo.ts';
export {
  PipelineError,
  TRANSCRIPTION_WORKER_DEFAULTS,
  TranscriptionWorker,
  transcriptBody,
  type PipelineErrorCode,
  type Transcriber,
  type TranscriptionRequest,
  type TranscriptionWorkerOptions,
  type TranscriptionWorkerStats,
  type TranscriptResult,
  type TranscriptResultLine,
} from './worker.ts';
export { jobView, TranscriptionJobSchema, transcriptionRoutes, type TranscriptionRoutesOptions, type TranscriptionSettingsCodec } from './routes.ts';
