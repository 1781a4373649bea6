// The after-call transcription worker: takes jobs from the durable queue with bounded concurrency, runs the recogniser off the media path, and saves each transcript as a `call_transcript` message in the customer's conversation with its `message.created` event and the job's completion in one transaction.
//
// Timeline of one job (defaults: lease 5 min renewed every 100 s, backoff 30 s × 2ⁿ capped at 1 h, 5 attempts):
//
//   t0        recording ready → enqueueTranscription(recordingId)    row 'queued', due t0 (once per recording)
//   t0        claim: 'running', attempts=1, lease t0+5 min, token T   (one worker wins, across nodes)
//   t0+…      recogniser fails (HTTP 503, timeout…)                   'queued', due +30 s, last error kept
//   t0+30 s   claim: attempts=2 → recogniser OK → one transaction:    message + message.created + 'done' (token T₂ checked)
//   …         non-retryable error, or attempt 5 failed               'failed' with code and reason (the API can retry it)
//   crash     the lease is not renewed; when it ends another worker (or this one after a restart) claims the job again;
//             a job whose worker was lost on its last attempt ends 'failed' (worker-lost)
//   close()   jobs in flight are cancelled and given back ('queued', the attempt not counted)
import path from 'node:path';
import { type EventWriter, messageData } from '../events/activity.ts';
import { type Logger, silentLogger } from '../log.ts';
import type { JsonObject, Recording, Store } from '../store/index.ts';
import { type ClaimedJob, TranscriptionJobsRepo, TranscriptionSettingsRepo } from './repo.ts';
import type { TranscriptionJob } from './schema.ts';

/** What the transcriber is asked for one job. */
export interface TranscriptionRequest {
  tenantId: string;
  recording: Recording;
  /** Absolute path of the recording file (inside the data directory). */
  file: string;
  /** The tenant's stored speech recognition settings, or null for the server's defaults. */
  settings: JsonObject | null;
  /** Which attempt this is (1…). */
  attempt: number;
  /** Fires when the job must stop (shutdown, lease lost, job time limit). */
  signal: AbortSignal;
}

/** One line of a transcript. */
export interface TranscriptResultLine {
  speaker: string;
  startMs: number;
  endMs: number;
  text: string;
}

/** What a transcriber returns (ivr/asr's `CallTranscript` has this shape). */
export interface TranscriptResult {
  language: string;
  provider: string;
  durationMs: number;
  speakers: ReadonlyArray<{ speaker: string; channel: string; speechMs: number; silent: boolean; lines: number }>;
  lines: readonly TranscriptResultLine[];
  text: string;
}

/**
 * Turns a recording into a per-speaker transcript (ivr/asr's `createCallTranscriber` is one). Errors with a boolean
 * `retryable` and a string `code` (ivr/asr's `AsrError`) decide retry or failure; any other error is retried.
 */
export type Transcriber = (req: TranscriptionRequest) => Promise<TranscriptResult>;

/** Why the pipeline itself gave up on a job. */
export type PipelineErrorCode = 'recording-missing' | 'no-call' | 'recording-path' | 'worker-lost' | 'timeout';

