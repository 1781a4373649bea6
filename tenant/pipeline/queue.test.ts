// The durable transcription queue on both store backends: transcript saved as a call_transcript message with message.created in one transaction, once per recording; provider outages retried with exponential backoff; failure after the last attempt with its reason; a graceful restart mid-job; leases taken over from a lost worker (no duplicate message); bounded concurrency; catching up on recordings left without a job.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.ts';
import { EventWriter } from '../events/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { BACKENDS, useBackend } from '../testing.ts';
import { TranscriptionJobsRepo } from './repo.ts';
import { FakeAsrError, ScriptedTranscriber, seedCall, seedRecording, until } from './testing.ts';
import { TranscriptionWorker, type TranscriptionWorkerOptions } from './worker.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-pipeline-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe.each(BACKENDS)('transcription queue on %s', (backend) => {
  const h = useBackend(backend);

  /** A worker on `store` with fast timings; closed by the caller. */
  const workerOn = (store: Store, t: ScriptedTranscriber, o: Partial<TranscriptionWorkerOptions> = {}) =>
    new TranscriptionWorker(store, new EventWriter(store), { transcribe: t.transcribe, dataDir, baseDelayMs: 40, jitter: 0, maxAttempts: 3, leaseMs: 2000, catchUpWindowMs: 0, ...o });

  const jobsOf = (store: Store) => new TranscriptionJobsRepo(store);

  it('saves the transcript as a call_transcript message in the customer\'s conversation with message.created, once per recording', async () => {
    const store = await h.open();
    const s = await seedCall(store, dataDir);
    const t = new ScriptedTranscriber();
    const w = workerOn(store, t);
    try {
      w.start();
      const job = await w.enqueueTranscription(s.recordingId);
      expect(job).toMatchObject({ status: 'queued', recordingId: s.recordingId, callId: s.callId, attempts: 0 });
      await until(async () => (await jobsOf(store).get(s.tenantId, job.id))?.status === 'done');
      await w.idle();
      const done = await jobsOf(store).get(s.tenantId, job.id);
      expect(done).toMatchObject({ status: 'done', attempts: 1, lastError: null });
      const msgs = await store.conversations.messages(s.tenantId, s.customer);
      expect(msgs.items).toHaveLength(1);
      const m = msgs.items[0];
      expect(m).toMatchObject({ id: done?.messageId, kind: 'call_transcript', callId: s.callId, agentId: s.agentId });
      expect(m.body).toMatchObject({ callId: s.callId, recordingId: s.recordingId, durationMs: 9000, speakers: [{ speaker: 'customer' }, { speaker: 'agent' }] });
      expect((m.body.lines as { speaker: string }[]).map((l) => l.speaker)).toEqual(['agent', 'customer']);
      const events = await store.outbox.list(s.tenantId, {}, { type: 'message.created' });
      expect(events.items.map((e) => e.data.messageId)).toEqual([m.id]);
      expect(t.calls[0].req.file).toBe(path.join(dataDir, 'recordings', s.tenantId, `${s.callId}.wav`));
      // enqueueing the same recording again is the same job, and nothing runs twice
      const again = await w.enqueueTranscription(s.recordingId);
      expect(again.id).toBe(job.id);
      await w.idle();
      expect(t.calls).toHaveLength(1);
    } finally {
      await w.close();
    }
  });

  it('retries a provider outage with exponential backoff: fails twice, then succeeds', async () => {
    const store = await h.open();
    const s = await seedCall(store, dataDir);
    const t = new ScriptedTranscriber([new FakeAsrError('server-error', true), new FakeAsrError('timeout', true)]);
    const w = workerOn(store, t, { baseDelayMs: 60 });
    try {
      w.start();
      const job = await w.enqueueTranscription(s.recordingId);
      await until(async () => (await jobsOf(store).get(s.tenantId, job.id))?.status === 'done');
      await w.idle();
      expect(t.calls).toHaveLength(3);
      const gaps = [t.calls[1].at - t.calls[0].at, t.calls[2].at - t.calls[1].at];
      expect(gaps[0]).toBeGreaterThanOrEqual(55); // 60 ms after the first failure
      expect(gaps[1]).toBeGreaterThanOrEqual(115); // 120 ms after the second
      expect(await jobsOf(store).get(s.tenantId, job.id)).toMatchObject({ status: 'done', attempts: 3, lastErrorCode: 'timeout' });
      expect((await store.conversations.messages(s.tenantId, s.customer)).items).toHaveLength(1);
      expect(w.stats).toMatchObject({ claimed: 3, retried: 2, completed: 1, failed: 0 });
      expect(t.calls.map((c) => c.req.attempt)).toEqual([1, 2, 3]);
    } finally {
      await w.close();
    }
  });

  it('a provider that always fails ends failed after the last attempt, with its code and reason, and no message', async () => {
    const store = await h.open();
    const s = await seedCall(store, dataDir);
    const t = new ScriptedTranscriber([1, 2, 3, 4].map(() => new FakeAsrError('server-error', true)));
    const w = workerOn(store, t, { baseDelayMs: 10 });
    try {
      w.start();
      const job = await w.enqueueTranscription(s.recordingId);
      await until(async () => (await jobsOf(store).get(s.tenantId, job.id))?.status === 'failed');
      await w.idle();
      expect(t.calls).toHaveLength(3);
      const failed = await jobsOf(store).get(s.tenantId, job.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastErrorCode: 'server-error', messageId: null });
      expect(failed?.lastError).toContain('server-error');
      expect(failed?.finishedAt).not.toBeNull();
      expect(await store.conversations.get(s.tenantId, s.customer)).toBeUndefined();
      // the retry (what the admin API does) runs it again from the first attempt
      t.script = [];
      await jobsOf(store).retry(s.tenantId, job.id);
      w.wake();
      await until(async () => (await jobsOf(store).get(s.tenantId, job.id))?.status === 'done');
      expect(await jobsOf(store).get(s.tenantId, job.id)).toMatchObject({ status: 'done', attempts: 1 });
    } finally {
      await w.close();
    }
  });

  it('a non-retryable error fails at once; a retry-after delay from the provider is honoured', async () => {
    const store = await h.open();
    const a = await seedCall(store, dataDir);
    const b = await seedRecording(store, dataDir, a.tenantId, a.agentId);
    const t = new ScriptedTranscriber([new FakeAsrError('unauthorized', false)]);
    const w = workerOn(store, t, { baseDelayMs: 10, concurrency: 1 });
    try {
      w.start();
      const ja = await w.enqueueTranscription(a.recordingId);
      await until(async () => (await jobsOf(store).get(a.tenantId, ja.id))?.status === 'failed');
      expect(await jobsOf(store).get(a.tenantId, ja.id)).toMatchObject({ attempts: 1, lastErrorCode: 'unauthorized' });
      t.script = [new FakeAsrError('rate-limited', true, 250)];
      const jb = await w.enqueueTranscription(b.recordingId);
      await until(async () => (await jobsOf(store).get(a.tenantId, jb.id))?.status === 'done');
      const n = t.calls.length;
      expect(t.calls[n - 1].at - t.calls[n - 2].at).toBeGreaterThanOrEqual(240);
    } finally {
      await w.close();
    }
  });

  it('a job without a call fails at once as no-call; an unknown recording cannot be queued', async () => {
    const store = await h.open();
    const s = await seedCall(store, dataDir);
    const orphan = await store.recordings.insert({ tenantId: s.tenantId, callId: null, path: 'recordings/x.wav', format: 'wav', channels: 2, sampleRate: 8000, durationMs: 1, sizeBytes: 44 });
    const t = new ScriptedTranscriber();
    const w = workerOn(store, t);
    try {
      w.start();
      const j = await w.enqueueTranscription(orphan.id);
      await until(async () => (await jobsOf(store).get(s.tenantId, j.id))?.status === 'failed');
      expect(await jobsOf(store).get(s.tenantId, j.id)).toMatchObject({ attempts: 1, lastErrorCode: 'no-call' });
      expect(t.calls).toHaveLength(0);
      await expect(w.enqueueTranscription('rec_nonexistent')).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await w.close();
    }
  });

  it('runs at most `concurrency` jobs at once and drains the queue', async () => {
    const store = await h.open();
    const first = await seedCall(store, dataDir);
    const recs = [first.recordingId];
    for (let i = 0; i < 5; i++) recs.push((await seedRecording(store, dataDir, first.tenantId, first.agentId, undefined, `+861380000${2000 + i}`)).recordingId);
    const t = new ScriptedTranscriber();
    t.delayMs = 60;
    const w = workerOn(store, t, { concurrency: 2 });
    try {
      w.start();
      for (const r of recs) await w.enqueueTranscription(r);
      await until(async () => (await jobsOf(store).list(first.tenantId, {}, { status: 'done' })).items.length === recs.length);
      expect(t.maxActive).toBe(2);
      expect(t.calls).toHaveLength(recs.length);
    } finally {
      await w.close();
    }
  });

  it('closing mid-job gives the job back; after reopening the store a new worker completes it (restart)', async () => {
    const opts = backend === 'sqlite' ? { file: path.join(dataDir, `restart-${Date.now()}.db`) } : await h.freshOptions();
    let store = await openStore(opts);
    let s;
    let jobId: string;
    const slow = new ScriptedTranscriber();
    slow.delayMs = 60_000;
    const w1 = workerOn(store, slow);
    try {
      s = await seedCall(store, dataDir);
      w1.start();
      jobId = (await w1.enqueueTranscription(s.recordingId)).id;
      await until(() => slow.calls.length === 1);
      expect(await jobsOf(store).get(s.tenantId, jobId)).toMatchObject({ status: 'running', attempts: 1 });
    } finally {
      await w1.close();
      await store.close();
    }
    store = await openStore(opts);
    const fast = new ScriptedTranscriber();
    const w2 = workerOn(store, fast);
    try {
      expect(await jobsOf(store).get(s.tenantId, jobId)).toMatchObject({ status: 'queued', attempts: 0 });
      w2.start();
      await until(async () => (await jobsOf(store).get(s.tenantId, jobId))?.status === 'done');
      expect(await jobsOf(store).get(s.tenantId, jobId)).toMatchObject({ attempts: 1 });
      expect((await store.conversations.messages(s.tenantId, s.customer)).items).toHaveLength(1);
    } finally {
      await w2.close();
      await store.close();
    }
  });

  it('a lost worker\'s job is taken over when its lease ends, and the lost worker cannot finish it afterwards (no duplicate message)', async () => {
    const store = await h.open();
    const s = await seedCall(store, dataDir);
    const jobs = jobsOf(store);
    const { job } = await jobs.enqueue(s.recordingId);
    // a worker that claimed the job and then vanished: a 150 ms lease nobody renews
    const lost = await jobs.claim(job.id, store.now(), store.now() + 150);
    expect(lost).toBeDefined();
    const t = new ScriptedTranscriber();
    const w = workerOn(store, t, { pollMs: 50 });
    try {
      w.start();
      await new Promise((r) => setTimeout(r, 60));
      expect(t.calls).toHaveLength(0); // the lease still holds
      await until(async () => (await jobs.get(s.tenantId, job.id))?.status === 'done');
      expect(await jobs.get(s.tenantId, job.id)).toMatchObject({ attempts: 2 });
      // the lost worker wakes up: its token no longer finishes, renews or fails the job
      expect(await jobs.complete(job.id, lost!.token, 'msg_x')).toBe(false);
      expect(await jobs.renew(job.id, lost!.token, store.now() + 1000)).toBe(false);
      expect(await jobs.attemptFailed(job.id, lost!.token, { code: 'x', error: 'x', retryAt: null })).toBe(false);
      expect((await store.conversations.messages(s.tenantId, s.customer)).items).toHaveLength(1);
    } finally {
      await w.close();
    }
  });

  it('a job whose worker was lost on its last attempt fails as worker-lost', async () => {
    const store = await h.open();
    const s = await seedCall(store, dataDir);
    const jobs = jobsOf(store);
    const { job } = await jobs.enqueue(s.recordingId);
    for (let i = 0; i < 3; i++) {
      const now = store.now();
      const c = await jobs.claim(job.id, now + i * 10, now + i * 10); // claimed and immediately expired
      expect(c).toBeDefined();
    }
    const t = new ScriptedTranscriber();
    const w = workerOn(store, t, { maxAttempts: 3 });
    try {
      w.start();
      await until(async () => (await jobs.get(s.tenantId, job.id))?.status === 'failed');
      expect(await jobs.get(s.tenantId, job.id)).toMatchObject({ lastErrorCode: 'worker-lost' });
      expect(t.calls).toHaveLength(0);
    } finally {
      await w.close();
    }
  });

  it('on start, queues recent recordings that never got a job (crash between recording.ready and enqueue)', async () => {
    const store = await h.open();
    const s = await seedCall(store, dataDir);
    const t = new ScriptedTranscriber();
    const w = workerOn(store, t, { catchUpWindowMs: 3_600_000 });
    try {
      w.start();
      await until(async () => (await jobsOf(store).list(s.tenantId, {}, { recordingId: s.recordingId, status: 'done' })).items.length === 1);
      expect(t.calls).toHaveLength(1);
    } finally {
      await w.close();
    }
  });
});