/** A job the pipeline cannot run (not the recogniser's failure). */
export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly retryable: boolean;

  constructor(code: PipelineErrorCode, message: string, retryable = false) {
    super(message);
    this.name = 'PipelineError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** Options of {@link TranscriptionWorker}. */
export interface TranscriptionWorkerOptions {
  transcribe: Transcriber;
  /** Recordings' paths are relative to it. Default `./data`. */
  dataDir?: string;
  /** Jobs running at once. Default 2 (a local recogniser takes a core each). */
  concurrency?: number;
  /** Attempts before a job fails. Default 5. */
  maxAttempts?: number;
  /** Delay after the first failure; doubled after each further one. Default 30 s. */
  baseDelayMs?: number;
  /** Longest delay between attempts. Default 1 h. */
  maxDelayMs?: number;
  /** Random extra delay as a fraction of the delay. Default 0.2. */
  jitter?: number;
  /** How long a claim holds without renewal (renewed every third of it). Default 5 min. */
  leaseMs?: number;
  /** Longest one attempt may run before it is cancelled and retried. Default 2 h. */
  jobTimeoutMs?: number;
  /** Look for due jobs at least this often (other nodes' jobs, expired leases). Default 30 s. */
  pollMs?: number;
  /** On start, enqueue recordings of this recent past that have no job (lost between `recording.ready` and enqueueing). 0: off. Default 7 days. */
  catchUpWindowMs?: number;
  /** How long `close()` waits for cancelled jobs to give their claims back. Default 5 s. */
  closeTimeoutMs?: number;
  now?: () => number;
  /** Random numbers in [0, 1) for jitter. Default Math.random. */
  random?: () => number;
  logger?: Logger;
}

/** Defaults of {@link TranscriptionWorkerOptions}. */
export const TRANSCRIPTION_WORKER_DEFAULTS = Object.freeze({
  dataDir: './data',
  concurrency: 2,
  maxAttempts: 5,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  jitter: 0.2,
  leaseMs: 300_000,
  jobTimeoutMs: 7_200_000,
  pollMs: 30_000,
  catchUpWindowMs: 7 * 86_400_000,
  closeTimeoutMs: 5_000,
});

/** Counters since start. */
export interface TranscriptionWorkerStats {
  claimed: number;
  completed: number;
  retried: number;
  failed: number;
  released: number;
}

type StopReason = 'shutdown' | 'lease-lost' | 'timeout';

interface Running {
  readonly ac: AbortController;
  reason: StopReason | undefined;
  done: Promise<void>;
}

/** Thrown inside the completing transaction when the claim is gone: rolls the message back. */
class ClaimLost extends Error {}

/**
 * Runs transcription jobs: {@link start} once, {@link enqueueTranscription} when a recording is ready, {@link close} on
 * shutdown. One timer at a time for the next due job (or the poll interval), plus one lease renewal timer per job.
 */
export class TranscriptionWorker {
  readonly #store: Store;
  readonly #events: EventWriter;
  readonly #jobs: TranscriptionJobsRepo;
  readonly #settings: TranscriptionSettingsRepo;
  readonly #transcribe: Transcriber;
  readonly #o: typeof TRANSCRIPTION_WORKER_DEFAULTS;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #running = new Map<string, Running>();
  readonly #stats: TranscriptionWorkerStats = { claimed: 0, completed: 0, retried: 0, failed: 0, released: 0 };
  #timer: NodeJS.Timeout | undefined;
  #pumping: Promise<void> | undefined;
  #again = false;
  #started = false;
  #closed = false;

  /** @throws {TypeError} naming an option out of range. */
  constructor(store: Store, events: EventWriter, opts: TranscriptionWorkerOptions) {
    if (typeof opts.transcribe !== 'function') throw new TypeError('transcribe: must be a function');
    this.#store = store;
    this.#events = events;
    this.#jobs = new TranscriptionJobsRepo(store);
    this.#settings = new TranscriptionSettingsRepo(store);
    this.#transcribe = opts.transcribe;
    const o = { ...TRANSCRIPTION_WORKER_DEFAULTS };
    for (const k of Object.keys(o) as (keyof typeof o)[]) {
      const v = opts[k];
      if (v !== undefined) (o as Record<string, unknown>)[k] = v;
    }
    for (const k of ['concurrency', 'maxAttempts'] as const) if (!Number.isInteger(o[k]) || o[k] < 1) throw new TypeError(`${k}: must be a positive integer`);
    for (const k of ['baseDelayMs', 'maxDelayMs', 'leaseMs', 'jobTimeoutMs', 'pollMs'] as const) if (!(o[k] > 0)) throw new TypeError(`${k}: must be positive`);
    if (!(o.jitter >= 0)) throw new TypeError('jitter: must not be negative');
    this.#o = o;
    this.#now = opts.now ?? Date.now;
    this.#random = opts.random ?? Math.random;
    this.#log = opts.logger ?? silentLogger();
  }

  /** Counters since construction. */
  get stats(): Readonly<TranscriptionWorkerStats> {
    return { ...this.#stats };
  }

  /** Jobs in flight in this worker. */
  get inFlight(): number {
    return this.#running.size;
  }

  /** Starts taking jobs (jobs left queued or with expired leases by a previous run come first). Idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    if (this.#o.catchUpWindowMs > 0) void this.#catchUp();
    this.wake();
  }

  /**
   * Queues the transcription of a ready recording (once per recording; again returns the same job) and wakes the
   * worker. Cheap and safe to call from the call path: one insert, the work happens later.
   * @throws {NotFoundError} of `recording`; {StoreError}.
   */
  async enqueueTranscription(recordingId: string): Promise<TranscriptionJob> {
    const { job } = await this.#jobs.enqueue(recordingId, this.#now());
    this.wake();
    return job;
  }

  /** Looks for due jobs now (after an enqueue or an API retry). */
  wake(): void {
    if (!this.#started || this.#closed) return;
    void this.#pump();
  }

  /** The delay before the attempt after `attempts` failed ones (without jitter). */
  backoff(attempts: number): number {
    return Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  }

  /** Resolves when nothing is running or being claimed (tests). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#pumping !== undefined) await this.#pumping;
      else if (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.done));
      else return;
    }
  }

  /** Stops: no new claims; jobs in flight are cancelled and given back to the queue. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer();
    for (const r of this.#running.values()) {
      r.reason ??= 'shutdown';
      r.ac.abort(new Error('transcription worker closing'));
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = Promise.all([this.#pumping, ...[...this.#running.values()].map((r) => r.done)]);
    await Promise.race([waited, new Promise((r) => (timer = setTimeout(r, this.#o.closeTimeoutMs)))]);
    clearTimeout(timer);
    this.#clearTimer();
  }

  async #catchUp(): Promise<void> {
    try {
      const since = this.#now() - this.#o.catchUpWindowMs;
      for (;;) {
        const ids = await this.#jobs.recordingsWithoutJob(since, 200);
        for (const id of ids) await this.#jobs.enqueue(id, this.#now());
        if (ids.length > 0) this.#log.info({ recordings: ids.length }, 'queued transcriptions of recordings that had none');
        if (ids.length < 200 || this.#closed) break;
      }
      this.wake();
    } catch (err) {
      this.#log.error({ err }, 'catching up on recordings without transcription failed');
    }
  }

  #pump(): Promise<void> {
    if (this.#pumping !== undefined) {
      this.#again = true;
      return this.#pumping;
    }
    this.#clearTimer();
    this.#pumping = (async () => {
      let next: number | undefined;
      try {
        do {
          this.#again = false;
          const free = this.#o.concurrency - this.#running.size;
          if (free <= 0 || this.#closed) break;
          const due = await this.#jobs.due(this.#now(), free + 4);
          let claimed = 0;
          for (const j of due) {
            if (this.#running.size >= this.#o.concurrency || this.#closed) break;
            if (this.#running.has(j.id)) continue;
            const now = this.#now();
            const c = await this.#jobs.claim(j.id, now, now + this.#o.leaseMs);
            if (c === undefined) continue; // another worker took it
            claimed++;
            this.#launch(c);
          }
          if (claimed > 0 && this.#running.size < this.#o.concurrency) this.#again = true;
        } while (this.#again && !this.#closed);
        if (this.#running.size < this.#o.concurrency) next = await this.#jobs.nextWakeAt();
      } catch (err) {
        if (!this.#closed) this.#log.error({ err }, 'transcription queue round failed');
        next = this.#now() + 1000;
      }
      this.#schedule(next);
    })().finally(() => {
      this.#pumping = undefined;
    });
    return this.#pumping;
  }

  #schedule(at: number | undefined): void {
    if (this.#closed) return;
    this.#clearTimer();
    const delay = Math.max(0, Math.min(at === undefined ? Infinity : at - this.#now(), this.#o.pollMs));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#pump();
    }, delay);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #launch(c: ClaimedJob): void {
    this.#stats.claimed++;
    const entry: Running = { ac: new AbortController(), reason: undefined, done: Promise.resolve() };
    this.#running.set(c.job.id, entry);
    entry.done = this.#run(c, entry)
      .catch((err: unknown) => this.#log.error({ err, jobId: c.job.id }, 'transcription job crashed'))
      .finally(() => {
        this.#running.delete(c.job.id);
        this.wake();
      });
  }

  #stop(entry: Running, reason: StopReason): void {
    entry.reason ??= reason;
    entry.ac.abort(new Error(`transcription stopped: ${reason}`));
  }

  async #run(c: ClaimedJob, entry: Running): Promise<void> {
    const { job, token } = c;
    const renewal = setInterval(() => {
      this.#jobs.renew(job.id, token, this.#now() + this.#o.leaseMs).then(
        (ok) => {
          if (!ok) this.#stop(entry, 'lease-lost');
        },
        (err: unknown) => this.#log.warn({ err, jobId: job.id }, 'renewing a transcription lease failed'),
      );
    }, Math.max(10, Math.floor(this.#o.leaseMs / 3)));
    renewal.unref();
    const deadline = setTimeout(() => this.#stop(entry, 'timeout'), this.#o.jobTimeoutMs);
    deadline.unref();
    try {
      if (job.attempts > this.#o.maxAttempts) {
        throw new PipelineError('worker-lost', `the worker running attempt ${job.attempts - 1} was lost (crash or restart) and no attempts are left`);
      }
      const rec = await this.#store.recordings.get(job.tenantId, job.recordingId);
      if (rec === undefined) throw new PipelineError('recording-missing', `recording ${job.recordingId} no longer exists`);
      const call = rec.callId === null ? undefined : await this.#store.calls.get(job.tenantId, rec.callId);
      if (call === undefined) throw new PipelineError('no-call', `recording ${rec.id} belongs to no known call: no conversation to put the transcript in`);
      const file = this.#fileOf(rec);
      const settings = await this.#settings.get(job.tenantId);
      const t = await this.#transcribe({ tenantId: job.tenantId, recording: rec, file, settings, attempt: job.attempts, signal: entry.ac.signal });
      if (entry.reason === 'lease-lost') throw new ClaimLost();
      await this.#events.transaction(async (tx, emit) => {
        const msg = await tx.conversations.addMessage(job.tenantId, call.customer, {
          kind: 'call_transcript',
          callId: call.id,
          agentId: call.agentId,
          body: transcriptBody(rec, t),
        });
        if (!(await new TranscriptionJobsRepo(tx).complete(job.id, token, msg.id, this.#now()))) throw new ClaimLost();
        await emit({ tenantId: job.tenantId, type: 'message.created', callId: call.id, agentId: call.agentId, data: messageData(msg) });
      });
      this.#stats.completed++;
      this.#log.info({ jobId: job.id, recordingId: rec.id, lines: t.lines.length }, 'transcript saved');
    } catch (err) {
      await this.#failed(c, entry, err);
    } finally {
      clearInterval(renewal);
      clearTimeout(deadline);
    }
  }

  /** The recording's absolute path, refusing one outside the data directory. */
  #fileOf(rec: Recording): string {
    const root = path.resolve(this.#o.dataDir);
    const file = path.resolve(root, rec.path);
    if (!file.startsWith(root + path.sep)) throw new PipelineError('recording-path', `recording ${rec.id} has a path outside the data directory`);
    return file;
  }

  async #failed(c: ClaimedJob, entry: Running, err: unknown): Promise<void> {
    const { job, token } = c;
    if (err instanceof ClaimLost || entry.reason === 'lease-lost') {
      this.#log.warn({ jobId: job.id }, 'transcription claim lost to another worker; result dropped');
      return;
    }
    try {
      if (entry.reason === 'shutdown') {
        if (await this.#jobs.release(job.id, token, this.#now())) this.#stats.released++;
        return;
      }
      const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; retryable?: unknown; retryAfterMs?: unknown; message?: unknown };
      let code = typeof e.code === 'string' ? e.code : 'error';
      let retryable = typeof e.retryable === 'boolean' ? e.retryable : true;
      let message = typeof e.message === 'string' ? e.message : String(err);
      if (entry.reason === 'timeout') {
        code = 'timeout';
        retryable = true;
        message = `attempt cancelled after ${this.#o.jobTimeoutMs} ms`;
      }
      const giveUp = !retryable || job.attempts >= this.#o.maxAttempts;
      const wait = Math.max(this.backoff(job.attempts) * (1 + this.#random() * this.#o.jitter), typeof e.retryAfterMs === 'number' ? e.retryAfterMs : 0);
      const now = this.#now();
      const ok = await this.#jobs.attemptFailed(job.id, token, { code, error: message, retryAt: giveUp ? null : now + wait }, now);
      if (!ok) return;
      if (giveUp) this.#stats.failed++;
      else this.#stats.retried++;
      this.#log.warn({ jobId: job.id, attempt: job.attempts, code, retryable, giveUp, error: message }, 'transcription attempt failed');
    } catch (dbErr) {
      // the lease runs out and the job is taken again: nothing is lost
      if (!this.#closed) this.#log.error({ err: dbErr, jobId: job.id }, 'recording a transcription failure failed');
    }
  }
}

/** The body of a `call_transcript` message. */
export function transcriptBody(rec: Recording, t: TranscriptResult): JsonObject {
  return {
    callId: rec.callId,
    recordingId: rec.id,
    language: t.language,
    provider: t.provider,
    durationMs: t.durationMs,
    speakers: t.speakers.map((s) => ({ speaker: s.speaker, channel: s.channel, speechMs: s.speechMs, silent: s.silent, lines: s.lines })),
    lines: t.lines.map((l) => ({ speaker: l.speaker, startMs: l.startMs, endMs: l.endMs, text: l.text })),
    text: t.text,
  };
}
